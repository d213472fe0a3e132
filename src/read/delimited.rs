//! CSV and TSV: encoding detection (UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252),
//! delimiter sniffing, and records numbered as the rows a spreadsheet program would show.
//!
//! Returns saved from Excel on a council PC are often Windows-1252 (the "£" in a progress note),
//! sometimes UTF-8 with a BOM, and their cells hold line breaks. Rows are numbered the way Excel
//! shows them when it opens the file, so a finding's `E12` points at the cell the officer sees.

use super::{Cell, Format, Input, Row, Sheet};
use crate::error::{Error, Result};

/// The delimiters tried when none is given, in order of preference when they tie.
const CANDIDATES: [u8; 3] = [b'\t', b',', b';'];

/// How many records the sniffer looks at.
const SNIFF_RECORDS: usize = 50;

/// Decodes bytes as text: UTF-8 (BOM stripped), UTF-16 with a BOM, else Windows-1252.
///
/// Never fails: bytes that are not valid UTF-8 and carry no BOM are read as Windows-1252, the
/// encoding Excel uses for "CSV (Comma delimited)" on an English-language PC.
///
/// # Examples
/// ```
/// use katrack::read::decode_text;
/// assert_eq!(decode_text(b"\xA311,000"), "£11,000");
/// assert_eq!(decode_text(b"\xEF\xBB\xBFKA.01.01"), "KA.01.01");
/// ```
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let (text, _had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            text.into_owned()
        }
    }
}

/// Reads delimited text into one sheet; `delimiter` None sniffs comma, tab or semicolon.
///
/// Rows are numbered as records (a quoted cell holding line breaks is one row; a blank line is
/// a row with nothing in it), matching what a spreadsheet program shows. Only non-empty cells and
/// rows with at least one non-empty cell are kept; cell text is kept as written.
///
/// # Errors
/// [`Error::Corrupt`] when the CSV cannot be parsed (naming the record and line), and
/// [`Error::Empty`] when it holds no non-empty cell.
///
/// # Examples
/// ```
/// use katrack::read::{read_delimited, Format, Input};
/// let input = read_delimited("id\tstatus\nKA.01.01\tGreen\n", None).unwrap();
/// let Input::Sheets { format, sheets, .. } = input else { unreachable!() };
/// assert_eq!(format, Format::Tsv);
/// assert_eq!(sheets[0].rows[1].cells[1].text, "Green");
/// ```
pub fn read_delimited(text: &str, delimiter: Option<u8>) -> Result<Input> {
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(text));
    let rows = read_rows(text, delimiter)?;
    if rows.is_empty() {
        return Err(Error::Empty("the CSV file has no data".into()));
    }
    let format = if delimiter == b'\t' {
        Format::Tsv
    } else {
        Format::Csv
    };
    Ok(Input::Sheets {
        format,
        sheets: vec![Sheet {
            name: String::new(),
            hidden: false,
            rows,
        }],
        title: None,
        subject: None,
    })
}

/// Picks the delimiter whose most common field count (above one), times the records sharing it
/// among the first few, is largest; title rows and banners in one cell do not spoil the vote.
pub fn sniff_delimiter(text: &str) -> u8 {
    sniff_delimiter_preferring(text, CANDIDATES[0])
}

/// Like [`sniff_delimiter`], but `preferred` (the one a `.csv` name promises) wins a tie.
pub fn sniff_delimiter_preferring(text: &str, preferred: u8) -> u8 {
    let mut best: Option<(usize, u8)> = None;
    let order =
        std::iter::once(preferred).chain(CANDIDATES.into_iter().filter(|&d| d != preferred));
    for delimiter in order {
        let mut counts: Vec<usize> = Vec::new();
        let mut reader = reader(text, delimiter);
        let mut record = csv::StringRecord::new();
        while counts.len() < SNIFF_RECORDS {
            match reader.read_record(&mut record) {
                Ok(true) => {
                    if record.iter().any(|f| !f.trim().is_empty()) {
                        counts.push(record.len());
                    }
                }
                Ok(false) | Err(_) => break,
            }
        }
        let Some((width, votes)) = mode(&counts) else {
            continue;
        };
        // Records agreeing on a width, weighted by that width: the wrong delimiter tends to
        // split quoted multi-line cells into many narrow records, never into many wide ones.
        let score = votes * width;
        if width > 1 && best.is_none_or(|(best_score, _)| score > best_score) {
            best = Some((score, delimiter));
        }
    }
    best.map_or(b',', |(_, delimiter)| delimiter)
}

/// The most frequent value and how often it occurs (the larger value wins a tie).
fn mode(counts: &[usize]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for &value in counts {
        let votes = counts.iter().filter(|&&c| c == value).count();
        if best.is_none_or(|(v, n)| votes > n || (votes == n && value > v)) {
            best = Some((value, votes));
        }
    }
    best
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::CRLF)
        .from_reader(text.as_bytes())
}

fn read_rows(text: &str, delimiter: u8) -> Result<Vec<Row>> {
    let bytes = text.as_bytes();
    let mut reader = reader(text, delimiter);
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    // The spreadsheet row of the previous record and where that record started.
    let mut previous: Option<(u32, usize)> = None;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(corrupt(&e)),
        }
        // The reader's position may sit before blank lines (or the `\n` of a `\r\n`) that it
        // skipped; the record itself starts at the first byte that is not a line break.
        let from = record
            .position()
            .map_or(bytes.len(), |p| {
                usize::try_from(p.byte()).unwrap_or(usize::MAX)
            })
            .min(bytes.len());
        let start = from
            + bytes[from..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        let row = match previous {
            // Leading blank lines are rows too.
            None => count_breaks(&bytes[..start]),
            Some((row, previous_start)) => {
                let span = &bytes[previous_start.min(start)..start];
                let tail = span.len()
                    - span
                        .iter()
                        .rev()
                        .take_while(|b| matches!(b, b'\r' | b'\n'))
                        .count();
                row.saturating_add(count_breaks(&span[tail..]).max(1))
            }
        };
        previous = Some((row, start));
        let cells: Vec<Cell> = record
            .iter()
            .enumerate()
            .filter(|(_, field)| !field.trim().is_empty())
            .map(|(col, field)| Cell {
                col: u32::try_from(col).unwrap_or(u32::MAX),
                text: field.strip_suffix('\r').unwrap_or(field).to_string(),
                merged: false,
            })
            .collect();
        if !cells.is_empty() {
            rows.push(Row { row, cells });
        }
    }
    Ok(rows)
}

/// The number of line breaks in a run of `\r` and `\n` bytes (`\r\n` is one).
fn count_breaks(bytes: &[u8]) -> u32 {
    let mut n: u32 = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                n = n.saturating_add(1);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => n = n.saturating_add(1),
            _ => {}
        }
        i += 1;
    }
    n
}

fn corrupt(e: &csv::Error) -> Error {
    let (record, line) = e.position().map_or((0, 0), |p| (p.record() + 1, p.line()));
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("invalid UTF-8 in field {}", err.field() + 1),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields, found {len}"),
        _ => e.to_string(),
    };
    Error::Corrupt(format!("CSV record {record} (line {line}): {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, delimiter: Option<u8>) -> (Format, Vec<Row>) {
        match read_delimited(text, delimiter).unwrap() {
            Input::Sheets {
                format, mut sheets, ..
            } => (format, sheets.remove(0).rows),
            Input::Tracker(_) => panic!("a CSV is read as sheets"),
        }
    }

    fn texts(row: &Row) -> Vec<(u32, &str)> {
        row.cells.iter().map(|c| (c.col, c.text.as_str())).collect()
    }

    #[test]
    fn windows_1252_pound_survives() {
        let text = decode_text(b"KA.06.03,\"this will save at least \xA311,000 per annum\"\r\n");
        assert!(text.contains("£11,000"));
        let (_, rows) = rows(&text, None);
        assert_eq!(
            rows[0].cells[1].text,
            "this will save at least £11,000 per annum"
        );
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let text = decode_text(b"\xEF\xBB\xBFKey Activities,Status\n");
        assert_eq!(text, "Key Activities,Status\n");
        let (_, rows) = rows(&text, None);
        assert_eq!(texts(&rows[0]), [(0, "Key Activities"), (1, "Status")]);
    }

    #[test]
    fn utf16le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Status\t£5\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode_text(&bytes), "Status\t£5\n");
        let mut be = vec![0xFE, 0xFF];
        for unit in "Amber".encode_utf16() {
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(decode_text(&be), "Amber");
    }

    #[test]
    fn decoding_never_panics() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_text(&all).chars().count(), 256);
        assert_eq!(decode_text(&[0xFF, 0xFE, 0x41]), "\u{FFFD}");
        assert_eq!(decode_text(b""), "");
    }

    #[test]
    fn tab_is_sniffed() {
        let text = "Appendix A\nKey Activities\tStatus\tProgress\nKA.01.01 Plan, monitor\tGreen\t- A, b, c\n";
        let (format, rows) = rows(text, None);
        assert_eq!(format, Format::Tsv);
        assert_eq!(texts(&rows[2])[0], (0, "KA.01.01 Plan, monitor"));
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter("a,b\n1,2\n"), b',');
        assert_eq!(
            sniff_delimiter("a\tb,c\n1\t2,3\n"),
            b'\t',
            "a tie goes to tab"
        );
        assert_eq!(sniff_delimiter("one column\n"), b',');
    }

    #[test]
    fn multi_line_quoted_cell_keeps_the_record_index() {
        let text = "id,progress\nKA.01.01,\"- A.\n- B.\n- C.\"\nKA.01.02,- D.\n";
        let (_, rows) = rows(text, Some(b','));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].row, 1);
        assert_eq!(rows[1].cells[1].text, "- A.\n- B.\n- C.");
        assert_eq!(
            rows[2].row, 2,
            "the record after a 3-line cell is row 2, not line 4"
        );
        assert_eq!(texts(&rows[2]), [(0, "KA.01.02"), (1, "- D.")]);
    }

    #[test]
    fn ragged_rows() {
        let text = "Appendix A\nid,status,lead,portfolio\nKA.01.01,Green\n,,,Finance,extra\n";
        let (_, rows) = rows(text, Some(b','));
        assert_eq!(texts(&rows[0]), [(0, "Appendix A")]);
        assert_eq!(texts(&rows[2]), [(0, "KA.01.01"), (1, "Green")]);
        assert_eq!(texts(&rows[3]), [(3, "Finance"), (4, "extra")]);
        assert_eq!(rows[3].row, 3);
    }

    #[test]
    fn blank_lines_are_not_rows_but_are_counted() {
        let text = "\nid,status\n\n,,\n  ,\t\nKA.01.01,Green\n\n";
        let (_, rows) = rows(text, Some(b','));
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].row, 1,
            "a leading blank line is row 0 in a spreadsheet"
        );
        assert_eq!(rows[1].row, 5);
        assert_eq!(texts(&rows[1]), [(0, "KA.01.01"), (1, "Green")]);
    }

    #[test]
    fn mixed_line_endings() {
        let text = "a,b\r\nc,d\ne,f\rg,\"h\r\ni\"\r\n\rj,k";
        let (_, rows) = rows(text, None);
        let got: Vec<(u32, Vec<(u32, &str)>)> = rows.iter().map(|r| (r.row, texts(r))).collect();
        assert_eq!(
            got,
            [
                (0, vec![(0, "a"), (1, "b")]),
                (1, vec![(0, "c"), (1, "d")]),
                (2, vec![(0, "e"), (1, "f")]),
                (3, vec![(0, "g"), (1, "h\r\ni")]),
                (5, vec![(0, "j"), (1, "k")]),
            ]
        );
    }

    #[test]
    fn cell_text_is_kept_as_written_but_a_trailing_cr_is_dropped() {
        let text = "\"  - A.  \",\"B\r\"\n";
        let (_, rows) = rows(text, Some(b','));
        assert_eq!(texts(&rows[0]), [(0, "  - A.  "), (1, "B")]);
    }

    #[test]
    fn unterminated_quote_reads_what_is_there() {
        let (_, rows) = rows("id,progress\nKA.01.01,\"- A.\n- B", Some(b','));
        assert_eq!(rows[1].cells[1].text, "- A.\n- B");
    }

    #[test]
    fn csv_errors_name_the_record_and_line() {
        let mut strict = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&b"a,b\n\"c\nd\",x\ne,f,g\n"[..]);
        let err = strict
            .records()
            .find_map(|r| r.err())
            .expect("a ragged record");
        let message = corrupt(&err).to_string();
        assert!(
            message.contains("CSV record 3 (line 4): expected 2 fields, found 3"),
            "{message}"
        );
    }

    #[test]
    fn no_data_is_empty() {
        for text in ["", "\n\n", ",,\n ,\n", "   "] {
            let err = read_delimited(text, Some(b',')).unwrap_err();
            assert!(matches!(err, Error::Empty(_)), "{text:?}: {err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let text = decode_text(&bytes);
            let _ = read_delimited(&text, None);
        }
    }
}
