//! import → export (xlsx, csv, json) → import is the identity, for the samples and for random
//! trackers with awkward text.

use super::{Workdir, content, import, import_bytes, sample};
use katrack::profile::Profile;
use katrack::{Activity, Tracker, write};
use proptest::prelude::*;

fn export(t: &Tracker, ext: &str) -> Vec<u8> {
    let profile = Profile::default_profile();
    match ext {
        "xlsx" => write::tracker_workbook(t, &profile).unwrap(),
        "csv" => write::to_csv(t).unwrap(),
        _ => write::to_json(t).into_bytes(),
    }
}

#[test]
fn samples_round_trip_through_every_format() {
    for file in [
        "harborough_q1_2020_21.xlsx",
        "returns/return_communities.xlsx",
        "returns/return_governance.csv",
    ] {
        let t = import(&sample(file));
        for ext in ["xlsx", "csv", "json"] {
            let back = import_bytes(export(&t, ext), ext);
            assert_eq!(content(&back), content(&t), "{file} via {ext}");
        }
    }
}

#[test]
fn json_and_csv_keep_provenance_and_metadata() {
    let t = import(&sample("harborough_q1_2020_21.xlsx"));
    let back = import_bytes(export(&t, "json"), "json");
    assert_eq!(back, t);
    let back = import_bytes(export(&t, "csv"), "csv");
    let sources: Vec<_> = back.activities.iter().map(|a| a.source.clone()).collect();
    assert_eq!(
        sources,
        t.activities
            .iter()
            .map(|a| a.source.clone())
            .collect::<Vec<_>>()
    );
    let back = import_bytes(export(&t, "xlsx"), "xlsx");
    assert_eq!(
        (back.title.as_str(), back.period.as_str()),
        (t.title.as_str(), t.period.as_str())
    );
}

#[test]
fn export_command_writes_a_workbook_that_imports_back() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("export")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "tracker.xlsx"])
        .assert()
        .success();
    let back = import(&wd.path("tracker.xlsx"));
    assert_eq!(
        content(&back),
        content(&import(&sample("harborough_q1_2020_21.json")))
    );
}

/// Awkward one-line text: quotes, formula-like starts, non-ASCII, separators.
fn awkward_line() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[A-Za-z0-9]{1,12}",
            Just("\"quoted\"".to_string()),
            Just("'".to_string()),
            Just("=SUM(A1:A2)".to_string()),
            Just("+44".to_string()),
            Just("-".to_string()),
            Just("@mention".to_string()),
            Just("£11,000".to_string()),
            Just("café – naïve ✓".to_string()),
            Just("a,b;c\td".to_string()),
            Just("<not a tag>".to_string()),
            Just("&amp;".to_string()),
        ],
        0..6,
    )
    .prop_map(|words| words.join(" "))
}

/// Awkward multi-line text: bullets, sub-bullets, leading formula characters, long lines.
fn awkward_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop_oneof![
                Just(""),
                Just("- "),
                Just("• "),
                Just("="),
                Just("+"),
                Just("@")
            ],
            awkward_line(),
            0usize..3,
        )
            .prop_map(|(lead, line, repeat)| {
                format!("{lead}{line}{}", " lengthy words".repeat(repeat * 150))
            }),
        0..5,
    )
    .prop_map(|lines| lines.join("\n"))
}

fn activity() -> impl Strategy<Value = Activity> {
    (
        (1u32..10, 1u32..20),
        (
            awkward_line(),
            awkward_line(),
            awkward_text(),
            awkward_text(),
        ),
        (
            awkward_line(),
            awkward_line(),
            0u32..10,
            awkward_line(),
            awkward_line(),
            awkward_line(),
        ),
    )
        .prop_map(
            |(
                (o, n),
                (title, status, progress, next_steps),
                (lead, portfolio, co, ot, theme, strap),
            )| Activity {
                id: format!("KA.{o:02}.{n:02}"),
                title,
                status,
                progress,
                next_steps,
                lead,
                portfolio,
                objective_id: if co == 0 {
                    String::new()
                } else {
                    format!("CO {co}")
                },
                objective_title: ot,
                theme,
                theme_strapline: strap,
                source: None,
            },
        )
}

/// A random tracker in canonical form (cleaning a canonical tracker changes nothing).
fn tracker() -> impl Strategy<Value = Tracker> {
    prop::collection::vec(activity(), 1..8).prop_map(super::canonical)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_trackers_round_trip(t in tracker()) {
        for ext in ["xlsx", "csv", "json"] {
            let back = import_bytes(export(&t, ext), ext);
            prop_assert_eq!(content(&back), content(&t), "via {}", ext);
        }
    }
}
