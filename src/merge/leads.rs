//! Activities by lead: the grouping the Returns sheet, the per-lead table and the templates
//! share, and how complete each lead's return is.

use super::{Choice, LeadReturn};
use crate::model::{Activity, Tracker};
use crate::profile::Profile;
use crate::rules::Return;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeSet;

/// The lead an activity is grouped under: `""` when it has none or a placeholder.
pub fn lead_of(a: &Activity, profile: &Profile) -> String {
    lead_key(&a.lead, profile).to_string()
}

/// The lead an activity whose lead is `lead` is grouped under ([`lead_of`]), borrowed.
pub(super) fn lead_key<'a>(lead: &'a str, profile: &Profile) -> &'a str {
    if lead.is_empty() || profile.is_placeholder(lead) {
        ""
    } else {
        lead
    }
}

/// A tracker's activities grouped by lead, in the profile's order of leads, then the other
/// leads by name, then those with no lead (`""`). Leads with no activity are left out.
pub fn by_lead<'a>(tracker: &'a Tracker, profile: &Profile) -> Vec<(String, Vec<&'a Activity>)> {
    grouped(tracker, profile)
        .into_iter()
        .map(|(lead, members)| {
            let acts = members.iter().map(|&i| &tracker.activities[i]).collect();
            (lead, acts)
        })
        .collect()
}

/// [`by_lead`] as indices into the tracker's activities; each activity's lead is found once.
fn grouped(tracker: &Tracker, profile: &Profile) -> Vec<(String, Vec<usize>)> {
    grouped_leads(tracker.activities.iter().map(|a| a.lead.as_str()), profile)
}

/// [`grouped`] of activities whose leads are `leads`, in order.
fn grouped_leads<'a>(
    leads: impl Iterator<Item = &'a str>,
    profile: &Profile,
) -> Vec<(String, Vec<usize>)> {
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, lead) in leads.enumerate() {
        members.entry(lead_key(lead, profile)).or_default().push(i);
    }
    order_of_leads(members.keys().copied(), profile)
        .into_iter()
        .filter_map(|l| members.get(l).map(|m| (l.to_string(), m.clone())))
        .collect()
}

/// The order leads are listed in: the profile's leads in its order, then `named` (leads as
/// [`lead_key`] gives them, each once) by name, then `""` (no lead). The profile's leads are
/// listed whether named or not.
pub(super) fn order_of_leads<'a>(
    named: impl Iterator<Item = &'a str>,
    profile: &'a Profile,
) -> Vec<&'a str> {
    let mut leads: Vec<&str> = profile
        .vocabulary
        .leads
        .iter()
        .map(String::as_str)
        .collect();
    let mut others: Vec<&str> = named
        .filter(|l| !l.is_empty() && !leads.contains(l))
        .collect();
    others.sort_unstable();
    leads.extend(others);
    leads.push("");
    leads
}

/// How complete each lead's return is, for the plan whose (id, lead) are `plan`: `returned`
/// calls its argument with (return, file, id) for every returned activity, `errors` counts the
/// errors of each (return, id).
pub(super) fn lead_table<'r>(
    plan: &[(&str, &str)],
    returned: impl Fn(&mut dyn FnMut(usize, &'r str, &'r str)),
    errors: &HashMap<(usize, &str), usize>,
    choice: &Choice,
    profile: &Profile,
) -> Vec<LeadReturn> {
    let groups = grouped_leads(plan.iter().map(|&(_, lead)| lead), profile);
    // id → the first group of the plan activities that have it; the others (an id the plan
    // gives twice, under two leads) apart, as few have any.
    let mut group_of: HashMap<&str, u32> = HashMap::with_capacity(plan.len());
    let mut more_groups: HashMap<&str, Vec<u32>> = HashMap::new();
    for (g, (_, members)) in (0..).zip(&groups) {
        for &i in members {
            let id = plan[i].0;
            let first = *group_of.entry(id).or_insert(g);
            if first != g {
                let more = more_groups.entry(id).or_default();
                if more.last() != Some(&g) {
                    more.push(g);
                }
            }
        }
    }
    let mut files: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); groups.len()];
    let mut with_errors: Vec<HashSet<&str>> = vec![HashSet::new(); groups.len()];
    returned(&mut |r, file, id| {
        let Some(&first) = group_of.get(id) else {
            return;
        };
        let more = more_groups.get(id).map_or(&[][..], Vec::as_slice);
        let with_error = errors.contains_key(&(r, id));
        for &g in std::iter::once(&first).chain(more) {
            files[g as usize].insert(file);
            if with_error {
                with_errors[g as usize].insert(id);
            }
        }
    });
    groups
        .into_iter()
        .zip(files.into_iter().zip(with_errors))
        .map(|((lead, members), (files, with_errors))| {
            let missing: Vec<String> = members
                .iter()
                .filter(|&&i| choice.planned[i].is_none())
                .map(|&i| plan[i].0.to_string())
                .collect();
            LeadReturn {
                lead: if lead.is_empty() {
                    "(no lead)".into()
                } else {
                    lead
                },
                expected: members.len(),
                returned: members.len() - missing.len(),
                missing,
                with_errors: with_errors.len(),
                files: files.into_iter().map(str::to_string).collect(),
            }
        })
        .collect()
}

/// Every activity of `returns` as [`lead_table`] takes them: (return, file, id).
pub(super) fn ids_of<'r>(
    returns: &'r [Return<'r>],
) -> impl Fn(&mut dyn FnMut(usize, &'r str, &'r str)) {
    move |f| {
        for (r, ret) in returns.iter().enumerate() {
            for a in &ret.parsed.tracker.activities {
                f(r, ret.file, &a.id);
            }
        }
    }
}

/// The (id, lead) of each of `plan`'s activities, as [`lead_table`] takes them.
pub(super) fn plan_leads(plan: &Tracker) -> Vec<(&str, &str)> {
    plan.activities
        .iter()
        .map(|a| (a.id.as_str(), a.lead.as_str()))
        .collect()
}
