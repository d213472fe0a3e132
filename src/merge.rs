//! Merge: the quarter's returns into one master tracker. One activity per plan id, taken from the
//! return that holds it; activities nobody returned stay with their plan data; per lead, what
//! was expected, returned, missing and still wrong. The result does not depend on the order the
//! returns are given in.

use crate::finding::{Finding, Severity};
use crate::model::{Activity, Tracker};
use crate::profile::Profile;
use crate::rules::{self, Context, Return};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// How complete one lead's return is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeadReturn {
    /// The lead officer.
    pub lead: String,
    /// Activities the plan gives this lead.
    pub expected: usize,
    /// Of those, how many some return holds.
    pub returned: usize,
    /// The ids nobody returned.
    pub missing: Vec<String>,
    /// Returned activities with at least one error finding.
    pub with_errors: usize,
    /// The files that hold this lead's activities.
    pub files: Vec<String>,
}

/// The merged quarter.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// The master tracker: the plan's activities in plan order (returned ones with the return's
    /// content and `source`, the others with the plan's data and no `source`), then activities
    /// no plan expected, by id.
    pub master: Tracker,
    /// Per lead, in the profile's order of leads, then any other lead by name.
    pub leads: Vec<LeadReturn>,
    /// Plan ids no return holds.
    pub not_returned: Vec<String>,
    /// Every finding on every return (with the plan rules), by file name.
    pub findings: Vec<Finding>,
}

/// Merges returns into the master for `plan`. Returns are taken in file-name order whatever
/// order they are given in; where two returns give one activity, the one with fewer errors wins,
/// then the first by file name (the other is reported as a `conflict`).
pub fn merge(
    plan: &Tracker,
    returns: &[Return],
    profile: &Profile,
    previous: Option<&Tracker>,
) -> Merged {
    merge_jobs(plan, returns, profile, previous, 1)
}

/// [`merge`] with the returns checked on up to `jobs` threads; the result is the same.
pub fn merge_jobs(
    plan: &Tracker,
    returns: &[Return],
    profile: &Profile,
    previous: Option<&Tracker>,
    jobs: usize,
) -> Merged {
    let mut returns: Vec<Return> = returns.to_vec();
    returns.sort_by(|a, b| a.file.cmp(b.file));
    let ctx = Context {
        profile,
        plan: Some(plan),
        previous,
    };
    let per_return = rules::check_all_jobs(&returns, &ctx, jobs);
    // (return, id) → its error findings, counted once rather than searched per activity.
    let mut error_count: HashMap<(usize, &str), usize> = HashMap::new();
    for (r, found) in per_return.iter().enumerate() {
        for f in found.iter().filter(|f| f.severity == Severity::Error) {
            if let Some(id) = f.activity.as_deref() {
                *error_count.entry((r, id)).or_default() += 1;
            }
        }
    }
    let errors = |r: usize, id: &str| error_count.get(&(r, id)).copied().unwrap_or(0);
    // id → candidates (errors, return index, activity index)
    let mut held: BTreeMap<&str, Vec<(usize, usize, usize)>> = BTreeMap::new();
    for (r, ret) in returns.iter().enumerate() {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if !a.id.is_empty() {
                held.entry(&a.id)
                    .or_default()
                    .push((errors(r, &a.id), r, i));
            }
        }
    }
    let pick = |id: &str| held.get(id).and_then(|c| c.iter().min().copied());
    let mut master = Tracker {
        title: plan.title.clone(),
        organisation: plan.organisation.clone(),
        period: plan.period.clone(),
        ..Tracker::default()
    };
    let mut not_returned = Vec::new();
    for p in &plan.activities {
        match pick(&p.id) {
            Some((_, r, i)) => master
                .activities
                .push(from_return(p, &returns[r].parsed.tracker.activities[i])),
            None => {
                not_returned.push(p.id.clone());
                master.activities.push(Activity {
                    source: None,
                    ..p.clone()
                });
            }
        }
    }
    let planned: BTreeSet<&str> = plan.activities.iter().map(|a| a.id.as_str()).collect();
    for (id, _) in held.iter().filter(|(id, _)| !planned.contains(*id)) {
        if let Some((_, r, i)) = pick(id) {
            master
                .activities
                .push(returns[r].parsed.tracker.activities[i].clone());
        }
    }
    let leads = lead_table(plan, &returns, &per_return, &not_returned, profile);
    Merged {
        master,
        leads,
        not_returned,
        findings: per_return.into_iter().flatten().collect(),
    }
}

/// The plan's activity updated with a return's content.
fn from_return(plan: &Activity, got: &Activity) -> Activity {
    let or_plan = |mine: &str, theirs: &str| {
        if mine.is_empty() {
            theirs.to_string()
        } else {
            mine.to_string()
        }
    };
    Activity {
        id: plan.id.clone(),
        title: or_plan(&got.title, &plan.title),
        status: got.status.clone(),
        progress: got.progress.clone(),
        next_steps: got.next_steps.clone(),
        lead: or_plan(&got.lead, &plan.lead),
        portfolio: or_plan(&got.portfolio, &plan.portfolio),
        objective_id: or_plan(&plan.objective_id, &got.objective_id),
        objective_title: or_plan(&plan.objective_title, &got.objective_title),
        theme: or_plan(&plan.theme, &got.theme),
        theme_strapline: or_plan(&plan.theme_strapline, &got.theme_strapline),
        source: got.source.clone(),
    }
}

/// The lead an activity is grouped under: `""` when it has none or a placeholder.
pub fn lead_of(a: &Activity, profile: &Profile) -> String {
    if a.lead.is_empty() || profile.is_placeholder(&a.lead) {
        String::new()
    } else {
        a.lead.clone()
    }
}

/// A tracker's activities grouped by lead, in the profile's order of leads, then the other
/// leads by name, then those with no lead (`""`). Leads with no activity are left out.
pub fn by_lead<'a>(tracker: &'a Tracker, profile: &Profile) -> Vec<(String, Vec<&'a Activity>)> {
    let mut leads: Vec<String> = profile.vocabulary.leads.clone();
    let mut others: Vec<String> = tracker
        .activities
        .iter()
        .map(|a| lead_of(a, profile))
        .filter(|l| !l.is_empty() && !leads.contains(l))
        .collect();
    others.sort();
    others.dedup();
    leads.extend(others);
    leads.push(String::new());
    leads
        .into_iter()
        .map(|l| {
            let acts: Vec<&Activity> = tracker
                .activities
                .iter()
                .filter(|a| lead_of(a, profile) == l)
                .collect();
            (l, acts)
        })
        .filter(|(_, acts)| !acts.is_empty())
        .collect()
}

fn lead_table(
    plan: &Tracker,
    returns: &[Return],
    per_return: &[Vec<Finding>],
    not_returned: &[String],
    profile: &Profile,
) -> Vec<LeadReturn> {
    let lead_of = |a: &Activity| lead_of(a, profile);
    let order: Vec<String> = by_lead(plan, profile).into_iter().map(|(l, _)| l).collect();
    let mut out = Vec::new();
    let not_returned: HashSet<&str> = not_returned.iter().map(String::as_str).collect();
    // (return, id) pairs with at least one error finding.
    let with_error: HashSet<(usize, &str)> = per_return
        .iter()
        .enumerate()
        .flat_map(|(r, found)| {
            found
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .filter_map(move |f| Some((r, f.activity.as_deref()?)))
        })
        .collect();
    for lead in order {
        let ids: Vec<&str> = plan
            .activities
            .iter()
            .filter(|a| lead_of(a) == lead)
            .map(|a| a.id.as_str())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| not_returned.contains(*id))
            .map(|s| s.to_string())
            .collect();
        let lead_ids: HashSet<&str> = ids.iter().copied().collect();
        let mut files = BTreeSet::new();
        let mut with_errors = BTreeSet::new();
        for (r, ret) in returns.iter().enumerate() {
            for a in ret
                .parsed
                .tracker
                .activities
                .iter()
                .filter(|a| lead_ids.contains(a.id.as_str()))
            {
                files.insert(ret.file.to_string());
                if with_error.contains(&(r, a.id.as_str())) {
                    with_errors.insert(a.id.clone());
                }
            }
        }
        out.push(LeadReturn {
            lead: if lead.is_empty() {
                "(no lead)".into()
            } else {
                lead
            },
            expected: ids.len(),
            returned: ids.len() - missing.len(),
            missing,
            with_errors: with_errors.len(),
            files: files.into_iter().collect(),
        });
    }
    out
}
