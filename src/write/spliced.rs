//! A workbook saved with a sheet's rows put in from [`RowsXml`](super::sheet_stream::RowsXml):
//! rust_xlsxwriter saves the workbook (the sheet holding its title lines and settings) to a
//! temporary file, and the xlsx is written again from it, each part's deflated bytes copied
//! as they are, the sheet's given its rows (already deflated) before `</sheetData>`, its
//! `dimension` widened to them and their merged areas added.
//!
//! The zip is written here (local headers, the parts, the central directory): the zip crate
//! cannot take a part deflated elsewhere. Like rust_xlsxwriter's (no `large_file`), it refuses
//! a part or workbook over 4 GiB.

use super::deflate::deflated;
use super::sheet_stream::Rows;
use crate::error::{Error, Result};
use std::io::{self, Read, Seek, Write};

/// Saves `workbook` to `out`, each worksheet named in `sheets` given its rows after those
/// rust_xlsxwriter wrote.
///
/// # Errors
/// As [`save_to`](super::save_to); [`Error::Write`] when the saved sheet is not as expected or
/// the workbook would be over 4 GiB.
pub(crate) fn save_spliced(
    workbook: &mut rust_xlsxwriter::Workbook,
    sheets: Vec<(&str, Rows)>,
    out: impl Write,
) -> Result<()> {
    // rust_xlsxwriter names its worksheets' parts by their place (katrack's workbooks have no
    // chart sheets, which are numbered apart).
    let names: Vec<String> = workbook.worksheets().iter().map(|ws| ws.name()).collect();
    let mut sheets = sheets
        .into_iter()
        .map(|(name, rows)| match names.iter().position(|n| n == name) {
            Some(at) => Ok((format!("xl/worksheets/sheet{}.xml", at + 1), rows)),
            None => Err(Error::Write(format!("the workbook has no sheet {name}"))),
        })
        .collect::<Result<Vec<_>>>()?;
    let mut saved = super::sheet_stream::temporary_file()?;
    super::save_to(workbook, &mut saved)?;
    saved.rewind()?;
    let mut zip = zip::ZipArchive::new(io::BufReader::new(saved)).map_err(unreadable)?;
    let mut to = ZipOut::new(out);
    for i in 0..zip.len() {
        let (name, mode) = {
            let f = zip.by_index_raw(i).map_err(unreadable)?;
            (f.name().map_err(unreadable)?.to_string(), f.unix_mode())
        };
        if let Some(at) = sheets.iter().position(|(part, _)| *part == name) {
            let (_, mut rows) = sheets.swap_remove(at);
            let mut xml = String::new();
            zip.by_index(i)
                .map_err(unreadable)?
                .read_to_string(&mut xml)
                .map_err(Error::Io)?;
            let (head, tail) = around_rows(&xml, &rows)?;
            let (head, tail) = (head.as_bytes(), tail.as_bytes());
            let mut crc = crc32fast::Hasher::new();
            crc.update(head);
            crc.combine(&rows.deflated.crc);
            crc.update(tail);
            let (head_z, tail_z) = (deflated(head, false)?, deflated(tail, true)?);
            let d = &mut rows.deflated;
            let sizes = Sizes {
                crc: crc.finalize(),
                deflated: head_z.len() as u64 + d.deflated_len + tail_z.len() as u64,
                len: head.len() as u64 + d.len + tail.len() as u64,
            };
            to.part(&name, mode, DEFLATED, sizes, |w| {
                w.write_all(&head_z)?;
                d.file.rewind()?;
                let copied = io::copy(&mut (&mut d.file).take(d.deflated_len), w)?;
                if copied != d.deflated_len {
                    return Err(io::Error::other("the sheet's rows were cut short"));
                }
                w.write_all(&tail_z)
            })?;
        } else {
            let mut f = zip.by_index_raw(i).map_err(unreadable)?;
            let method = match f.compression() {
                zip::CompressionMethod::Stored => 0,
                zip::CompressionMethod::Deflated => DEFLATED,
                other => return Err(Error::Write(format!("{name} is compressed as {other}"))),
            };
            let sizes = Sizes {
                crc: f.crc32(),
                deflated: f.compressed_size(),
                len: f.size(),
            };
            let expected = sizes.deflated;
            to.part(&name, mode, method, sizes, |w| {
                let copied = io::copy(&mut f, w)?;
                if copied == expected {
                    Ok(())
                } else {
                    Err(io::Error::other("a part was cut short"))
                }
            })?;
        }
    }
    if let Some((part, _)) = sheets.first() {
        return Err(Error::Write(format!("the saved workbook has no {part}")));
    }
    to.finish()
}

/// The workbook rust_xlsxwriter saved could not be read back.
fn unreadable(e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(io) => Error::Io(io),
        e => Error::Write(format!("the saved workbook could not be read back: {e}")),
    }
}

/// The sheet's XML before its rows go in (its dimension widened to them) and after (their
/// merged areas added).
fn around_rows(xml: &str, rows: &Rows) -> Result<(String, String)> {
    let odd = |what: &str| Error::Write(format!("the saved sheet has {what}"));
    let end = xml
        .find("</sheetData>")
        .ok_or_else(|| odd("no </sheetData>"))?;
    let (head, tail) = xml.split_at(end);
    let head = without_repeated_last_row(head);
    let head = match rows.last {
        Some((last_row, last_col)) => {
            widened(head, last_row, last_col).ok_or_else(|| odd("no dimension of its cells"))?
        }
        None => head.to_string(),
    };
    let tail = with_merges(tail, &rows.merges).ok_or_else(|| odd("merged areas out of place"))?;
    Ok((head, tail))
}

/// `head` (up to `</sheetData>`) without the empty `<row>` rust_xlsxwriter's constant-memory
/// mode repeats after the last row when that row has a height (`<row r="4">…</row><row r="4"
/// ht="21" customHeight="1"/>`): the rows put in after it would follow a row given twice.
pub(crate) fn without_repeated_last_row(head: &str) -> &str {
    let Some(last) = head.rfind("<row r=\"") else {
        return head;
    };
    let number = |at: usize| head[at + 8..].split('"').next();
    let repeated = head[last..].ends_with("/>")
        && head[..last]
            .rfind("<row r=\"")
            .is_some_and(|before| number(before) == number(last));
    if repeated { &head[..last] } else { head }
}

/// `head` with its `<dimension ref="…"/>` reaching row `last_row` and column `last_col`.
fn widened(head: &str, last_row: u32, last_col: u16) -> Option<String> {
    let start = head.find("<dimension ref=\"")? + "<dimension ref=\"".len();
    let len = head[start..].find('"')?;
    let range = &head[start..start + len];
    let (first, last) = range.split_once(':').unwrap_or((range, range));
    let (first_row, first_col) = crate::cellref::parse_a1(first)?;
    let (old_row, old_col) = crate::cellref::parse_a1(last)?;
    let (row, col) = (old_row.max(last_row), old_col.max(u32::from(last_col)));
    let widened = if (first_row, first_col) == (row, col) {
        crate::cellref::a1(row, col)
    } else {
        format!("{first}:{}", crate::cellref::a1(row, col))
    };
    Some(format!(
        "{}{widened}{}",
        &head[..start],
        &head[start + len..]
    ))
}

/// What follows a sheet's `mergeCells` (ECMA-376 order): merged areas go before the first of
/// these.
const AFTER_MERGES: [&str; 10] = [
    "<phoneticPr",
    "<conditionalFormatting",
    "<dataValidations",
    "<hyperlinks",
    "<printOptions",
    "<pageMargins",
    "<pageSetup",
    "<headerFooter",
    "<drawing",
    "</worksheet>",
];

/// `tail` (from `</sheetData>`) with `merges` added to its merged areas.
fn with_merges(tail: &str, merges: &[(u32, u16, u16)]) -> Option<String> {
    if merges.is_empty() {
        return Some(tail.to_string());
    }
    let mut refs = String::with_capacity(merges.len() * 32);
    for &(row, first, last) in merges {
        let (a, b) = (u32::from(first), u32::from(last));
        refs.push_str(&format!(
            r#"<mergeCell ref="{}:{}"/>"#,
            crate::cellref::a1(row, a),
            crate::cellref::a1(row, b)
        ));
    }
    if let Some(open) = tail.find("<mergeCells count=\"") {
        // Some merged already: counted in, ours after theirs.
        let count_at = open + "<mergeCells count=\"".len();
        let count_len = tail[count_at..].find('"')?;
        let count: usize = tail[count_at..count_at + count_len].parse().ok()?;
        let close = tail.find("</mergeCells>")?;
        return Some(format!(
            "{}{}{}{refs}{}",
            &tail[..count_at],
            count + merges.len(),
            &tail[count_at + count_len..close],
            &tail[close..]
        ));
    }
    let at = AFTER_MERGES.iter().filter_map(|t| tail.find(t)).min()?;
    Some(format!(
        r#"{}<mergeCells count="{}">{refs}</mergeCells>{}"#,
        &tail[..at],
        merges.len(),
        &tail[at..]
    ))
}

/// The zip method number of deflate.
const DEFLATED: u16 = 8;

/// A part's CRC-32 and its sizes, deflated (as stored) and not.
struct Sizes {
    crc: u32,
    deflated: u64,
    len: u64,
}

/// A zip written part by part, each part's sizes known before its bytes.
struct ZipOut<W: Write> {
    out: W,
    at: u64,
    central: Vec<u8>,
    parts: u16,
}

/// 1980-01-01 00:00 as an MS-DOS date and time, as rust_xlsxwriter dates its parts.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;

impl<W: Write> ZipOut<W> {
    fn new(out: W) -> Self {
        ZipOut {
            out,
            at: 0,
            central: Vec::new(),
            parts: 0,
        }
    }

    /// Writes part `name` (Unix permissions `mode`, if any) whose bytes `write` gives.
    fn part(
        &mut self,
        name: &str,
        mode: Option<u32>,
        method: u16,
        sizes: Sizes,
        write: impl FnOnce(&mut W) -> io::Result<()>,
    ) -> Result<()> {
        let too_large = || Error::Write("the workbook would be over 4 GiB".into());
        let deflated = u32::try_from(sizes.deflated).map_err(|_| too_large())?;
        let len = u32::try_from(sizes.len).map_err(|_| too_large())?;
        let offset = u32::try_from(self.at).map_err(|_| too_large())?;
        self.parts = self.parts.checked_add(1).ok_or_else(too_large)?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_large())?;
        let common = |h: &mut Vec<u8>| {
            put16(h, 20); // version needed: deflate
            put16(h, if name.is_ascii() { 0 } else { 1 << 11 });
            put16(h, method);
            put16(h, DOS_TIME);
            put16(h, DOS_DATE);
            put32(h, sizes.crc);
            put32(h, deflated);
            put32(h, len);
            put16(h, name_len);
            put16(h, 0); // extra field
        };
        let mut local = Vec::with_capacity(30 + name.len());
        put32(&mut local, 0x0403_4b50);
        common(&mut local);
        local.extend_from_slice(name.as_bytes());
        self.out.write_all(&local)?;
        write(&mut self.out)?;

        let c = &mut self.central;
        put32(c, 0x0201_4b50);
        // Made by: Unix (3) when the part has permissions, as rust_xlsxwriter's have.
        put16(c, if mode.is_some() { (3 << 8) | 20 } else { 20 });
        common(c);
        put16(c, 0); // comment
        put16(c, 0); // disk
        put16(c, 0); // internal attributes
        put32(c, mode.map_or(0, |m| m << 16));
        put32(c, offset);
        c.extend_from_slice(name.as_bytes());
        self.at += local.len() as u64 + sizes.deflated;
        Ok(())
    }

    /// Writes the central directory and its end.
    fn finish(mut self) -> Result<()> {
        let too_large = || Error::Write("the workbook would be over 4 GiB".into());
        let size = u32::try_from(self.central.len()).map_err(|_| too_large())?;
        let offset = u32::try_from(self.at).map_err(|_| too_large())?;
        let mut end = Vec::with_capacity(22);
        put32(&mut end, 0x0605_4b50);
        put16(&mut end, 0);
        put16(&mut end, 0);
        put16(&mut end, self.parts);
        put16(&mut end, self.parts);
        put32(&mut end, size);
        put32(&mut end, offset);
        put16(&mut end, 0);
        self.out.write_all(&self.central)?;
        self.out.write_all(&end)?;
        Ok(self.out.flush()?)
    }
}

fn put16(to: &mut Vec<u8>, n: u16) {
    to.extend_from_slice(&n.to_le_bytes());
}

fn put32(to: &mut Vec<u8>, n: u32) {
    to.extend_from_slice(&n.to_le_bytes());
}

/// Every part of a workbook, decompressed (each part's CRC-32 checked as it is read), in
/// order; the parts named in `sheets` without the row rust_xlsxwriter repeats at their end
/// (see [`without_repeated_last_row`]): what tests compare a workbook written both ways by.
#[cfg(test)]
pub(crate) fn parts(bytes: &[u8], sheets: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut part = zip.by_index(i).unwrap();
            let mut content = Vec::new();
            part.read_to_end(&mut content).unwrap();
            let name = part.name().unwrap().to_string();
            if sheets.contains(&name.as_str()) {
                let text = String::from_utf8(content).unwrap();
                let (head, tail) = text.split_at(text.find("</sheetData>").unwrap());
                content = format!("{}{tail}", without_repeated_last_row(head)).into_bytes();
            }
            (name, content)
        })
        .collect()
}

/// Panics, showing where, if two workbooks' [`parts`] differ.
#[cfg(test)]
pub(crate) fn assert_same_parts(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) {
    let names = |p: &[(String, Vec<u8>)]| p.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(a), names(b));
    for ((name, x), (_, y)) in a.iter().zip(b) {
        if x != y {
            let at = x.iter().zip(y).position(|(p, q)| p != q);
            let at = at.unwrap_or(x.len().min(y.len()));
            let around = |v: &[u8]| {
                String::from_utf8_lossy(&v[at.saturating_sub(80)..(at + 80).min(v.len())])
                    .into_owned()
            };
            panic!(
                "{name} differs at byte {at}:\n{}\n---\n{}",
                around(x),
                around(y)
            );
        }
    }
}

#[cfg(test)]
#[path = "spliced_tests.rs"]
mod tests;
