//! The binary as a user drives it: stdout, stderr and exit codes.

use super::{Workdir, root, sample};
use predicates::prelude::*;

#[test]
fn import_writes_canonical_json_on_stdout() {
    let wd = Workdir::new();
    let out = wd
        .katrack()
        .arg("import")
        .arg(sample("harborough_q1_2020_21.xlsx"))
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["schema"], "katrack/tracker/v1");
    assert_eq!(json["activities"].as_array().unwrap().len(), 34);
    assert_eq!(json["activities"][2]["id"], "KA.01.03");
}

#[test]
fn import_explain_says_how_each_row_was_read() {
    let wd = Workdir::new();
    wd.katrack()
        .args(["import", "--explain"])
        .arg(sample("harborough_q1_2020_21.xlsx"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Q1!15  continuation of KA.01.03"))
        .stdout(predicate::str::contains("Q1!5  objective heading"))
        .stdout(predicate::str::contains("Q1!3  theme heading"))
        .stdout(predicate::str::contains("Q1!20  page furniture"))
        .stdout(predicate::str::contains("Q1!7  header"))
        .stdout(predicate::str::contains("sheet Lists: hidden sheet"))
        .stdout(predicate::str::contains("34 activities"));
}

#[test]
fn import_to_csv_and_xlsx_files() {
    let wd = Workdir::new();
    for name in ["t.csv", "t.xlsx", "t.json"] {
        wd.katrack()
            .arg("import")
            .arg(sample("harborough_q1_2020_21.xlsx"))
            .args(["-o", name])
            .assert()
            .success();
        assert_eq!(super::import(&wd.path(name)).activities.len(), 34, "{name}");
    }
}

#[test]
fn an_unreadable_file_is_named_and_the_others_still_read() {
    let wd = Workdir::new();
    let bad = wd.write("broken.xlsx", "this is a text file, not a workbook");
    let out = wd
        .katrack()
        .arg("import")
        .arg(&bad)
        .arg(sample("returns/return_finance.xlsx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.xlsx"))
        .stderr(predicate::str::contains("holds text, not a workbook"));
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        json["activities"].as_array().unwrap().len(),
        3,
        "the finance return is still read"
    );
}

#[test]
fn empty_and_truncated_files_give_reasons() {
    let wd = Workdir::new();
    wd.write("empty.xlsx", "");
    let good = std::fs::read(sample("returns/return_finance.xlsx")).unwrap();
    wd.write("truncated.xlsx", &good[..good.len() / 2]);
    wd.katrack()
        .args(["import", "empty.xlsx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty.xlsx: nothing to read"));
    wd.katrack()
        .args(["import", "truncated.xlsx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "truncated.xlsx: the file is damaged",
        ));
}

#[test]
fn a_folder_reads_every_spreadsheet_in_it() {
    let wd = Workdir::new();
    let out = wd
        .katrack()
        .args(["import", "-q"])
        .arg(sample("returns"))
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["activities"].as_array().unwrap().len(), 34);
}

#[test]
fn stdin_is_read_with_a_dash() {
    let wd = Workdir::new();
    let csv = std::fs::read(sample("returns/return_governance.csv")).unwrap();
    let out = wd
        .katrack()
        .args(["import", "-q", "-"])
        .write_stdin(csv)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(
        json["activities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["next_steps"].as_str().unwrap().contains("£11,000"))
    );
}

#[test]
fn output_over_an_input_is_refused_and_the_input_kept() {
    let wd = Workdir::new();
    let json = wd.write(
        "t.json",
        std::fs::read(sample("harborough_q1_2020_21.json")).unwrap(),
    );
    let before = std::fs::read(&json).unwrap();
    wd.katrack()
        .args(["export", "t.json", "-o", "t.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing to overwrite"));
    assert_eq!(std::fs::read(&json).unwrap(), before);
}

#[test]
fn export_rejects_an_unknown_output_format() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("export")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "t.pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".xlsx, .csv or .json"));
}

#[test]
fn a_missing_sheet_suggests_the_closest_name() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("import")
        .arg(sample("harborough_q1_2020_21.xlsx"))
        .args(["--sheet", "q 1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no sheet named 'q 1'"));
}

#[test]
fn a_hidden_sheet_is_read_when_named() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("import")
        .arg(sample("harborough_q1_2020_21.xlsx"))
        .args(["--sheet", "Lists"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no sheet has a header row"));
}

#[test]
fn schema_command_matches_the_shipped_schema() {
    let wd = Workdir::new();
    let out = wd.katrack().arg("schema").assert().success();
    let shipped = std::fs::read_to_string(root().join("schemas/tracker.schema.json")).unwrap();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        shipped
    );
    let schema: serde_json::Value = serde_json::from_str(&shipped).unwrap();
    let fields = schema["$defs"]["Activity"]["properties"]
        .as_object()
        .unwrap();
    for f in katrack::model::FIELDS {
        assert!(fields.contains_key(f), "the schema describes {f}");
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    let wd = Workdir::new();
    for cmd in [
        "import", "check", "merge", "summary", "diff", "template", "export", "schema",
    ] {
        wd.katrack()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("katrack ").and(predicate::str::contains("Example")));
    }
}

#[test]
fn a_second_profile_reads_another_councils_tracker() {
    let wd = Workdir::new();
    let out = wd
        .katrack()
        .arg("import")
        .arg(sample("county/northshire_delivery_plan.xlsx"))
        .arg("--profile")
        .arg(root().join("schemas/example-county.toml"))
        .assert()
        .success();
    let t: katrack::Tracker = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let ids: Vec<&str> = t.activities.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "DP-1-01", "DP-1-02", "DP-1-03", "DP-2-01", "DP-2-02", "DP-2-03"
        ]
    );
    let a = &t.activities[2];
    assert_eq!(
        (a.status.as_str(), a.lead.as_str(), a.portfolio.as_str()),
        ("Off Track", "Director of Place", "Highways")
    );
    assert_eq!(
        (a.objective_id.as_str(), a.objective_title.as_str()),
        ("Priority 1", "A clean and green county")
    );
    assert_eq!(a.theme, "AMBITION");
    assert_eq!(
        t.activities[0].progress,
        "- 12,000 trees planted this quarter\n  • 4 new community woodlands agreed"
    );
    // The default profile does not know this layout, and says so.
    wd.katrack()
        .arg("import")
        .arg(sample("county/northshire_delivery_plan.xlsx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no sheet has a header row"));
}

#[test]
fn a_bad_profile_names_the_file_and_key() {
    let wd = Workdir::new();
    wd.write(
        "p.toml",
        std::fs::read_to_string(root().join("schemas/harborough.toml"))
            .unwrap()
            .replace("[ids]", "[ids]\nwidth = 3"),
    );
    wd.katrack()
        .arg("import")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["--profile", "p.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("p.toml").and(predicate::str::contains("width")));
}

#[test]
fn a_password_protected_workbook_is_named_with_the_reason() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("import")
        .arg(super::data("password_protected.xlsx"))
        .arg(sample("returns/return_finance.xlsx"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "password_protected.xlsx: the workbook is password-protected",
        ));
}

#[test]
fn every_non_empty_row_of_the_samples_is_accounted_for() {
    use katrack::read::{Input, read_path};
    let profile = katrack::profile::Profile::default_profile();
    for file in [
        "harborough_q1_2020_21.xlsx",
        "harborough_q1_2020_21.csv",
        "returns/return_planning.xlsx",
        "returns/return_communities.xlsx",
        "returns/return_governance.csv",
        "returns/return_finance.xlsx",
    ] {
        let input = read_path(&sample(file)).unwrap();
        let parsed = katrack::layout::parse(&input, file, &profile, None).unwrap();
        let Input::Sheets { sheets, .. } = &input else {
            panic!()
        };
        let read_sheets: Vec<&str> = parsed
            .sheets
            .iter()
            .filter(|s| s.read)
            .map(|s| s.sheet.as_str())
            .collect();
        let rows: usize = sheets
            .iter()
            .filter(|s| read_sheets.contains(&s.name.as_str()))
            .map(|s| s.rows.len())
            .sum();
        assert_eq!(
            parsed.rows.len(),
            rows,
            "{file}: every non-empty row has a reading"
        );
        let unrecognised = parsed
            .rows
            .iter()
            .filter(|r| r.kind == katrack::layout::RowKind::Unrecognised)
            .count();
        let reported = parsed
            .findings
            .iter()
            .filter(|f| f.rule == "unrecognised-row")
            .count();
        assert!(
            reported >= unrecognised,
            "{file}: every unrecognised row is a finding"
        );
        for s in parsed.sheets.iter().filter(|s| !s.read) {
            assert!(
                s.detail.contains("hidden") || s.detail.contains("no header"),
                "{file}: {}",
                s.detail
            );
        }
    }
}

#[test]
fn the_readme_documents_every_rule() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for code in katrack::rules::codes() {
        assert!(
            readme.contains(&format!("`{code}`")),
            "README does not document {code}"
        );
    }
}

#[test]
fn a_workbook_that_needs_a_missing_temporary_folder_names_the_output_and_tmpdir() {
    let wd = Workdir::new();
    let missing = wd.path("no such folder");
    let plan = sample("harborough_q1_2020_21.json");
    let returns = root().join("samples/returns");
    let merge = ["merge", "--json", "m.json"].map(str::to_string);
    let runs: [(&[String], &str); 3] = [
        (&merge[..1], "master.xlsx"),
        (&merge, "master.xlsx"),
        (&[], "exported.xlsx"),
    ];
    for (args, out) in runs {
        let mut c = wd.katrack();
        if args.is_empty() {
            c.arg("export").arg(&plan);
        } else {
            c.args(args).arg(&returns).arg("--plan").arg(&plan);
        }
        c.args(["-o", out])
            .env("TMPDIR", &missing)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("{out}: could not write")))
            .stderr(predicate::str::contains("set TMPDIR to a folder"))
            .stderr(predicate::str::contains(missing.to_str().unwrap()));
        assert!(!wd.path(out).exists() && !wd.path("m.json").exists());
    }
}
