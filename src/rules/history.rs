//! History: the return against the plan (activities missing or unexpected), against last
//! quarter (progress copied unchanged), and against the other returns (conflicts).

use super::{Context, Emitter, Memo, Return, Rule, under_way};
use crate::finding::{Finding, Severity};
use crate::model::Activity;
use crate::profile::Profile;
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeSet;

/// The leads a return answers for: the leads its activities name, and the plan's lead of each
/// activity it holds.
pub fn return_leads(ret: &Return, ctx: &Context) -> BTreeSet<String> {
    let mut memo = Memo::default();
    add_leads(&ret.parsed.tracker.activities, ctx, &mut memo);
    memo.leads
}

/// Adds the leads `activities` answer for to `memo.leads` (see [`return_leads`]).
fn add_leads<'c>(activities: &[Activity], ctx: &Context<'c>, memo: &mut Memo<'c>) {
    named_leads(
        activities.iter().map(|a| a.lead.as_str()),
        ctx.profile,
        &mut memo.leads,
    );
    // The plan's first activity of each id, found by hash rather than by a search per activity.
    memo.planned(ctx);
    let planned = memo.planned.take().unwrap_or_default();
    let ids = activities.iter().map(|a| a.id.as_str());
    add_planned_leads(
        ids,
        &|id| planned.get(id).map(|p| p.lead.as_str()),
        &mut memo.leads,
    );
    memo.planned = Some(planned);
}

/// Adds to `leads` the plan's lead of each of `ids` that the plan has (`planned_lead`: the
/// lead of the plan's first activity with an id): the part of [`return_leads`] that needs the
/// plan.
pub fn add_planned_leads<'i, 'p>(
    ids: impl Iterator<Item = &'i str>,
    planned_lead: &dyn Fn(&str) -> Option<&'p str>,
    leads: &mut BTreeSet<String>,
) {
    for lead in ids.filter_map(planned_lead) {
        if !lead.is_empty() {
            add(leads, lead);
        }
    }
}

/// Adds to `leads` the leads named by activities whose leads are `named`: each the profile's
/// lead it matches, or as written when the profile lists no leads (the part of
/// [`return_leads`] that needs no plan).
pub fn named_leads<'a>(
    named: impl Iterator<Item = &'a str>,
    profile: &Profile,
    leads: &mut BTreeSet<String>,
) {
    // Most activities of a return name the same few leads: each is matched once.
    let mut matched: HashMap<&str, Option<&str>> = HashMap::new();
    for lead in named {
        let found = *matched
            .entry(lead)
            .or_insert_with(|| Profile::match_in(&profile.vocabulary.leads, lead));
        if let Some(l) = found {
            add(leads, l);
        } else if !lead.is_empty()
            && !profile.is_placeholder(lead)
            && profile.vocabulary.leads.is_empty()
        {
            add(leads, lead);
        }
    }
}

/// Adds `lead` to `leads` unless it is there already (copied only then).
pub fn add(leads: &mut BTreeSet<String>, lead: &str) {
    if !leads.contains(lead) {
        leads.insert(lead.to_string());
    }
}

/// `missing-activity`: in the plan for this return's lead, absent from the return.
pub struct MissingActivity;

impl Rule for MissingActivity {
    fn code(&self) -> &'static str {
        "missing-activity"
    }
    fn doc(&self) -> &'static str {
        "an activity in the plan for this return's lead that the return lacks (needs --plan)"
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, memo: &mut Memo<'c>, _out: &mut Emitter) {
        if ctx.plan.is_none() {
            return;
        }
        let activities = &ret.parsed.tracker.activities;
        add_leads(activities, ctx, memo);
        memo.held.extend(activities.iter().map(|a| a.id.clone()));
    }
    fn finish(&self, ctx: &Context, memo: &Memo, out: &mut Emitter) {
        let Some(plan) = ctx.plan else { return };
        let plan = plan.activities.iter().map(|p| [&*p.id, &p.title, &p.lead]);
        missing(plan, &memo.leads, &|id| memo.held.contains(id), out);
    }
}

/// `unexpected-activity`: in a return, not in the plan.
pub struct UnexpectedActivity;

impl Rule for UnexpectedActivity {
    fn code(&self) -> &'static str {
        "unexpected-activity"
    }
    fn doc(&self) -> &'static str {
        "an activity in a return that is not in the plan (needs --plan)"
    }
    fn default_severity(&self) -> Severity {
        Severity::Warning
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, memo: &mut Memo<'c>, out: &mut Emitter) {
        if ctx.plan.is_none() {
            return;
        }
        let planned = memo.planned(ctx);
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if !a.id.is_empty() && !planned.contains_key(a.id.as_str()) {
                out.at(i, "id", not_in_plan(&a.id), None);
            }
        }
    }
}

/// `missing-activity`'s findings for a return that answers for `leads` and holds the ids
/// `held` says it holds: each of the plan's activities, given as [id, title, lead] in plan
/// order, led by one of `leads` and not held.
pub fn missing<'p>(
    plan: impl Iterator<Item = [&'p str; 3]>,
    leads: &BTreeSet<String>,
    held: &dyn Fn(&str) -> bool,
    out: &mut Emitter,
) {
    for [id, title, lead] in plan {
        if leads.contains(lead) && !held(id) {
            missing_one(id, title, lead, out);
        }
    }
}

/// `missing-activity`'s finding on the plan activity `id` (titled `title`) of `lead`.
pub fn missing_one(id: &str, title: &str, lead: &str, out: &mut Emitter) {
    out.file(
        Some(id),
        format!("{id} ({title}) is in the plan for {lead} but not in this return"),
    );
}

/// The message of `unexpected-activity` for `id`.
pub fn not_in_plan(id: &str) -> String {
    format!("{id} is not in the plan for this quarter")
}

/// `stale-progress`: progress identical to last quarter's, for an activity under way; or a row
/// returned untouched (status, progress and next steps all as last quarter) whatever its status.
pub struct StaleProgress;

impl Rule for StaleProgress {
    fn code(&self) -> &'static str {
        "stale-progress"
    }
    fn doc(&self) -> &'static str {
        "progress identical to the previous quarter's for an activity under way, or a row returned untouched (needs --previous)"
    }
    fn default_severity(&self) -> Severity {
        Severity::Warning
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, memo: &mut Memo<'c>, out: &mut Emitter) {
        if ctx.previous.is_none() {
            return;
        }
        let before = memo.before(ctx);
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            let Some(p) = before.get(a.id.as_str()) else {
                continue;
            };
            if a.progress.is_empty() || a.progress != p.progress {
                continue;
            }
            if a.status == p.status && a.next_steps == p.next_steps {
                out.at(i, "progress", "nothing has changed since last quarter: status, progress and next steps are as they were; please update them".into(), None);
            } else if under_way(ctx.profile, &a.status) {
                out.at(
                    i,
                    "progress",
                    "progress is word for word the same as last quarter's; please update it".into(),
                    None,
                );
            }
        }
    }
}

/// The fields two returns must agree on for one activity.
const AGREED: [&str; 6] = [
    "title",
    "status",
    "progress",
    "next_steps",
    "lead",
    "portfolio",
];

/// `conflict`: the same activity in two returns with different content, reported on the later
/// return, pointing at the earlier one. Returns one list per return.
pub fn conflicts(returns: &[Return], ctx: &Context) -> Vec<Vec<Finding>> {
    let mut out: Vec<Vec<Finding>> = vec![Vec::new(); returns.len()];
    let Some(severity) = ctx.profile.rule_severity("conflict", Severity::Error) else {
        return out;
    };
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    for (r, ret) in returns.iter().enumerate() {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if a.id.is_empty() {
                continue;
            }
            let Some(&(r0, i0)) = seen.get(a.id.as_str()) else {
                seen.insert(&a.id, (r, i));
                continue;
            };
            if r0 == r {
                continue; // a duplicate within one return is `duplicate-id`
            }
            let first = &returns[r0].parsed.tracker.activities[i0];
            let differ: Vec<&str> = AGREED
                .into_iter()
                .filter(|f| first.field(f) != a.field(f))
                .collect();
            if differ.is_empty() {
                continue;
            }
            let field = differ[0];
            let mut e = Emitter::new("conflict", Some(severity), *ret);
            let place = match returns[r0].parsed.cells.get(i0) {
                Some(c) if !c.cell(field).is_empty() && !c.sheet.is_empty() => {
                    format!("{}:{}!{}", returns[r0].file, c.sheet, c.cell(field))
                }
                Some(c) if !c.cell(field).is_empty() => {
                    format!("{}:{}", returns[r0].file, c.cell(field))
                }
                _ => returns[r0].file.to_string(),
            };
            e.at(
                i,
                field,
                format!(
                    "{} is also in {place} with a different {}",
                    a.id,
                    differ.join(", ").replace('_', " ")
                ),
                None,
            );
            out[r].extend(e.findings);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{activity, parsed, run, run_with};
    use super::*;
    use crate::model::Tracker;

    #[test]
    fn missing_and_unexpected_against_the_plan() {
        let plan = Tracker::with_activities(vec![
            activity("KA.01.01"),
            activity("KA.01.02"),
            activity("KA.01.03"),
        ]);
        let mut other_lead = activity("KA.01.03");
        other_lead.lead = "Chief Officer - Governance".into();
        let plan2 =
            Tracker::with_activities(vec![activity("KA.01.01"), activity("KA.01.02"), other_lead]);
        let ret = vec![activity("KA.01.01"), activity("KA.09.09")];
        let f = run_with(&MissingActivity, ret.clone(), Some(&plan2), None);
        assert_eq!(
            f.iter()
                .map(|f| f.activity.as_deref().unwrap())
                .collect::<Vec<_>>(),
            ["KA.01.02"],
            "KA.01.03 belongs to another lead"
        );
        assert_eq!(f[0].cell, "");
        let f = run_with(&UnexpectedActivity, ret, Some(&plan), None);
        assert_eq!(
            f.iter()
                .map(|f| f.activity.as_deref().unwrap())
                .collect::<Vec<_>>(),
            ["KA.09.09"]
        );
        assert!(
            run(&MissingActivity, vec![activity("KA.01.01")]).is_empty(),
            "no plan, no finding"
        );
    }

    #[test]
    fn stale_progress_only_when_identical_and_under_way() {
        let previous = Tracker::with_activities(vec![activity("KA.01.01")]);
        assert_eq!(
            run_with(
                &StaleProgress,
                vec![activity("KA.01.01")],
                None,
                Some(&previous)
            )
            .len(),
            1
        );
        let mut changed = activity("KA.01.01");
        changed.progress = "- Something new".into();
        assert!(run_with(&StaleProgress, vec![changed], None, Some(&previous)).is_empty());
        let mut later = activity("KA.01.01");
        later.status = "Start Later in Year".into();
        later.next_steps = "- Plan the work".into();
        assert!(
            run_with(&StaleProgress, vec![later.clone()], None, Some(&previous)).is_empty(),
            "not under way, and the row was touched"
        );
        let untouched = Tracker::with_activities(vec![later.clone()]);
        assert_eq!(
            run_with(&StaleProgress, vec![later], None, Some(&untouched)).len(),
            1,
            "an untouched row is flagged whatever its status"
        );
    }

    #[test]
    fn conflicts_between_returns() {
        let profile = Profile::default_profile();
        let ctx = Context {
            profile: &profile,
            plan: None,
            previous: None,
        };
        let a = parsed(vec![activity("KA.01.01"), activity("KA.01.02")]);
        let mut changed = activity("KA.01.01");
        changed.progress = "- different".into();
        let b = parsed(vec![changed, activity("KA.01.02")]);
        let returns = [
            Return {
                file: "a.xlsx",
                parsed: &a,
            },
            Return {
                file: "b.xlsx",
                parsed: &b,
            },
        ];
        let f = conflicts(&returns, &ctx);
        assert!(f[0].is_empty());
        assert_eq!(f[1].len(), 1, "only KA.01.01 differs");
        assert!(f[1][0].message.contains("a.xlsx"), "{}", f[1][0].message);
    }
}
