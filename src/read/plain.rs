//! A plain workbook read straight from its zip, on two threads at once: one sheet read (any
//! others hidden and passed over) whose cells are all shared strings (or empty), as katrack and
//! most tools write large trackers. calamine reads a workbook's shared strings first and only
//! then its sheet; here the sheet's cells (their positions and string numbers) and merged areas
//! are found on a second thread while the shared strings are read on the first, so the sheet
//! costs nearly nothing after.
//!
//! The shared strings are read as calamine reads them (rich text runs joined, phonetic runs
//! left out, the text trimmed unless `xml:space="preserve"`, XML references resolved). Anything
//! else — two sheets read, a chart sheet, a number, formula, inline or boolean cell, a cell
//! without a plain `A1` reference, an `_xHHHH_` escape, an attribute, reference or merged area
//! calamine would refuse, custom properties, any XML error — answers `None` before anything is
//! sent, and calamine reads the file instead; `plain_tests.rs`, `tests/it/streamed.rs` and the
//! `streamed` fuzz target hold the two ways to the same result.

use super::merges::{self, Xml, Zip};
use super::stream::Properties;
use super::strings::Strings;
use calamine::Dimensions;
pub(super) use cells::{Cells, ROW};
use quick_xml::events::{BytesRef, BytesStart, Event};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

#[path = "plain_cells.rs"]
mod cells;

/// A plain workbook's sheet: its shared strings and, in the order written, its cells.
pub(super) struct Plain {
    /// The sheets chosen, in order, with whether each is hidden: the one read and those
    /// passed over.
    pub sheets: Vec<(String, bool)>,
    /// Which of `sheets` is read.
    pub read: usize,
    /// The shared strings table.
    pub strings: Strings,
    /// Every non-empty cell's (column, shared string number), row after row, each row begun
    /// by its number.
    pub cells: Cells,
    /// The sheet's merged areas.
    pub merges: Vec<Dimensions>,
    /// The document title and subject.
    pub props: Properties,
}

impl Plain {
    /// Every non-empty cell's (row, column, text) to `each`, in the order written; `None` when
    /// the shared strings spilled cannot be read back.
    pub(super) fn each_text(&self, each: &mut dyn FnMut(u32, u32, &str)) -> Option<()> {
        let mut strings = self.strings.lookup();
        let mut row = 0;
        self.cells.each(&mut |col, i| {
            if col == ROW {
                row = i;
                return Some(());
            }
            each(row, col, strings.get(i as usize)?);
            Some(())
        })
    }
}

/// Reads the xlsx at `path` if it is plain (see the [module](self) docs): of the sheets chosen
/// (`sheet`: the one named, else every worksheet), one is read; the others are hidden and
/// passed over, as the layout does. `None` otherwise. The long shared strings past the first
/// `spill_after` bytes of them go to a temporary file ([`Strings::spilling`]). With `threads`,
/// the sheet's cells are found on a second thread while the shared strings are read.
pub(super) fn read_plain_on(
    path: &Path,
    sheet: Option<&str>,
    spill_after: usize,
    threads: bool,
) -> Option<Plain> {
    let mut zip = merges::open_zip(path)?;
    let (dir, sheets) = merges::workbook_sheets(&mut zip)?;
    let mut listed = Vec::new();
    for s in &sheets {
        let hidden = match s.state.as_deref() {
            None | Some("visible") => false,
            Some("hidden" | "veryHidden") => true,
            // calamine refuses the workbook.
            Some(_) => return None,
        };
        if !s.worksheet {
            return None;
        }
        listed.push((s.name.as_str(), hidden));
    }
    let names: Vec<&str> = listed.iter().map(|(n, _)| *n).collect();
    let chosen = crate::layout::choose_sheets(&names, sheet).ok()?;
    let read: Vec<usize> = chosen
        .iter()
        .copied()
        .filter(|&i| crate::layout::reads_sheet(listed[i].1, sheet.is_some()))
        .collect();
    let [at] = read.as_slice() else {
        return None;
    };
    let only = &sheets[*at];
    let passed: Vec<(String, bool)> = chosen
        .iter()
        .map(|&i| (listed[i].0.to_string(), listed[i].1))
        .collect();
    let read_at = chosen.iter().position(|i| i == at)?;
    // Whichever thread finds the workbook is not plain tells the other to stop.
    let given_up = AtomicBool::new(false);
    let cells = || {
        let mut zip = merges::open_zip(path)?;
        let found = sheet_cells(&mut merges::part_reader(&mut zip, &only.part)?, &given_up);
        found.or_else(|| give_up(&given_up))
    };
    let strings = |zip: &mut Zip| {
        well_formed(zip, &format!("{dir}styles.xml"))
            .and_then(|()| shared_strings(zip, &dir, &given_up, spill_after))
            .or_else(|| give_up(&given_up))
    };
    let (strings, props, cells) = if threads {
        std::thread::scope(|scope| {
            let cells = scope.spawn(cells);
            let strings = strings(&mut zip);
            let props = properties(&mut zip);
            (strings, props, cells.join().ok().flatten())
        })
    } else {
        // One after the other: the sheet's cells then wait for nothing.
        let strings = strings(&mut zip);
        let props = properties(&mut zip);
        let cells = strings.as_ref().and_then(|_| cells());
        (strings, props, cells)
    };
    let (strings, props, (cells, merges)) = (strings?, props?, cells?);
    if cells.greatest.is_some_and(|i| i as usize >= strings.len()) {
        // calamine refuses a cell whose string is not in the table.
        return None;
    }
    Some(Plain {
        sheets: passed,
        read: read_at,
        strings,
        cells,
        merges,
        props,
    })
}

/// Tells the other thread to stop: the workbook is not plain.
fn give_up<T>(given_up: &AtomicBool) -> Option<T> {
    given_up.store(true, Ordering::Relaxed);
    None
}

type SheetCells = (Cells, Vec<Dimensions>);

/// Where [`sheet_cells`] is in a sheet's XML: calamine reads the `dimension` before
/// `sheetData`, then rows and cells up to its end.
#[derive(PartialEq)]
enum Part {
    Before,
    Data,
    After,
}

/// The cells and merged areas of a sheet's XML, if every cell is a shared string or empty and
/// calamine would read the sheet without an error.
fn sheet_cells<R: Read>(xml: &mut Xml<R>, given_up: &AtomicBool) -> Option<SheetCells> {
    let (mut cells, mut areas) = (Cells::default(), Vec::new());
    let (mut buf, mut scratch) = (Vec::new(), Scratch::default());
    let mut last_row = None;
    let (mut part, mut in_merges, mut merges_read) = (Part::Before, false, false);
    loop {
        buf.clear();
        let event = xml.read_event_into(&mut buf).ok()?;
        if let Event::Start(e) = &event {
            // calamine reads the attributes of some elements, and refuses the sheet where one
            // is malformed: every element's are checked.
            merges::attributes_ok(e).then_some(())?;
        }
        match event {
            Event::Start(e) if part == Part::Before => match e.local_name().as_ref() {
                "dimension" => {
                    // calamine refuses a missing or malformed reference.
                    let r = e.try_get_attribute("ref").ok()??;
                    merges::area(&r.value)?;
                }
                "sheetData" => part = Part::Data,
                _ => {}
            },
            Event::Start(e) if part == Part::Data && e.local_name().as_ref() == "row" => {
                if let Some(r) = e.try_get_attribute("r").ok()? {
                    plain_number(r.value.as_bytes()).filter(|n| *n > 0)?;
                }
            }
            Event::Start(e) if part == Part::Data && e.local_name().as_ref() == "c" => {
                let (row, col, shared) = cell_attrs(&e)?;
                let value = cell_value(xml, &mut scratch)?;
                match (shared, value) {
                    (true, Some(index)) => {
                        if last_row != Some(row) {
                            if given_up.load(Ordering::Relaxed) {
                                return None;
                            }
                            cells.push((ROW, row));
                            last_row = Some(row);
                        }
                        cells.cell(col, index);
                    }
                    // A styled cell with no value is empty.
                    (false, None) => {}
                    _ => return None,
                }
            }
            Event::End(e) if part == Part::Data && e.local_name().as_ref() == "sheetData" => {
                part = Part::After;
            }
            // The merged areas as `merges` reads them: those of the first `mergeCells`.
            Event::Start(e) if !merges_read && e.local_name().as_ref() == "mergeCells" => {
                in_merges = true;
            }
            Event::End(e) if in_merges && e.local_name().as_ref() == "mergeCells" => {
                (in_merges, merges_read) = (false, true);
            }
            Event::Start(e) if in_merges && e.local_name().as_ref() == "mergeCell" => {
                if let Some(r) = e.try_get_attribute("ref").ok()? {
                    areas.push(merges::area(&r.value)?);
                }
            }
            Event::Eof if part == Part::After && !in_merges => {
                cells.finish()?;
                return Some((cells, areas));
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// A `<c>`'s position (from its plain `A1` reference) and whether it is a shared string.
fn cell_attrs(e: &BytesStart) -> Option<(u32, u32, bool)> {
    let (mut pos, mut shared) = (None, false);
    // `attributes_ok` has checked them, repeated names included.
    for a in e.attributes().with_checks(false) {
        let a = a.ok()?;
        match a.key.as_ref() {
            "r" => pos = Some(plain_a1(a.value.as_bytes())?),
            "t" if a.value.as_ref() == "s" => shared = true,
            "t" => return None,
            _ => {}
        }
    }
    let (row, col) = pos?;
    Some((row, col, shared))
}

/// What reading an element (a cell's value, a shared string, its text) reuses from one to the
/// next: the events' bytes and the element's name.
#[derive(Default)]
struct Scratch {
    buf: Vec<u8>,
    name: String,
}

/// The shared string number in a cell's `<v>` (`None`: no value); any other content, or a
/// value that is not a plain number, is not plain.
fn cell_value<R: Read>(xml: &mut Xml<R>, scratch: &mut Scratch) -> Option<Option<u32>> {
    let Scratch { buf, name } = scratch;
    let mut value = None;
    loop {
        buf.clear();
        match xml.read_event_into(buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "v" && value.is_none() => {
                // calamine takes the one text and reads on to the `<v>`'s own end tag: only
                // that plain shape is read here.
                name.clear();
                name.push_str(e.name().as_ref());
                buf.clear();
                let Event::Text(t) = xml.read_event_into(buf).ok()? else {
                    return None;
                };
                let number = plain_number(t.as_bytes())?;
                buf.clear();
                match xml.read_event_into(buf).ok()? {
                    Event::End(end) if end.name().as_ref() == name.as_str() => {
                        value = Some(number);
                    }
                    _ => return None,
                }
            }
            Event::End(e) if e.local_name().as_ref() == "c" => return Some(value),
            Event::Text(t) if t.bytes().all(|b| b.is_ascii_whitespace()) => {}
            _ => return None,
        }
    }
}

/// A shared string's number written in plain digits.
fn plain_number(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 9 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// A plain `A1` reference (capital letters, then digits from 1) as 0-based (row, column).
fn plain_a1(text: &[u8]) -> Option<(u32, u32)> {
    let letters = text.iter().take_while(|b| b.is_ascii_uppercase()).count();
    let digits = &text[letters..];
    if !(1..=3).contains(&letters) || digits.first().is_none_or(|d| *d == b'0') {
        return None;
    }
    let col = text[..letters]
        .iter()
        .fold(0u32, |c, l| c * 26 + u32::from(l - b'A' + 1));
    let row = plain_number(digits)?;
    Some((row - 1, col - 1))
}

/// The shared strings as calamine reads them; empty without the part. The long strings past
/// the first `spill_after` bytes of them go to a temporary file.
fn shared_strings(
    zip: &mut Zip,
    dir: &str,
    given_up: &AtomicBool,
    spill_after: usize,
) -> Option<Strings> {
    let name = format!("{dir}sharedStrings.xml");
    if merges::part_index(zip, &name).is_none() {
        return Some(Strings::default());
    }
    let mut xml = merges::part_reader(zip, &name)?;
    let mut strings = Strings::spilling(spill_after);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            // calamine reads the count from its attributes, refusing a malformed one.
            Event::Start(e) if e.local_name().as_ref() == "sst" => {
                merges::attributes_ok(&e).then_some(())?;
                break;
            }
            Event::Eof => return None,
            _ => {}
        }
    }
    let (mut item, mut text) = (Scratch::default(), Scratch::default());
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                if strings.len() % 4096 == 0 && given_up.load(Ordering::Relaxed) {
                    return None;
                }
                item.name.clear();
                item.name.push_str(e.name().as_ref());
                string_item(&mut xml, &mut item, &mut text, &mut strings.text)?;
                strings.end_string()?;
            }
            Event::End(e) if e.local_name().as_ref() == "sst" => {
                strings.finish()?;
                return Some(strings);
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// One `<si>` (its name in `item.name`) appended to `out`: its `<t>` texts (read with `text`)
/// joined, phonetic runs left out (calamine's `read_string`).
fn string_item<R: Read>(
    xml: &mut Xml<R>,
    item: &mut Scratch,
    text: &mut Scratch,
    out: &mut String,
) -> Option<()> {
    let Scratch { buf, name } = item;
    let mut phonetic = false;
    loop {
        buf.clear();
        match xml.read_event_into(buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "rPh" => phonetic = true,
            Event::End(e) if e.name().as_ref() == name.as_str() => return Some(()),
            Event::End(e) if e.local_name().as_ref() == "rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == "t" && !phonetic => {
                merges::attributes_ok(&e).then_some(())?;
                let preserve = e
                    .try_get_attribute("xml:space")
                    .ok()?
                    .is_some_and(|a| a.value.as_ref() == "preserve");
                text.name.clear();
                text.name.push_str(e.name().as_ref());
                let start = out.len();
                text_of(xml, text, out)?;
                if !preserve {
                    let part = &out[start..];
                    let trimmed = part.trim_matches([' ', '\t', '\r', '\n']);
                    let from = trimmed.as_ptr() as usize - part.as_ptr() as usize;
                    out.truncate(start + from + trimmed.len());
                    out.replace_range(start..start + from, "");
                }
                if out[start..].contains("_x") {
                    // An Excel escape (`_x000D_`): left to calamine.
                    return None;
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The text of an element (its name in `scratch.name`) up to its end tag, appended to `out`,
/// references resolved as calamine does.
fn text_of<R: Read>(xml: &mut Xml<R>, scratch: &mut Scratch, out: &mut String) -> Option<()> {
    let Scratch { buf, name: end } = scratch;
    loop {
        buf.clear();
        match xml.read_event_into(buf).ok()? {
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::CData(t) => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => resolve(&r, out)?,
            Event::End(e) if e.name().as_ref() == end.as_str() => return Some(()),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The document title and subject (`docProps/core.xml`), where calamine would give them:
/// `None` when a properties part holds anything calamine might refuse.
fn properties(zip: &mut Zip) -> Option<Properties> {
    let (mut title, mut subject) = (None, None);
    if let Some(mut xml) = merges::part_reader(zip, "docProps/core.xml") {
        let mut current: Option<bool> = None;
        let mut value = String::new();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).ok()? {
                Event::Start(e) | Event::Empty(e) => {
                    value.clear();
                    current = match e.local_name().as_ref() {
                        "title" => Some(true),
                        "subject" => Some(false),
                        _ => None,
                    };
                }
                Event::Text(t) if current.is_some() => value.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if current.is_some() => resolve(&r, &mut value)?,
                Event::End(_) => {
                    if let Some(is_title) = current.take().filter(|_| !value.is_empty()) {
                        let slot = if is_title { &mut title } else { &mut subject };
                        *slot = Some(std::mem::take(&mut value));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    if merges::part_reader(zip, "docProps/custom.xml").is_some() {
        // calamine reads custom properties too, and may refuse one: left to it.
        return None;
    }
    // An unknown reference or an XML error in the application properties loses them all.
    well_formed(zip, "docProps/app.xml")?;
    Some(Properties::new(title, subject))
}

/// A reference (`&amp;`, `&#10;`) appended to `out` as calamine resolves it; `None` for one
/// calamine refuses.
fn resolve(r: &BytesRef, out: &mut String) -> Option<()> {
    match quick_xml::escape::resolve_xml_entity(r) {
        Some(s) => out.push_str(s),
        None => out.push(r.resolve_char_ref().ok()??),
    }
    Some(())
}

/// `Some` when the part `name`, if the zip has it, is well-formed XML whose references resolve:
/// calamine reads it on opening (styles) or for the properties, and refuses it otherwise.
fn well_formed(zip: &mut Zip, name: &str) -> Option<()> {
    if let Some(mut xml) = merges::part_reader(zip, name) {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).ok()? {
                Event::GeneralRef(r) => resolve(&r, &mut String::new())?,
                Event::Eof => break,
                _ => {}
            }
        }
    }
    Some(())
}

#[cfg(test)]
#[path = "plain_tests.rs"]
mod tests;
