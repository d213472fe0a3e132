//! katrack's exact outcome on each file of the hostile corpus (tests/data/hostile/, made by its
//! make_corpus.py): an error naming the file and the reason with exit code 2, or specific
//! activities and findings. Every file is read beside a good return, which must still be read.

use super::{GOOD_ACTIVITIES, Run, check_beside_good, good, hostile, import_beside_good, run, s};
use crate::it::Workdir;
use serde_json::Value;
use std::ffi::OsStr;

/// An unreadable file: `import` and `check` both name it with `reason` and exit 2, and the good
/// return beside it is still read.
fn unreadable(name: &str, reason: &str) {
    let wd = Workdir::new();
    let file = hostile(name);
    let (run, activities) = import_beside_good(&wd, &file, &[]);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    let expected = format!("{}: {reason}", file.display());
    assert!(run.stderr.contains(&expected), "{name}: {}", run.stderr);
    assert_eq!(
        activities.len(),
        GOOD_ACTIVITIES,
        "{name}: the good return is read"
    );

    let (run, json) = check_beside_good(&wd, &file);
    assert_eq!(run.code, 2, "{name}");
    let findings = json["findings"].as_array().unwrap();
    let unreadable: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "unreadable-file")
        .collect();
    assert_eq!(unreadable.len(), 1, "{name}: {findings:?}");
    let f = unreadable[0];
    assert_eq!(s(&f["file"]), file.display().to_string());
    assert_eq!(s(&f["severity"]), "error");
    assert!(
        s(&f["message"]).starts_with(reason),
        "{name}: {}",
        f["message"]
    );
    assert_eq!(json["summary"]["files"], 2, "{name}");
    assert_eq!(json["summary"]["activities"], GOOD_ACTIVITIES, "{name}");
}

/// A readable file: its activities (from `import`, beside the good return, which exits 0) and
/// its findings (from `check`, with the exit code of `check` on both files).
struct Read {
    activities: Vec<Value>,
    findings: Vec<String>,
    check_code: i32,
    import: Run,
}

fn read(name: &str, extra: &[&str]) -> Read {
    let wd = Workdir::new();
    let file = hostile(name);
    let (import, all) = import_beside_good(&wd, &file, extra);
    assert_eq!(import.code, 0, "{name}: {}", import.stderr);
    let good_name = good().display().to_string();
    let (mine, theirs): (Vec<Value>, Vec<Value>) = all
        .into_iter()
        .partition(|a| s(&a["source"]["file"]) != good_name);
    assert_eq!(
        theirs.len(),
        GOOD_ACTIVITIES,
        "{name}: the good return is read"
    );
    let (run, json) = check_beside_good(&wd, &file);
    let path = file.display().to_string();
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| s(&f["file"]) == path)
        .map(|f| {
            format!(
                "{} {} {}!{} {}",
                s(&f["rule"]),
                s(&f["activity"]),
                s(&f["sheet"]),
                s(&f["cell"]),
                s(&f["message"])
            )
        })
        .collect();
    Read {
        activities: mine,
        findings,
        check_code: run.code,
        import,
    }
}

fn field<'a>(a: &'a Value, name: &str) -> &'a str {
    s(&a[name])
}

/// The good return has one error (its misspelt portfolio), so `check` exits 1 at best.
const GOOD_CHECK_CODE: i32 = 1;

#[test]
fn every_corpus_file_has_a_test_here() {
    let this = include_str!("corpus.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(hostile("")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let is_data = !name.ends_with(".py") && !name.starts_with('.') && name != "fuzz";
        if is_data && !this.contains(&format!("\"{name}\"")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "corpus files without a test: {missing:?}"
    );
}

#[test]
fn zero_byte_file() {
    unreadable(
        "zero_bytes.xlsx",
        "nothing to read: the file is empty (0 bytes)",
    );
}

#[test]
fn truncated_zip() {
    unreadable(
        "truncated_zip.xlsx",
        "the file is damaged: the zip directory at the end of the file is missing; the file is \
         truncated (not fully downloaded or copied?) or is not a workbook",
    );
}

#[test]
fn text_file_named_xlsx() {
    unreadable(
        "text_named.xlsx",
        "not a spreadsheet katrack can read: the file is named .xlsx but holds text, not a \
         workbook; if it is a CSV, rename it .csv",
    );
}

#[test]
fn html_table_named_xls() {
    // What many web systems export as "Excel".
    unreadable(
        "html_named.xls",
        "not a spreadsheet katrack can read: the file is named .xls but holds text, not a \
         workbook; if it is a CSV, rename it .csv",
    );
}

#[test]
fn password_protected_xlsx() {
    unreadable(
        "password_protected.xlsx",
        "the workbook is password-protected; save an unprotected copy and try again",
    );
}

#[test]
fn password_protected_xls() {
    unreadable(
        "password_protected.xls",
        "the workbook is password-protected; save an unprotected copy and try again",
    );
}

#[test]
fn damaged_xls_files_that_made_the_reader_panic() {
    // Found by the workbook fuzzer: calamine's OLE reader panicked on them (an out-of-range
    // slice, an assertion). The panic is caught and the file reported as damaged.
    unreadable(
        "damaged_ole_from_fuzzer.xls",
        "the file is damaged: the workbook reader stopped on damaged data (slice index starts \
         at 5632 but ends at 5564); open the file in a spreadsheet program and save a new copy",
    );
    unreadable(
        "damaged_ole_sectors.xls",
        "the file is damaged: the workbook reader stopped on damaged data (assertion `left == \
         right` failed left: 2 right: 0); open the file in a spreadsheet program and save a new \
         copy",
    );
}

#[test]
fn empty_workbook() {
    unreadable(
        "empty_workbook.xlsx",
        "nothing to read: the sheet 'Sheet1' is empty",
    );
}

#[test]
fn workbook_with_only_hidden_sheets() {
    unreadable(
        "only_hidden_sheets.xlsx",
        "nothing to read: every sheet of the workbook is hidden ('Data', 'Lists'); name the \
         sheet to read (--sheet NAME) or unhide it",
    );
    // Named, the hidden sheet is read.
    let wd = Workdir::new();
    let file = hostile("only_hidden_sheets.xlsx");
    let out = run(
        &wd,
        &[
            "import".as_ref(),
            file.as_os_str(),
            OsStr::new("--sheet"),
            OsStr::new("Data"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let activities = out.json()["activities"].as_array().unwrap().clone();
    assert_eq!(activities.len(), 1);
    assert_eq!(field(&activities[0], "id"), "KA.08.01");
}

#[test]
fn zip_bomb_is_refused_before_it_is_inflated() {
    // 2 MB on disk, 2 GiB declared (and real) once inflated; the limit is 256 MiB.
    let size = std::fs::metadata(hostile("zip_bomb.xlsx")).unwrap().len();
    assert!(size < 3_000_000, "{size}");
    unreadable(
        "zip_bomb.xlsx",
        "not a spreadsheet katrack can read: the workbook's parts would expand to 2.0 GiB when \
         unzipped, more than katrack's limit of 256 MiB (a \"zip bomb\", or very large embedded \
         files); save a copy without them",
    );
}

#[test]
fn cells_at_a1_and_xfd1048576() {
    // The sheet declares the whole grid; it is read cell by cell, and the far cell is reported.
    let r = read("a1_and_xfd1048576.xlsx", &[]);
    assert_eq!(r.activities.len(), 1);
    assert_eq!(field(&r.activities[0], "id"), "KA.08.01");
    assert_eq!(
        r.findings,
        [
            "unrecognised-row KA.08.01 Sheet1!XFD1048576 continuation row: column XFD has no header; not read"
        ]
    );
    assert_eq!(r.check_code, GOOD_CHECK_CODE);
}

#[test]
fn cell_over_32767_characters() {
    // Read whole; kept whole in JSON and CSV; a workbook (which cannot hold it) is refused with
    // the activity and column named, and nothing is written.
    let r = read("cell_over_32767_chars.xlsx", &[]);
    assert_eq!(r.activities.len(), 1);
    let progress = field(&r.activities[0], "progress");
    assert!(progress.chars().count() > 40_000, "{}", progress.len());
    assert!(progress.ends_with("word5999"));
    assert!(r.findings.is_empty(), "{:?}", r.findings);

    let wd = Workdir::new();
    let file = hostile("cell_over_32767_chars.xlsx");
    let export = |out: &str| {
        run(
            &wd,
            &[
                "export".as_ref(),
                file.as_os_str(),
                OsStr::new("-o"),
                OsStr::new(out),
            ],
        )
    };
    let out = export("tracker.xlsx");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            "could not write: KA.08.01, column Progress: String exceeds Excel's limit of 32,767 characters"
        ),
        "{}",
        out.stderr
    );
    let left: Vec<_> = std::fs::read_dir(wd.path("")).unwrap().collect();
    assert!(left.is_empty(), "nothing written: {left:?}");
    for ext in ["json", "csv"] {
        let name = format!("tracker.{ext}");
        assert_eq!(export(&name).code, 0);
        let back = crate::it::import(&wd.path(&name));
        assert_eq!(
            back.activities[0].progress, progress,
            "{ext} keeps it whole"
        );
    }

    // A merge whose master would hold it stops the same way, before writing anything.
    let plan = crate::it::sample("harborough_q1_2020_21.json");
    let out = run(
        &wd,
        &[
            "merge".as_ref(),
            file.as_os_str(),
            OsStr::new("--plan"),
            plan.as_os_str(),
            OsStr::new("-o"),
            OsStr::new("master.xlsx"),
            OsStr::new("--json"),
            OsStr::new("master.json"),
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("KA.08.01, column Progress: String exceeds Excel's limit"),
        "{}",
        out.stderr
    );
    assert!(!wd.path("master.xlsx").exists() && !wd.path("master.json").exists());

    // The annotated copy holds what a cell can, and its note says the text was cut.
    let out = run(
        &wd,
        &[
            "check".as_ref(),
            file.as_os_str(),
            OsStr::new("--annotate"),
            OsStr::new("checked"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let annotated = crate::it::import(&wd.path("checked/cell_over_32767_chars.checked.xlsx"));
    let cut = &annotated.activities[0].progress;
    assert!(
        cut.len() <= 32_767 && progress.starts_with(cut.as_str()),
        "{}",
        cut.len()
    );
}

#[test]
fn control_characters_and_lone_surrogates() {
    // Control characters read as spaces (an escape sequence loses its escape); a UTF-16 unit
    // that is half a pair becomes U+FFFD; a proper pair is kept.
    let r = read("control_chars_and_lone_surrogates.xlsx", &[]);
    let a = &r.activities[0];
    assert_eq!(
        field(a, "title"),
        "Deliver the medium term [31m financial strategy"
    );
    assert_eq!(field(a, "status"), "Green");
    assert_eq!(
        field(a, "progress"),
        "- Budget \u{FFFD}set for 2020/21\n- Review \u{FFFD}in Q2 \u{1F4F7}"
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(
        !r.import.stdout.contains(&0x1b),
        "no escape character in the output"
    );
}

#[test]
fn csv_with_mixed_line_endings() {
    // CRLF, LF and CR in one file, and a CRLF inside a quoted cell: rows are numbered as
    // records, as a spreadsheet shows them.
    let r = read("mixed_line_endings.csv", &[]);
    let got: Vec<(&str, u64, &str)> = r
        .activities
        .iter()
        .map(|a| {
            (
                field(a, "id"),
                a["source"]["row"].as_u64().unwrap(),
                field(a, "progress"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("KA.08.01", 2, "- Budget set for 2020/21"),
            ("KA.08.02", 3, "- First\n- Second"),
            ("KA.08.03", 4, "- Behind"),
        ]
    );
    assert_eq!(
        r.findings,
        ["tbc-next-steps KA.08.02 !D3 the activity is Amber but its next steps are only '- TBC'"]
    );
}

#[test]
fn csv_with_ragged_rows() {
    // A short row leaves fields empty (and the rules say so); text past the header's last
    // column is reported at its cell, with the activity of its row.
    let r = read("ragged_rows.csv", &[]);
    assert_eq!(r.activities.len(), 2);
    assert_eq!(field(&r.activities[0], "status"), "Green");
    assert_eq!(field(&r.activities[0], "lead"), "");
    assert_eq!(field(&r.activities[1], "portfolio"), "Finance");
    assert_eq!(
        r.findings,
        [
            "unrecognised-row KA.08.02 !G3 column G has no header, so this text was not read",
            "unrecognised-row KA.08.02 !H3 column H has no header, so this text was not read",
            "missing-lead KA.08.01 !E2 Lead is empty",
            "missing-portfolio KA.08.01 !F2 Portfolio is empty",
            "missing-progress KA.08.01 !C2 the activity is Green but no progress is given",
            "tbc-next-steps KA.08.01 !D2 the activity is Green but its next steps are empty",
        ]
    );
    assert_eq!(r.check_code, 1);
}

#[test]
fn csv_with_an_unterminated_quote() {
    // As in Excel, a quote never closed runs to the end of the file: the rest of the file is
    // that one cell's text (nothing is lost), and the fields after it are empty.
    let r = read("unterminated_quote.csv", &[]);
    assert_eq!(r.activities.len(), 1);
    assert_eq!(
        field(&r.activities[0], "progress"),
        "- Budget set\nKA.08.02 Develop a MTFS,Amber,- Drafted,- Consult,Chief Officer,Finance"
    );
    assert_eq!(
        r.findings,
        [
            "missing-lead KA.08.01 !E2 Lead is empty",
            "missing-portfolio KA.08.01 !F2 Portfolio is empty",
            "tbc-next-steps KA.08.01 !D2 the activity is Green but its next steps are empty",
        ]
    );
}

const POUNDS: &str = "- Saves £11,000 a year – the council’s “quick win”";

#[test]
fn csv_in_windows_1252() {
    let r = read("windows_1252.csv", &[]);
    assert_eq!(field(&r.activities[0], "progress"), POUNDS);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn utf16_with_a_bom() {
    for name in ["utf16le_bom.txt", "utf16be_bom.csv"] {
        let r = read(name, &[]);
        assert_eq!(r.activities.len(), 1, "{name}");
        assert_eq!(field(&r.activities[0], "progress"), POUNDS, "{name}");
        assert_eq!(field(&r.activities[0], "portfolio"), "Finance", "{name}");
        assert!(r.findings.is_empty(), "{name}: {:?}", r.findings);
    }
}

#[test]
fn utf16_with_a_lone_surrogate() {
    let r = read("utf16le_lone_surrogate.csv", &[]);
    assert_eq!(
        field(&r.activities[0], "progress"),
        POUNDS.replace("quick win", "quick\u{FFFD}win")
    );
}

#[test]
fn duplicate_header_columns() {
    // The first Status column is read; the second is reported on the header row and at every
    // cell it holds.
    let r = read("duplicate_header_columns.csv", &[]);
    assert_eq!(field(&r.activities[0], "status"), "Green");
    assert_eq!(
        r.findings,
        [
            "unrecognised-row  !G1 header: column G is another status column; column B is the \
             one read, and text under column G is reported, not read",
            "unrecognised-row KA.08.01 !G2 column G repeats the status header of column B, \
             which is the one read, so this text was not read",
        ]
    );
}

#[test]
fn headers_only() {
    // An empty tracker: no activities and no findings (check exits on the good return's code).
    let r = read("headers_only.csv", &[]);
    assert!(r.activities.is_empty());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.check_code, GOOD_CHECK_CODE);
    let wd = Workdir::new();
    let file = hostile("headers_only.csv");
    let out = run(&wd, &["check".as_ref(), file.as_os_str()]);
    assert_eq!(out.code, 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1 file, 0 activities: 0 errors, 0 warnings, 0 info"
    );
}

#[test]
fn ten_thousand_empty_rows_before_the_header() {
    for name in [
        "empty_rows_before_header.csv",
        "empty_rows_before_header.xlsx",
    ] {
        let r = read(name, &[]);
        assert_eq!(r.activities.len(), 1, "{name}");
        assert_eq!(field(&r.activities[0], "id"), "KA.08.01");
        assert_eq!(r.activities[0]["source"]["row"], 10_002, "{name}");
        assert!(r.findings.is_empty(), "{name}: {:?}", r.findings);
    }
}
