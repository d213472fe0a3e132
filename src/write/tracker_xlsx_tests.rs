//! Tests of the formatted tracker workbook (`tracker_xlsx.rs`).

use super::*;
use crate::model::Activity;
use crate::model::field::STATUS;
use crate::write::spliced::{assert_same_parts, parts};
use crate::write::style::text_row_height as row_height;
use calamine::{Data, Reader, Xlsx};
use proptest::strategy::Strategy;
use std::io::Cursor;

fn activity(id: &str, status: &str, objective: (&str, &str), theme: (&str, &str)) -> Activity {
    Activity {
        id: id.into(),
        title: format!("Title of {id}"),
        status: status.into(),
        progress: "- First point\n  • detail".into(),
        next_steps: String::new(),
        lead: "Chief Officer - Governance".into(),
        portfolio: "Corporate".into(),
        objective_id: objective.0.into(),
        objective_title: objective.1.into(),
        theme: theme.0.into(),
        theme_strapline: theme.1.into(),
        source: None,
    }
}

fn sample() -> Tracker {
    let place = ("THE PLACE", "a safe, enterprising and vibrant place");
    let council = ("YOUR COUNCIL", "creative, proactive and efficient");
    let co1 = (
        "CO 1",
        "Keeping the District a great place to live, work and visit",
    );
    let mut formula = activity("KA.01.02", "Amber", co1, place);
    formula.progress = "=1+1".into();
    formula.next_steps = "0123".into();
    Tracker {
        title: "Corporate Plan Key Activities".into(),
        organisation: "Harborough District Council".into(),
        period: "2020/21 Q1".into(),
        activities: vec![
            activity("KA.01.01", "Green", co1, place),
            formula,
            activity("KA.08.02", "Made up", ("CO 8", "Sound finances"), council),
        ],
        ..Tracker::default()
    }
}

fn profile() -> Profile {
    Profile::default_profile()
}

fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)).unwrap()
}

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn s(value: &str) -> Data {
    Data::String(value.into())
}

#[test]
fn reads_back_headers_banners_and_cells() {
    let t = sample();
    let mut book = open(tracker_workbook(&t, &profile()).unwrap());
    let range = book.worksheet_range(SHEET_NAME).unwrap();
    assert_eq!(text(&range, 0, 0), s("Harborough District Council"));
    assert_eq!(text(&range, 1, 0), s("Corporate Plan Key Activities"));
    assert_eq!(text(&range, 2, 0), s("2020/21 Q1"));
    for (i, column) in (0..).zip(COLUMNS.iter()) {
        assert_eq!(text(&range, 3, i), s(column.header));
    }
    let banner = "THE PLACE: a safe, enterprising and vibrant place";
    assert_eq!(text(&range, 4, 0), s(banner));
    let heading = "CO 1: Keeping the District a great place to live, work and visit";
    assert_eq!(text(&range, 5, 0), s(heading));
    let first = &t.activities[0];
    for (i, column) in (0..).zip(COLUMNS.iter()) {
        let expected = first.field(column.field).unwrap();
        let expected = if expected.is_empty() {
            Data::Empty
        } else {
            s(expected)
        };
        assert_eq!(text(&range, 6, i), expected, "column {}", column.header);
    }
    // KA.08.02 is under a new theme and a new objective.
    assert_eq!(
        text(&range, 8, 0),
        s("YOUR COUNCIL: creative, proactive and efficient")
    );
    assert_eq!(text(&range, 9, 0), s("CO 8: Sound finances"));
    assert_eq!(text(&range, 10, 0), s("KA.08.02"));
    assert_eq!(text(&range, 10, 2), s("Made up"));

    let merged = book.merge_cells_by_sheet_name(SHEET_NAME).unwrap();
    for row in [4, 5, 8, 9] {
        assert!(
            merged
                .iter()
                .any(|d| d.start == (row, 0) && d.end == (row, 6)),
            "row {row} merged A:G in {merged:?}"
        );
    }
}

#[test]
fn text_that_looks_like_a_formula_or_number_stays_text() {
    let mut book = open(tracker_workbook(&sample(), &profile()).unwrap());
    let range = book.worksheet_range(SHEET_NAME).unwrap();
    assert_eq!(text(&range, 7, 3), s("=1+1"));
    assert_eq!(text(&range, 7, 4), s("0123"));
    let formulas = book.worksheet_formula(SHEET_NAME).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

#[test]
fn columns_follow_the_canonical_field_order() {
    // Rows are written from `Activity::fields`, which follows FIELDS.
    assert_eq!(COLUMNS.map(|c| c.field), crate::model::FIELDS);
    assert_eq!(COLUMNS[STATUS].field, "status");
    assert!(
        COLUMNS[..=usize::from(LAST_VISIBLE)]
            .iter()
            .all(|c| !c.hidden)
    );
    assert!(
        COLUMNS[usize::from(LAST_VISIBLE) + 1..]
            .iter()
            .all(|c| c.hidden)
    );
    let a = activity(
        "KA.01.01",
        "Green",
        ("CO 1", "Homes"),
        ("THE PLACE", "safe"),
    );
    for (column, value) in COLUMNS.iter().zip(a.fields()) {
        assert_eq!(a.field(column.field), Some(value));
    }
}

#[test]
fn same_tracker_gives_identical_bytes() {
    let profile = profile();
    let a = tracker_workbook(&sample(), &profile).unwrap();
    let b = tracker_workbook(&sample(), &profile).unwrap();
    assert!(a == b, "two writes of one tracker differ");
}

#[test]
fn no_metadata_and_no_themes_means_no_extra_rows() {
    let mut a = activity("KA.02.01", "Green", ("", ""), ("", ""));
    a.title = "& more".into();
    let t = Tracker::with_activities(vec![a]);
    let mut book = open(tracker_workbook(&t, &profile()).unwrap());
    let range = book.worksheet_range(SHEET_NAME).unwrap();
    assert_eq!(text(&range, 0, 0), s("ID"));
    assert_eq!(text(&range, 1, 0), s("KA.02.01"));
    assert_eq!(text(&range, 1, 1), s("& more"));
    assert!(
        book.merge_cells_by_sheet_name(SHEET_NAME)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_overlong_cell_names_the_activity() {
    let mut a = activity("KA.03.01", "Green", ("CO 3", "Homes"), ("", ""));
    a.progress = "x".repeat(40_000);
    let mut b = activity("KA.03.02", "Green", ("CO 3", "Homes"), ("", ""));
    // 20,000 characters of 2 UTF-16 units each: over the limit by units, not by characters.
    b.next_steps = "😀".repeat(20_000);
    for (a, column) in [(a, "Progress"), (b, "Next Steps")] {
        let id = a.id.clone();
        let t = Tracker::with_activities(vec![a]);
        let err = tracker_workbook(&t, &profile()).unwrap_err().to_string();
        assert!(err.contains(&id) && err.contains(column), "{err}");
        // The rows written as XML refuse it alike.
        let streamed = write_tracker_workbook(Vec::new(), &t, &t.activities, &profile());
        assert_eq!(streamed.unwrap_err().to_string(), err);
    }
}

#[test]
fn row_heights_follow_the_text_and_stop_at_excels_limit() {
    assert_eq!(row_height(&[("short", 45.0)]), 18.0);
    assert_eq!(row_height(&[("", 45.0)]), 18.0);
    // 120 characters in a 45-wide column (54 characters a line) take 3 lines.
    let long = "a".repeat(120);
    assert_eq!(row_height(&[(&long, 45.0), ("one\ntwo", 70.0)]), 48.0);
    assert_eq!(
        row_height(&[(&"a".repeat(100), 45.0), ("one\ntwo", 70.0)]),
        33.0
    );
    assert_eq!(row_height(&[(&"line\n".repeat(100), 70.0)]), 409.0);
}

/// Each activity row's cells as `(column letter, style index)`, from the sheet's XML.
fn row_styles(bytes: &[u8], row: u32) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    let start = xml.find(&format!("<row r=\"{row}\"")).unwrap();
    let end = start + xml[start..].find("</row>").unwrap();
    let cell = regex::Regex::new(r#"<c r="([A-Z]+)\d+"(?: s="(\d+)")?"#).unwrap();
    cell.captures_iter(&xml[start..end])
        .map(|c| {
            (
                c[1].to_string(),
                c.get(2).map_or("0", |s| s.as_str()).to_string(),
            )
        })
        .collect()
}

#[test]
fn every_visible_cell_is_bordered_and_the_status_filled_whatever_is_empty() {
    let theme = ("THE PLACE", "safe");
    let full = activity("KA.01.01", "Green", ("CO 1", "Homes"), theme);
    let mut gaps = activity("", "", ("", "Homes"), theme);
    gaps.title.clear();
    gaps.lead.clear();
    // Objective id blank between a visible column and the hidden values after it.
    let t = Tracker::with_activities(vec![full, gaps]);
    let bytes = tracker_workbook(&t, &profile()).unwrap();
    // Row 1 header, 2 banner, 3 heading, 4 the full activity, 5 heading, 6 the gaps.
    let full = row_styles(&bytes, 4);
    let letters: Vec<&str> = full.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        letters,
        ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"]
    );
    let cell = &full[0].1;
    assert_ne!(cell, "0");
    let status = &full[2].1;
    assert_ne!(status, cell, "the status has its fill");
    for (column, style) in full.iter().filter(|(c, _)| c != "C") {
        assert_eq!(style, cell, "column {column}");
    }
    let gaps = row_styles(&bytes, 6);
    let letters: Vec<&str> = gaps.iter().map(|(c, _)| c.as_str()).collect();
    // Empty visible values are blank bordered cells; the empty hidden objective id is no cell.
    assert_eq!(letters, ["A", "B", "C", "D", "E", "F", "G", "I", "J", "K"]);
    for (column, style) in &gaps {
        if column == "C" {
            assert_ne!(style, cell, "an empty status keeps the status format");
        } else {
            assert_eq!(style, cell, "column {column}");
        }
    }
}

/// Activities that try every way a cell is written: empty fields and ids, a status with a
/// fill, one without and none, hidden values after a gap, text rust_xlsxwriter escapes
/// (`&<>`, control characters, `_xHHHH_`, U+FFFF), spaces and tabs at either end, non-ASCII
/// and astral text, banners that change and repeat; and enough of them for the XML to go to
/// the compressing thread in several pieces.
fn awkward() -> Tracker {
    let mut t = sample();
    let place = ("THE PLACE", "a safe place");
    let mut odd = activity("", "", ("", "Objective with no id"), ("", "Strapline only"));
    odd.title = " leading space & <tags>".into();
    odd.progress = "CR\r\nLF\u{1}\u{1F}_x000D_ and _x00e9_ kept\u{FFFF} end\t".into();
    odd.next_steps = "Ünïcödé — “quotes” 😀".into();
    odd.portfolio = String::new();
    t.activities.push(odd);
    let mut gap = activity("KA.09.01", "Red", ("", ""), ("", "Straps"));
    gap.lead = String::new();
    t.activities.push(gap);
    for i in 0..3000 {
        let objective = (format!("CO {}", i / 40), format!("Objective {}", i / 40));
        let theme = if i % 700 < 350 { place } else { ("OTHER", "") };
        let mut a = activity(
            &format!("KA.{:02}.{:02}", i / 100, i % 100),
            ["Green", "Amber", "Red", "Complete", "Choose an item.", ""][i % 6],
            (&objective.0, &objective.1),
            theme,
        );
        a.progress = format!(
            "Progress of {i}: {}",
            "words and more words ".repeat(i % 17)
        );
        t.activities.push(a);
    }
    t
}

#[test]
fn rows_written_as_xml_are_the_rows_rust_xlsxwriter_writes() {
    let profile = profile();
    let t = awkward();
    let on_sheet = tracker_workbook(&t, &profile).unwrap();
    let mut streamed = Vec::new();
    write_tracker_workbook(&mut streamed, &t, &t.activities, &profile).unwrap();
    let part = "xl/worksheets/sheet1.xml";
    // rust_xlsxwriter repeats the last row, empty, when it has a height; the rows written as
    // XML do not: compared without it.
    let repeated = |bytes: &[u8]| {
        let whole = parts(bytes, &[]);
        let sheet = &whole.iter().find(|p| p.0 == part).unwrap().1;
        String::from_utf8_lossy(sheet).matches("<row r=").count()
    };
    assert_eq!(repeated(&on_sheet), repeated(&streamed) + 1);
    let (a, b) = (parts(&on_sheet, &[part]), parts(&streamed, &[part]));
    assert_same_parts(&a, &b);
    let sheet = &b
        .iter()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .unwrap()
        .1;
    assert!(
        sheet.len() > 1 << 20,
        "the rows fit one piece: {}",
        sheet.len()
    );
    let sheet = String::from_utf8_lossy(sheet);
    assert!(sheet.contains("<mergeCell "));
    let numbers: Vec<u32> = sheet
        .split("<row r=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "rows out of order or repeated"
    );
    assert!(
        numbers.len() > t.activities.len() + 4,
        "{} rows",
        numbers.len()
    );
}

/// Text made of what rust_xlsxwriter escapes or treats apart: XML specials, control
/// characters, `_xHHHH_`-like runs, spaces and tabs at either end, non-ASCII and astral text.
fn awkward_text() -> impl proptest::strategy::Strategy<Value = String> {
    const PIECES: [&str; 25] = [
        "&", "<", ">", "\"", "'", "\r", "\n", "\t", " ", "\u{0}", "\u{1F}", "\u{7F}", "_x",
        "_x0041_", "_x00e9_", "_xZZZZ_", "_x12", "\u{FFFE}", "\u{FFFF}", "é", "—", "😀", "Green",
        "KA.01.02", "a",
    ];
    proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..12).prop_map(|p| p.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    #[test]
    fn any_text_is_written_as_rust_xlsxwriter_writes_it(
        texts in proptest::collection::vec(awkward_text(), 11 * 3),
    ) {
        let activities = texts
            .chunks(11)
            .map(|f| Activity {
                id: f[0].clone(),
                title: f[1].clone(),
                status: f[2].clone(),
                progress: f[3].clone(),
                next_steps: f[4].clone(),
                lead: f[5].clone(),
                portfolio: f[6].clone(),
                objective_id: f[7].clone(),
                objective_title: f[8].clone(),
                theme: f[9].clone(),
                theme_strapline: f[10].clone(),
                source: None,
            })
            .collect();
        let t = Tracker::with_activities(activities);
        let profile = profile();
        let on_sheet = tracker_workbook(&t, &profile).unwrap();
        let mut streamed = Vec::new();
        write_tracker_workbook(&mut streamed, &t, &t.activities, &profile).unwrap();
        let part = "xl/worksheets/sheet1.xml";
        assert_same_parts(&parts(&on_sheet, &[part]), &parts(&streamed, &[part]));
    }
}
