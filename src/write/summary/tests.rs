//! Tests of the summary workbook: read back with calamine, counted again here with plain loops,
//! and (where python3 and soffice exist) the chart parts and a PDF rendering checked too.

use super::*;
use crate::diff::Direction;
use crate::finding::Severity;
use crate::model::Activity;
use calamine::{Data, Range, Reader, Xlsx};
use std::io::{Cursor, Write};
use std::process::{Command, Stdio};

mod sheets;

type Book = Xlsx<Cursor<Vec<u8>>>;

fn profile() -> Profile {
    Profile::default_profile()
}

fn sample() -> Tracker {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/harborough_q1_2020_21.json"
    );
    let bytes = std::fs::read(path).unwrap();
    crate::samples::import(&bytes, "json", "x.json", &profile()).unwrap()
}

fn activity(id: &str, status: &str, objective: &str, lead: &str) -> Activity {
    Activity {
        id: id.into(),
        title: format!("Title of {id}"),
        status: status.into(),
        lead: lead.into(),
        portfolio: "Finance".into(),
        objective_id: objective.into(),
        objective_title: format!("Objective {objective}"),
        theme: "YOUR COUNCIL".into(),
        theme_strapline: "creative, proactive and efficient".into(),
        ..Activity::default()
    }
}

fn finding(rule: &str, severity: Severity, cell: &str) -> Finding {
    Finding {
        rule: rule.into(),
        severity,
        activity: Some("KA.01.06".into()),
        field: Some("lead".into()),
        file: "return_planning.xlsx".into(),
        sheet: "Q1".into(),
        cell: cell.into(),
        value: Some("Choose an item.".into()),
        message: format!("{rule} message"),
        suggestion: Some("Chief Officer - Governance".into()),
    }
}

fn lead_returns() -> Vec<LeadReturn> {
    let lead = |name: &str, expected, missing: &[&str], files: &[&str]| LeadReturn {
        lead: name.into(),
        expected,
        returned: expected - missing.len(),
        missing: missing.iter().map(|m| m.to_string()).collect(),
        with_errors: 1,
        files: files.iter().map(|f| f.to_string()).collect(),
    };
    vec![
        lead(
            "Chief Officer - Planning and Regeneration",
            7,
            &[],
            &["p.xlsx"],
        ),
        lead(
            "Chief Officer - Finance and Assets",
            3,
            &["KA.08.01", "KA.08.02"],
            &["f.xlsx"],
        ),
    ]
}

/// Last quarter: the sample with three statuses and one lead different (KA.01.03 improved from
/// Amber, KA.02.01 started, KA.08.02 worsened from Green; KA.02.02 changed lead).
fn sample_changes(t: &Tracker) -> Changes {
    let mut old = t.clone();
    let set = |old: &mut Tracker, id: &str, status: &str| {
        let a = old.activities.iter_mut().find(|a| a.id == id).unwrap();
        a.status = status.into();
    };
    set(&mut old, "KA.01.03", "Amber");
    set(&mut old, "KA.02.01", "Start Later in Year");
    set(&mut old, "KA.08.02", "Green");
    old.activities[7].lead = "Chief Officer - Governance".into();
    crate::diff::diff(&old, t, &profile())
}

fn open(bytes: &[u8]) -> Book {
    calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap()
}

fn range(book: &mut Book, sheet: &str) -> Range<Data> {
    book.worksheet_range(sheet).unwrap()
}

fn at(r: &Range<Data>, row: u32, col: u32) -> Data {
    r.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn s(text: &str) -> Data {
    Data::String(text.into())
}

fn n(value: usize) -> Data {
    Data::Float(value as f64)
}

/// The first row whose column A holds `label`.
fn row_of(r: &Range<Data>, label: &str) -> u32 {
    (0..r.height() as u32)
        .find(|&row| at(r, row, 0) == s(label))
        .unwrap_or_else(|| panic!("no row labelled {label:?}"))
}

/// The column of a header row that holds `label`.
fn col_of(r: &Range<Data>, row: u32, label: &str) -> u32 {
    (0..r.width() as u32)
        .find(|&col| at(r, row, col) == s(label))
        .unwrap_or_else(|| panic!("no column {label:?} in row {row}"))
}

/// A part of the xlsx zip, unzipped with python3; `None` when python3 is missing.
fn part(bytes: &[u8], name: &str) -> Option<String> {
    let script = "import io,sys,zipfile\n\
                  z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\n\
                  sys.stdout.write(z.read(sys.argv[1]).decode())";
    let mut child = Command::new("python3")
        .args(["-c", script, name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(bytes).ok()?;
    let out = child.wait_with_output().ok()?;
    assert!(out.status.success(), "python3 could not read {name}");
    Some(String::from_utf8(out.stdout).unwrap())
}

fn has(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

fn full_workbook(t: &Tracker, findings: &[Finding]) -> Vec<u8> {
    let returns = lead_returns();
    let changes = sample_changes(t);
    let input = SummaryInput {
        tracker: t,
        findings,
        returns: Some(&returns),
        changes: Some(&changes),
    };
    summary_workbook(&input, &profile()).unwrap()
}

#[test]
fn sheets_come_in_order_and_only_when_there_is_something_to_show() {
    let t = sample();
    let findings = [finding("placeholder", Severity::Error, "E13")];
    let book = open(&full_workbook(&t, &findings));
    let all = [
        SUMMARY_SHEET,
        APPENDIX_SHEET,
        ISSUES_SHEET,
        RETURNS_SHEET,
        CHANGES_SHEET,
    ];
    assert_eq!(book.sheet_names(), all);

    let bare = SummaryInput {
        tracker: &t,
        findings: &[],
        returns: None,
        changes: None,
    };
    let book = open(&summary_workbook(&bare, &profile()).unwrap());
    assert_eq!(book.sheet_names(), [SUMMARY_SHEET, APPENDIX_SHEET]);
    let changes = Changes::default();
    let input = SummaryInput {
        changes: Some(&changes),
        ..bare
    };
    let book = open(&summary_workbook(&input, &profile()).unwrap());
    assert_eq!(
        book.sheet_names(),
        [SUMMARY_SHEET, APPENDIX_SHEET, CHANGES_SHEET]
    );
}

#[test]
fn headline_and_objective_numbers_match_the_tracker() {
    let t = sample();
    let p = profile();
    let findings = [
        finding("placeholder", Severity::Error, "E13"),
        finding("tbc-next-steps", Severity::Warning, "D10"),
        finding("missing-progress", Severity::Error, "C40"),
    ];
    let mut book = open(&full_workbook(&t, &findings));
    let r = range(&mut book, SUMMARY_SHEET);
    assert_eq!(at(&r, 0, 0), s(&t.organisation));
    assert_eq!(at(&r, 1, 0), s(&t.title));
    assert_eq!(at(&r, 2, 0), s(&t.period));

    // The sample spells every status canonically, so plain equality counts it.
    for a in &t.activities {
        assert_eq!(p.match_status(&a.status).unwrap().1, a.status);
    }
    let count = |pick: &dyn Fn(&Activity) -> bool| t.activities.iter().filter(|a| pick(a)).count();
    let headline = |label: &str| at(&r, row_of(&r, label), 1);
    assert_eq!(headline("Key activities"), n(t.activities.len()));
    for name in ["Green", "Amber", "Red"] {
        assert_eq!(headline(name), n(count(&|a| a.status == name)), "{name}");
    }
    assert_eq!(headline("Red"), n(0));
    assert_eq!(
        headline("Not started"),
        n(count(&|a| a.status == "Start Later in Year"))
    );
    assert_eq!(
        headline("Deferred"),
        n(count(&|a| a.status.starts_with("Deferred")))
    );
    assert_eq!(headline("Complete"), n(0));
    assert_eq!(headline("Returns missing"), n(2));
    assert_eq!(headline("Errors outstanding"), n(2));

    let header = row_of(&r, "Corporate objective");
    let counts = status_counts(&t, &p);
    let mut objectives: Vec<(String, String)> = Vec::new();
    for a in &t.activities {
        let key = (a.objective_id.clone(), a.objective_title.clone());
        if !objectives.contains(&key) {
            objectives.push(key);
        }
    }
    let mut previous = header;
    for (id, title) in &objectives {
        let row = row_of(&r, &format!("{id} {title}"));
        assert!(row > previous, "{id} out of tracker order");
        previous = row;
        let mine = |a: &Activity| &a.objective_id == id;
        for def in &p.statuses {
            let col = col_of(&r, header, &def.name);
            let expected = count(&|a| mine(a) && a.status == def.name);
            assert_eq!(at(&r, row, col), n(expected), "{id} {}", def.name);
        }
        assert_eq!(at(&r, row, col_of(&r, header, "Total")), n(count(&mine)));
        let theme = counts.by_theme.iter().flat_map(|t| &t.objectives);
        let computed = theme
            .clone()
            .find(|o| o.label == format!("{id} {title}"))
            .unwrap();
        let col = |i: usize| i as u32 + 1;
        for (i, c) in computed.counts.iter().enumerate() {
            assert_eq!(at(&r, row, col(i)), n(*c));
        }
    }
    assert_eq!(objectives.len(), 9);
    // Theme banners separate the objectives; the totals row sums every activity.
    let place = row_of(&r, "THE PLACE: a safe, enterprising and vibrant place");
    assert_eq!(place, header + 1);
    let total = row_of(&r, "Total");
    assert_eq!(
        at(&r, total, col_of(&r, header, "Total")),
        n(t.activities.len())
    );
    assert_eq!(
        at(&r, total, col_of(&r, header, "Green")),
        n(count(&|a| a.status == "Green"))
    );
    assert!(!(0..r.width() as u32).any(|c| at(&r, header, c) == s(OTHER)));
    // No formulas anywhere: every count is a number.
    let formulas = book.worksheet_formula(SUMMARY_SHEET).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

#[test]
fn portfolio_and_lead_tables_follow_the_profile_then_others() {
    let t = sample();
    let mut book = open(&full_workbook(&t, &[]));
    let r = range(&mut book, SUMMARY_SHEET);
    let p = profile();
    for (header, list, field) in [
        ("Portfolio", &p.vocabulary.portfolios, "portfolio"),
        ("Lead officer", &p.vocabulary.leads, "lead"),
    ] {
        let top = row_of(&r, header);
        let total_col = col_of(&r, top, "Total");
        for (i, name) in list.iter().enumerate() {
            let row = top + 1 + i as u32;
            assert_eq!(at(&r, row, 0), s(name));
            let expected = t
                .activities
                .iter()
                .filter(|a| a.field(field) == Some(name))
                .count();
            assert_eq!(at(&r, row, total_col), n(expected), "{name}");
        }
        // KA.01.06 holds the dropdown placeholder in both fields.
        let row = top + 1 + list.len() as u32;
        assert_eq!(at(&r, row, 0), s(NOT_GIVEN));
        assert_eq!(at(&r, row, total_col), n(1));
        assert_eq!(at(&r, row + 1, 0), s("Total"));
    }
}

#[test]
fn statuses_outside_the_vocabulary_and_an_absent_red_count_right() {
    let p = profile();
    let lead = "Chief Officer - Governance";
    let t = Tracker::with_activities(vec![
        activity("KA.08.01", "Green", "CO 8", lead),
        activity("KA.08.02", "green ", "CO 8", lead),
        activity("KA.08.03", "Amber/Red", "CO 8", "Somebody Else"),
        activity("KA.09.01", "", "CO 9", lead),
        activity("KA.09.02", "Deferred until the 2022/23 Year", "CO 9", lead),
        activity("KA.09.03", "Complete", "CO 9", ""),
    ]);
    let counts = status_counts(&t, &p);
    let labels: Vec<&str> = counts.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Green",
            "Amber",
            "Red",
            "Start Later in Year",
            "Deferred until the 2022/23 Year",
            "Complete",
            OTHER
        ]
    );
    assert_eq!(counts.overall, [2, 0, 0, 0, 1, 1, 2]);
    assert_eq!(counts.other(), 2);

    let input = SummaryInput {
        tracker: &t,
        findings: &[],
        returns: None,
        changes: None,
    };
    let mut book = open(&summary_workbook(&input, &p).unwrap());
    let r = range(&mut book, SUMMARY_SHEET);
    let header = row_of(&r, "Corporate objective");
    // Counted again here: the profile's own matching, one activity at a time.
    let mut expected = vec![0usize; labels.len()];
    for a in &t.activities {
        let i = match p.match_status(&a.status) {
            Some((def, _)) => p.statuses.iter().position(|d| d.name == def.name).unwrap(),
            None => labels.len() - 1,
        };
        expected[i] += 1;
    }
    let total = row_of(&r, "Total");
    for (label, count) in labels.iter().zip(&expected) {
        assert_eq!(
            at(&r, total, col_of(&r, header, label)),
            n(*count),
            "{label}"
        );
    }
    let red = col_of(&r, header, "Red");
    for row in [
        row_of(&r, "CO 8 Objective CO 8"),
        row_of(&r, "CO 9 Objective CO 9"),
        total,
    ] {
        assert_eq!(at(&r, row, red), n(0));
    }
    let co9 = row_of(&r, "CO 9 Objective CO 9");
    assert_eq!(at(&r, co9, col_of(&r, header, OTHER)), n(1));
    assert_eq!(at(&r, co9, col_of(&r, header, "Total")), n(3));
    let headline = |label: &str| at(&r, row_of(&r, label), 1);
    assert_eq!(headline("Red"), n(0));
    assert_eq!(headline("Deferred"), n(1));
    assert_eq!(headline(OTHER), n(2));
    assert_eq!(headline("Key activities"), n(6));
    // The lead table: profile order, then others by name, then the blank lead.
    let top = row_of(&r, "Lead officer");
    assert_eq!(at(&r, top + 5, 0), s("Somebody Else"));
    assert_eq!(at(&r, top + 6, 0), s(NOT_GIVEN));
}

#[test]
fn charts_are_drawn_from_the_summary_tables() {
    let t = sample();
    let bytes = full_workbook(&t, &[]);
    assert!(has(&bytes, "xl/charts/chart1.xml") && has(&bytes, "xl/charts/chart2.xml"));
    let Some(charts) = ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
        .iter()
        .map(|name| part(&bytes, name))
        .collect::<Option<Vec<String>>>()
    else {
        return; // no python3 to unzip with
    };
    let mut book = open(&bytes);
    let r = range(&mut book, SUMMARY_SHEET);
    let header = row_of(&r, "Corporate objective");
    let first = header + 2; // 1-based row of the first theme banner
    let last = row_of(&r, "Total"); // 1-based row of the last objective
    let bar = charts
        .iter()
        .find(|c| c.contains("<c:barChart>"))
        .expect("a bar chart");
    assert!(bar.contains("<c:grouping val=\"stacked\"/>"), "not stacked");
    assert!(
        bar.contains(&format!("<c:f>Summary!$A${first}:$A${last}</c:f>")),
        "{bar}"
    );
    assert!(
        bar.contains(&format!("<c:f>Summary!$B${first}:$B${last}</c:f>")),
        "{bar}"
    );
    assert_eq!(bar.matches("<c:ser>").count(), profile().statuses.len());
    assert!(
        bar.contains("<a:srgbClr val=\"00B050\"/>"),
        "Green series not green"
    );
    let doughnut = charts
        .iter()
        .find(|c| c.contains("<c:doughnutChart>"))
        .expect("a doughnut");
    let (h, tot) = (header + 1, last + 1);
    assert!(
        doughnut.contains(&format!("<c:f>Summary!$B${h}:$G${h}</c:f>")),
        "{doughnut}"
    );
    assert!(
        doughnut.contains(&format!("<c:f>Summary!$B${tot}:$G${tot}</c:f>")),
        "{doughnut}"
    );
    assert!(
        doughnut.contains("<a:srgbClr val=\"FF0000\"/>"),
        "no red point"
    );
}
