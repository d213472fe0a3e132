#!/usr/bin/env bash
# Renders the pictures in the README from the shipped samples: the Summary sheet and the first
# page of Appendix A of the master workbook, as LibreOffice prints them.
# Needs LibreOffice and poppler-utils (apt-get install -y libreoffice-calc-nogui poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run --release -q -- merge samples/returns --plan samples/harborough_q1_2020_21.json -o "$tmp/master.xlsx" >/dev/null || true
soffice --headless "-env:UserInstallation=file://$tmp/lo" --convert-to pdf --outdir "$tmp" "$tmp/master.xlsx" >/dev/null 2>&1
pages=$(pdfinfo "$tmp/master.pdf" | awk '/^Pages:/ {print $2}')
appendix=""
for p in $(seq 1 "$pages"); do
  if pdftotext -f "$p" -l "$p" "$tmp/master.pdf" - | grep -q "KA.01.01"; then appendix=$p; break; fi
done
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$tmp/master.pdf" docs/summary
pdftoppm -png -r 80 -f "$appendix" -l "$appendix" -singlefile "$tmp/master.pdf" docs/appendix-a
echo "wrote docs/summary.png and docs/appendix-a.png (Appendix A starts on page $appendix of $pages)"
