//! What a merge makes of a few returns, by merge_owned, merge_streamed and merge_jobs, and the
//! rows merge_owned and merge_streamed hand over before and after the returns are checked.

use super::*;
use crate::layout::parse_tracker;
use crate::model::Activity;

fn activity(id: &str, lead: &str, progress: &str) -> Activity {
    Activity {
        id: id.into(),
        title: format!("Title of {id}"),
        status: "Green".into(),
        progress: progress.into(),
        lead: lead.into(),
        objective_id: "CO 8".into(),
        objective_title: "Sound finances".into(),
        ..Activity::default()
    }
}

fn returns(profile: &Profile, sets: &[(&str, Vec<Activity>)]) -> Vec<(String, Parsed)> {
    sets.iter()
        .map(|(file, acts)| {
            let t = Tracker::with_activities(acts.clone());
            (file.to_string(), parse_tracker(t, file, profile))
        })
        .collect()
}

/// The owned merge gives what the borrowing one gives, and hands `early` the master's rows
/// exactly when no id is given twice. Returns the merge.
fn same_as_borrowed(sets: &[(&str, Vec<Activity>)], expect_early: bool) -> Merged {
    let profile = Profile::default_profile();
    let gov = "Chief Officer - Governance";
    let mut plan = Tracker::with_activities(vec![
        activity("KA.08.01", gov, ""),
        activity("KA.08.02", gov, ""),
        activity("KA.08.03", "Chief Officer - Finance and Assets", ""),
    ]);
    plan.title = "Plan".into();
    let plan_copy = plan.clone();
    let owned = returns(&profile, sets);
    let borrowed: Vec<Return> = owned
        .iter()
        .map(|(file, parsed)| Return { file, parsed })
        .collect();
    let expected = merge_jobs(&plan, &borrowed, &profile, None, 2);
    let owned_rows = |rows: &mut dyn Iterator<Item = Fields>| {
        rows.map(|f| f.map(str::to_string)).collect::<Vec<_>>()
    };
    let (pending, early) = merge_owned(
        plan,
        owned.clone(),
        &profile,
        None,
        2,
        owned_rows,
        |rows, per_return, leads| {
            let findings: Vec<Finding> = per_return.iter().flatten().cloned().collect();
            (listed(rows), findings, leads.to_vec())
        },
    );
    let got = pending.merged();
    assert_eq!(got.master, expected.master);
    assert_eq!(got.leads, expected.leads);
    assert_eq!(got.not_returned, expected.not_returned);
    assert_eq!(got.findings, expected.findings);
    assert_eq!(early.is_some(), expect_early);
    if let Some((rows, (beside, findings, leads))) = early {
        let master: Vec<_> = got
            .master
            .activities
            .iter()
            .map(|a| a.fields().map(str::to_string))
            .collect();
        assert_eq!(rows, master);
        // The rules' thread is handed the same rows, with every finding and the lead table.
        assert_eq!(beside, master);
        assert_eq!(findings, got.findings);
        assert_eq!(leads, got.leads);
    }
    for size in [1, 2] {
        streamed_same(&plan_copy, &owned, size, &got, expect_early);
    }
    got
}

/// Rows written to a sink; each row written lets the next batch of the plan come (so rows are
/// written while the plan is still arriving), and the last closes the plan.
struct Sink {
    rows: Vec<[String; 11]>,
    plan: Option<std::sync::mpsc::Sender<Vec<Activity>>>,
    rest: std::collections::VecDeque<Vec<Activity>>,
}

impl RowSink for Sink {
    type Out = Vec<[String; 11]>;

    fn row(&mut self, fields: &Fields) {
        self.rows.push(fields.map(str::to_string));
        match self.rest.pop_front() {
            Some(batch) => {
                let _ = self.plan.as_ref().map(|tx| tx.send(batch));
            }
            None => self.plan = None,
        }
    }

    fn finish(self) -> Self::Out {
        self.rows
    }
}

/// The plan streamed in batches of `size` gives the merge `expected`, its rows written early
/// exactly as [`merge_owned`] writes them.
fn streamed_same(
    plan: &Tracker,
    owned: &[(String, Parsed)],
    size: usize,
    expected: &Merged,
    expect_early: bool,
) {
    let profile = Profile::default_profile();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut batches: std::collections::VecDeque<Vec<Activity>> =
        plan.activities.chunks(size).map(<[_]>::to_vec).collect();
    // Without early rows nothing is written: the whole plan is there from the start.
    let upfront = if expect_early { 1 } else { batches.len() };
    for batch in batches.drain(..upfront.min(batches.len())) {
        tx.send(batch).unwrap();
    }
    let mut tx = Some(tx);
    if !expect_early || batches.is_empty() {
        tx = None;
    }
    let meta = plan.title_lines();
    let stream = PlanStream {
        meta: &meta,
        activities: rx,
    };
    let (pending, early) = merge_streamed(
        stream,
        owned.to_vec(),
        &profile,
        None,
        2,
        move || Sink {
            rows: Vec::new(),
            plan: tx,
            rest: batches,
        },
        |rows, per_return, leads| {
            let findings: Vec<Finding> = per_return.iter().flatten().cloned().collect();
            (listed(rows), findings, leads.to_vec())
        },
    );
    assert_eq!(pending.master_len(), expected.master.activities.len());
    // Put together, or only counted (the master's title lines, not its activities).
    let got = if size == 1 {
        let got = pending.merged();
        assert_eq!(got.master, expected.master);
        got
    } else {
        let got = pending.counted();
        let title_lines = Tracker {
            activities: Vec::new(),
            ..expected.master.clone()
        };
        assert_eq!(got.master, title_lines);
        got
    };
    assert_eq!(got.leads, expected.leads);
    assert_eq!(got.not_returned, expected.not_returned);
    assert_eq!(got.findings, expected.findings);
    assert_eq!(early.is_some(), expect_early);
    if let Some((rows, (beside, findings, leads))) = early {
        let master: Vec<_> = expected
            .master
            .activities
            .iter()
            .map(|a| a.fields().map(str::to_string))
            .collect();
        assert_eq!(rows, master, "batches of {size}");
        assert_eq!(beside, master);
        assert_eq!(findings, got.findings);
        assert_eq!(leads, got.leads);
    }
}

/// Each master activity as (id, title, progress, lead, the return it came from).
fn master_of(m: &Merged) -> Vec<[String; 5]> {
    m.master
        .activities
        .iter()
        .map(|a| {
            let from = a.source.as_ref().map_or("", |s| s.file.as_str());
            [&a.id, &a.title, &a.progress, &a.lead, from].map(str::to_string)
        })
        .collect()
}

fn row(id: &str, title: &str, progress: &str, lead: &str, from: &str) -> [String; 5] {
    [id, title, progress, lead, from].map(str::to_string)
}

#[test]
fn unique_ids_are_written_early_and_merged_the_same() {
    let gov = "Chief Officer - Governance";
    let mut untitled = activity("KA.08.02", "", "Done.");
    untitled.title.clear();
    let merged = same_as_borrowed(
        &[
            ("b.json", vec![activity("KA.08.01", gov, "Started.")]),
            ("a.json", vec![untitled, activity("KA.09.09", gov, "New.")]),
        ],
        true,
    );
    let fin = "Chief Officer - Finance and Assets";
    assert_eq!(
        master_of(&merged),
        [
            row("KA.08.01", "Title of KA.08.01", "Started.", gov, "b.json"),
            // What the return leaves empty, the plan gives.
            row("KA.08.02", "Title of KA.08.02", "Done.", gov, "a.json"),
            // Nobody returned it: the plan's, with no source.
            row("KA.08.03", "Title of KA.08.03", "", fin, ""),
            // No plan expected it: after the plan's.
            row("KA.09.09", "Title of KA.09.09", "New.", gov, "a.json"),
        ]
    );
    assert_eq!(merged.not_returned, ["KA.08.03"]);
    assert_eq!(merged.master.title, "Plan");
}

#[test]
fn an_id_in_two_returns_waits_for_the_findings_and_merges_the_same() {
    let gov = "Chief Officer - Governance";
    let no_lead = activity("KA.08.01", "", "Said otherwise.");
    let mut complete = activity("KA.08.01", gov, "Started.");
    complete.portfolio = "Finance".into();
    let merged = same_as_borrowed(
        &[("b.json", vec![complete]), ("a.json", vec![no_lead])],
        false,
    );
    // a.json's has neither lead nor portfolio (two errors), b.json's only the conflict: b.json's
    // wins although a.json comes first by name.
    assert_eq!(
        master_of(&merged)[0],
        row("KA.08.01", "Title of KA.08.01", "Started.", gov, "b.json")
    );
    assert!(merged.findings.iter().any(|f| f.rule == "conflict"));
    assert_eq!(merged.not_returned, ["KA.08.02", "KA.08.03"]);
}

#[test]
fn activities_no_plan_expects_come_after_the_plan_by_id_whichever_return_holds_them() {
    let gov = "Chief Officer - Governance";
    let mut no_id = activity("", gov, "An activity with no id.");
    no_id.title = "No id".into();
    let merged = same_as_borrowed(
        &[
            (
                "c.json",
                vec![
                    activity("KA.09.03", gov, "Third."),
                    activity("KA.08.03", gov, "Planned."),
                    no_id,
                ],
            ),
            (
                "a.json",
                vec![
                    activity("KA.09.01", gov, "First."),
                    activity("KA.10.01", gov, "Last."),
                ],
            ),
            ("b.json", vec![activity("KA.09.02", gov, "Second.")]),
        ],
        true,
    );
    let ids: Vec<&str> = merged
        .master
        .activities
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    // The activity with no id is a finding of its return, not a master activity.
    assert_eq!(
        ids,
        [
            "KA.08.01", "KA.08.02", "KA.08.03", "KA.09.01", "KA.09.02", "KA.09.03", "KA.10.01"
        ]
    );
    let from: Vec<[String; 5]> = master_of(&merged)[2..].to_vec();
    assert_eq!(
        from[0],
        row("KA.08.03", "Title of KA.08.03", "Planned.", gov, "c.json")
    );
    assert_eq!(from[1][4], "a.json");
    assert_eq!(from[2][4], "b.json");
    assert_eq!(from[3][4], "c.json");
    assert_eq!(
        from[4],
        row("KA.10.01", "Title of KA.10.01", "Last.", gov, "a.json")
    );
}

/// The rows handed to the other sheets, in a list.
fn listed(rows: &dyn crate::model::Rows) -> Vec<[String; 11]> {
    let mut all = Vec::new();
    rows.each(&mut |row| all.push(row.map(str::to_string)));
    all
}
