//! Reading: any input file (workbook, CSV/TSV, canonical JSON) into sheets of text cells with
//! their physical positions. This is the one place inputs are opened (STYLE.md: xsv's config.rs);
//! the layout step turns the cells into activities.

mod delimited;
mod workbook;

use crate::error::{Error, Result};
use crate::model::Tracker;
use std::path::Path;

pub use delimited::{decode_text, read_delimited};
pub use workbook::read_workbook;

/// One cell's text and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// 0-based physical column.
    pub col: u32,
    /// The cell's text (the cached value of a formula; numbers and dates as text).
    pub text: String,
    /// True when the text was copied from the top-left cell of a merged area this cell belongs to.
    pub merged: bool,
}

/// One physical row that holds at least one non-empty cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 0-based physical row (add 1 for the row number a spreadsheet program shows).
    pub row: u32,
    /// The non-empty cells, left to right.
    pub cells: Vec<Cell>,
}

impl Row {
    /// The distinct texts of the row, left to right, ignoring merged copies.
    pub fn texts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.cells.iter().filter(|c| !c.merged) {
            let t = c.text.trim();
            if !t.is_empty() && !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// The cell in a column, if it is not empty.
    pub fn get(&self, col: u32) -> Option<&Cell> {
        self.cells.iter().find(|c| c.col == col)
    }
}

/// One sheet of a workbook (a CSV file is one sheet with an empty name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet name; `""` for CSV.
    pub name: String,
    /// Hidden or very hidden in the workbook.
    pub hidden: bool,
    /// The non-empty rows, top to bottom.
    pub rows: Vec<Row>,
}

/// The formats katrack reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML workbook (xlsx, xlsm).
    Xlsx,
    /// Excel binary workbook.
    Xlsb,
    /// Excel 97-2003 workbook.
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
    /// Comma-separated values.
    Csv,
    /// Tab-separated values.
    Tsv,
    /// The canonical tracker document.
    Json,
}

/// What was read from one input.
#[derive(Debug, Clone)]
pub enum Input {
    /// A spreadsheet or CSV: sheets of cells for the layout step.
    Sheets {
        /// The format it was read as.
        format: Format,
        /// The sheets, in workbook order.
        sheets: Vec<Sheet>,
        /// The document title from the workbook's properties, if any.
        title: Option<String>,
        /// The document subject (katrack writes the period there), if any.
        subject: Option<String>,
    },
    /// A canonical tracker document.
    Tracker(Tracker),
}

/// Extensions of the files a folder is searched for.
pub const EXTENSIONS: [&str; 9] = [
    "xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "tsv", "txt", "json",
];

/// Reads a file, choosing the reader from its content (and its extension where content is
/// ambiguous). Errors name nothing: the caller wraps them with the path.
pub fn read_path(path: &Path) -> Result<Input> {
    let bytes = std::fs::read(path)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    read_bytes(bytes, &ext)
}

/// Reads an input held in memory; `ext` is the lower-case file extension or `""` (stdin).
pub fn read_bytes(bytes: Vec<u8>, ext: &str) -> Result<Input> {
    if bytes.is_empty() {
        return Err(Error::Empty("the file is empty (0 bytes)".into()));
    }
    let is_zip = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if is_zip || is_ole {
        return read_workbook(bytes, ext, is_ole);
    }
    let workbook_ext = matches!(ext, "xlsx" | "xlsm" | "xlsb" | "xls" | "ods");
    let text = decode_text(&bytes);
    if looks_binary(&text) {
        return Err(Error::Unsupported(format!(
            "the file holds binary data that is not a workbook{}",
            if ext.is_empty() {
                String::new()
            } else {
                format!(" (named .{ext})")
            }
        )));
    }
    let trimmed = text.trim_start();
    if ext == "json" || (!workbook_ext && (trimmed.starts_with('{') || trimmed.starts_with('['))) {
        let tracker: Tracker =
            serde_json::from_str(trimmed).map_err(|e| Error::Json(e.to_string()))?;
        if tracker.schema != crate::model::SCHEMA_ID {
            return Err(Error::Json(format!(
                "\"schema\" is \"{}\", expected \"{}\"",
                tracker.schema,
                crate::model::SCHEMA_ID
            )));
        }
        return Ok(Input::Tracker(tracker));
    }
    if workbook_ext {
        return Err(Error::Unsupported(format!(
            "the file is named .{ext} but holds text, not a workbook; if it is a CSV, rename it .csv"
        )));
    }
    let delimiter = match ext {
        "tsv" => Some(b'\t'),
        "csv" => Some(delimited::sniff_delimiter_preferring(&text, b',')),
        _ => None,
    };
    read_delimited(&text, delimiter)
}

fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(4096).collect();
    let control = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    control * 20 > sample.len().max(1)
}
