#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the samples and test fixtures, in each target's
# input format. Run from anywhere; `cargo fuzz run <target>` then starts from them.
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/workbook corpus/csv corpus/xlsx_parts
# workbook: the first byte picks the format (0 xlsx, 1 ods, 2 xls, 3 xlsb; see workbook.rs).
seed_workbook() { { printf "\\x$(printf %02x "$1")"; cat "$2"; } > "corpus/workbook/$(basename "$2").seed"; }
for f in "$root"/samples/*.xlsx "$root"/samples/returns/*.xlsx "$root"/samples/county/*.xlsx \
         "$root"/tests/data/password_protected.xlsx; do
  seed_workbook 0 "$f"
done
for f in "$root"/tests/data/hostile/*.xlsx; do
  # The zip bomb is refused from its directory alone; as a seed it would only make inputs huge.
  case "$f" in *zip_bomb*) continue ;; esac
  seed_workbook 0 "$f"
done
seed_workbook 1 "$root/tests/data/libreoffice_seed.ods"
seed_workbook 2 "$root/tests/data/libreoffice_seed.xls"
seed_workbook 2 "$root/tests/data/hostile/password_protected.xls"
# csv: every CSV-like file as it is.
for f in "$root"/samples/*.csv "$root"/samples/returns/*.csv "$root"/tests/data/hostile/*.csv \
         "$root"/tests/data/hostile/*.txt; do
  cp "$f" "corpus/csv/$(basename "$f")"
done
# xlsx_parts: the worksheet XML, a NUL, the shared strings XML of the sample workbooks.
python3 - "$root" <<'PY'
import sys, zipfile, glob, os
root = sys.argv[1]
for path in glob.glob(root + "/samples/**/*.xlsx", recursive=True) + glob.glob(root + "/tests/data/hostile/*.xlsx"):
    if "zip_bomb" in path:
        continue
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        continue
    names = z.namelist()
    sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
    strings = z.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
    for s in sheets:
        out = "corpus/xlsx_parts/%s_%s" % (os.path.basename(path), os.path.basename(s))
        open(out, "wb").write(z.read(s) + b"\0" + strings)
PY
# streamed: the same inputs as xlsx_parts.
mkdir -p corpus/streamed
cp corpus/xlsx_parts/* corpus/streamed/
# json_stream: the JSON trackers, each behind a byte choosing the block size (7 bytes here).
mkdir -p corpus/json_stream
for f in "$root"/samples/*.json "$root"/tests/data/*.json; do
  [ -e "$f" ] || continue
  { printf '\x06'; cat "$f"; } > "corpus/json_stream/$(basename "$f").seed"
done
echo "seeded: $(ls corpus/workbook | wc -l) workbook, $(ls corpus/csv | wc -l) csv, $(ls corpus/xlsx_parts | wc -l) xlsx_parts, $(ls corpus/streamed | wc -l) streamed, $(ls corpus/json_stream | wc -l) json_stream"
