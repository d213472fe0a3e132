//! Workbooks through calamine: cached values of formulas, merged areas spread over their cells,
//! hidden sheets marked, and calamine's errors turned into reasons an officer understands.

use super::{Cell, Format, Input, Row, Sheet};
use crate::error::{Error, Result};
use calamine::{Data, Dimensions, Reader, SheetType, SheetVisible, Sheets};
use std::io::Cursor;

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
        let range = book
            .worksheet_range(&meta.name)
            .map_err(|e| explain(e, &meta.name))?;
        let merges = merged_areas(&mut book, &meta.name);
        sheets.push(Sheet {
            hidden: meta.visible != SheetVisible::Visible,
            rows: rows_of(&range, &merges),
            name: meta.name,
        });
    }
    if sheets.is_empty() {
        return Err(Error::Empty("the workbook has no worksheets".into()));
    }
    Ok(Input::Sheets {
        format,
        sheets,
        title: props
            .as_ref()
            .and_then(|p| p.title.clone())
            .filter(|t| !t.trim().is_empty()),
        subject: props
            .and_then(|p| p.subject)
            .filter(|t| !t.trim().is_empty()),
    })
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

fn rows_of(range: &calamine::Range<Data>, merges: &[Dimensions]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (r, c, value) in range.used_cells() {
        let text = cell_text(value);
        if text.trim().is_empty() {
            continue;
        }
        let (row, col) = match range.start() {
            Some((sr, sc)) => (sr + r as u32, sc + c as u32),
            None => continue,
        };
        push_cell(
            &mut rows,
            row,
            Cell {
                col,
                text,
                merged: false,
            },
        );
    }
    for area in merges {
        let Some(anchor) = find(&rows, area.start.0, area.start.1).map(|c| c.text.clone()) else {
            continue;
        };
        for row in area.start.0..=area.end.0 {
            for col in area.start.1..=area.end.1 {
                if (row, col) != area.start && find(&rows, row, col).is_none() {
                    push_cell(
                        &mut rows,
                        row,
                        Cell {
                            col,
                            text: anchor.clone(),
                            merged: true,
                        },
                    );
                }
            }
        }
    }
    rows.sort_by_key(|r| r.row);
    for row in &mut rows {
        row.cells.sort_by_key(|c| c.col);
    }
    rows
}

fn find(rows: &[Row], row: u32, col: u32) -> Option<&Cell> {
    rows.iter().find(|r| r.row == row)?.get(col)
}

fn push_cell(rows: &mut Vec<Row>, row: u32, cell: Cell) {
    match rows.iter_mut().rev().find(|r| r.row == row) {
        Some(r) => r.cells.push(cell),
        None => rows.push(Row {
            row,
            cells: vec![cell],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_numbers_read_as_an_officer_typed_them() {
        assert_eq!(excel_date_text(44_013.0), "2020-07-01");
        assert_eq!(excel_date_text(1.0), "1900-01-01");
        assert_eq!(float_text(12.0), "12");
        assert_eq!(float_text(0.5), "0.5");
    }
}
