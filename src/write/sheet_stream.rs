//! A large sheet's rows written and compressed by katrack rather than by rust_xlsxwriter: the
//! tracker sheet (export) and Appendix A (merge) at 100,000 activities are 190 MB of XML.
//! rust_xlsxwriter's constant-memory mode keeps every row's settings until the save (45 MB at
//! 100,000 rows with a height on each) and deflates the sheet on one thread after the last row
//! (1.4 s at that size, with the other core idle). Here each row's XML — the same bytes
//! rust_xlsxwriter writes for it, which `tracker_xlsx_tests.rs` holds — goes to threads that
//! deflate it while the next rows are written ([`Parallel`]), into a temporary file; nothing of
//! a row is kept but its merged area, if it has one. The workbook saved by rust_xlsxwriter holds the sheet's
//! title lines and settings, and [`spliced`](super::spliced) puts the rows into it.
//!
//! The rows' cell formats are numbered as rust_xlsxwriter numbers them: [`Xfs`] registers them
//! first in a new workbook, so their indices are known before anything else is written.

use super::deflate::{Deflated, Parallel};
use foldhash::{HashMap, HashMapExt};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::io::Write;

/// How much XML is handed to the compressing threads at once.
const CHUNK: usize = 256 << 10;
/// Excel's limits, which rust_xlsxwriter checks: rows, and UTF-16 units in a cell's text.
const MAX_ROWS: u32 = 1_048_576;
const MAX_TEXT: usize = 32_767;
/// rust_xlsxwriter's default row height in pixels (15 points): no height is written for it.
const DEFAULT_HEIGHT: u32 = 20;

/// The workbook indices of the formats registered with [`Xfs::register`].
#[derive(Clone)]
pub(crate) struct Xfs {
    indices: HashMap<Format, u32>,
}

impl Xfs {
    /// Registers `formats`, in order, with `workbook`, which must be new (nothing written,
    /// no format registered): rust_xlsxwriter numbers a workbook's formats in the order they
    /// are first met, after its default format (0), and equal formats share a number.
    pub(crate) fn register(workbook: &mut Workbook, formats: &[&Format]) -> Xfs {
        let mut indices = HashMap::new();
        indices.insert(Format::default(), 0);
        for &format in formats {
            workbook.register_format(format);
            let next = indices.len() as u32;
            indices.entry(format.clone()).or_insert(next);
        }
        Xfs { indices }
    }

    /// The index of `format`, if it was registered.
    pub(crate) fn of(&self, format: &Format) -> Option<u32> {
        self.indices.get(format).copied()
    }
}

/// A cell of a row written by [`RowsXml::row`]: its column, text and format index (0: none).
/// An empty text with a format is a blank formatted cell; with none, no cell.
pub(crate) type Cell<'a> = (u16, &'a str, u32);

/// Why a row could not be written: the cell (column) at fault and rust_xlsxwriter's error
/// for it, as writing it with rust_xlsxwriter would have given.
pub(crate) type RowError = (u16, XlsxError);

/// A sheet's rows, written as XML and deflated on threads of their own (see the
/// [module](self) docs).
pub(crate) struct RowsXml {
    xml: Vec<u8>,
    deflating: Parallel,
    /// The rows merged across columns (row, first column, last column), in order.
    merges: Vec<(u32, u16, u16)>,
    /// The last row and the largest column written.
    last: Option<(u32, u16)>,
}

/// A sheet's rows once all are written: what [`spliced`](super::spliced) puts into the saved
/// workbook.
pub(crate) struct Rows {
    pub(crate) deflated: Deflated,
    pub(crate) merges: Vec<(u32, u16, u16)>,
    pub(crate) last: Option<(u32, u16)>,
}

/// How many threads deflate a large sheet's rows at most (0: no limit but the cores').
static DEFLATING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Deflates the rows of the large sheets written from now on (the tracker sheet, Appendix A,
/// the Returns sheet's list) on at most `threads` threads (by default one per core, up to
/// four; `0` for the default). `katrack merge --jobs N` sets it to N.
pub fn deflate_on_at_most(threads: usize) {
    DEFLATING.store(threads, std::sync::atomic::Ordering::Relaxed);
}

/// How many threads deflate, with at most `most` of them (`0`: no limit) and `cores` cores:
/// one per core, up to four.
fn deflating_threads(most: usize, cores: usize) -> usize {
    let threads = cores.clamp(1, 4);
    match most {
        0 => threads,
        most => threads.min(most),
    }
}

impl RowsXml {
    /// Starts the compressing threads (one per core, up to four), and their temporary file.
    ///
    /// # Errors
    /// When no temporary file can be made (said as rust_xlsxwriter says it).
    pub(crate) fn new() -> crate::Result<RowsXml> {
        let file = temporary_file()?;
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let most = DEFLATING.load(std::sync::atomic::Ordering::Relaxed);
        Ok(RowsXml {
            xml: Vec::with_capacity(CHUNK + (64 << 10)),
            deflating: Parallel::new(deflating_threads(most, cores), file),
            merges: Vec::new(),
            last: None,
        })
    }

    /// Writes row `row` (from 0, after those written) with `cells` (in column order) and a
    /// height of `height` pixels. Nothing is written when a cell is refused.
    pub(crate) fn row(&mut self, row: u32, height: u32, cells: &[Cell]) -> Result<(), RowError> {
        if row >= MAX_ROWS {
            return Err((
                cells.first().map_or(0, |c| c.0),
                XlsxError::RowColumnLimitError,
            ));
        }
        if let Some(&(col, _, _)) = cells
            .iter()
            .find(|(_, text, _)| text.len() > MAX_TEXT && text.encode_utf16().count() > MAX_TEXT)
        {
            return Err((col, XlsxError::MaxStringLengthExceeded));
        }
        let r = row + 1;
        let xml = &mut self.xml;
        if height == DEFAULT_HEIGHT {
            write!(xml, r#"<row r="{r}">"#)
        } else {
            let points = f64::from(height) * 0.75;
            write!(xml, r#"<row r="{r}" ht="{points}" customHeight="1">"#)
        }
        .expect("writing to memory");
        for &(col, text, xf) in cells {
            cell(xml, r, col, text, xf);
        }
        xml.extend_from_slice(b"</row>");
        let written = cells
            .iter()
            .filter(|(_, text, xf)| !text.is_empty() || *xf > 0);
        let widest = written.map(|c| c.0).max().unwrap_or(0);
        self.last = Some((row, self.last.map_or(widest, |(_, w)| w.max(widest))));
        if self.xml.len() >= CHUNK {
            self.hand_over();
        }
        Ok(())
    }

    /// [`row`](Self::row) of `text` in `first`..=`last` merged (rust_xlsxwriter's
    /// `merge_range`: the text in the first cell, the others blank, all with format `xf`).
    pub(crate) fn merged_row(
        &mut self,
        row: u32,
        height: u32,
        (first, last): (u16, u16),
        text: &str,
        xf: u32,
    ) -> Result<(), RowError> {
        let cells: Vec<Cell> = (first..=last)
            .map(|col| (col, if col == first { text } else { "" }, xf))
            .collect();
        self.row(row, height, &cells)?;
        self.merged(row, first, last);
        Ok(())
    }

    /// Records row `row` (written) as merged from column `first` to `last`: rust_xlsxwriter's
    /// `merge_range` writes the text in the first cell and blanks with the same format in the
    /// others, as [`row`](Self::row) is given them.
    pub(crate) fn merged(&mut self, row: u32, first: u16, last: u16) {
        self.merges.push((row, first, last));
    }

    /// Hands the XML written so far to the compressing threads.
    fn hand_over(&mut self) {
        let full = std::mem::replace(&mut self.xml, Vec::with_capacity(CHUNK + (64 << 10)));
        self.deflating.push(full);
    }

    /// Every row written: waits for the last to be deflated.
    ///
    /// # Errors
    /// When the temporary file could not be written.
    pub(crate) fn finish(mut self) -> crate::Result<Rows> {
        self.hand_over();
        let deflated = self.deflating.finish().map_err(|e| {
            crate::Error::Write(format!(
                "the workbook could not be built: its rows could not be written to a \
                     temporary file in {} ({e}); set TMPDIR to a folder with room",
                std::env::temp_dir().display()
            ))
        })?;
        Ok(Rows {
            deflated,
            merges: self.merges,
            last: self.last,
        })
    }
}

/// An unnamed temporary file; when none can be made, the error rust_xlsxwriter gives for its
/// own (which names the folder and says to set TMPDIR).
pub(crate) fn temporary_file() -> crate::Result<std::fs::File> {
    tempfile::tempfile().map_err(|e| XlsxError::TempFileError(std::env::temp_dir(), e).into())
}

/// A height in points as rust_xlsxwriter keeps it, in pixels.
pub(crate) fn pixels(points: f64) -> u32 {
    (points * 4.0 / 3.0).round() as u32
}

/// The error for a format that was not registered with [`Xfs::register`].
pub(crate) fn unregistered() -> crate::Error {
    crate::Error::Write("a format of the sheet was not registered".into())
}

/// One cell's XML, as rust_xlsxwriter writes it in constant-memory mode (inline strings).
fn cell(xml: &mut Vec<u8>, r: u32, col: u16, text: &str, xf: u32) {
    if text.is_empty() && xf == 0 {
        return;
    }
    xml.extend_from_slice(b"<c r=\"");
    if col < 26 {
        xml.push(b'A' + col as u8);
    } else {
        xml.extend_from_slice(crate::cellref::column_letters(u32::from(col)).as_bytes());
    }
    write!(xml, "{r}\"").expect("writing to memory");
    if xf > 0 {
        write!(xml, " s=\"{xf}\"").expect("writing to memory");
    }
    if text.is_empty() {
        xml.extend_from_slice(b"/>");
        return;
    }
    let spaced = ['\t', '\n', ' '];
    if text.starts_with(spaced) || text.ends_with(spaced) {
        xml.extend_from_slice(br#" t="inlineStr"><is><t xml:space="preserve">"#);
    } else {
        xml.extend_from_slice(br#" t="inlineStr"><is><t>"#);
    }
    escape_text(xml, &escape_escapes(text));
    xml.extend_from_slice(b"</t></is></c>");
}

/// `_xHHHH_` in a text written as `_x005F_xHHHH_`, so that it is not read as an escape
/// (rust_xlsxwriter's `escape_xml_escapes`).
fn escape_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("_x") {
        return text.into();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 12);
    let mut from = 0;
    for (at, _) in text.match_indices("_x") {
        let escape = bytes
            .get(at + 2..at + 7)
            .is_some_and(|tail| tail[..4].iter().all(u8::is_ascii_hexdigit) && tail[4] == b'_');
        if escape {
            out.push_str(&text[from..at]);
            out.push_str("_x005F");
            from = at;
        }
    }
    out.push_str(&text[from..]);
    out.into()
}

/// A cell's text escaped as rust_xlsxwriter's `escape_xml_data` does: `&`, `<`, `>`, control
/// characters other than tab and newline, and U+FFFE/U+FFFF.
fn escape_text(xml: &mut Vec<u8>, text: &str) {
    let mut from = 0;
    for (at, ch) in text.char_indices() {
        let escaped: Option<std::borrow::Cow<str>> = match ch {
            '&' => Some("&amp;".into()),
            '<' => Some("&lt;".into()),
            '>' => Some("&gt;".into()),
            '\t' | '\n' => None,
            '\0'..='\x1F' | '\u{FFFE}' | '\u{FFFF}' => Some(format!("_x{:04X}_", ch as u32).into()),
            _ => None,
        };
        if let Some(escaped) = escaped {
            xml.extend_from_slice(&text.as_bytes()[from..at]);
            xml.extend_from_slice(escaped.as_bytes());
            from = at + ch.len_utf8();
        }
    }
    xml.extend_from_slice(&text.as_bytes()[from..]);
}

#[cfg(test)]
mod tests {
    use super::deflating_threads;

    #[test]
    fn rows_are_deflated_on_a_thread_a_core_up_to_four_or_as_many_as_asked() {
        // (at most, cores) → threads.
        let cases = [
            ((0, 1), 1),
            ((0, 2), 2),
            ((0, 16), 4),
            ((1, 16), 1),
            ((3, 2), 2),
            ((2, 8), 2),
            ((0, 0), 1),
        ];
        for ((most, cores), threads) in cases {
            assert_eq!(
                deflating_threads(most, cores),
                threads,
                "{most} at most, {cores} cores"
            );
        }
    }
}
