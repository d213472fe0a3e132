#!/usr/bin/env bash
# Makes the fixtures "made by a real spreadsheet program": LibreOffice converts the seed sample
# workbook to .ods and .xls. Run after `cargo run --bin make-samples` when the samples change.
# Needs LibreOffice (apt-get install -y libreoffice-calc-nogui).
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
soffice --headless -env:UserInstallation=file://$tmp/profile --convert-to ods --outdir "$tmp" samples/harborough_q1_2020_21.xlsx >/dev/null
soffice --headless -env:UserInstallation=file://$tmp/profile --convert-to 'xls:MS Excel 97' --outdir "$tmp" samples/harborough_q1_2020_21.xlsx >/dev/null
cp "$tmp/harborough_q1_2020_21.ods" "$out/libreoffice_seed.ods"
cp "$tmp/harborough_q1_2020_21.xls" "$out/libreoffice_seed.xls"
echo "wrote $out/libreoffice_seed.ods and $out/libreoffice_seed.xls"

# A password-protected workbook (password "secret"), made with msoffcrypto-tool from PyPI:
#   pip install msoffcrypto-tool
#   msoffcrypto-tool -e -p secret samples/returns/return_finance.xlsx tests/data/password_protected.xlsx
