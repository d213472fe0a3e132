//! Helpers for the rules' own tests.
use super::*;
use crate::model::Activity;

/// A complete, valid Green activity of the default profile.
pub fn activity(id: &str) -> Activity {
    Activity {
        id: id.into(),
        title: "An activity".into(),
        status: "Green".into(),
        progress: "- Work done".into(),
        next_steps: "- Work to do".into(),
        lead: "Chief Officer - Planning and Regeneration".into(),
        portfolio: "Strategy".into(),
        ..Activity::default()
    }
}

/// A return holding these activities.
pub fn parsed(activities: Vec<Activity>) -> Parsed {
    let n = activities.len();
    Parsed {
        tracker: Tracker::with_activities(activities),
        cells: vec![Default::default(); n],
        ..Parsed::default()
    }
}

/// One rule's findings on a return, with a plan and previous quarter.
pub fn run_with(
    rule: &dyn Rule,
    activities: Vec<Activity>,
    plan: Option<&Tracker>,
    previous: Option<&Tracker>,
) -> Vec<Finding> {
    let profile = Profile::default_profile();
    let ctx = Context {
        profile: &profile,
        plan,
        previous,
    };
    let p = parsed(activities);
    let ret = Return {
        file: "t.xlsx",
        parsed: &p,
    };
    let mut memo = Memo::default();
    let mut e = Emitter::new(rule.code(), Some(rule.default_severity()), ret);
    rule.check(&ret, &ctx, &mut memo, &mut e);
    rule.finish(&ctx, &memo, &mut e);
    let whole = e.findings;
    // Checked activity by activity, as a large return is while it is read: the same.
    let mut memo = Memo::default();
    let mut parts = Vec::new();
    for i in 0..p.tracker.activities.len() {
        let part = Parsed {
            tracker: Tracker::with_activities(vec![p.tracker.activities[i].clone()]),
            cells: vec![p.cells[i].clone()],
            ..Parsed::default()
        };
        let ret = Return {
            file: "t.xlsx",
            parsed: &part,
        };
        let mut e = Emitter::new(rule.code(), Some(rule.default_severity()), ret);
        rule.check(&ret, &ctx, &mut memo, &mut e);
        parts.extend(e.findings);
    }
    let mut e = Emitter::new(rule.code(), Some(rule.default_severity()), ret);
    rule.finish(&ctx, &memo, &mut e);
    parts.extend(e.findings);
    assert_eq!(parts, whole, "{} part by part", rule.code());
    whole
}

/// One rule's findings on a return.
pub fn run(rule: &dyn Rule, activities: Vec<Activity>) -> Vec<Finding> {
    run_with(rule, activities, None, None)
}

#[test]
fn checking_on_several_threads_gives_the_same_findings() {
    let profile = Profile::default_profile();
    let plan = Tracker::with_activities(vec![activity("KA.01.01"), activity("KA.02.01")]);
    let ctx = Context {
        profile: &profile,
        plan: Some(&plan),
        previous: Some(&plan),
    };
    let mut odd = activity("KA.01.01");
    odd.lead = "Choose an item.".into();
    odd.status = "Amber/Red".into();
    let returns = [
        parsed(vec![
            odd.clone(),
            activity("KA.09.09"),
            activity("KA.09.09"),
        ]),
        parsed(vec![activity("KA.02.01"), Activity::default()]),
        parsed(vec![odd]),
    ];
    let returns: Vec<Return> = returns
        .iter()
        .map(|p| Return {
            file: "r.xlsx",
            parsed: p,
        })
        .collect();
    let one = check_all(&returns, &ctx);
    assert!(one.iter().map(Vec::len).sum::<usize>() > 6, "{one:?}");
    for rule in ["unexpected-activity", "missing-activity"] {
        assert!(
            one.iter().flatten().any(|f| f.rule == rule),
            "{rule}: {one:?}"
        );
    }
    // check_all lends one index of the plan to every return; each checked alone builds its own.
    let alone: Vec<Vec<Finding>> = returns
        .iter()
        .zip(history::conflicts(&returns, &ctx))
        .map(|(r, conflicts)| {
            let mut found = check(*r, &ctx);
            found.extend(conflicts);
            found
        })
        .collect();
    assert_eq!(one, alone);
    for jobs in [2, 3, 64] {
        assert_eq!(check_all_jobs(&returns, &ctx, jobs), one, "{jobs} jobs");
    }
}

#[test]
fn every_rule_code_is_unique_and_documented() {
    let codes = codes();
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), codes.len());
    assert!(RULES.iter().all(|r| !r.doc().is_empty()));
    for code in [
        "placeholder",
        "missing-lead",
        "unknown-status",
        "bad-id",
        "conflict",
        "stale-progress",
        "unreadable-file",
    ] {
        assert!(is_rule(code), "{code}");
    }
}

#[test]
fn a_profile_can_turn_a_rule_off_or_change_its_severity() {
    let text = crate::profile::DEFAULT_PROFILE.replace(
        "[severities]",
        "[severities]\ntbc-next-steps = \"off\"\nmissing-lead = \"warning\"",
    );
    let profile = Profile::from_toml(&text).unwrap();
    assert_eq!(
        profile.rule_severity("tbc-next-steps", Severity::Warning),
        None
    );
    assert_eq!(
        profile.rule_severity("missing-lead", Severity::Error),
        Some(Severity::Warning)
    );
    let bad = crate::profile::DEFAULT_PROFILE
        .replace("[severities]", "[severities]\nno-such-rule = \"off\"");
    assert!(
        Profile::from_toml(&bad)
            .unwrap_err()
            .to_string()
            .contains("no-such-rule")
    );
}
