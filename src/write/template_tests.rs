//! Tests of `template`.
use super::*;
use crate::layout::Parsed;
use crate::rules::Context;
use calamine::{Data, Range, Reader, SheetVisible, Xlsx};
use std::io::Cursor;
use std::process::Command;

const FINANCE: &str = "Chief Officer - Finance and Assets";

/// The sample plan's activities for one lead whose return is complete (KA.08.01 to 08.03).
fn template(blank: bool) -> (Vec<Activity>, Vec<u8>) {
    let profile = Profile::default_profile();
    let json = include_bytes!("../../samples/harborough_q1_2020_21.json");
    let plan = crate::samples::import(json, "json", "plan.json", &profile).unwrap();
    let mine = plan.activities.iter().filter(|a| a.lead == FINANCE);
    let activities: Vec<Activity> = mine.map(Activity::without_source).collect();
    let bytes = template_workbook(FINANCE, &activities, &profile, "2020/21 Q2", blank);
    (activities, bytes.unwrap())
}

fn sheet(bytes: Vec<u8>, name: &str) -> Range<Data> {
    let mut book = calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)).unwrap();
    book.worksheet_range(name).unwrap()
}

fn texts(range: &Range<Data>, row: u32) -> Vec<String> {
    let text = |c| range.get_value((row, c)).map(Data::to_string);
    (0..11).map(|c| text(c).unwrap_or_default()).collect()
}

fn parse(bytes: Vec<u8>) -> Parsed {
    let input = crate::read::read_bytes(bytes, "xlsx").unwrap();
    crate::layout::parse(&input, "t.xlsx", &Profile::default_profile(), None).unwrap()
}

#[test]
fn reads_back_the_sheets_header_and_activity_cells() {
    let (activities, bytes) = template(false);
    let book = calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes.clone()));
    let meta = book.unwrap().sheets_metadata().to_vec();
    let seen: Vec<_> = meta.iter().map(|s| (s.name.as_str(), s.visible)).collect();
    let (visible, hidden) = (SheetVisible::Visible, SheetVisible::Hidden);
    let expected = [RETURN_SHEET, INSTRUCTIONS_SHEET, LISTS_SHEET];
    assert_eq!(
        seen,
        expected
            .into_iter()
            .zip([visible, visible, hidden])
            .collect::<Vec<_>>()
    );

    let range = sheet(bytes.clone(), RETURN_SHEET);
    let top: Vec<String> = (0..3).map(|r| texts(&range, r)[0].clone()).collect();
    let title = format!("Key Activities return: {FINANCE}");
    assert_eq!(top, [title.as_str(), "2020/21 Q2", HINT]);
    assert_eq!(texts(&range, 3), COLUMNS.map(|c| c.1));
    for (row, a) in (4..).zip(&activities) {
        assert_eq!(texts(&range, row), COLUMNS.map(|c| a.field(c.0).unwrap()));
    }
    let lists = texts(&sheet(bytes.clone(), LISTS_SHEET), 0).join("|");
    assert!(
        lists.starts_with("Green|Strategy|Chief Officer - Planning"),
        "{lists}"
    );

    let id = Profile::default_profile().id_loose;
    let help = sheet(bytes, INSTRUCTIONS_SHEET);
    let lines: Vec<String> = help.used_cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(help.used_cells().all(|(_, col, _)| col == 0) && lines.len() > 15);
    for line in &lines {
        assert!(!line.starts_with("KA.") && !id.is_match(line), "{line}");
    }
    for wanted in [
        "by the date in the covering email",
        "Write one bullet per line starting with '- '",
        "Do not change the ID, Key Activity or Lead Officer",
        "Status and Portfolio have dropdowns",
        "Green, Amber or Red: for work under way; give progress and next steps.",
        "Complete: when finished",
    ] {
        let found = lines.iter().any(|t| t.contains(wanted));
        assert!(found, "no line says {wanted:?}");
    }
}

/// One part of the xlsx zip, read with python3 (no zip crate here); `None` without python3.
fn zip_part(path: &std::path::Path, name: &str) -> Option<String> {
    let script =
        "import sys, zipfile as z; print(z.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())";
    let args = [
        std::ffi::OsStr::new("-c"),
        script.as_ref(),
        path.as_ref(),
        name.as_ref(),
    ];
    let out = Command::new("python3").args(args).output();
    let out = out.ok().filter(|o| o.status.success())?;
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
#[allow(clippy::print_stderr)]
fn the_sheet_is_protected_with_dropdowns_and_unlocked_entry_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    std::fs::write(&path, template(false).1).unwrap();
    let Some(sheet) = zip_part(&path, "xl/worksheets/sheet1.xml") else {
        return eprintln!("skipped: python3 with zipfile is needed to look inside the xlsx");
    };
    for wanted in [
        "<sheetProtection",
        r#"formatColumns="0" formatRows="0""#,
        r#"sqref="D5:D7"><formula1>Lists!$A$1:$A$6</formula1>"#,
        r#"sqref="G5:G7"><formula1>Lists!$B$1:$B$5</formula1>"#,
        r#"promptTitle="Status" prompt="Choose Green, Amber or Red for work under way; "#,
        r#"error="Choose a status from the list""#,
    ] {
        assert!(sheet.contains(wanted), "no {wanted} in {sheet}");
    }
    let styles = zip_part(&path, "xl/styles.xml").unwrap();
    assert!(styles.contains(r#"locked="0""#), "{styles}");
}

#[test]
fn a_returned_template_imports_the_same_activities_without_findings() {
    let profile = Profile::default_profile();
    let (activities, bytes) = template(false);
    let parsed = parse(bytes);
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    let read = parsed
        .tracker
        .activities
        .iter()
        .map(Activity::without_source);
    assert_eq!(read.collect::<Vec<_>>(), activities);
    assert_eq!(parsed.tracker.period, "2020/21 Q2");
    let (file, plan, previous) = ("t.xlsx", None, None);
    let ret = crate::rules::Return {
        file,
        parsed: &parsed,
    };
    let findings = crate::rules::check(
        ret,
        &Context {
            profile: &profile,
            plan,
            previous,
        },
    );
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn blank_mode_empties_status_progress_and_next_steps_and_bytes_repeat() {
    let (activities, bytes) = template(true);
    assert!(bytes == template(true).1, "two writes differ");
    let parsed = parse(bytes);
    assert_eq!(parsed.tracker.activities.len(), activities.len());
    for (read, planned) in parsed.tracker.activities.iter().zip(&activities) {
        let mut expected = planned.clone();
        expected.status.clear();
        expected.progress.clear();
        expected.next_steps.clear();
        assert_eq!(read.without_source(), expected);
    }
}

#[test]
fn placeholders_are_left_empty_and_the_title_says_unassigned() {
    let (id, title, status) = ("KA.01.06".into(), "Deliver".into(), "Green".into());
    let (lead, portfolio) = ("Choose an item.".into(), "Choose an item.".into());
    let a = Activity {
        id,
        title,
        status,
        lead,
        portfolio,
        ..Activity::default()
    };
    let profile = Profile::default_profile();
    let bytes = template_workbook(" Choose an item. ", &[a], &profile, "", false).unwrap();
    let range = sheet(bytes, RETURN_SHEET);
    assert_eq!(texts(&range, 0)[0], "Key Activities return: Unassigned");
    assert_eq!(
        texts(&range, 3)[..7].join("|"),
        "KA.01.06|Deliver||Green|||"
    );
}

#[test]
fn file_names_are_readable_and_safe() {
    let planning = "Chief Officer - Planning and Regeneration";
    assert_eq!(template_file_name(planning), format!("{planning}.xlsx"));
    let cases = [
        (
            " Chief Officer: Governance\t",
            "Chief Officer Governance.xlsx",
        ),
        ("A<b>c/d\\e|f?g*h\"i\n", "A b c d e f g h i.xlsx"),
        ("Head of Finance.", "Head of Finance.xlsx"),
        ("", "Unassigned.xlsx"),
        (" ?* ", "Unassigned.xlsx"),
        ("Choose an item.", "Unassigned.xlsx"),
    ];
    for (lead, name) in cases {
        assert_eq!(template_file_name(lead), name, "{lead:?}");
    }
    assert_eq!(template_file_name(&"x".repeat(300)).chars().count(), 125);
}

#[test]
fn prompts_fit_excels_limits() {
    assert_eq!(fit("Status", 32), "Status");
    let cut = fit(&"é".repeat(300), 255);
    assert!(cut.encode_utf16().count() == 255 && cut.ends_with('…'));
    let prompt = status_prompt(&Profile::default_profile());
    let start =
        "Choose Green, Amber or Red for work under way; Start Later in Year if not started;";
    assert!(prompt.starts_with(start), "{prompt}");
}
