//! Workbook features officers' files really have, each built here in code: formulas, merged
//! cells, hidden sheets, several sheets, stray text, tables that do not start at A1.

use super::write_header;
use katrack::layout::{self, Parsed, RowKind};
use katrack::profile::Profile;
use katrack::read;
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};

const LEAD: &str = "Chief Officer - Governance";

fn activity(ws: &mut Worksheet, row: u32, cells: [&str; 6]) {
    for (c, t) in cells.iter().enumerate() {
        if !t.is_empty() {
            ws.write_string(row, c as u16, *t).unwrap();
        }
    }
}

fn parse(book: &mut Workbook, sheet: Option<&str>) -> Parsed {
    let bytes = book.save_to_buffer().unwrap();
    let input = read::read_bytes(bytes, "xlsx").unwrap();
    layout::parse(&input, "t.xlsx", &Profile::default_profile(), sheet).unwrap()
}

#[test]
fn formulas_give_their_cached_values() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    write_header(ws, 0);
    activity(
        ws,
        1,
        [
            "KA.08.02 Develop a MTFS",
            "",
            "- Meetings held",
            "- Finalise",
            LEAD,
            "Finance",
        ],
    );
    ws.write_formula(
        1,
        1,
        Formula::new("=IF(1>0,\"Amber\",\"Red\")").set_result("Amber"),
    )
    .unwrap();
    let p = parse(&mut book, None);
    assert_eq!(p.tracker.activities[0].status, "Amber");
}

#[test]
fn a_merged_cell_belongs_to_every_row_it_covers() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    write_header(ws, 0);
    activity(
        ws,
        1,
        [
            "KA.09.04 Review the Customer Services Strategy",
            "Green",
            "- A",
            "- B",
            LEAD,
            "",
        ],
    );
    activity(
        ws,
        2,
        [
            "KA.09.05 Develop an Engagement Strategy",
            "Green",
            "- C",
            "- D",
            LEAD,
            "",
        ],
    );
    ws.merge_range(1, 5, 2, 5, "Corporate", &Format::new())
        .unwrap();
    let p = parse(&mut book, None);
    let portfolios: Vec<&str> = p
        .tracker
        .activities
        .iter()
        .map(|a| a.portfolio.as_str())
        .collect();
    assert_eq!(portfolios, ["Corporate", "Corporate"]);
}

#[test]
fn hidden_and_non_tracker_sheets_are_not_activities_and_several_tables_are_read() {
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes
        .write_string(0, 0, "Please return by 10 July")
        .unwrap();
    let q1 = book.add_worksheet();
    q1.set_name("Place").unwrap();
    write_header(q1, 2);
    activity(
        q1,
        3,
        [
            "KA.01.01 Local Plan",
            "Green",
            "- A",
            "- B",
            LEAD,
            "Strategy",
        ],
    );
    let q2 = book.add_worksheet();
    q2.set_name("People").unwrap();
    write_header(q2, 0);
    activity(
        q2,
        1,
        ["KA.05.01 Health", "Amber", "- C", "- D", LEAD, "Wellbeing"],
    );
    let lists = book.add_worksheet();
    lists.set_name("Lists").unwrap();
    lists.write_string(0, 0, "Green").unwrap();
    lists.set_hidden(true);
    let p = parse(&mut book, None);
    let ids: Vec<(&str, &str, u32)> = p
        .tracker
        .activities
        .iter()
        .map(|a| {
            (
                a.id.as_str(),
                a.source.as_ref().unwrap().sheet.as_str(),
                a.source.as_ref().unwrap().row,
            )
        })
        .collect();
    assert_eq!(ids, [("KA.01.01", "Place", 4), ("KA.05.01", "People", 2)]);
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    let read: Vec<(&str, bool)> = p
        .sheets
        .iter()
        .map(|s| (s.sheet.as_str(), s.read))
        .collect();
    assert_eq!(
        read,
        [
            ("Notes", false),
            ("Place", true),
            ("People", true),
            ("Lists", false)
        ]
    );
    let only = parse(&mut book, Some("People"));
    assert_eq!(only.tracker.activities.len(), 1);
}

#[test]
fn a_sheet_with_ids_but_no_header_is_reported_not_dropped() {
    let mut book = Workbook::new();
    let a = book.add_worksheet();
    write_header(a, 0);
    activity(
        a,
        1,
        [
            "KA.01.01 Local Plan",
            "Green",
            "- A",
            "- B",
            LEAD,
            "Strategy",
        ],
    );
    let b = book.add_worksheet();
    b.set_name("Extra").unwrap();
    b.write_string(4, 2, "KA.01.02 Another activity").unwrap();
    let p = parse(&mut book, None);
    let f = p
        .findings
        .iter()
        .find(|f| f.rule == "unrecognised-row")
        .expect("a finding");
    assert_eq!((f.sheet.as_str(), f.cell.as_str()), ("Extra", "C5"));
}

#[test]
fn every_non_empty_row_is_accounted_for() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "Harborough District Council")
        .unwrap();
    write_header(ws, 2);
    activity(
        ws,
        3,
        [
            "KA.1.4 Visitor economy",
            "green ",
            "<p>- Grants</p>",
            "TBC",
            LEAD,
            "strategy",
        ],
    );
    activity(
        ws,
        4,
        ["", "", "", "", "", "A note typed in the portfolio column"],
    );
    ws.write_string(5, 0, "Appendix A").unwrap();
    activity(ws, 7, ["Some notes nobody asked for", "", "", "", "", ""]);
    ws.write_string(3, 8, "stray text in column I").unwrap();
    let p = parse(&mut book, None);
    let kinds: Vec<(u32, &str)> = p.rows.iter().map(|r| (r.row, r.kind.label())).collect();
    assert_eq!(
        kinds,
        [
            (1, "title"),
            (3, "header"),
            (4, "activity"),
            (5, "continuation"),
            (6, "page furniture"),
            (8, "continuation")
        ]
    );
    let a = &p.tracker.activities[0];
    assert_eq!(
        (a.id.as_str(), a.status.as_str(), a.portfolio.as_str()),
        ("KA.01.04", "Green", "Strategy")
    );
    assert_eq!(a.progress, "- Grants");
    assert_eq!(a.title, "Visitor economy Some notes nobody asked for");
    let by_cell = |cell: &str| {
        p.findings
            .iter()
            .find(|f| f.cell == cell)
            .map(|f| f.rule.as_str())
    };
    assert_eq!(by_cell("A4"), Some("normalised"), "KA.1.4 → KA.01.04");
    assert_eq!(by_cell("B4"), Some("normalised"), "green → Green");
    assert_eq!(
        by_cell("I4"),
        Some("unrecognised-row"),
        "text under no header"
    );
    assert_eq!(
        by_cell("F5"),
        Some("unrecognised-row"),
        "a second portfolio in a continuation"
    );
    assert!(matches!(p.rows[2].kind, RowKind::Activity(ref id) if id == "KA.01.04"));
}

#[test]
fn a_row_before_any_activity_is_unrecognised() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    write_header(ws, 0);
    activity(ws, 1, ["Stray note", "", "", "", "", ""]);
    activity(
        ws,
        2,
        [
            "KA.01.01 Local Plan",
            "Green",
            "- A",
            "- B",
            LEAD,
            "Strategy",
        ],
    );
    let p = parse(&mut book, None);
    assert_eq!(p.rows[1].kind, RowKind::Unrecognised);
    assert_eq!(p.findings[0].cell, "A2");
    assert_eq!(p.findings[0].rule, "unrecognised-row");
}
