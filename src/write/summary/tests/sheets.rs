//! Tests of the list sheets, printing, reproducibility and a LibreOffice rendering.

use super::*;
use crate::write::spliced::{assert_same_parts, parts};
#[test]
fn every_sheet_prints_landscape_one_page_wide_with_the_period_in_the_footer() {
    let t = sample();
    let findings = [finding("placeholder", Severity::Error, "E13")];
    let bytes = full_workbook(&t, &findings);
    for sheet in 1..=5 {
        let Some(xml) = part(&bytes, &format!("xl/worksheets/sheet{sheet}.xml")) else {
            return;
        };
        assert!(xml.contains("orientation=\"landscape\""), "sheet{sheet}");
        assert!(
            xml.contains("fitToHeight=\"0\"") && xml.contains("<pageSetUpPr fitToPage=\"1\"/>")
        );
        let footer = format!(
            "<oddFooter>&amp;L{}&amp;RPage &amp;P of &amp;N</oddFooter>",
            t.period
        );
        assert!(xml.contains(&footer), "sheet{sheet} footer");
        assert!(xml.contains("<pane "), "sheet{sheet} has no frozen rows");
    }
    let workbook = part(&bytes, "xl/workbook.xml").unwrap();
    assert!(
        workbook.contains("'Appendix A'!$"),
        "Appendix A repeats no header row"
    );
    let core = part(&bytes, "docProps/core.xml").unwrap();
    assert!(core.contains(&format!("<dc:subject>{}</dc:subject>", t.period)));
}

#[test]
fn issues_returns_and_changes_list_what_they_should() {
    let t = sample();
    let findings = [
        finding("tbc-next-steps", Severity::Warning, "D10"),
        finding("placeholder", Severity::Error, "E13"),
        Finding {
            sheet: String::new(),
            cell: String::new(),
            ..finding("unreadable-file", Severity::Error, "")
        },
    ];
    let mut book = open(&full_workbook(&t, &findings));
    let r = range(&mut book, ISSUES_SHEET);
    let header = row_of(&r, "File");
    let columns = [
        "File",
        "Cell",
        "Activity",
        "Rule",
        "Severity",
        "Message",
        "Suggestion",
    ];
    for (col, name) in columns.iter().enumerate() {
        assert_eq!(at(&r, header, col as u32), s(name));
    }
    // Errors first, in their given order; then the warning.
    assert_eq!(at(&r, header + 1, 1), s("Q1!E13"));
    assert_eq!(at(&r, header + 1, 4), s("error"));
    assert_eq!(at(&r, header + 2, 3), s("unreadable-file"));
    assert_eq!(at(&r, header + 2, 1), Data::Empty);
    assert_eq!(at(&r, header + 3, 4), s("warning"));

    let r = range(&mut book, RETURNS_SHEET);
    let header = row_of(&r, "Lead");
    assert_eq!(
        at(&r, header + 2, 0),
        s("Chief Officer - Finance and Assets")
    );
    assert_eq!(at(&r, header + 2, 3), n(2));
    let total = row_of(&r, "Total");
    assert_eq!(
        [at(&r, total, 1), at(&r, total, 2), at(&r, total, 3)],
        [n(10), n(8), n(2)]
    );
    let missing = (0..r.height() as u32)
        .find(|&row| at(&r, row, 1) == s("KA.08.02"))
        .unwrap();
    let title = &t
        .activities
        .iter()
        .find(|a| a.id == "KA.08.02")
        .unwrap()
        .title;
    assert_eq!(at(&r, missing, 2), s(title));

    let r = range(&mut book, CHANGES_SHEET);
    let changes = sample_changes(&t);
    for change in &changes.status {
        let row = (0..r.height() as u32)
            .find(|&row| at(&r, row, 0) == s(&change.id))
            .unwrap();
        assert_eq!(at(&r, row, 2), s(&change.from));
        assert_eq!(at(&r, row, 3), s(&change.to));
        assert_eq!(at(&r, row, 4), s(change.direction.unwrap().as_str()));
    }
    let words: Vec<Direction> = changes.status.iter().filter_map(|c| c.direction).collect();
    assert_eq!(
        words,
        [Direction::Improved, Direction::Started, Direction::Worsened]
    );
    assert!(
        (0..r.height() as u32)
            .any(|row| at(&r, row, 0) == s("Progress copied unchanged from last quarter"))
    );
    assert!((0..r.height() as u32).any(|row| at(&r, row, 2) == s("Lead")));
}

#[test]
fn every_activity_not_returned_is_listed_with_its_title_in_the_leads_order() {
    // Every activity of the sample missing, under two leads, one id listed under both and one
    // planned twice (the first copy's title given): more than one pass over the activities
    // finds their titles (a few at a time in the tests).
    let mut t = sample();
    let mut twice = t.activities[5].clone();
    twice.title = "Another title".into();
    t.activities.push(twice);
    let ids: Vec<String> = t.activities.iter().map(|a| a.id.clone()).collect();
    let (first, second) = ids.split_at(20);
    let lead = |name: &str, missing: Vec<String>| LeadReturn {
        lead: name.into(),
        expected: missing.len(),
        returned: 0,
        missing,
        with_errors: 0,
        files: Vec::new(),
    };
    let mut first = first.to_vec();
    first.push(ids[30].clone());
    let returns = [lead("B lead", second.to_vec()), lead("A lead", first)];
    let input = SummaryInput {
        tracker: &t,
        findings: &[],
        returns: Some(&returns),
        changes: None,
    };
    let mut book = open(&summary_workbook(&input, &profile()).unwrap());
    let r = range(&mut book, RETURNS_SHEET);
    let header = (0..r.height() as u32)
        .find(|&row| at(&r, row, 1) == s("ID"))
        .unwrap();
    let listed: Vec<(Data, Data, Data)> = (header + 1..r.height() as u32)
        .map(|row| (at(&r, row, 0), at(&r, row, 1), at(&r, row, 2)))
        .collect();
    let want: Vec<(Data, Data, Data)> = returns
        .iter()
        .flat_map(|l| l.missing.iter().map(move |id| (l, id)))
        .map(|(l, id)| {
            let first = t.activities.iter().find(|a| &a.id == id).unwrap();
            (s(&l.lead), s(id), s(&first.title))
        })
        .collect();
    assert!(want.len() > 4 * 7 && want.iter().any(|w| w.2 == s(&t.activities[5].title)));
    assert_eq!(listed, want);
}

#[test]
fn an_empty_tracker_writes_tables_of_zeros_and_no_charts() {
    let t = Tracker::default();
    let input = SummaryInput {
        tracker: &t,
        findings: &[],
        returns: None,
        changes: None,
    };
    let bytes = summary_workbook(&input, &profile()).unwrap();
    assert!(!has(&bytes, "xl/charts/chart1.xml"));
    let mut book = open(&bytes);
    let r = range(&mut book, SUMMARY_SHEET);
    assert_eq!(at(&r, 0, 0), s("Key Activities summary"));
    assert_eq!(at(&r, row_of(&r, "Key activities"), 1), n(0));
    let header = row_of(&r, "Portfolio");
    assert_eq!(at(&r, header + 1, col_of(&r, header, "Total")), n(0));
}

#[test]
fn the_same_input_gives_identical_bytes() {
    let t = sample();
    let findings = [finding("placeholder", Severity::Error, "E13")];
    assert!(
        full_workbook(&t, &findings) == full_workbook(&t, &findings),
        "two writes differ"
    );
}

/// Where LibreOffice is installed: the workbook converts to a PDF whose first page carries the
/// summary (render with `pdftoppm -png -r 60` to look at it).
#[test]
fn libreoffice_renders_the_workbook() {
    let found = Command::new("which").arg("soffice").output();
    if !found.is_ok_and(|o| o.status.success()) {
        return;
    }
    let t = sample();
    let findings = [finding("placeholder", Severity::Error, "E13")];
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("summary.xlsx");
    std::fs::write(&xlsx, full_workbook(&t, &findings)).unwrap();
    let profile_dir = format!("-env:UserInstallation=file://{}/lo", dir.path().display());
    let status = Command::new("soffice")
        .args([
            profile_dir.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&xlsx)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let pdf = std::fs::read(dir.path().join("summary.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(dir.path().join("summary.pdf"))
        .arg("-")
        .output();
    if let Some(out) = text.ok().filter(|o| o.status.success()) {
        let page = String::from_utf8_lossy(&out.stdout);
        assert!(
            page.contains("At a glance") && page.contains(&t.organisation),
            "{page}"
        );
    }
}

#[test]
fn the_formats_are_numbered_the_same_whichever_sheet_is_written_first() {
    // Appendix A and the Returns sheet are constant-memory sheets, whose formats are numbered
    // workbook-wide as they are first used, and they are written at once on two threads: the
    // Returns sheet's formats are registered beforehand. Written one after the other in either
    // order, the workbook must be the same (a format the Returns sheet uses but did not
    // register would be numbered by whichever sheet came first).
    let t = sample();
    // Some activities missing, then none (the Returns sheet's note instead of its list); with
    // findings (an Issues sheet: the Returns sheet is the fourth) and without (the third).
    let mut complete = lead_returns();
    for lead in &mut complete {
        lead.returned = lead.expected;
        lead.missing.clear();
    }
    let found = [finding("placeholder", Severity::Error, "E13")];
    let cases = [
        (lead_returns(), &found[..]),
        (complete, &found[..]),
        (lead_returns(), &[]),
    ];
    for (returns, findings) in cases {
        let write = |appendix_first: bool, streamed: bool| {
            let activities: Vec<Fields> = t.activities.iter().map(Activity::fields).collect();
            let findings: Vec<&Finding> = findings.iter().collect();
            let input = SheetsInput {
                meta: &t,
                activities: &activities,
                findings: &findings,
                returns: Some(&returns),
                changes: None,
            };
            let mut book = if streamed {
                SummaryBook::new(&t, &profile()).unwrap()
            } else {
                SummaryBook::on_sheets(&t, &profile()).unwrap()
            };
            let (appendix, others) = book.parts();
            let rows = activities.iter().copied();
            if appendix_first {
                appendix.write(&t, rows, &profile()).unwrap();
                let (overview, lists) = others.write(&input, &profile());
                overview.and(lists).unwrap();
            } else {
                let (overview, lists) = others.write(&input, &profile());
                overview.and(lists).unwrap();
                appendix.write(&t, rows, &profile()).unwrap();
            }
            book.finish().unwrap()
        };
        assert!(
            write(true, true) == write(false, true),
            "the two orders differ"
        );
        // Appendix A's rows written as XML by katrack (sheet_stream.rs) give the workbook
        // rust_xlsxwriter gives writing them on the sheet (but for its repeated last row).
        // So are the Returns sheet's list of activities not returned.
        let returns_sheet = format!("xl/worksheets/sheet{}.xml", 3 + findings.len());
        let sheets = ["xl/worksheets/sheet2.xml", returns_sheet.as_str()];
        let on_sheet = parts(&write(false, false), &sheets);
        assert_same_parts(&on_sheet, &parts(&write(true, true), &sheets));
    }
}
