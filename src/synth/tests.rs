use super::*;
use crate::{layout, read};

fn read_back(bytes: Vec<u8>, ext: &str, s: &Synthetic) -> layout::Parsed {
    let input = read::read_bytes(bytes, ext).unwrap();
    layout::parse(&input, &format!("synthetic.{ext}"), &s.profile(), None).unwrap()
}

fn content(t: &Tracker) -> Vec<Activity> {
    t.activities.iter().map(Activity::without_source).collect()
}

#[test]
fn the_same_seed_gives_the_same_tracker() {
    let a = Synthetic::generate(60, 3);
    assert_eq!(a.tracker, Synthetic::generate(60, 3).tracker);
    assert_ne!(a.tracker, Synthetic::generate(60, 4).tracker);
}

#[test]
fn text_has_realistic_lengths_and_ids_are_unique_and_canonical() {
    let s = Synthetic::generate(500, 1);
    let profile = s.profile();
    let mut ids: Vec<&str> = s.tracker.activities.iter().map(|a| a.id.as_str()).collect();
    assert!(
        ids.iter().all(|id| profile.id_strict.is_match(id)),
        "{ids:?}"
    );
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 500);
    for a in &s.tracker.activities {
        assert!((60..=180).contains(&a.title.len()), "{}", a.title);
        let bullets = a.progress.lines().filter(|l| l.starts_with("- ")).count();
        if a.status == "Green" && !a.progress.is_empty() {
            assert!((2..=6).contains(&bullets), "{}", a.progress);
        }
        assert_eq!(crate::clean::multiline(&a.progress), a.progress);
    }
    assert!(
        s.tracker
            .activities
            .iter()
            .any(|a| a.progress.contains("\n  • "))
    );
}

#[test]
fn large_trackers_use_three_digit_ids() {
    let s = Synthetic::generate(10_000, 1);
    assert_eq!(s.tracker.activities[0].id, "KA.001.001");
    let last = &s.tracker.activities[9_999];
    assert!(s.profile().id_strict.is_match(&last.id), "{}", last.id);
}

#[test]
fn xlsx_and_csv_read_back_to_the_tracker_with_every_defect_found() {
    let s = Synthetic::generate(150, 9);
    for (bytes, ext) in [(s.xlsx().unwrap(), "xlsx"), (s.csv().unwrap(), "csv")] {
        let parsed = read_back(bytes, ext, &s);
        assert_eq!(content(&parsed.tracker), content(&s.tracker), "{ext}");
        assert!(
            !parsed.findings.iter().any(|f| f.rule == "unrecognised-row"),
            "{ext}: {:?}",
            parsed.findings
        );
        let ret = crate::rules::Return {
            file: "synthetic",
            parsed: &parsed,
        };
        let profile = s.profile();
        let ctx = crate::rules::Context {
            profile: &profile,
            plan: None,
            previous: None,
        };
        let found = crate::rules::check(ret, &ctx);
        for (rule, defect) in [
            ("placeholder", Defect::PlaceholderLead),
            ("unknown-portfolio", Defect::MisspeltPortfolio),
            ("missing-progress", Defect::GreenWithoutProgress),
            ("normalised", Defect::StatusTypedByHand),
        ] {
            let want: Vec<&str> = s
                .tracker
                .activities
                .iter()
                .zip(s.defects())
                .filter(|(_, d)| *d == Some(defect))
                .map(|(a, _)| a.id.as_str())
                .collect();
            assert!(!want.is_empty());
            for id in want {
                assert!(
                    found
                        .iter()
                        .any(|f| f.rule == rule && f.activity.as_deref() == Some(id)),
                    "{ext}: {rule} on {id}"
                );
            }
        }
    }
    let continued = s
        .defects()
        .iter()
        .filter(|d| **d == Some(Defect::Continuation))
        .count();
    assert!(continued > 0);
}

#[test]
fn each_lead_returns_the_activities_of_its_objectives() {
    let s = Synthetic::generate(300, 5);
    let returns = s.returns_by_lead();
    assert_eq!(returns.len(), 4);
    assert_eq!(
        returns
            .iter()
            .map(|(_, r)| r.tracker.activities.len())
            .sum::<usize>(),
        300
    );
    for (lead, r) in &returns {
        let wrong = r
            .tracker
            .activities
            .iter()
            .filter(|a| &a.lead != lead)
            .count();
        let defects = r
            .defects()
            .iter()
            .filter(|d| **d == Some(Defect::PlaceholderLead))
            .count();
        assert_eq!(wrong, defects, "{lead}: only a placeholder hides the lead");
    }
}

#[test]
fn json_reads_back_to_the_tracker() {
    let s = Synthetic::generate(30, 2);
    let parsed = read_back(s.json().into_bytes(), "json", &s);
    assert_eq!(content(&parsed.tracker), content(&s.tracker));
}
