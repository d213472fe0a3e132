//! Reading: any input file (workbook, CSV/TSV, canonical JSON) into sheets of text cells with
//! their physical positions. This is the one place inputs are opened (STYLE.md: xsv's config.rs);
//! the layout step turns the cells into activities.

mod delimited;
pub mod json_stream;
mod merges;
mod plain;
pub mod prefetch;
mod rows;
mod skip;
pub mod stream;
pub(crate) mod strings;
mod workbook;

use crate::error::{Error, Result};
use crate::model::Tracker;
use std::path::Path;

pub use delimited::{decode_text, read_delimited};
pub use rows::MAX_MERGED_COPIES;
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
    read_bytes(bytes, &extension(path))
}

/// A file's extension in lower case, or `""` when it has none.
fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Reads an input held in memory; `ext` is the lower-case file extension or `""` (stdin).
pub fn read_bytes(bytes: Vec<u8>, ext: &str) -> Result<Input> {
    if bytes.is_empty() {
        return Err(Error::Empty("the file is empty (0 bytes)".into()));
    }
    let is_zip = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if is_zip {
        check_unzipped_size(&bytes)?;
    }
    if is_zip || is_ole {
        return guarded(|| read_workbook(bytes, ext, is_ole));
    }
    let workbook_ext = matches!(ext, "xlsx" | "xlsm" | "xlsb" | "xls" | "ods");
    // UTF-8 without a byte-order mark (katrack's own JSON and CSV) is taken as it is, not copied.
    let text = match String::from_utf8(bytes) {
        Ok(text) if !text.starts_with('\u{feff}') => text,
        Ok(text) => decode_text(text.as_bytes()),
        Err(e) => decode_text(e.as_bytes()),
    };
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

/// Runs a workbook reader, turning a panic into [`Error::Corrupt`].
///
/// calamine, like any parser of binary formats, has panicked on some damaged files (the fuzzers
/// found an assertion and an out-of-range slice in its OLE reader, which reads .xls). One bad
/// return must not stop a run that reads forty, so a panic inside the reader becomes "the file is
/// damaged" for that file only.
fn guarded(read: impl FnOnce() -> Result<Input>) -> Result<Input> {
    crate::error::guarded(read, |why| {
        Error::Corrupt(format!(
            "the workbook reader stopped on damaged data ({why}); open the file in a \
             spreadsheet program and save a new copy"
        ))
    })
}

/// The most that the parts of a zip-based workbook (xlsx, xlsm, xlsb, ods) may add up to once
/// uncompressed: 256 MiB. A real tracker is well under 10 MiB; a "zip bomb" of a few megabytes
/// can declare gigabytes, which the reader would otherwise inflate into memory.
pub const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;

/// Refuses a zip whose central directory declares more than [`MAX_UNZIPPED_BYTES`] in all, or
/// that has no readable central directory. Only the directory is read, nothing is inflated; the
/// zip reader in turn refuses an entry that inflates past the size it declares.
fn check_unzipped_size(bytes: &[u8]) -> Result<()> {
    let total = unzipped_size(bytes)?;
    if total > MAX_UNZIPPED_BYTES {
        return Err(Error::Unsupported(format!(
            "the workbook's parts would expand to {} when unzipped, more than katrack's limit of \
             {} (a \"zip bomb\", or very large embedded files); save a copy without them",
            size_text(total),
            size_text(MAX_UNZIPPED_BYTES)
        )));
    }
    Ok(())
}

/// The sum of the uncompressed sizes a zip's central directory declares (saturating; an entry
/// whose ZIP64 size is missing counts as `u64::MAX`). The format is PKWARE's APPNOTE.TXT: an
/// end-of-central-directory record (EOCD) in the last 64 KiB, optionally a ZIP64 EOCD record and
/// locator before it, and the central directory just before those.
fn unzipped_size(b: &[u8]) -> Result<u64> {
    const EOCD: u32 = 0x0605_4b50;
    const ZIP64_LOCATOR: u32 = 0x0706_4b50;
    const ZIP64_EOCD: u32 = 0x0606_4b50;
    const ENTRY: u32 = 0x0201_4b50;
    let damaged = |why: &str| {
        Error::Corrupt(format!(
            "{why}; the file is truncated (not fully downloaded or copied?) or is not a workbook"
        ))
    };
    let damaged_directory = || damaged("the zip directory of the workbook is damaged");
    // The EOCD is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
    let last = b
        .len()
        .checked_sub(22)
        .ok_or_else(|| damaged("the file is too short"))?;
    let eocd = (last.saturating_sub(65_535)..=last)
        .rev()
        .find(|&i| le32(b, i) == Some(EOCD))
        .ok_or_else(|| damaged("the zip directory at the end of the file is missing"))?;
    let mut entries = u64::from(le16(b, eocd + 10).ok_or_else(damaged_directory)?);
    let mut size = u64::from(le32(b, eocd + 12).ok_or_else(damaged_directory)?);
    let mut end = eocd;
    let zip64 = eocd
        .checked_sub(20)
        .filter(|&at| le32(b, at) == Some(ZIP64_LOCATOR));
    if let Some(locator) = zip64 {
        // The ZIP64 EOCD record sits where the locator says, or (with data prepended to the
        // zip) directly before the locator.
        let record = usize::try_from(le64(b, locator + 8).unwrap_or(u64::MAX))
            .ok()
            .filter(|&at| le32(b, at) == Some(ZIP64_EOCD))
            .or_else(|| locator.checked_sub(56))
            .filter(|&at| le32(b, at) == Some(ZIP64_EOCD))
            .ok_or_else(damaged_directory)?;
        entries = le64(b, record + 32).ok_or_else(damaged_directory)?;
        size = le64(b, record + 40).ok_or_else(damaged_directory)?;
        end = record;
    }
    // The directory ends where the EOCD records begin (whatever its recorded offset says, as
    // data may be prepended to a zip).
    let start = usize::try_from(size)
        .ok()
        .and_then(|size| end.checked_sub(size))
        .ok_or_else(damaged_directory)?;
    let (mut at, mut total) = (start, 0u64);
    for _ in 0..entries {
        if le32(b, at) != Some(ENTRY) || at + 46 > end {
            return Err(damaged_directory());
        }
        let field = |offset: usize| le16(b, at + offset).map(usize::from);
        let (Some(name), Some(extra), Some(comment)) = (field(28), field(30), field(32)) else {
            return Err(damaged_directory());
        };
        let mut unzipped = u64::from(le32(b, at + 24).ok_or_else(damaged_directory)?);
        if unzipped == 0xFFFF_FFFF {
            let extra_start = at + 46 + name;
            unzipped = zip64_size(b.get(extra_start..extra_start + extra).unwrap_or(&[]));
        }
        total = total.saturating_add(unzipped);
        at += 46 + name + extra + comment;
    }
    Ok(total)
}

/// The uncompressed size in an entry's ZIP64 extra field (id 1, whose first value it is when the
/// 32-bit field is 0xFFFFFFFF), or `u64::MAX` when the field is missing.
fn zip64_size(extra: &[u8]) -> u64 {
    let mut at = 0;
    while let (Some(id), Some(len)) = (le16(extra, at), le16(extra, at + 2)) {
        if id == 1 {
            return le64(extra, at + 4).unwrap_or(u64::MAX);
        }
        at += 4 + usize::from(len);
    }
    u64::MAX
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// A byte count as people read it: "2.0 GiB", "256 MiB".
fn size_text(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let mib = bytes as f64 / MIB;
    if bytes == u64::MAX {
        "an unknown (ZIP64) size".into()
    } else if mib >= 1024.0 {
        format!("{:.1} GiB", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB")
    }
}

pub(crate) fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(4096).collect();
    let control = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    control * 20 > sample.len().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A central directory entry declaring `size` bytes (0xFFFFFFFF with `zip64` for a ZIP64 one).
    fn entry(name: &str, size: u32, zip64: Option<u64>) -> Vec<u8> {
        let mut e = 0x0201_4b50u32.to_le_bytes().to_vec();
        e.extend([0u8; 16]);
        e.extend(0u32.to_le_bytes()); // compressed size
        e.extend(size.to_le_bytes());
        let extra: Vec<u8> = match zip64 {
            Some(big) => [1u16.to_le_bytes(), 8u16.to_le_bytes()]
                .concat()
                .into_iter()
                .chain(big.to_le_bytes())
                .collect(),
            None => Vec::new(),
        };
        e.extend((name.len() as u16).to_le_bytes());
        e.extend((extra.len() as u16).to_le_bytes());
        e.extend(0u16.to_le_bytes()); // comment
        e.extend([0u8; 12]);
        e.extend(name.as_bytes());
        e.extend(extra);
        e
    }

    /// A zip (as far as its directory goes) holding `entries`, after `prefix` bytes.
    fn zip(prefix: &[u8], entries: &[Vec<u8>]) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend(prefix);
        let directory: Vec<u8> = entries.concat();
        let at = z.len() as u32;
        z.extend(&directory);
        z.extend(0x0605_4b50u32.to_le_bytes());
        z.extend([0u8; 4]);
        z.extend((entries.len() as u16).to_le_bytes());
        z.extend((entries.len() as u16).to_le_bytes());
        z.extend((directory.len() as u32).to_le_bytes());
        z.extend(at.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z
    }

    #[test]
    fn sums_the_declared_sizes() {
        let z = zip(
            b"data",
            &[entry("a.xml", 1000, None), entry("b.xml", 24, None)],
        );
        assert_eq!(unzipped_size(&z).unwrap(), 1024);
        // Data prepended to the zip does not matter: the directory is found from the end.
        let mut shifted = b"#!/bin/sh\n".to_vec();
        shifted.extend(&z);
        assert_eq!(unzipped_size(&shifted).unwrap(), 1024);
    }

    #[test]
    fn reads_zip64_sizes() {
        let big = 5 * 1024 * 1024 * 1024u64;
        let z = zip(b"", &[entry("sheet1.xml", u32::MAX, Some(big))]);
        assert_eq!(unzipped_size(&z).unwrap(), big);
        let err = check_unzipped_size(&z).unwrap_err().to_string();
        assert!(err.contains("expand to 5.0 GiB"), "{err}");
        // A ZIP64 size that is announced but missing counts as too large.
        let z = zip(b"", &[entry("sheet1.xml", u32::MAX, None)]);
        let err = check_unzipped_size(&z).unwrap_err().to_string();
        assert!(err.contains("an unknown (ZIP64) size"), "{err}");
    }

    #[test]
    fn the_limit_is_inclusive() {
        let at_limit = u32::try_from(MAX_UNZIPPED_BYTES).unwrap();
        assert!(check_unzipped_size(&zip(b"", &[entry("a", at_limit, None)])).is_ok());
        let over = zip(b"", &[entry("a", at_limit, None), entry("b", 1, None)]);
        assert!(check_unzipped_size(&over).is_err());
    }

    #[test]
    fn a_panic_in_the_reader_is_an_error_for_that_file() {
        let err = guarded(|| panic!("index out of range")).unwrap_err();
        assert!(matches!(err, Error::Corrupt(_)), "{err}");
        assert!(err.to_string().contains("index out of range"), "{err}");
        // The thread carries on, and an ordinary error passes through unchanged.
        assert!(matches!(
            guarded(|| Err(Error::Encrypted)),
            Err(Error::Encrypted)
        ));
    }

    #[test]
    fn a_real_workbook_passes() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "KA.01.01").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let size = unzipped_size(&bytes).unwrap();
        assert!((1_000..1_000_000).contains(&size), "{size}");
    }

    #[test]
    fn a_truncated_or_damaged_directory_is_corrupt() {
        let z = zip(b"", &[entry("a.xml", 10, None)]);
        for cut in [z.len() - 1, z.len() / 2, 4] {
            let err = unzipped_size(&z[..cut]).unwrap_err();
            assert!(matches!(err, Error::Corrupt(_)), "{cut}: {err}");
        }
        let mut wrong = z.clone();
        wrong[4] = b'X'; // the entry's signature
        assert!(matches!(unzipped_size(&wrong), Err(Error::Corrupt(_))));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_damaged_zips(
            cut in 0usize..400,
            flips in proptest::collection::vec((0usize..400, proptest::num::u8::ANY), 0..8),
        ) {
            let mut z = zip(b"abc", &[entry("a.xml", 10, None), entry("b", u32::MAX, Some(7))]);
            for (at, byte) in flips {
                let n = z.len();
                z[at % n] = byte;
            }
            z.truncate(cut.min(z.len()));
            let _ = unzipped_size(&z);
        }
    }
}
