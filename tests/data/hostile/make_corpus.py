#!/usr/bin/env python3
"""Makes katrack's corpus of broken and hostile inputs (tests/data/hostile/).

Each file is named after what it is; tests/it/hostile/ checks katrack's exact outcome on each.
Run from anywhere with Python 3 (standard library only):

    python3 tests/data/hostile/make_corpus.py

password_protected.xls needs LibreOffice's Python bridge and is made by make_encrypted_xls.py
(run with the system Python that has `uno`: /usr/bin/python3). password_protected.xlsx is the
workbook made with msoffcrypto-tool (see scripts/convert-fixtures.sh), copied here.
The output is reproducible: zip entries carry a fixed date.
"""

import os
import shutil
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DATE = (2020, 1, 1, 0, 0, 0)

HEADER = ["Key Activities", "Status", "Progress", "Next Steps", "Lead Officer", "Portfolio"]
LEAD = "Chief Officer - Finance and Assets"
ACTIVITY = [
    "KA.08.01 Deliver the medium term financial strategy",
    "Green",
    "- Budget set for 2020/21",
    "- Review in Q2",
    LEAD,
    "Finance",
]


def out(name):
    return os.path.join(HERE, name)


def col_letters(col):
    s = ""
    col += 1
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def xml_text(text):
    """Escapes text for an XML text node; characters XML 1.0 cannot hold are written the way
    Excel writes them (_xHHHH_, one UTF-16 unit each, so lone surrogates can be expressed)."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif (o < 0x20 and ch not in "\t\n\r") or 0xD800 <= o <= 0xDFFF or o in (0xFFFE, 0xFFFF):
            out.append("_x%04X_" % o)
        else:
            out.append(ch)
    return "".join(out)


def sheet_xml(rows, dimension=None, extra_rows=""):
    """rows: list of (row_index_0_based, [texts]) written as inline strings from column A."""
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension:
        parts.append('<dimension ref="%s"/>' % dimension)
    parts.append("<sheetData>")
    parts.append(extra_rows)
    for r, texts in rows:
        parts.append('<row r="%d">' % (r + 1))
        for c, t in enumerate(texts):
            if t == "":
                continue
            ref = "%s%d" % (col_letters(c), r + 1)
            parts.append('<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                         % (ref, xml_text(t)))
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode("utf-8")


def write_xlsx(path, sheets, big_entry=None):
    """sheets: list of (name, state, sheet_xml_bytes). `big_entry` (name, chunks) streams one
    more part (deflated, zip64) for the zip bomb."""
    ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    wb = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>']
    rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    for i, (name, state, _) in enumerate(sheets, 1):
        ct.append('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % i)
        st = ' state="%s"' % state if state != "visible" else ""
        wb.append('<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>' % (name, i, st, i))
        rels.append('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (i, i))
    ct.append("</Types>")
    wb.append("</sheets></workbook>")
    rels.append("</Relationships>")
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                 '</Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        def put(name, data):
            info = zipfile.ZipInfo(name, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        put("[Content_Types].xml", "".join(ct))
        put("_rels/.rels", root_rels)
        put("xl/workbook.xml", "".join(wb))
        put("xl/_rels/workbook.xml.rels", "".join(rels))
        for i, (_, _, data) in enumerate(sheets, 1):
            if big_entry and big_entry[0] == "xl/worksheets/sheet%d.xml" % i:
                continue
            put("xl/worksheets/sheet%d.xml" % i, data)
        if big_entry:
            name, chunks = big_entry
            info = zipfile.ZipInfo(name, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as f:
                for chunk in chunks():
                    f.write(chunk)


def table(*activities, start=0):
    rows = [(start, HEADER)]
    for i, a in enumerate(activities, 1):
        rows.append((start + i, a))
    return rows


def csv_line(cells, sep=","):
    def q(c):
        if any(ch in c for ch in (sep, '"', "\n", "\r")):
            return '"' + c.replace('"', '""') + '"'
        return c
    return sep.join(q(c) for c in cells)


def main():
    # Unreadable files.
    open(out("zero_bytes.xlsx"), "wb").close()
    good = open(os.path.join(ROOT, "samples/returns/return_finance.xlsx"), "rb").read()
    open(out("truncated_zip.xlsx"), "wb").write(good[: len(good) * 3 // 5])
    open(out("text_named.xlsx"), "w").write(
        "Key Activities,Status\nKA.08.01 Deliver the MTFS,Green\n")
    open(out("html_named.xls"), "w").write(
        "<html><body><table><tr><td>Key Activities</td><td>Status</td></tr>"
        "<tr><td>KA.08.01</td><td>Green</td></tr></table></body></html>\n")
    shutil.copyfile(os.path.join(ROOT, "tests/data/password_protected.xlsx"),
                    out("password_protected.xlsx"))

    # Workbooks with nothing to read.
    write_xlsx(out("empty_workbook.xlsx"), [("Sheet1", "visible", sheet_xml([]))])
    write_xlsx(out("only_hidden_sheets.xlsx"), [
        ("Data", "hidden", sheet_xml(table(ACTIVITY))),
        ("Lists", "veryHidden", sheet_xml([(0, ["Green"]), (1, ["Amber"]), (2, ["Red"])])),
    ])

    # A zip bomb: a 2 MB file whose sheet expands to 2 GiB (and declares it).
    head = sheet_xml(table(ACTIVITY)).split(b"</sheetData>")[0]

    def bomb():
        yield head
        chunk = b" " * (1 << 20)
        for _ in range(2048):
            yield chunk
        yield b"</sheetData></worksheet>"
    write_xlsx(out("zip_bomb.xlsx"), [("Bomb", "visible", b"")],
               big_entry=("xl/worksheets/sheet1.xml", bomb))

    # Absurd dimensions: one cell at A1 and one at XFD1048576 (the last cell Excel allows).
    write_xlsx(out("a1_and_xfd1048576.xlsx"), [("Sheet1", "visible", sheet_xml(
        table(ACTIVITY), dimension="A1:XFD1048576").replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far away</t></is></c></row>'
            b"</sheetData>"))])

    # A cell longer than Excel's 32,767 characters (Excel cannot make one; other programs can).
    long_progress = "- " + " ".join("word%d" % i for i in range(6000))
    assert len(long_progress) > 40000
    act = list(ACTIVITY)
    act[2] = long_progress
    write_xlsx(out("cell_over_32767_chars.xlsx"), [("Q1", "visible", sheet_xml(table(act)))])

    # Control characters (escaped the way Excel does) and invalid UTF-16 (lone surrogates).
    act = list(ACTIVITY)
    act[0] = "KA.08.01 Deliver\x01 the\x07 medium term\x1b[31m financial strategy"
    act[2] = "- Budget \ud800set\x00 for 2020/21\n- Review \udc00in Q2 \ud83d\udcf7"
    act[1] = "Green\x0b"
    write_xlsx(out("control_chars_and_lone_surrogates.xlsx"),
               [("Q1", "visible", sheet_xml(table(act)))])

    # CSV: mixed line endings (CRLF, LF, CR) and a quoted cell holding a CRLF.
    lines = [csv_line(HEADER), csv_line(ACTIVITY),
             csv_line(["KA.08.02 Develop a MTFS", "Amber", "- First\r\n- Second", "- TBC",
                       LEAD, "Finance"]),
             csv_line(["KA.08.03 Review fees and charges", "Red", "- Behind", "- Catch up",
                       LEAD, "Finance"])]
    open(out("mixed_line_endings.csv"), "wb").write(
        (lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\r\n").encode())

    # CSV: ragged rows, short and long.
    open(out("ragged_rows.csv"), "w", newline="").write(
        csv_line(HEADER) + "\r\n"
        + "KA.08.01 Deliver the medium term financial strategy,Green\r\n"
        + csv_line(["KA.08.02 Develop a MTFS", "Amber", "- Drafted", "- Consult", LEAD,
                    "Finance", "a note in a column with no header", "and another"]) + "\r\n")

    # CSV: a quote opened and never closed swallows the rest of the file into one cell.
    open(out("unterminated_quote.csv"), "w", newline="").write(
        csv_line(HEADER) + "\r\n"
        + 'KA.08.01 Deliver the medium term financial strategy,Green,"- Budget set\r\n'
        + "KA.08.02 Develop a MTFS,Amber,- Drafted,- Consult,Chief Officer,Finance\r\n")

    # CSV: Windows-1252 (Excel's "CSV" on a UK PC): £, en dash, curly quotes.
    act = list(ACTIVITY)
    act[2] = "- Saves \u00a311,000 a year \u2013 the council\u2019s \u201cquick win\u201d"
    open(out("windows_1252.csv"), "wb").write(
        (csv_line(HEADER) + "\r\n" + csv_line(act) + "\r\n").encode("cp1252"))

    # UTF-16 with a BOM (Excel's "Unicode Text": tab-separated), little- and big-endian; the LE
    # file also holds a lone surrogate, which cannot be decoded.
    text = csv_line(HEADER, "\t") + "\r\n" + csv_line(act, "\t") + "\r\n"
    open(out("utf16le_bom.txt"), "wb").write(b"\xff\xfe" + text.encode("utf-16-le"))
    text = csv_line(HEADER) + "\r\n" + csv_line(act) + "\r\n"
    open(out("utf16be_bom.csv"), "wb").write(b"\xfe\xff" + text.encode("utf-16-be"))
    lone = text.replace("quick win", "quick\ud800win")
    open(out("utf16le_lone_surrogate.csv"), "wb").write(
        b"\xff\xfe" + lone.encode("utf-16-le", "surrogatepass"))

    # CSV: a header naming Status twice; the second column is reported, not dropped silently.
    open(out("duplicate_header_columns.csv"), "w", newline="").write(
        csv_line(HEADER + ["Status"]) + "\r\n"
        + csv_line(ACTIVITY + ["Amber"]) + "\r\n")

    # CSV: headers only.
    open(out("headers_only.csv"), "w", newline="").write(csv_line(HEADER) + "\r\n")

    # CSV and xlsx: 10,000 empty rows before the header.
    open(out("empty_rows_before_header.csv"), "w", newline="").write(
        ",,,,,\r\n" * 10000 + csv_line(HEADER) + "\r\n" + csv_line(ACTIVITY) + "\r\n")
    empties = "".join('<row r="%d"/>' % (i + 1) for i in range(5000)) + "".join(
        '<row r="%d"><c r="A%d" t="inlineStr"><is><t xml:space="preserve"> </t></is></c>'
        '<c r="B%d" t="inlineStr"><is><t></t></is></c></row>' % (i + 1, i + 1, i + 1)
        for i in range(5000, 10000))
    write_xlsx(out("empty_rows_before_header.xlsx"),
               [("Q1", "visible", sheet_xml(table(ACTIVITY, start=10000), extra_rows=empties))])


if __name__ == "__main__":
    sys.exit(main())
