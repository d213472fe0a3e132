//! The merged areas of an xlsx's worksheets, read straight from its zip. calamine gives a
//! sheet's merged areas only by parsing the whole sheet a second time; read this way, they are
//! found on a thread of their own while calamine reads the shared strings, and are ready before
//! the first row is streamed. Anything unexpected (a part missing, a reference not in plain A1
//! form, malformed XML) answers `None` for the sheet, and calamine's own pass is used instead;
//! a test holds that both give the same areas for every workbook in the repository.

use calamine::Dimensions;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;
use zip::ZipArchive;

/// A workbook's zip, read from its file.
pub(super) type Zip = ZipArchive<BufReader<std::fs::File>>;

/// The zip of the workbook at `path`; `None` when it cannot be opened as one.
pub(super) fn open_zip(path: &Path) -> Option<Zip> {
    ZipArchive::new(BufReader::new(std::fs::File::open(path).ok()?)).ok()
}

/// Each worksheet's merged areas by sheet name, as far as they could be read.
pub(super) fn merged_areas(path: &Path) -> HashMap<String, Vec<Dimensions>> {
    let mut found = HashMap::new();
    let Some(mut zip) = open_zip(path) else {
        return found;
    };
    let Some(sheets) = sheet_parts(&mut zip) else {
        return found;
    };
    for (name, part) in sheets {
        if let Some(areas) = areas_of(&mut zip, &part) {
            found.insert(name, areas);
        }
    }
    found
}

/// The merged areas of the worksheet `part` (see [`quick_merges`]).
fn areas_of<R: Read + Seek>(zip: &mut ZipArchive<R>, part: &str) -> Option<Vec<Dimensions>> {
    let index = part_index(zip, part)?;
    let quick = quick_merges(BufReader::with_capacity(1 << 16, zip.by_index(index).ok()?));
    match quick {
        Some(found) => found,
        None => sheet_merges(&mut part_reader(zip, part)?),
    }
}

/// The merged areas of a sheet's XML `bytes`: its cells passed over quickly
/// ([`skip::to_merge_cells`](super::skip::to_merge_cells)), then its `mergeCells` parsed.
/// `None` where the quick pass is unsure: parse the whole part ([`sheet_merges`]).
fn quick_merges<B: BufRead>(mut bytes: B) -> Option<Option<Vec<Dimensions>>> {
    use super::skip::{Found, to_merge_cells};
    match to_merge_cells(&mut bytes) {
        Found::MergeCells(start) => {
            let rest = std::io::Cursor::new(start).chain(bytes);
            Some(sheet_merges(&mut xml_reader(rest)))
        }
        Found::End => Some(Some(Vec::new())),
        Found::Unsure => None,
    }
}

pub(super) type Xml<R> = Reader<BufReader<R>>;

/// A part of the zip as XML, found by name ignoring case (as calamine does).
pub(super) fn part_reader<'a, R: Read + Seek>(
    zip: &'a mut ZipArchive<R>,
    name: &str,
) -> Option<Xml<zip::read::ZipFile<'a, R>>> {
    let part = zip.by_index(part_index(zip, name)?).ok()?;
    Some(xml_reader(part))
}

/// XML read from `bytes` as katrack's readers read it (as calamine does).
fn xml_reader<R: Read>(bytes: R) -> Xml<R> {
    let mut xml = Reader::from_reader(BufReader::new(bytes));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// Where the part `name` is in the zip, found ignoring case (as calamine does); `None` when
/// the zip has no such part.
pub(super) fn part_index<R: Read + Seek>(zip: &ZipArchive<R>, name: &str) -> Option<usize> {
    zip.index_for_name(name).or_else(|| {
        zip.file_names()
            .position(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name)))
    })
}

/// One `<sheet>` of the workbook.
pub(super) struct SheetPart {
    /// Its name.
    pub name: String,
    /// Its part in the zip.
    pub part: String,
    /// Whether its relationship names a worksheet (not a chart or dialog sheet).
    pub worksheet: bool,
    /// Its `state` attribute (`hidden`, `veryHidden`), if any.
    pub state: Option<String>,
}

/// The worksheets' (name, part) in workbook order, from the package's relationships.
fn sheet_parts<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Option<Vec<(String, String)>> {
    let (_, sheets) = workbook_sheets(zip)?;
    Some(
        sheets
            .into_iter()
            .filter(|s| s.worksheet)
            .map(|s| (s.name, s.part))
            .collect(),
    )
}

/// The workbook part's folder (`xl/`) and every sheet it lists, in order.
pub(super) fn workbook_sheets<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
) -> Option<(String, Vec<SheetPart>)> {
    let package = relationships(&mut part_reader(zip, "_rels/.rels")?)?;
    let (target, _) = package
        .values()
        .find(|(_, kind)| kind.ends_with("/relationships/officeDocument"))?;
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };
    let rels = relationships(&mut part_reader(zip, &format!("{dir}_rels/{name}.rels"))?)?;
    let mut xml = part_reader(zip, &format!("{dir}{name}"))?;
    let mut sheets = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                // calamine refuses a workbook whose sheet has a malformed attribute.
                if !attributes_ok(&e) {
                    return None;
                }
                let name = attr(&e, "name")?;
                let id = e.attributes().flatten().find_map(|a| {
                    let key: &str = a.key.as_ref();
                    let local = key == "id" || key.ends_with(":id");
                    local.then(|| unescape(&a.value))?
                })?;
                let (target, kind) = rels.get(&id)?;
                let part = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("{dir}{target}"),
                };
                sheets.push(SheetPart {
                    name,
                    part,
                    worksheet: kind.ends_with("worksheet"),
                    state: attr(&e, "state"),
                });
            }
            Event::Eof => return Some((dir, sheets)),
            _ => {}
        }
    }
}

/// Relationship id → (target, type).
fn relationships<B: BufRead>(xml: &mut Reader<B>) -> Option<HashMap<String, (String, String)>> {
    let mut out = HashMap::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let id = attr(&e, "Id")?;
                out.insert(
                    id,
                    (
                        attr(&e, "Target").unwrap_or_default(),
                        attr(&e, "Type").unwrap_or_default(),
                    ),
                );
            }
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// Whether every attribute of `e` is well-formed for quick-xml and reads as `name="value"` (or
/// `'value'`) the way calamine reads attributes, which refuses an element (and so a sheet or
/// workbook) where one does not.
pub(super) fn attributes_ok(e: &BytesStart) -> bool {
    // quick-xml's own check for a repeated name allocates for every element; the names of up
    // to `NAMES` attributes are compared here instead, and quick-xml checks any longer list.
    const NAMES: usize = 8;
    let mut names = [""; NAMES];
    let mut count = 0;
    for a in e.attributes().with_checks(false) {
        let Ok(a) = a else { return false };
        let name = a.key.0;
        if names[..count.min(NAMES)].contains(&name) {
            return false;
        }
        if let Some(slot) = names.get_mut(count) {
            *slot = name;
        }
        count += 1;
    }
    if count > NAMES && e.attributes().any(|a| a.is_err()) {
        return false;
    }
    let raw = e.attributes_raw().as_bytes();
    let mut at = 0;
    loop {
        while raw.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if at >= raw.len() {
            return true;
        }
        // The name runs to the '='.
        match raw[at..].iter().position(|&b| b == b'=') {
            Some(eq) => at += eq + 1,
            None => return false,
        }
        while raw.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let Some(&quote) = raw.get(at).filter(|&&q| q == b'"' || q == b'\'') else {
            return false;
        };
        at += 1;
        match raw[at..].iter().position(|&b| b == quote) {
            Some(end) => at += end + 1,
            None => return true,
        }
    }
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok()??;
    unescape(&a.value)
}

/// An attribute's text with XML's escapes replaced.
fn unescape(raw: &str) -> Option<String> {
    Some(quick_xml::escape::unescape(raw).ok()?.into_owned())
}

/// The `mergeCell` areas of one sheet's XML.
fn sheet_merges<B: BufRead>(xml: &mut Reader<B>) -> Option<Vec<Dimensions>> {
    let mut areas = Vec::new();
    let mut inside = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "mergeCells" => inside = true,
            // An end tag with no start (a damaged file) is passed over, as calamine does.
            Event::End(e) if inside && e.local_name().as_ref() == "mergeCells" => {
                return Some(areas);
            }
            Event::Start(e) if inside && e.local_name().as_ref() == "mergeCell" => {
                if !attributes_ok(&e) {
                    // calamine refuses the sheet's merged areas: its own pass decides.
                    return None;
                }
                if let Some(r) = e.attributes().flatten().find(|a| a.key.as_ref() == "ref") {
                    areas.push(area(&r.value)?);
                }
            }
            Event::Eof => return (!inside).then_some(areas),
            _ => {}
        }
    }
}

/// `A1:F3` (or one cell, `B2`) as 0-based corners; only plain upper-case A1 references, the
/// top left corner first.
pub(super) fn area(text: &str) -> Option<Dimensions> {
    let corner = |t: &str| {
        let plain = !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if plain {
            crate::cellref::parse_a1(t)
        } else {
            None
        }
    };
    match text.split(':').collect::<Vec<_>>().as_slice() {
        [one] => corner(one).map(|c| Dimensions { start: c, end: c }),
        // An area given end first is left to calamine (whose arithmetic it upsets).
        [a, b] => Some(Dimensions {
            start: corner(a)?,
            end: corner(b)?,
        })
        .filter(|d| d.start.0 <= d.end.0 && d.start.1 <= d.end.1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Reader;

    /// What calamine's own pass gives for each worksheet.
    fn calamine_areas(path: &Path) -> Option<HashMap<String, Vec<Dimensions>>> {
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).ok()?;
        let names: Vec<String> = book.sheet_names().to_vec();
        Some(
            names
                .into_iter()
                .filter_map(|n| Some((n.clone(), book.merge_cells_by_sheet_name(&n).ok()?)))
                .collect(),
        )
    }

    fn workbooks(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                workbooks(&path, out);
            } else if path.extension().is_some_and(|e| e == "xlsx") {
                out.push(path);
            }
        }
    }

    #[test]
    fn attributes_are_refused_as_quick_xml_refuses_them_repeated_names_included() {
        // quick-xml's own check (names compared, allocating) against the one here.
        let checked = |e: &BytesStart| !e.attributes().any(|a| a.is_err());
        let mut many: Vec<String> = (0..12).map(|i| format!("a{i}=\"{i}\"")).collect();
        let twelve = many.join(" ");
        many.push("a3='again'".to_string());
        let repeated_late = many.join(" ");
        let cases = [
            (r#"c r="A1" t="s""#, true),
            (r#"c r="A1" r="B1""#, false),
            (r#"c r="A1" s="1" t="s" x:r="A1""#, true),
            (
                r#"c a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" a="9""#,
                false,
            ),
            (r#"c r="A1" t"#, false),
            (r#"c r=A1"#, false),
            (twelve.as_str(), true),
            (repeated_late.as_str(), false),
        ];
        for (text, ok) in cases {
            let name_len = text.find(' ').unwrap_or(text.len());
            let e = BytesStart::from_content(text, name_len);
            assert_eq!(checked(&e), ok, "quick-xml on {text}");
            assert_eq!(attributes_ok(&e), ok, "{text}");
        }
    }

    proptest::proptest! {
        /// The quick pass to `mergeCells` gives what parsing the whole sheet gives whenever
        /// both succeed, on sheets made of XML's awkward pieces in any order. (It may fail
        /// where the whole parse does not: an end tag with no start after `mergeCells`, whose
        /// start the quick pass never saw. calamine's own pass then decides, as for any
        /// failure.)
        #[test]
        fn the_quick_pass_gives_the_full_parse_areas(
            pieces in proptest::collection::vec(0..PIECES.len(), 0..40),
            capacity in 1usize..64,
        ) {
            let xml: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let full = sheet_merges(&mut xml_reader(xml.as_bytes()));
            let quick = quick_merges(BufReader::with_capacity(capacity, xml.as_bytes()));
            if let (Some(full), Some(Some(quick))) = (full, quick) {
                proptest::prop_assert_eq!(full, quick, "{}", xml);
            }
        }
    }

    /// Pieces of sheet XML, awkward ones among them.
    const PIECES: &[&str] = &[
        "<sheetData>",
        "</sheetData>",
        "<c r=\"A1\">",
        "</c>",
        "<t>",
        "</t>",
        "text",
        " ",
        "<",
        ">",
        "/>",
        "\"",
        "'",
        "<!--",
        "-->",
        "-",
        "--->",
        "<![CDATA[",
        "]]>",
        "]",
        "<?",
        "?>",
        "<?>",
        "<mergeCells>",
        "<mergeCells count=\"1\">",
        "<x:mergeCells>",
        "<mergeCells/>",
        "</mergeCells>",
        "<mergeCell ref=\"A1:B2\"/>",
        "<mergeCell ref=\"C3\"/>",
        "<c a=\"<mergeCells>\"/>",
        "<c a='x>y'>",
        "</c a=\">\">",
        "<!DOCTYPE x>",
    ];

    #[test]
    fn the_areas_read_from_the_zip_are_calamines() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let mut wb = rust_xlsxwriter::Workbook::new();
        let f = rust_xlsxwriter::Format::new();
        let a = wb.add_worksheet().set_name("A & B").unwrap();
        a.merge_range(0, 0, 0, 5, "Banner", &f).unwrap();
        a.merge_range(3, 2, 9, 2, "Down", &f).unwrap();
        wb.add_worksheet()
            .set_name("Plain")
            .unwrap()
            .write(0, 0, "x")
            .unwrap();
        let c = wb.add_worksheet().set_name("Hidden").unwrap();
        c.merge_range(1, 1, 2, 2, "h", &f).unwrap();
        c.set_hidden(true);
        let made = dir.path().join("made.xlsx");
        wb.save(&made).unwrap();
        let mut files = vec![made];
        workbooks(&root.join("samples"), &mut files);
        workbooks(&root.join("tests/data"), &mut files);
        let mut compared = 0;
        // (The zip bomb never gets this far: katrack refuses it by its directory.)
        for path in files.into_iter().filter(|p| !p.ends_with("zip_bomb.xlsx")) {
            let Some(expected) = calamine_areas(&path) else {
                assert!(merged_areas(&path).is_empty(), "{}", path.display());
                continue;
            };
            let found = merged_areas(&path);
            assert_eq!(found, expected, "{}", path.display());
            compared += found.values().filter(|v| !v.is_empty()).count();
        }
        assert!(
            compared >= 5,
            "{compared} sheets with merged areas compared"
        );
    }
}
