//! Workbooks through calamine: cached values of formulas, merged areas spread over their cells,
//! hidden sheets marked, and calamine's errors turned into reasons an officer understands.
//!
//! xlsx, xlsm and xlsb sheets are streamed cell by cell (calamine's cells reader) straight into
//! sparse rows, so memory follows the cells a sheet holds, never the size it declares: a sheet
//! with one cell at A1 and one at XFD1048576 is two cells, not a dense grid of 17 billion.
//! calamine reads xls and ods sheets whole when the workbook is opened, as dense ranges; those
//! are bounded by their formats (xls: 65,536 rows × 256 columns) and by calamine's own cell limit
//! (ods), and katrack refuses a dense sheet over [`MAX_DENSE_CELLS`]. A merged area is spread only
//! over the rows and columns that hold cells, and at most
//! [`MAX_MERGED_COPIES`](super::MAX_MERGED_COPIES) copies per sheet.

use super::rows::{RowBuilder, spread_merges, value_text};
use super::{Format, Input, Row, Sheet};
use crate::error::{Error, Result};
use calamine::{Data, DataRef, Dimensions, Reader, SheetType, SheetVisible, Sheets};
use std::io::Cursor;

/// The most cells (rows × columns) of a dense xls or ods sheet katrack accepts: 20 million,
/// more than an xls sheet can hold (65,536 × 256). A bigger ods sheet is refused, naming its size.
pub const MAX_DENSE_CELLS: u64 = 20_000_000;

/// Reads an xlsx/xlsm/xlsb/xls/ods workbook held in memory.
pub fn read_workbook(bytes: Vec<u8>, ext: &str, is_ole: bool) -> Result<Input> {
    let cursor = Cursor::new(bytes);
    let (format, mut book) = open(cursor, ext, is_ole)?;
    let props = book.workbook_properties().ok();
    let metas: Vec<calamine::Sheet> = book.sheets_metadata().to_vec();
    let mut sheets = Vec::new();
    for meta in metas {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let rows = sheet_rows(&mut book, &meta.name)?;
        sheets.push(Sheet {
            hidden: meta.visible != SheetVisible::Visible,
            rows,
            name: meta.name,
        });
    }
    // The workbook (its shared strings and the file's bytes) is no longer needed.
    drop(book);
    if sheets.is_empty() {
        return Err(Error::Empty("the workbook has no worksheets".into()));
    }
    let props = super::stream::Properties::of(props);
    Ok(Input::Sheets {
        format,
        sheets,
        title: props.title,
        subject: props.subject,
    })
}

/// One sheet's non-empty cells as sparse rows, merged areas spread.
fn sheet_rows(book: &mut Sheets<Cursor<Vec<u8>>>, name: &str) -> Result<Vec<Row>> {
    let mut rows = RowBuilder::default();
    match book {
        Sheets::Xlsx(x) => {
            match x.worksheet_cells_reader(name) {
                Ok(mut reader) => {
                    while let Some(cell) = reader
                        .next_cell()
                        .map_err(|e| explain(calamine::Error::Xlsx(e), name))?
                    {
                        push(&mut rows, cell.get_position(), cell.get_value());
                    }
                }
                // A chart or dialog sheet listed as a worksheet holds no cells.
                Err(calamine::XlsxError::NotAWorksheet(_)) => {}
                Err(e) => return Err(explain(calamine::Error::Xlsx(e), name)),
            }
        }
        Sheets::Xlsb(x) => {
            let mut reader = x
                .worksheet_cells_reader(name)
                .map_err(|e| explain(calamine::Error::Xlsb(e), name))?;
            while let Some(cell) = reader
                .next_cell()
                .map_err(|e| explain(calamine::Error::Xlsb(e), name))?
            {
                push(&mut rows, cell.get_position(), cell.get_value());
            }
        }
        _ => {
            let range = book.worksheet_range(name).map_err(|e| explain(e, name))?;
            let (height, width) = range.get_size();
            let size = height as u64 * width as u64;
            if size > MAX_DENSE_CELLS {
                return Err(too_large(name, &range));
            }
            let Some((sr, sc)) = range.start() else {
                return Ok(Vec::new());
            };
            for (r, c, value) in range.used_cells() {
                let text = cell_text(value);
                if !text.trim().is_empty() {
                    rows.push_text(sr + r as u32, sc + c as u32, text);
                }
            }
        }
    }
    let merges = merged_areas(book, name);
    spread_merges(rows.finish(), &merges, name)
}

/// Adds a streamed cell to `rows`, unless it is blank.
fn push(rows: &mut RowBuilder, (row, col): (u32, u32), value: &DataRef<'_>) {
    if let Some(text) = value_text(value) {
        rows.push_text(row, col, text);
    }
}

fn too_large(name: &str, range: &calamine::Range<Data>) -> Error {
    let (h, w) = range.get_size();
    let (start, end) = (
        range.start().unwrap_or_default(),
        range.end().unwrap_or_default(),
    );
    Error::Unsupported(format!(
        "sheet '{name}' spans {}:{} ({h} rows × {w} columns = {} cells), more than katrack reads \
         from a sheet of this format ({MAX_DENSE_CELLS} cells); save it as .xlsx, or delete the \
         stray cells far from the table",
        crate::cellref::a1(start.0, start.1),
        crate::cellref::a1(end.0, end.1),
        h as u64 * w as u64,
    ))
}

fn open(
    cursor: Cursor<Vec<u8>>,
    ext: &str,
    is_ole: bool,
) -> Result<(Format, Sheets<Cursor<Vec<u8>>>)> {
    use calamine::{Ods, Xls, Xlsb, Xlsx, open_workbook_from_rs};
    if is_ole {
        // An OLE file is an xls, or an encrypted xlsx (Excel wraps those in OLE).
        let encrypted = cursor.get_ref().windows(32).any(|w| {
            w == "EncryptedPackage"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>()
                .as_slice()
        });
        if encrypted {
            return Err(Error::Encrypted);
        }
        return open_workbook_from_rs::<Xls<_>, _>(cursor)
            .map(|b| (Format::Xls, Sheets::Xls(b)))
            .map_err(|e| explain(calamine::Error::Xls(e), ""));
    }
    let result = match ext {
        "ods" => open_workbook_from_rs::<Ods<_>, _>(cursor)
            .map(|b| (Format::Ods, Sheets::Ods(b)))
            .map_err(calamine::Error::Ods),
        "xlsb" => open_workbook_from_rs::<Xlsb<_>, _>(cursor)
            .map(|b| (Format::Xlsb, Sheets::Xlsb(b)))
            .map_err(calamine::Error::Xlsb),
        "xlsx" | "xlsm" => open_workbook_from_rs::<Xlsx<_>, _>(cursor)
            .map(|b| (Format::Xlsx, Sheets::Xlsx(b)))
            .map_err(calamine::Error::Xlsx),
        _ => {
            // A zip of unknown extension: try each zip-based format.
            let c2 = cursor.clone();
            let c3 = cursor.clone();
            open_workbook_from_rs::<Xlsx<_>, _>(cursor)
                .map(|b| (Format::Xlsx, Sheets::Xlsx(b)))
                .or_else(|_| {
                    open_workbook_from_rs::<Ods<_>, _>(c2).map(|b| (Format::Ods, Sheets::Ods(b)))
                })
                .or_else(|_| {
                    open_workbook_from_rs::<Xlsb<_>, _>(c3).map(|b| (Format::Xlsb, Sheets::Xlsb(b)))
                })
                .map_err(|_| {
                    calamine::Error::Msg("a zip file that is not an xlsx, xlsb or ods workbook")
                })
        }
    };
    result.map_err(|e| explain(e, ""))
}

/// Turns calamine's error into one of ours, with a reason an officer can act on.
fn explain(e: calamine::Error, sheet: &str) -> Error {
    let text = e.to_string();
    let lower = text.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        return Error::Encrypted;
    }
    let place = if sheet.is_empty() {
        String::new()
    } else {
        format!(" (sheet '{sheet}')")
    };
    match e {
        calamine::Error::Msg(m) => Error::Unsupported(m.to_string()),
        calamine::Error::Io(io) => Error::Io(io),
        _ if lower.contains("zip") || lower.contains("eof") || lower.contains("invalid") => {
            Error::Corrupt(format!("{text}{place}"))
        }
        _ => Error::Corrupt(format!("{text}{place}")),
    }
}

fn merged_areas(book: &mut Sheets<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Dimensions> {
    match book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The text of a cell value: numbers without a spurious ".0", dates as ISO dates.
pub fn cell_text(value: &Data) -> String {
    match value {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => {
            if *b {
                "TRUE".into()
            } else {
                "FALSE".into()
            }
        }
        Data::DateTime(d) => excel_date_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e}"),
    }
}

/// [`cell_text`] for a value borrowed from a streaming cell reader.
pub fn cell_text_ref(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => cell_text(&Data::Bool(*b)),
        DataRef::DateTime(d) => excel_date_text(d.as_f64()),
        DataRef::Error(e) => format!("{e}"),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// An Excel serial date as `YYYY-MM-DD` (with the time when it has one).
fn excel_date_text(serial: f64) -> String {
    if !(0.0..2_958_466.0).contains(&serial) {
        return float_text(serial);
    }
    let days = serial.floor() as i64;
    // Serial 60 is Excel's phantom 1900-02-29; serial 0 is 1899-12-31 in Excel's reckoning.
    let days_from_epoch = if days < 60 {
        days - 25_568
    } else {
        days - 25_569
    };
    let (y, m, d) = civil_from_days(days_from_epoch);
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}",
            secs / 3600,
            (secs % 3600) / 60
        )
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Cell;

    use crate::profile::Profile;
    use rust_xlsxwriter::Workbook;

    /// A small tracker table at A1, and one stray cell in the sheet's last cell (XFD1048576),
    /// so the sheet declares a size of 1,048,576 rows × 16,384 columns.
    fn far_corner_workbook() -> Vec<u8> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("Q1").unwrap();
        let header = [
            "Key Activities",
            "Status",
            "Progress",
            "Lead Officer",
            "Portfolio",
        ];
        let row = [
            "KA.01.01 Local Plan review",
            "Green",
            "- Consultation closed",
            "Chief Officer - Planning and Regeneration",
            "Planning",
        ];
        for (c, (h, v)) in (0..).zip(header.iter().zip(row)) {
            ws.write_string(0, c, *h).unwrap();
            ws.write_string(1, c, v).unwrap();
        }
        ws.merge_range(2, 0, 2, 4, "Appendix A", &rust_xlsxwriter::Format::new())
            .unwrap();
        ws.write_string(1_048_575, 16_383, "stray").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_declaring_the_whole_grid_is_read_cell_by_cell() {
        let input = read_workbook(far_corner_workbook(), "xlsx", false).unwrap();
        let Input::Sheets { sheets, .. } = &input else {
            panic!("a workbook gives sheets");
        };
        let rows = &sheets[0].rows;
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[0].cells[0].text, "Key Activities");
        assert_eq!(
            rows[2].cells.len(),
            5,
            "the merged area is spread: {:?}",
            rows[2]
        );
        assert!(
            rows[2].cells[1..]
                .iter()
                .all(|c| c.merged && c.text == "Appendix A")
        );
        assert_eq!((rows[3].row, rows[3].cells[0].col), (1_048_575, 16_383));

        let profile = Profile::default_profile();
        let parsed = crate::layout::parse(&input, "far.xlsx", &profile, None).unwrap();
        let ids: Vec<&str> = parsed
            .tracker
            .activities
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, ["KA.01.01"]);
        assert!(
            parsed.findings.iter().any(|f| f.cell == "XFD1048576"),
            "the stray cell is reported, not dropped: {:?}",
            parsed.findings
        );
    }

    #[test]
    fn a_merge_over_the_whole_grid_is_spread_only_where_cells_are() {
        let rows = vec![
            Row {
                row: 0,
                cells: vec![Cell {
                    col: 0,
                    text: "Title".into(),
                    merged: false,
                }],
            },
            Row {
                row: 2,
                cells: vec![Cell {
                    col: 1,
                    text: "x".into(),
                    merged: false,
                }],
            },
        ];
        let all = Dimensions {
            start: (0, 0),
            end: (1_048_575, 16_383),
        };
        let out = spread_merges(rows, &[all], "Q1").unwrap();
        let cells: Vec<(u32, u32, bool)> = out
            .iter()
            .flat_map(|r| r.cells.iter().map(move |c| (r.row, c.col, c.merged)))
            .collect();
        assert_eq!(
            cells,
            [
                (0, 0, false),
                (0, 1, true),
                (1, 0, true),
                (1, 1, true),
                (2, 0, true),
                (2, 1, false)
            ]
        );
    }

    #[test]
    fn cells_out_of_order_come_out_sorted() {
        let mut b = RowBuilder::default();
        for (r, c, t) in [
            (3, 1, "d"),
            (3, 0, "c"),
            (1, 2, "b"),
            (1, 0, "a"),
            (0, 0, " "),
        ] {
            push(&mut b, (r, c), &DataRef::SharedString(t));
        }
        let rows = b.finish();
        let seen: Vec<(u32, u32, &str)> = rows
            .iter()
            .flat_map(|r| r.cells.iter().map(move |c| (r.row, c.col, c.text.as_str())))
            .collect();
        assert_eq!(seen, [(1, 0, "a"), (1, 2, "b"), (3, 0, "c"), (3, 1, "d")]);
    }

    #[test]
    fn streamed_values_read_like_dense_ones() {
        for (r, d) in [
            (DataRef::Float(12.0), Data::Float(12.0)),
            (DataRef::Int(-3), Data::Int(-3)),
            (DataRef::Bool(true), Data::Bool(true)),
            (DataRef::SharedString("£5"), Data::String("£5".into())),
            (
                DataRef::Error(calamine::CellErrorType::NA),
                Data::Error(calamine::CellErrorType::NA),
            ),
        ] {
            assert_eq!(cell_text_ref(&r), cell_text(&d));
        }
    }

    #[test]
    fn dates_and_numbers_read_as_an_officer_typed_them() {
        assert_eq!(excel_date_text(44_013.0), "2020-07-01");
        assert_eq!(excel_date_text(1.0), "1900-01-01");
        assert_eq!(float_text(12.0), "12");
        assert_eq!(float_text(0.5), "0.5");
    }
}
