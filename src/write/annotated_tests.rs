//! Tests of `annotated`.
use super::*;
use crate::finding::Severity;
use crate::read::{Cell, Row};
use calamine::{Data, Reader, SheetVisible, Xlsx};
use std::io::Cursor;

type Book = Xlsx<Cursor<Vec<u8>>>;

/// A sheet of (row, col, text, merged) cells, one row each.
fn sheet(name: &str, cells: &[(u32, u32, &str, bool)]) -> Sheet {
    let rows = cells.iter().map(|&(row, col, text, merged)| {
        let cells = vec![Cell {
            col,
            text: text.into(),
            merged,
        }];
        Row { row, cells }
    });
    Sheet {
        name: name.into(),
        hidden: false,
        rows: rows.collect(),
    }
}

fn finding(rule: &str, severity: Severity, sheet: &str, cell: &str) -> Finding {
    let suggestion = (severity == Severity::Error).then(|| "Chief Officer - Governance".into());
    Finding {
        rule: rule.into(),
        severity,
        activity: Some("KA.01.06".into()),
        field: Some("lead".into()),
        file: "return.xlsx".into(),
        sheet: sheet.into(),
        cell: cell.into(),
        value: Some("Choose an item.".into()),
        message: format!("{rule} message"),
        suggestion,
    }
}

fn open(bytes: &[u8]) -> Book {
    calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

fn at(book: &mut Book, sheet: &str, row: u32, col: u32) -> Data {
    let range = book.worksheet_range(sheet).unwrap();
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn s(text: &str) -> Data {
    Data::String(text.into())
}

/// Zip entry names are stored uncompressed, so a part's presence shows in the raw bytes.
fn has_part(bytes: &[u8], part: &str) -> bool {
    bytes.windows(part.len()).any(|w| w == part.as_bytes())
}

fn sample() -> Vec<Sheet> {
    let mut lists = sheet("Lists", &[(0, 0, "Green", false)]);
    lists.hidden = true;
    let q1 = [
        (0, 0, "THE PLACE: a safe place", false),
        (0, 1, "THE PLACE: a safe place", true),
        (11, 0, "KA.01.06 Deliver the plan", false),
        (11, 2, "=1+1", false),
        (11, 4, "Choose an item.", false),
    ];
    vec![sheet("Q1 Return", &q1), lists]
}

#[test]
fn findings_sheet_comes_first_and_links_each_cell() {
    let findings = [
        finding("placeholder", Severity::Error, "Q1 Return", "E12"),
        finding("tbc-next-steps", Severity::Warning, "Q1 Return", "D12"),
        finding("normalised", Severity::Info, "Q1 Return", "E12"),
        finding("unreadable-file", Severity::Error, "", ""),
    ];
    let bytes = annotated_workbook(&sample(), &findings, "return.xlsx").unwrap();
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), ["Findings", "Q1 Return", "Lists"]);
    let title = s("katrack check findings: return.xlsx");
    assert_eq!(at(&mut book, "Findings", 0, 0), title);
    let count = s("2 errors, 1 warning, 1 note");
    assert_eq!(at(&mut book, "Findings", 1, 0), count);
    assert_eq!(at(&mut book, "Findings", 3, 5), s("Message"));
    assert_eq!(at(&mut book, "Findings", 4, 0), s("error"));
    assert_eq!(at(&mut book, "Findings", 4, 1), s("Q1 Return!E12"));
    let suggestion = s("Chief Officer - Governance");
    assert_eq!(at(&mut book, "Findings", 4, 7), suggestion);
    assert_eq!(at(&mut book, "Findings", 5, 1), s("Q1 Return!D12"));
    assert_eq!(at(&mut book, "Findings", 7, 4), s("unreadable-file"));
    assert_eq!(at(&mut book, "Findings", 7, 1), Data::Empty);
    // The flagged cell keeps its text and has a note.
    assert_eq!(at(&mut book, "Q1 Return", 11, 4), s("Choose an item."));
    assert!(has_part(&bytes, "xl/comments1.xml"), "no notes written");
    assert_eq!(book.sheets_metadata()[2].visible, SheetVisible::Hidden);
    let link = internal_link("O'Brien's", "E12");
    assert_eq!(link, "internal:'O''Brien''s'!E12");
}

#[test]
fn data_sheets_keep_every_text_where_it_was() {
    let findings = [finding("placeholder", Severity::Error, "Q1 Return", "E12")];
    let mut book = open(&annotated_workbook(&sample(), &findings, "r.xlsx").unwrap());
    for sheet in sample() {
        for row in &sheet.rows {
            let cell = &row.cells[0];
            let got = at(&mut book, &sheet.name, row.row, cell.col);
            assert_eq!(got, s(&cell.text), "{}!{}", sheet.name, cell.col);
        }
    }
    let formulas = book.worksheet_formula("Q1 Return").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let clean = annotated_workbook(&sample(), &[], "r.xlsx").unwrap();
    assert!(!has_part(&clean, "comments1.xml"));
}

#[test]
fn a_csv_sheet_becomes_data_even_beside_a_real_data_sheet() {
    let csv = sheet("", &[(1, 1, "green ", false)]);
    let findings = [finding("normalised", Severity::Info, "", "B2")];
    let bytes = annotated_workbook(std::slice::from_ref(&csv), &findings, "r.csv").unwrap();
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), ["Findings", "Data"]);
    assert_eq!(at(&mut book, "Data", 1, 1), s("green "));
    assert_eq!(at(&mut book, "Findings", 4, 1), s("Data!B2"));

    let real = sheet("data", &[(0, 0, "x", false)]);
    let mut book = open(&annotated_workbook(&[csv, real], &findings, "r.csv").unwrap());
    assert_eq!(book.sheet_names(), ["Findings", "Data (2)", "data"]);
    assert_eq!(at(&mut book, "Findings", 4, 1), s("Data (2)!B2"));
}

#[test]
fn an_overlong_cell_is_cut_and_noted() {
    let long = "é".repeat(40_000);
    let bytes = annotated_workbook(&[sheet("S", &[(0, 0, &long, false)])], &[], "r").unwrap();
    let Data::String(text) = at(&mut open(&bytes), "S", 0, 0) else {
        panic!("not text")
    };
    assert_eq!(text.chars().count(), MAX_TEXT);
    assert!(has_part(&bytes, "xl/comments1.xml"));
}

#[test]
fn sheet_names_are_made_valid_and_unique() {
    let names = ["Findings", "A/B", "findings", "", "'x'"];
    let sheets: Vec<Sheet> = names.iter().map(|n| sheet(n, &[])).collect();
    let (names, findings) = sheet_names(&sheets);
    assert_eq!(names, ["Findings", "A_B", "findings (2)", "Data", "x"]);
    assert_eq!(findings, "Findings (3)");
    let long = unique(&"n".repeat(31), &mut vec!["n".repeat(31)]);
    assert_eq!(long, format!("{} (2)", "n".repeat(27)));
}
