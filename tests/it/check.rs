//! `katrack check` as an officer uses it: findings at the cells they open, exit codes, formats,
//! plan and previous-quarter rules, and the annotated workbook.

use super::{Workdir, data, root, sample};
use katrack::read::{Input, read_path};
use predicates::prelude::*;
use serde_json::Value;

fn check_json(wd: &Workdir, args: &[&str]) -> (Value, i32) {
    let out = wd
        .katrack()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (json, out.status.code().unwrap())
}

fn findings(json: &Value) -> Vec<Value> {
    json["findings"].as_array().unwrap().clone()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

#[test]
fn seed_sample_reports_only_ka_01_06_placeholders_at_their_cells() {
    let wd = Workdir::new();
    for (file, sheet) in [
        (sample("harborough_q1_2020_21.xlsx"), "Q1"),
        (sample("harborough_q1_2020_21.csv"), ""),
        (data("libreoffice_seed.ods"), "Q1"),
        (data("libreoffice_seed.xls"), "Q1"),
    ] {
        let (json, code) = check_json(&wd, &[file.to_str().unwrap()]);
        assert_eq!(code, 1, "{}", file.display());
        let got: Vec<String> = findings(&json)
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {}!{}",
                    s(&f["rule"]),
                    s(&f["activity"]),
                    s(&f["field"]),
                    s(&f["sheet"]),
                    s(&f["cell"])
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                format!("placeholder KA.01.06 lead {sheet}!E24"),
                format!("placeholder KA.01.06 portfolio {sheet}!F24")
            ],
            "{}",
            file.display()
        );
        assert_eq!(json["summary"]["activities"], 34);
        assert_eq!(json["summary"]["errors"], 2);
    }
}

/// The header text of the column a finding's cell is in, and the text of the row's id cell.
fn header_and_row(file: &std::path::Path, sheet: &str, cell: &str) -> (String, String) {
    let (row, col) = katrack::cellref::parse_a1(cell).unwrap();
    let Input::Sheets { sheets, .. } = read_path(file).unwrap() else {
        panic!()
    };
    let sh = sheets
        .iter()
        .find(|x| x.name == sheet || sheet.is_empty())
        .unwrap();
    let header = sh
        .rows
        .iter()
        .find(|r| r.cells.iter().any(|c| c.text.contains("Progress")))
        .unwrap();
    let head = header.get(col).map(|c| c.text.clone()).unwrap_or_default();
    let row_text = sh
        .rows
        .iter()
        .find(|r| r.row == row)
        .unwrap()
        .cells
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" | ");
    (head, row_text)
}

#[test]
fn each_sample_return_reports_its_injected_problems_at_the_right_cells_and_nothing_else() {
    let wd = Workdir::new();
    let (json, code) = check_json(&wd, &[sample("returns").to_str().unwrap()]);
    assert_eq!(code, 1);
    let found = findings(&json);
    assert_eq!(found.len(), katrack::samples::INJECTED.len(), "{found:#?}");
    for inj in katrack::samples::INJECTED {
        let f = found
            .iter()
            .find(|f| {
                s(&f["file"]).ends_with(inj.file)
                    && s(&f["activity"]) == inj.activity
                    && s(&f["field"]) == inj.field
            })
            .unwrap_or_else(|| panic!("not reported: {inj:?}"));
        assert_eq!(s(&f["rule"]), inj.rule, "{inj:?}");
        let (header, row) = header_and_row(&sample(inj.file), s(&f["sheet"]), s(&f["cell"]));
        let synonyms = katrack::profile::Profile::default_profile()
            .columns
            .synonyms(inj.field)
            .to_vec();
        assert!(
            synonyms
                .iter()
                .any(|h| h.eq_ignore_ascii_case(header.trim())),
            "{inj:?}: cell {} is under '{header}'",
            s(&f["cell"])
        );
        assert!(
            row.contains(inj.activity),
            "{inj:?}: cell {} is not on {}'s row: {row}",
            s(&f["cell"]),
            inj.activity
        );
    }
}

#[test]
fn plan_rules_find_a_deleted_activity_and_an_unexpected_one() {
    let wd = Workdir::new();
    let csv = std::fs::read(sample("returns/return_governance.csv")).unwrap();
    let text = encoding_free_lines(&csv);
    let kept: Vec<&str> = text
        .iter()
        .map(String::as_str)
        .filter(|l| !l.starts_with("KA.06.04"))
        .collect();
    let mut edited = kept.join("\r\n");
    edited.push_str(
        "\r\nKA.09.09 A new thing,Green,- Done,- More,Chief Officer - Governance,Corporate\r\n",
    );
    wd.write("gov.csv", edited.into_bytes());
    let plan = sample("harborough_q1_2020_21.json");
    let (json, code) = check_json(&wd, &["gov.csv", "--plan", plan.to_str().unwrap()]);
    assert_eq!(code, 1);
    let rules: Vec<String> = findings(&json)
        .iter()
        .map(|f| format!("{} {}", s(&f["rule"]), s(&f["activity"])))
        .collect();
    assert!(
        rules.contains(&"missing-activity KA.06.04".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"unexpected-activity KA.09.09".to_string()),
        "{rules:?}"
    );
    assert!(
        !rules
            .iter()
            .any(|r| r.starts_with("missing-activity KA.01")),
        "other leads' activities are not missing: {rules:?}"
    );
}

/// The lines of an ASCII-compatible file (the £ line is kept as bytes lossily, which is fine here).
fn encoding_free_lines(bytes: &[u8]) -> Vec<String> {
    let text = katrack::read::decode_text(bytes);
    text.split("\r\n")
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn previous_quarter_flags_progress_copied_unchanged() {
    let wd = Workdir::new();
    let prev = sample("harborough_q1_2020_21.json");
    let (json, _) = check_json(
        &wd,
        &[
            sample("harborough_q1_2020_21.xlsx").to_str().unwrap(),
            "--previous",
            prev.to_str().unwrap(),
        ],
    );
    let stale: Vec<Value> = findings(&json)
        .into_iter()
        .filter(|f| f["rule"] == "stale-progress")
        .collect();
    let json_t = super::import(&prev);
    // Against itself every row is untouched: each one with progress is flagged.
    let with_progress = json_t
        .activities
        .iter()
        .filter(|a| !a.progress.is_empty())
        .count();
    assert_eq!(stale.len(), with_progress);
    assert!(stale.iter().all(|f| f["field"] == "progress"));
}

#[test]
fn conflicting_returns_are_reported() {
    let wd = Workdir::new();
    let fin = std::fs::read(sample("returns/return_finance.xlsx")).unwrap();
    wd.write("a.xlsx", &fin);
    let t = super::import(&sample("returns/return_finance.xlsx"));
    let mut changed = t.clone();
    changed.activities[1].progress = "- Something else entirely".into();
    wd.write("b.json", katrack::write::to_json(&changed));
    let (json, _) = check_json(&wd, &["a.xlsx", "b.json"]);
    let conflicts: Vec<Value> = findings(&json)
        .into_iter()
        .filter(|f| f["rule"] == "conflict")
        .collect();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(s(&conflicts[0]["activity"]), t.activities[1].id);
    assert!(
        s(&conflicts[0]["message"]).contains("a.xlsx:Q1!D5"),
        "{}",
        conflicts[0]["message"]
    );
}

#[test]
fn unreadable_files_are_findings_and_the_rest_is_checked() {
    let wd = Workdir::new();
    wd.write("zero.xlsx", "");
    let fin = std::fs::read(sample("returns/return_finance.xlsx")).unwrap();
    wd.write("fin.xlsx", &fin);
    let (json, code) = check_json(&wd, &["zero.xlsx", "fin.xlsx"]);
    assert_eq!(code, 2);
    let f = findings(&json);
    assert_eq!(s(&f[0]["rule"]), "unreadable-file");
    assert_eq!(s(&f[0]["file"]), "zero.xlsx");
    assert!(
        f.iter().any(|f| f["rule"] == "unknown-portfolio"),
        "fin.xlsx was still checked"
    );
    assert_eq!(json["summary"]["files"], 2);
}

#[test]
fn strict_makes_warnings_fail() {
    let wd = Workdir::new();
    wd.write("r.csv", "Key Activities,Status,Progress,Next Steps,Lead Officer,Portfolio\nKA.08.02 MTFS,Amber,- Meetings held,TBC,Chief Officer - Finance and Assets,Finance\n");
    let (json, code) = check_json(&wd, &["r.csv"]);
    assert_eq!((code, json["summary"]["warnings"].as_u64()), (0, Some(1)));
    assert_eq!(s(&findings(&json)[0]["rule"]), "tbc-next-steps");
    assert_eq!(s(&findings(&json)[0]["cell"]), "D2");
    let (_, code) = check_json(&wd, &["r.csv", "--strict"]);
    assert_eq!(code, 1);
}

#[test]
fn a_profile_changes_severities() {
    let wd = Workdir::new();
    wd.write("r.csv", "Key Activities,Status,Progress,Next Steps,Lead Officer,Portfolio\nKA.08.02 MTFS,Amber,,TBC,Chief Officer - Finance and Assets,Finance\n");
    let profile = std::fs::read_to_string(root().join("schemas/harborough.toml"))
        .unwrap()
        .replace(
            "[severities]",
            "[severities]\ntbc-next-steps = \"off\"\nmissing-progress = \"warning\"",
        );
    wd.write("p.toml", profile);
    let (json, code) = check_json(&wd, &["r.csv", "--profile", "p.toml"]);
    let got: Vec<String> = findings(&json)
        .iter()
        .map(|f| format!("{} {}", s(&f["severity"]), s(&f["rule"])))
        .collect();
    assert_eq!(got, ["warning missing-progress"]);
    assert_eq!(code, 0);
}

#[test]
fn table_and_csv_formats() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("check")
        .arg(sample("returns/return_finance.xlsx"))
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("Q1!G6")
                .and(predicate::str::contains("unknown-portfolio"))
                .and(predicate::str::contains("Finance")),
        )
        .stdout(predicate::str::contains(
            "1 file, 3 activities: 1 error, 0 warnings, 0 info",
        ))
        .stdout(predicate::str::contains("\u{1b}[").not());
    let out = wd
        .katrack()
        .arg("check")
        .arg(sample("returns/return_finance.xlsx"))
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("rule,severity,activity,field,file,sheet,cell,value,message,suggestion")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("unknown-portfolio,error,KA.08.03,portfolio,")
    );
}

#[test]
fn annotate_writes_a_marked_up_copy_that_imports_back() {
    let wd = Workdir::new();
    let fin = std::fs::read(sample("returns/return_finance.xlsx")).unwrap();
    wd.write("fin.xlsx", &fin);
    wd.katrack()
        .args(["check", "fin.xlsx", "--annotate", "out"])
        .assert()
        .code(1);
    assert_eq!(
        std::fs::read(wd.path("fin.xlsx")).unwrap(),
        fin,
        "the original is untouched"
    );
    let annotated = wd.path("out/fin.checked.xlsx");
    let Input::Sheets { sheets, .. } = read_path(&annotated).unwrap() else {
        panic!()
    };
    assert_eq!(sheets[0].name, "Findings");
    let listing: String = sheets[0]
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.text.clone()))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        listing.contains("Q1!G6") && listing.contains("unknown-portfolio"),
        "{listing}"
    );
    let back = super::import(&annotated);
    assert_eq!(
        super::content(&back),
        super::content(&super::import(&wd.path("fin.xlsx")))
    );
    // Checking the annotated copy again gives the same findings, at the same cells.
    let (json, _) = check_json(&wd, &["out/fin.checked.xlsx"]);
    let cells: Vec<String> = findings(&json)
        .iter()
        .map(|f| s(&f["cell"]).to_string())
        .collect();
    assert_eq!(cells, ["G6"]);
}
