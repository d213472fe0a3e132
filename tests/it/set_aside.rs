//! A merge that writes only the workbook sets each return aside as it is read (checked by the
//! rules that need no plan, its long text in a temporary file: `katrack::merge::set_aside`);
//! with `--json` it holds every return whole. Both must give the same workbook byte for byte,
//! the same report and the same messages, whatever the returns and the plan.

use super::plan_beside::synthetic_returns;
use super::streamed::rows_reversed;
use super::{Workdir, data, root};
use std::path::Path;

/// Merges `inputs` with `plan` (and `extra` arguments) twice — set aside (only the workbook)
/// and held whole (with --json too) — and asserts both give the same; gives the exit code.
fn same_as_held(w: &Workdir, inputs: &[&Path], plan: &Path, extra: &[&str]) -> Option<i32> {
    let (a, b) = (w.path("aside.xlsx"), w.path("held.xlsx"));
    let run = |out: &Path, json: bool| {
        let mut merge = w.katrack();
        merge.arg("merge").args(inputs).arg("--plan").arg(plan);
        merge
            .arg("-o")
            .arg(out)
            .args(["--format", "json"])
            .args(extra);
        if json {
            merge.arg("--json").arg(w.path("held.json"));
        }
        merge.output().unwrap()
    };
    let aside = run(&a, false);
    let held = run(&b, true);
    let said = String::from_utf8(aside.stderr).unwrap();
    assert_eq!(aside.status.code(), held.status.code(), "{said}");
    assert_eq!(aside.stdout, held.stdout, "{}", plan.display());
    assert_eq!(
        said.replace("aside.xlsx", "held.xlsx"),
        String::from_utf8(held.stderr).unwrap()
    );
    assert!(said.contains("activities to"), "{said}");
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    aside.status.code()
}

/// The JSON report of merging `input` with `plan` (the workbook to a file of the work folder).
fn json_report(w: &Workdir, input: &Path, plan: &Path) -> String {
    let report = w
        .katrack()
        .arg("merge")
        .arg(input)
        .arg("--plan")
        .arg(plan)
        .arg("-o")
        .arg(w.path("report.xlsx"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    String::from_utf8(report.stdout).unwrap()
}

#[test]
fn a_merge_with_its_returns_set_aside_gives_what_the_merge_holding_them_gives() {
    let w = Workdir::new();
    let returns = root().join("samples/returns");
    // The sample plan as JSON (read beside Appendix A), as a workbook (laid out beside it) and
    // as CSV (read whole first); with --period and --jobs 1.
    for plan in ["json", "xlsx", "csv"] {
        let plan = root().join(format!("samples/harborough_q1_2020_21.{plan}"));
        assert_eq!(same_as_held(&w, &[&returns], &plan, &[]), Some(1));
    }
    let plan = root().join("samples/harborough_q1_2020_21.json");
    same_as_held(
        &w,
        &[&returns],
        &plan,
        &["--period", "2020/21 Q2", "--jobs", "1"],
    );
    // A canonical JSON tracker and a CSV as the returns (laid out whole, then set aside).
    let xlsx_plan = root().join("samples/harborough_q1_2020_21.xlsx");
    for tracker in ["json", "csv"] {
        let tracker = root().join(format!("samples/harborough_q1_2020_21.{tracker}"));
        same_as_held(&w, &[&tracker], &xlsx_plan, &[]);
    }
    // Ids written otherwise than as the id, two not in the plan: `unexpected-activity` gives
    // each as it was written.
    let sample = std::fs::read(root().join("samples/harborough_q1_2020_21.csv")).unwrap();
    let mut written = Vec::new();
    for line in sample.split_inclusive(|&b| b == b'\n') {
        let renamed: &[u8] = match line.get(..9) {
            Some(b"KA.01.01 ") => b"ka 01.01 ",
            Some(b"KA.01.02 ") => b"KA.09.91 ",
            Some(b"KA.01.03 ") => b"ka 09.92 ",
            _ => b"",
        };
        let rest = if renamed.is_empty() { line } else { &line[9..] };
        written.extend_from_slice(renamed);
        written.extend_from_slice(rest);
    }
    let written = w.write("written_ids.csv", &written);
    // An activity with no id in the plan and in the return (KA.01.01's written without it):
    // not given by the return, it keeps the plan's progress and next steps in the master.
    let no_id: Vec<u8> = sample
        .split_inclusive(|&b| b == b'\n')
        .flat_map(|line| line.strip_prefix(b"KA.01.01 ").unwrap_or(line).to_vec())
        .collect();
    let no_id = w.write("no_id.csv", &no_id);
    let no_id_json = w.path("no_id.json");
    let import = w
        .katrack()
        .args(["import", "-q", "-o"])
        .arg(&no_id_json)
        .arg(&no_id)
        .output()
        .unwrap();
    assert!(import.status.success());
    // The JSON plan is read beside Appendix A (dropping the progress of activities a return
    // gives), the CSV whole first: the same master.
    let by_plan = |plan: &Path, out: &str| {
        let mut merge = w.katrack();
        merge.arg("merge").arg(&no_id).arg("--plan").arg(plan);
        merge.arg("-o").arg(w.path(out)).output().unwrap();
        std::fs::read(w.path(out)).unwrap()
    };
    assert!(by_plan(&no_id_json, "no_id_json.xlsx") == by_plan(&no_id, "no_id_csv.xlsx"));
    same_as_held(&w, &[&no_id], &no_id_json, &[]);
    let report = json_report(&w, &written, &plan);
    assert!(report.contains(r#""value": "ka 09.92""#), "{report}");
    assert_eq!(report.matches("unexpected-activity").count(), 2, "{report}");
    same_as_held(&w, &[&written], &plan, &[]);
    // Every activity unexpected (another council's return, with its profile): the findings
    // point at the cells of the ids.
    let county = root().join("samples/county");
    let profile = root().join("schemas/example-county.toml");
    let county_profile = ["--profile", profile.to_str().unwrap()];
    let mut found = w.katrack();
    found.arg("merge").arg(&county).arg("--plan").arg(&plan);
    let found = found
        .arg("-o")
        .arg(w.path("county.xlsx"))
        .args(["--format", "json"])
        .args(county_profile)
        .output()
        .unwrap();
    let found = String::from_utf8(found.stdout).unwrap();
    assert!(found.contains(r#""cell": "B7""#), "{found}");
    assert_eq!(found.matches("unexpected-activity").count(), 6, "{found}");
    same_as_held(&w, &[&county], &plan, &county_profile);
    // A synthetic quarter in eleven returns, and every other one missing (the plan gives the
    // rest), its plan as JSON and as a workbook.
    let (synthetic, profile) = synthetic_returns(&w);
    let profile = ["--profile", profile.to_str().unwrap()];
    let json = w.write("synthetic.json", synthetic.json());
    let xlsx = w.write("synthetic.xlsx", synthetic.xlsx().unwrap());
    for plan in [&json, &xlsx] {
        same_as_held(&w, &[&w.path("returns")], plan, &profile);
        same_as_held(&w, &[&w.path("some")], plan, &profile);
    }
}

#[test]
fn returns_that_cannot_be_set_aside_are_merged_whole_with_the_same_result() {
    let w = Workdir::new();
    let plan = root().join("samples/harborough_q1_2020_21.json");
    let returns = root().join("samples/returns");
    // One return given twice: its ids are given twice (conflict and duplicate findings need
    // every field), so the returns are read again and merged whole.
    let finance = returns.join("return_finance.xlsx");
    let copy = w.path("copy_of_finance.xlsx");
    std::fs::copy(&finance, &copy).unwrap();
    assert_eq!(same_as_held(&w, &[&returns, &copy], &plan, &[]), Some(1));
    // Found when the returned ids are sorted: every return is read again, whole.
    assert_eq!(same_as_held(&w, &[&copy, &returns], &plan, &[]), Some(1));
    let jobs = ["--jobs", "1"];
    assert_eq!(same_as_held(&w, &[&copy, &returns], &plan, &jobs), Some(1));
    // An id given twice by one return (set aside without `duplicate-id`, which the merge
    // read whole reports): the plan's CSV with KA.01.02 written as KA.01.01.
    let sample = std::fs::read(root().join("samples/harborough_q1_2020_21.csv")).unwrap();
    let mut twice = Vec::new();
    for line in sample.split_inclusive(|&b| b == b'\n') {
        match line.strip_prefix(b"KA.01.02 ") {
            Some(rest) => twice.extend_from_slice(&[b"KA.01.01 ", rest].concat()),
            None => twice.extend_from_slice(line),
        }
    }
    let twice = w.write("id_twice.csv", &twice);
    let report = json_report(&w, &twice, &plan);
    assert_eq!(report.matches(r#""duplicate-id""#).count(), 1, "{report}");
    same_as_held(&w, &[&twice], &plan, &[]);
    // No return readable: the plan merged alone, set aside as with returns.
    let zero = data("hostile/zero_bytes.xlsx");
    assert_eq!(same_as_held(&w, &[&zero], &plan, &[]), Some(2));
    // Unreadable files among the returns: reported, the others merged.
    for bad in [
        "hostile/zero_bytes.xlsx",
        "hostile/truncated_zip.xlsx",
        "password_protected.xlsx",
    ] {
        assert_eq!(
            same_as_held(&w, &[&returns, &data(bad)], &plan, &[]),
            Some(2)
        );
    }
    // A plan that cannot be laid out as it is read (its rows reversed: read whole).
    let sample = std::fs::read(root().join("samples/harborough_q1_2020_21.xlsx")).unwrap();
    let reversed = w.write("reversed.xlsx", rows_reversed(&sample));
    same_as_held(&w, &[&returns], &reversed, &[]);
}

#[test]
fn a_lead_split_over_two_returns_and_an_id_planned_twice_merge_alike_set_aside() {
    let w = Workdir::new();
    // The Governance return in two halves: each lacks the other's activities, which
    // `missing-activity` names with their plan titles.
    let sample = root().join("samples/returns/return_governance.csv");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(sample)
        .unwrap();
    let records: Vec<csv::ByteRecord> = reader.byte_records().map(Result::unwrap).collect();
    let (header, rows) = records.split_first().unwrap();
    let half = rows.len() / 2;
    let mut inputs: Vec<std::path::PathBuf> = ["finance.xlsx", "planning.xlsx", "communities.xlsx"]
        .iter()
        .map(|f| root().join("samples/returns").join(format!("return_{f}")))
        .collect();
    for (name, part) in [("gov_a.csv", &rows[..half]), ("gov_b.csv", &rows[half..])] {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_byte_record(header).unwrap();
        for r in part {
            out.write_byte_record(r).unwrap();
        }
        inputs.push(w.write(name, out.into_inner().unwrap()));
    }
    // KA.01.03 and KA.01.04 both renamed KA.99.01 in the plan: an id planned twice (under
    // two leads) and not returned, which `missing-activity` names by each copy's title and the
    // Returns sheet lists under each lead by the first copy's.
    let plan = std::fs::read_to_string(root().join("samples/harborough_q1_2020_21.json"))
        .unwrap()
        .replacen(r#""id": "KA.01.03""#, r#""id": "KA.99.01""#, 1)
        .replacen(r#""id": "KA.01.04""#, r#""id": "KA.99.01""#, 1);
    let plan = w.write("twice.json", plan);
    let inputs: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    same_as_held(&w, &inputs, &plan, &[]);
    let report = w
        .katrack()
        .arg("merge")
        .args(&inputs)
        .arg("--plan")
        .arg(&plan)
        .args([
            "-o",
            w.path("split.xlsx").to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report = String::from_utf8(report.stdout).unwrap();
    let missing = report.matches(r#""rule": "missing-activity""#).count();
    assert_eq!(missing, rows.len() + 2, "{report}");
    let crime = "To identify and address key issues of crime";
    for named in [
        "KA.09.01 (Implement the Smarter Services Programme",
        &format!("KA.99.01 ({crime}"),
        "KA.99.01 (Develop in partnership the local visitor economy",
    ] {
        assert!(report.contains(named), "{named}: {report}");
    }
    let book = std::fs::read(w.path("split.xlsx")).unwrap();
    let mut book =
        calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(book))
            .unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "Returns").unwrap();
    let listed: Vec<String> = sheet
        .rows()
        .filter(|r| r.get(1).is_some_and(|c| *c == "KA.99.01"))
        .map(|r| r.get(2).map(ToString::to_string).unwrap_or_default())
        .collect();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|t| t.starts_with(crime)), "{listed:?}");
}
