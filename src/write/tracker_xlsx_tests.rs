//! Tests of the formatted tracker workbook (`tracker_xlsx.rs`).

use super::*;
use crate::model::Activity;
use calamine::{Data, Reader, Xlsx};
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
    let err = tracker_workbook(&Tracker::with_activities(vec![a]), &profile())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("KA.03.01") && err.contains("Progress"),
        "{err}"
    );
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
