//! Tests of what is kept of a set-aside merge's plan (`aside_plan.rs`).

use super::*;

#[test]
fn a_plan_row_gives_the_fields_of_its_activity() {
    let a = Activity {
        id: "KA.01.01".into(),
        title: "Étape — one".into(),
        progress: "line\nline".into(),
        theme_strapline: "last".into(),
        ..Activity::default()
    };
    assert_eq!(PlanRow::from(&a).fields(), a.fields());
    let mut kept = KeptPlan::default();
    kept.push(a.fields());
    kept.finish();
    let fields = kept.fields(0);
    assert_eq!(kept.titles().get(0), "Étape — one");
    assert_eq!(fields[field::TITLE], "");
    assert_eq!(fields[field::THEME_STRAPLINE], "last");
    assert_eq!(fields[field::PROGRESS], "");
}

#[test]
fn titles_past_the_first_mib_are_read_back_from_the_file_in_any_order() {
    // 30,000 titles of up to 140 bytes: about 2.5 MB, so two files' worth and some held;
    // non-ASCII, empty and repeated ones among them.
    let title = |i: usize| match i % 7 {
        0 => String::new(),
        1 => "Étape — the same".to_string(),
        _ => format!("{i} {}", "Develop a plan é ".repeat(i % 8)),
    };
    let mut kept = KeptPlan::default();
    for i in 0..30_000 {
        let a = Activity {
            id: format!("KA.{i}"),
            title: title(i),
            ..Activity::default()
        };
        kept.push(a.fields());
    }
    kept.finish();
    assert!(kept.titles.spilled_len() > 0, "nothing went to the file");
    let total: usize = (0..30_000).map(|i| title(i).len()).sum();
    let spilled = kept.titles.spilled_len() as usize;
    assert_eq!(kept.titles.text.len() + spilled, total);
    assert!(
        spilled > total - TITLES_HELD - 500_000,
        "{spilled} of {total} spilled"
    );
    // Backwards, then forwards: the windows of the file read either way.
    let mut titles = kept.titles();
    for i in (0..30_000)
        .rev()
        .step_by(7)
        .chain([0, 29_999, 12_345])
        .chain(0..30_000)
    {
        assert_eq!(titles.get(i), title(i), "title {i}");
    }
    assert!(kept.error().is_none());
}

#[test]
fn a_row_is_written_from_what_is_kept_with_its_own_progress_and_next_steps() {
    let activity = |id: &str, progress: &str, next: &str| Activity {
        id: id.into(),
        title: format!("{id} title"),
        lead: "Lead".into(),
        progress: progress.into(),
        next_steps: next.into(),
        ..Activity::default()
    };
    let plan = [
        activity("KA.01", "", ""),
        activity("KA.02", "done", ""),
        activity("", "", "next"),
        activity("KA.04", "", ""),
        activity("KA.05", "é\nmore", "then"),
    ];
    let (mut kept, mut unwritten) = (KeptPlan::default(), Unwritten::default());
    for (i, a) in plan.iter().enumerate() {
        let row = PlanRow::from(a);
        unwritten.push(i, row.fields());
        kept.push(row.fields());
    }
    assert_eq!(kept.len(), plan.len());
    for (i, a) in plan.iter().enumerate() {
        assert_eq!(unwritten.row(&kept, i), a.fields(), "row {i}");
        assert_eq!(kept.id(i), a.id);
    }
    // A row skipped gives its texts up with the next.
    let (mut kept, mut unwritten) = (KeptPlan::default(), Unwritten::default());
    for (i, a) in plan.iter().enumerate() {
        unwritten.push(i, a.fields());
        kept.push(a.fields());
    }
    assert_eq!(unwritten.row(&kept, 4), plan[4].fields());
    assert!(unwritten.texts.is_empty());
}

#[test]
fn texts_kept_past_the_limit_read_back_from_the_file_as_they_were() {
    let plan: Vec<Activity> = (0..400)
        .map(|i| Activity {
            id: format!("KA.{i:03}"),
            title: if i % 5 == 0 {
                String::new()
            } else {
                format!("Title é {i}")
            },
            progress: "é line\n".repeat(i % 13),
            next_steps: if i % 3 == 0 {
                String::new()
            } else {
                format!("next {i}")
            },
            ..Activity::default()
        })
        .collect();
    for limit in [0, 50, 1000, usize::MAX] {
        // How many rows come before the first is written, and between rows written.
        for lag in [1, 7, 150, 400] {
            let (mut kept, mut unwritten) = (KeptPlan::default(), Unwritten::holding(limit));
            let mut next = 0;
            for (i, a) in plan.iter().enumerate() {
                unwritten.push(i, a.fields());
                kept.push(a.fields());
                assert!(
                    unwritten.held.len() <= limit,
                    "{} held",
                    unwritten.held.len()
                );
                while next + lag <= i {
                    assert_eq!(unwritten.row(&kept, next), plan[next].fields(), "{next}");
                    next += 1;
                }
            }
            for (n, a) in plan.iter().enumerate().skip(next) {
                assert_eq!(unwritten.row(&kept, n), a.fields(), "row {n}, lag {lag}");
            }
            assert!(unwritten.error.is_none());
            if limit == usize::MAX {
                assert!(unwritten.spill.is_none());
            } else if lag >= 150 {
                assert!(unwritten.spill.is_some(), "{limit} {lag}");
            }
        }
    }
}
