//! The bodies of the fuzz targets, shared with the regression tests (tests/it/hostile/
//! fuzz_regressions.rs includes this file), so a crash found here is replayed exactly there.
//! Each function must return normally for every input; a panic is a bug.

use katrack::{layout, profile::Profile, read, write};
use std::sync::LazyLock;

static PROFILE: LazyLock<Profile> = LazyLock::new(Profile::default_profile);

/// The extension each first byte stands for in [`workbook`] (`seed.sh` writes the same table).
pub const EXTENSIONS: [&str; 4] = ["xlsx", "ods", "xls", "xlsb"];

/// A workbook read and laid out: `read_bytes(bytes, ext)` then `layout::parse`. The first byte
/// chooses the extension the rest is read as, so one corpus covers every workbook format.
pub fn workbook(data: &[u8]) {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let ext = EXTENSIONS[usize::from(which) % EXTENSIONS.len()];
    if let Ok(input) = read::read_bytes(bytes.to_vec(), ext) {
        let _ = layout::parse(&input, "fuzz", &PROFILE, None);
    }
}

/// A CSV file read and laid out: `read_bytes(bytes, "csv")` then `layout::parse`; then the
/// canonical CSV of what was read is written and read back, and must give the same activities.
pub fn csv(data: &[u8]) {
    let Ok(input) = read::read_bytes(data.to_vec(), "csv") else {
        return;
    };
    let Ok(parsed) = layout::parse(&input, "fuzz.csv", &PROFILE, None) else {
        return;
    };
    let tracker = parsed.tracker;
    let csv = write::to_csv(&tracker).expect("the canonical CSV of a tracker can be written");
    let again = read::read_bytes(csv, "csv").expect("katrack's own CSV reads back");
    let back = layout::parse(&again, "fuzz.csv", &PROFILE, None).expect("and lays out");
    let content = |t: &katrack::Tracker| -> Vec<katrack::Activity> {
        t.activities.iter().map(|a| a.without_source()).collect()
    };
    assert_eq!(content(&back.tracker), content(&tracker), "CSV round trip");
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Q1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// The XML inside an xlsx: the input, split at its first NUL byte, becomes the worksheet XML and
/// the shared strings XML of an otherwise valid workbook (stored, with correct checksums), which
/// is read and laid out. Raw-byte fuzzing of a zip rarely gets past its CRCs; this does.
pub fn xlsx_parts(data: &[u8]) {
    if let Ok(input) = read::read_bytes(xlsx_of_parts(data), "xlsx") {
        let _ = layout::parse(&input, "fuzz.xlsx", &PROFILE, None);
    }
}

/// The streamed reads of an xlsx against the whole read: the input is made into a workbook as
/// for [`xlsx_parts`], saved to a file, then checked and laid out while read
/// (`check::check_streamed`, `check::lay_out_streamed`) and read whole (`read::read_path`,
/// `layout::parse`, `rules::check`). The findings, activities, cells, rows and sheets must be the
/// same, or the error the same; a file the streamed reads leave to the whole read is skipped.
/// Laid out in parts (`check::lay_out_in_parts`, a merge's plan), what it gives when it says it
/// read to the end must be the whole read's title lines and activities.
pub fn streamed(data: &[u8]) {
    use katrack::rules::{Context, Return};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("katrack-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{}.xlsx", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, xlsx_of_parts(data)).expect("a temporary file");
    let name = "fuzz.xlsx";
    let whole = read::read_path(&path)
        .and_then(|input| layout::parse(&input, name, &PROFILE, None))
        .map_err(|e| e.to_string());
    let ctx = Context {
        profile: &PROFILE,
        plan: None,
        previous: None,
    };
    match katrack::check::check_streamed(&path, name, ctx, None, 1) {
        Ok(None) => {}
        Ok(Some(s)) => {
            let w = whole.as_ref().expect("streamed, so readable whole");
            let ret = Return {
                file: name,
                parsed: w,
            };
            assert_eq!(s.findings, katrack::rules::check(ret, &ctx), "findings");
            assert_eq!(s.activities, w.tracker.activities.len(), "activities");
        }
        Err(e) => assert_eq!(
            Err(e.to_string()),
            whole.as_ref().map(|_| ()).map_err(Clone::clone)
        ),
    }
    match katrack::check::lay_out_streamed(&path, name, &PROFILE, None) {
        Ok(None) => {}
        Ok(Some(p)) => {
            let w = whole.as_ref().expect("streamed, so readable whole");
            assert_eq!(p.tracker, w.tracker, "tracker");
            assert_eq!(p.cells, w.cells, "cells");
            assert_eq!(p.findings, w.findings, "layout findings");
            assert_eq!(p.rows, w.rows, "rows");
            assert_eq!(p.sheets, w.sheets, "sheets");
        }
        Err(e) => assert_eq!(
            Err(e.to_string()),
            whole.as_ref().map(|_| ()).map_err(Clone::clone)
        ),
    }
    // Laid out in parts (a merge's plan): when it says it read to the end, the title lines it
    // sent first and every activity are the whole read's.
    let (mut metas, mut activities) = (Vec::new(), Vec::new());
    let done = katrack::check::lay_out_in_parts(
        &path,
        name,
        &PROFILE,
        &mut |t| metas.push(t.clone()),
        &mut |_| {},
        &mut |batch| activities.extend(batch),
    );
    if done {
        let w = whole
            .as_ref()
            .expect("laid out to its end, so readable whole");
        assert_eq!(metas, [w.tracker.title_lines()], "title lines");
        assert_eq!(activities, w.tracker.activities, "activities in parts");
    }
    let _ = std::fs::remove_file(&path);
}

/// The workbook [`xlsx_parts`] and [`streamed`] read: the input split at its first NUL byte into
/// the worksheet XML and the shared strings XML.
fn xlsx_of_parts(data: &[u8]) -> Vec<u8> {
    let (sheet, strings) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let parts: [(&str, &[u8]); 6] = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
    ];
    stored_zip(&parts)
}

/// A zip of stored (uncompressed) entries.
pub fn stored_zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = Vec::new();
    let mut directory = Vec::new();
    for (name, data) in parts {
        let offset = zip.len() as u32;
        let size = data.len() as u32;
        let mut common = Vec::new();
        common.extend(20u16.to_le_bytes()); // version needed
        common.extend(0u16.to_le_bytes()); // flags
        common.extend(0u16.to_le_bytes()); // stored
        common.extend(0u32.to_le_bytes()); // time and date
        common.extend(crc32(data).to_le_bytes());
        common.extend(size.to_le_bytes());
        common.extend(size.to_le_bytes());
        common.extend((name.len() as u16).to_le_bytes());
        common.extend(0u16.to_le_bytes()); // extra
        zip.extend(0x0403_4b50u32.to_le_bytes());
        zip.extend(&common);
        zip.extend(name.as_bytes());
        zip.extend(*data);
        directory.extend(0x0201_4b50u32.to_le_bytes());
        directory.extend(20u16.to_le_bytes()); // version made by
        directory.extend(&common);
        directory.extend([0u8; 6]); // comment length, disk, internal attributes
        directory.extend(0u32.to_le_bytes()); // external attributes
        directory.extend(offset.to_le_bytes());
        directory.extend(name.as_bytes());
    }
    let at = zip.len() as u32;
    zip.extend(&directory);
    zip.extend(0x0605_4b50u32.to_le_bytes());
    zip.extend([0u8; 4]);
    zip.extend((parts.len() as u16).to_le_bytes());
    zip.extend((parts.len() as u16).to_le_bytes());
    zip.extend((directory.len() as u32).to_le_bytes());
    zip.extend(at.to_le_bytes());
    zip.extend(0u16.to_le_bytes());
    zip
}

/// CRC-32 (IEEE), bit by bit: fast enough for fuzz inputs.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A JSON tracker read a block at a time (`json_stream`, the first byte choosing a block of 1 to
/// 64 bytes) and whole (`read_bytes(bytes, "json")`): whenever the stream reads it to its end,
/// the whole read must give the same tracker.
pub fn json_stream(data: &[u8]) {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("katrack-fuzz-json-{}", std::process::id()));
    let path = dir.join("tracker.json");
    if std::fs::create_dir_all(&dir).is_err() || std::fs::write(&path, bytes).is_err() {
        return;
    }
    let (mut doc, mut all) = (None, Vec::new());
    let block = 1 + usize::from(which) % 64;
    let streamed = read::json_stream::stream_in_blocks(
        &path,
        block,
        &mut |t| doc = Some(t.clone()),
        &mut |a| all.push(a),
    );
    if !streamed {
        return;
    }
    let Ok(read::Input::Tracker(whole)) = read::read_bytes(bytes.to_vec(), "json") else {
        panic!("streamed to its end, but the whole read refuses it");
    };
    let doc = doc.expect("the metadata comes before the activities");
    assert!(
        katrack::Tracker {
            activities: all,
            ..doc
        } == whole,
        "streamed and whole differ"
    );
}
