//! Activities by lead: the grouping the Returns sheet, the per-lead table and the templates
//! share, and how complete each lead's return is.

use super::{Choice, LeadReturn};
use crate::model::{Activity, Tracker};
use crate::profile::Profile;
use crate::rules::Return;
use foldhash::{HashMap, HashMapExt, HashSet};
use std::collections::BTreeSet;

/// The lead an activity is grouped under: `""` when it has none or a placeholder.
pub fn lead_of(a: &Activity, profile: &Profile) -> String {
    lead_key(&a.lead, profile).to_string()
}

/// The lead an activity whose lead is `lead` is grouped under ([`lead_of`]), borrowed.
fn lead_key<'a>(lead: &'a str, profile: &Profile) -> &'a str {
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
fn order_of_leads<'a>(named: impl Iterator<Item = &'a str>, profile: &'a Profile) -> Vec<&'a str> {
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
    // id → the returns that hold it, with their files.
    let mut holding: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    returned(&mut |r, file, id| holding.entry(id).or_default().push((r, file)));
    let mut table = LeadTable::default();
    for (&(id, lead), pick) in plan.iter().zip(&choice.planned) {
        let holders = holding.get(id).map_or(&[][..], Vec::as_slice);
        table.add(
            id,
            lead,
            pick.is_some(),
            holders.iter().copied(),
            errors,
            profile,
        );
    }
    table.finish(profile)
}

/// How complete each lead's return is, made a plan activity at a time, in plan order.
#[derive(Default)]
pub(super) struct LeadTable<'f> {
    /// By lead (as [`lead_key`] gives it).
    groups: HashMap<String, Group<'f>>,
}

/// One lead's activities in the plan.
#[derive(Default)]
struct Group<'f> {
    expected: usize,
    missing: Vec<String>,
    /// The files of the returns that hold them, and their ids with an error.
    files: BTreeSet<&'f str>,
    with_errors: HashSet<String>,
}

impl<'f> LeadTable<'f> {
    /// Adds the plan activity `id` of `lead`, returned or not, whose id the returns `holders`
    /// (return, file) hold; `errors` counts the errors of each (return, id).
    pub(super) fn add(
        &mut self,
        id: &str,
        lead: &str,
        returned: bool,
        holders: impl Iterator<Item = (usize, &'f str)>,
        errors: &HashMap<(usize, &str), usize>,
        profile: &Profile,
    ) {
        let key = lead_key(lead, profile);
        let group = match self.groups.get_mut(key) {
            Some(group) => group,
            None => self.groups.entry(key.to_string()).or_default(),
        };
        group.expected += 1;
        for (r, file) in holders {
            group.files.insert(file);
            if errors.contains_key(&(r, id)) && !group.with_errors.contains(id) {
                group.with_errors.insert(id.to_string());
            }
        }
        if !returned {
            group.missing.push(id.to_string());
        }
    }

    /// The table: one row per lead with activities, in the order of [`order_of_leads`].
    pub(super) fn finish(mut self, profile: &Profile) -> Vec<LeadReturn> {
        let order = order_of_leads(self.groups.keys().map(String::as_str), profile);
        let order: Vec<String> = order.into_iter().map(str::to_string).collect();
        order
            .into_iter()
            .filter_map(|lead| {
                let group = self.groups.remove(&lead)?;
                Some(LeadReturn {
                    lead: if lead.is_empty() {
                        "(no lead)".into()
                    } else {
                        lead
                    },
                    expected: group.expected,
                    returned: group.expected - group.missing.len(),
                    missing: group.missing,
                    with_errors: group.with_errors.len(),
                    files: group.files.into_iter().map(str::to_string).collect(),
                })
            })
            .collect()
    }
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
