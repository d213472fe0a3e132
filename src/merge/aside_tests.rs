//! Tests of returns set aside (`aside.rs`).

use super::*;
use crate::model::{Activity, Tracker};

/// A return of `n` activities whose text is long, short, empty and not ASCII, with one
/// progress far longer than a window.
fn parsed(n: usize, tag: &str) -> Parsed {
    let activities = (0..n)
        .map(|i| Activity {
            id: format!("KA.{tag}.{i:04}"),
            title: format!("Étape {i} — {}", "x".repeat(i % 300)),
            status: ["Green", "Amber", ""][i % 3].into(),
            progress: if i == 7 {
                "€".repeat(100_000)
            } else {
                "progress\nline ".repeat(i % 50)
            },
            lead: format!("Lead {}", i % 4),
            ..Activity::default()
        })
        .collect();
    Parsed {
        tracker: Tracker::with_activities(activities),
        ..Parsed::default()
    }
}

#[test]
fn a_spill_that_cannot_be_written_is_an_error_not_a_return_with_holes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spill");
    std::fs::write(&path, b"").unwrap();
    // Opened to read only: every write fails.
    let file = std::fs::File::open(&path).unwrap();
    let spill = Spill::to_file(file);
    let profile = Profile::default_profile();
    assert!(set_aside("a.xlsx", parsed(10, "A"), &profile, &spill).is_err());
}

#[test]
fn every_field_reads_back_as_it_was_set_aside_in_any_order() {
    let profile = Profile::default_profile();
    for spill in [Spill::new(), Spill::in_memory()] {
        let (a, b) = (parsed(3000, "A"), parsed(2500, "B"));
        let want: Vec<Vec<Activity>> =
            vec![a.tracker.activities.clone(), b.tracker.activities.clone()];
        let returns = [
            set_aside("a.xlsx", a, &profile, &spill).unwrap(),
            set_aside("b.xlsx", b, &profile, &spill).unwrap(),
        ];
        let spilled = spill.finish();
        let mut reader = Reader::new(&spilled, 2);
        let keys: Vec<Vec<(String, At)>> = (0..2)
            .map(|r| {
                let mut keys = Vec::new();
                let f = &mut |i, key: Key| {
                    assert_eq!(i, keys.len());
                    let at = At {
                        r: r as u32,
                        at: key.at,
                        len: key.len,
                        short: key.short,
                    };
                    keys.push((key.id.to_string(), at));
                };
                returns[r].each_key(&spilled, f).unwrap();
                keys
            })
            .collect();
        assert_eq!(returns[1].ids(&spilled).unwrap()[7], "KA.B.0007");
        // Back and forth between the returns, forwards then backwards.
        let order = (0..2500).flat_map(|i| [(0, i), (1, 2499 - i), (0, 2999 - i)]);
        for (r, i) in order {
            let (id, at) = &keys[r][i];
            let got = reader.fields(&returns, id, *at);
            assert_eq!(got, want[r][i].fields(), "return {r}, activity {i}");
        }
        assert!(reader.error.is_none());
        // The short fields alone, for the other sheets.
        let short = returns[1].short_fields(&keys[1][5].0, keys[1][5].1.short);
        assert_eq!(
            (short[field::ID], short[field::LEAD]),
            ("KA.B.0005", "Lead 1")
        );
        assert_eq!(short[field::TITLE], "");
    }
}
