//! The quarterly job end to end: templates out, returns in, one master, and what changed.

use super::{Workdir, content, import, sample, soffice};
use katrack::profile::Profile;
use katrack::{Tracker, write};
use predicates::prelude::*;
use serde_json::Value;

fn plan() -> Tracker {
    import(&sample("harborough_q1_2020_21.json"))
}

#[test]
fn merging_the_sample_returns_gives_all_34_activities() {
    let wd = Workdir::new();
    let out = wd
        .katrack()
        .arg("merge")
        .arg(sample("returns"))
        .arg("--plan")
        .arg(sample("harborough_q1_2020_21.json"))
        .args([
            "-o",
            "master.xlsx",
            "--json",
            "master.json",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the returns hold errors: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let master = import(&wd.path("master.json"));
    assert_eq!(master.activities.len(), 34);
    let ids: Vec<&str> = master.activities.iter().map(|a| a.id.as_str()).collect();
    let plan_ids: Vec<String> = plan().activities.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids, plan_ids);
    assert!(
        master.activities.iter().all(|a| a
            .source
            .as_ref()
            .is_some_and(|s| s.file.contains("returns/return_"))),
        "every activity names its return"
    );
    assert_eq!(report["not_returned"].as_array().unwrap().len(), 0);
    let expected: u64 = report["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["expected"].as_u64().unwrap())
        .sum();
    assert_eq!(expected, 34);
    let no_lead = report["leads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lead"] == "(no lead)")
        .expect("KA.01.06 has no lead in the plan");
    assert_eq!(no_lead["expected"], 1);
    // The master workbook holds the merged activities.
    let from_xlsx = import(&wd.path("master.xlsx"));
    assert_eq!(content(&from_xlsx), content(&master));
}

#[test]
fn a_deleted_activity_is_missing_for_its_lead_and_a_duplicate_is_a_conflict() {
    let wd = Workdir::new();
    let gov = import(&sample("returns/return_governance.csv"));
    let mut without = gov.clone();
    without.activities.retain(|a| a.id != "KA.06.04");
    wd.write("gov.json", write::to_json(&without));
    let fin = import(&sample("returns/return_finance.xlsx"));
    let mut dup = fin.clone();
    let mut stolen = gov
        .activities
        .iter()
        .find(|a| a.id == "KA.09.01")
        .unwrap()
        .clone();
    stolen.progress = "- A different account of the same activity".into();
    dup.activities.push(stolen);
    wd.write("fin.json", write::to_json(&dup));
    let out = wd
        .katrack()
        .args(["merge", "gov.json", "fin.json", "--plan"])
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "m.xlsx", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let gov_row = report["leads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lead"] == "Chief Officer - Governance")
        .unwrap();
    assert!(
        gov_row["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "KA.06.04"),
        "{gov_row}"
    );
    assert_eq!(
        gov_row["returned"].as_u64().unwrap() + 1,
        gov_row["expected"].as_u64().unwrap()
    );
    let conflicts: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "conflict")
        .collect();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["activity"], "KA.09.01");
    // The table says the same as the JSON.
    wd.katrack()
        .args(["merge", "gov.json", "fin.json", "--plan"])
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "m2.xlsx"])
        .assert()
        .stdout(predicate::str::contains(
            "missing for Chief Officer - Governance: KA.06.04",
        ))
        .stdout(predicate::str::contains("conflicts:"));
}

#[test]
fn the_whole_cycle_round_trips() {
    // plan → templates → filled in (programmatically) → merge → master equals the filled data.
    let wd = Workdir::new();
    wd.katrack()
        .arg("template")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "templates", "--period", "2020/21 Q2"])
        .assert()
        .success();
    let profile = Profile::default_profile();
    let mut filled = Vec::new();
    for entry in std::fs::read_dir(wd.path("templates")).unwrap() {
        let path = entry.unwrap().path();
        let mut t = import(&path);
        assert!(!t.activities.is_empty());
        for a in &mut t.activities {
            a.status = "Amber".into();
            a.progress = format!("- Q2 progress on {}", a.id);
            a.next_steps = format!("- Q3 plans for {}", a.id);
        }
        filled.extend(t.activities.clone());
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".xlsx", ".json");
        wd.write(&format!("returns_{name}"), write::to_json(&t));
    }
    assert_eq!(filled.len(), 34, "every plan activity is in one template");
    let returns: Vec<String> = std::fs::read_dir(wd.path(""))
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().to_string();
            n.starts_with("returns_").then_some(n)
        })
        .collect();
    wd.katrack()
        .arg("merge")
        .args(&returns)
        .arg("--plan")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "master.xlsx", "--json", "master.json"])
        .args(["--period", "2020/21 Q2"])
        .assert()
        .code(1);
    let master = import(&wd.path("master.json"));
    // The quarter's period, in the title too where the plan's title names the plan's period:
    // in the JSON master, and in the workbook (its title rows and document properties).
    let q1 = plan().title;
    assert!(q1.contains("Q1 2020/21"), "{q1}");
    let q2 = q1.replace("Q1 2020/21", "Q2 2020/21");
    assert_eq!(
        (master.title.as_str(), master.period.as_str()),
        (q2.as_str(), "2020/21 Q2")
    );
    let book = import(&wd.path("master.xlsx"));
    assert_eq!(
        (book.title.as_str(), book.period.as_str()),
        (q2.as_str(), "2020/21 Q2")
    );
    for a in &master.activities {
        let f = filled.iter().find(|f| f.id == a.id).unwrap();
        assert_eq!(
            (&a.status, &a.progress, &a.next_steps, &a.title),
            (&f.status, &f.progress, &f.next_steps, &f.title),
            "{}",
            a.id
        );
    }
    let _ = profile;
}

#[test]
fn a_template_filled_in_properly_imports_with_no_finding_and_untouched_is_flagged() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("template")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "t"])
        .assert()
        .success();
    let fin = wd.path("t/Chief Officer - Finance and Assets.xlsx");
    assert!(fin.exists());
    wd.katrack()
        .arg("check")
        .arg(&fin)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 errors, 0 warnings, 0 info"));
    let out = wd
        .katrack()
        .arg("check")
        .arg(&fin)
        .arg("--previous")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stale: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "stale-progress")
        .collect();
    assert_eq!(
        stale.len(),
        3,
        "every untouched activity of the return is flagged"
    );
}

#[test]
fn templates_carry_dropdowns_and_protection() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("template")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "t", "--blank"])
        .assert()
        .success();
    let path = wd.path("t/Chief Officer - Governance.xlsx");
    assert!(
        import(&path)
            .activities
            .iter()
            .all(|a| a.status.is_empty() && a.progress.is_empty()),
        "--blank"
    );
    if let Some(py) = ["/usr/bin/python3", "/usr/local/bin/python3"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
    {
        let script = "import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);x=z.read('xl/worksheets/sheet1.xml').decode();print('sheetProtection' in x, 'dataValidation' in x)";
        let out = std::process::Command::new(py)
            .args(["-c", script])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "True True");
    }
    if let Some(soffice) = soffice() {
        let ok = wd.soffice_convert(&soffice, "pdf", &path);
        assert!(ok.status.success());
        assert!(wd.path("Chief Officer - Governance.pdf").exists());
    }
}

#[test]
fn diff_shows_direction_of_status_moves() {
    let wd = Workdir::new();
    let mut q2 = plan();
    q2.activities
        .iter_mut()
        .find(|a| a.id == "KA.08.02")
        .unwrap()
        .status = "Green".into();
    q2.activities
        .iter_mut()
        .find(|a| a.id == "KA.09.03")
        .unwrap()
        .status = "Red".into();
    q2.activities.retain(|a| a.id != "KA.09.05");
    wd.write("q2.json", write::to_json(&q2));
    let out = wd
        .katrack()
        .arg("diff")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["q2.json", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let moves: Vec<(String, String)> = d["status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["direction"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("KA.08.02".to_string(), "improved".to_string()),
            ("KA.09.03".to_string(), "worsened".to_string())
        ]
    );
    assert_eq!(d["removed"][0]["id"], "KA.09.05");
    wd.katrack()
        .arg("diff")
        .arg(sample("harborough_q1_2020_21.json"))
        .arg("q2.json")
        .assert()
        .success()
        .stdout(predicate::str::contains("improved").and(predicate::str::contains("worsened")));
}

mod order {
    use super::plan;
    use katrack::layout::Parsed;
    use katrack::profile::Profile;
    use katrack::rules::Return;
    use katrack::{Tracker, merge};
    use proptest::prelude::*;

    fn returns_strategy() -> impl Strategy<Value = (Vec<usize>, Vec<(usize, usize)>, Vec<usize>)> {
        (
            prop::collection::vec(0usize..4, 34),
            prop::collection::vec((0usize..34, 0usize..4), 0..4),
        )
            .prop_flat_map(|(assign, dups)| {
                (
                    Just(assign),
                    Just(dups),
                    Just((0..4).collect::<Vec<usize>>()).prop_shuffle(),
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn the_master_does_not_depend_on_the_order_of_returns((assign, dups, order) in returns_strategy()) {
            let plan = plan();
            let profile = Profile::default_profile();
            let mut parts: Vec<Tracker> = (0..4).map(|_| Tracker::default()).collect();
            for (a, r) in plan.activities.iter().zip(&assign) {
                parts[*r].activities.push(a.clone());
            }
            for (i, r) in &dups {
                let mut a = plan.activities[*i].clone();
                a.progress = format!("- another account, from return {r}");
                parts[*r].activities.push(a);
            }
            let parsed: Vec<Parsed> = parts.into_iter().map(|t| {
                let n = t.activities.len();
                Parsed { tracker: t, cells: vec![Default::default(); n], ..Parsed::default() }
            }).collect();
            let names = ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx"];
            let given: Vec<Return> = (0..4).map(|i| Return { file: names[i], parsed: &parsed[i] }).collect();
            let shuffled: Vec<Return> = order.iter().map(|&i| given[i]).collect();
            let one = merge::merge(&plan, &given, &profile, None);
            let two = merge::merge(&plan, &shuffled, &profile, None);
            prop_assert_eq!(&one.master, &two.master);
            prop_assert_eq!(&one.leads, &two.leads);
            prop_assert_eq!(&one.findings, &two.findings);
            prop_assert_eq!(one.master.activities.len(), 34);
        }
    }
}

#[test]
fn merge_checks_every_output_before_writing_any() {
    let wd = Workdir::new();
    let plan = wd.write(
        "plan.json",
        std::fs::read(sample("harborough_q1_2020_21.json")).unwrap(),
    );
    let before = std::fs::read(&plan).unwrap();
    wd.katrack()
        .arg("merge")
        .arg(sample("returns"))
        .args([
            "--plan",
            "plan.json",
            "-o",
            "master.xlsx",
            "--json",
            "plan.json",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing to overwrite"));
    assert!(
        !wd.path("master.xlsx").exists(),
        "nothing is written when one output is refused"
    );
    assert_eq!(std::fs::read(&plan).unwrap(), before);
}
