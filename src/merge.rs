//! Merge: the quarter's returns into one master tracker. One activity per plan id, taken from the
//! return that holds it; activities nobody returned stay with their plan data; per lead, what
//! was expected, returned, missing and still wrong. The result does not depend on the order the
//! returns are given in.

use crate::finding::{Finding, Severity};
use crate::layout::Parsed;
use crate::model::{Activity, Fields, Tracker};
use crate::profile::Profile;
use crate::rules::{self, Context, Return};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

mod leads;
mod streamed;
#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;

use leads::lead_table;
pub use leads::{by_lead, lead_of};
pub use streamed::{PlanStream, RowSink, merge_streamed};

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

/// [`merge`] with the returns checked on up to `jobs` threads; the result is the same. The
/// plan and the returns' activities are copied: [`merge_owned`] takes them instead.
pub fn merge_jobs(
    plan: &Tracker,
    returns: &[Return],
    profile: &Profile,
    previous: Option<&Tracker>,
    jobs: usize,
) -> Merged {
    let mut returns: Vec<Return> = returns.to_vec();
    returns.sort_by(|a, b| a.file.cmp(b.file));
    let (per_return, choice, leads) = decide(plan, &returns, profile, previous, jobs);
    // The master is made of the returns' activities alone: their cells are not copied.
    let returns = returns
        .iter()
        .map(|r| {
            let activities = r.parsed.tracker.activities.clone();
            let parsed = Parsed {
                tracker: Tracker::with_activities(activities),
                ..Parsed::default()
            };
            (r.file.to_string(), parsed)
        })
        .collect();
    Pending {
        plan: plan.clone(),
        returns,
        choice,
        leads,
        per_return,
    }
    .merged()
}

/// [`merge_jobs`] taking the plan and the returns (file name, laid-out return) by value. The
/// master is put together by [`Pending::merged`] (as for `merge_jobs`), which moves its text
/// out of them rather than copying it and frees what it does not keep.
///
/// When no id is given twice (by two returns, or twice by one), the master does not depend on
/// the findings, and it is written while the returns are checked: `early` is called on this
/// thread with the master's activities' fields (the master's title lines are the plan's), while
/// the returns are checked on another thread, which then calls `beside` with the same fields,
/// every return's findings and the lead table. Their results are returned. Otherwise neither
/// is called (`None`).
pub fn merge_owned<R, S: Send>(
    plan: Tracker,
    mut returns: Vec<(String, Parsed)>,
    profile: &Profile,
    previous: Option<&Tracker>,
    jobs: usize,
    early: impl FnOnce(&mut dyn Iterator<Item = Fields<'_>>) -> R,
    beside: impl FnOnce(&[Fields<'_>], &[Vec<Finding>], &[LeadReturn]) -> S + Send,
) -> (Pending, Option<(R, S)>) {
    returns.sort_by(|a, b| a.0.cmp(&b.0));
    let (per_return, choice, leads, early) = {
        let borrowed: Vec<Return> = returns
            .iter()
            .map(|(file, parsed)| Return { file, parsed })
            .collect();
        match unique_choice(&plan, &borrowed) {
            Some(choice) => {
                let (plan, chosen) = (&plan, &choice);
                let rows = || master_rows(plan, &borrowed, chosen);
                let (per_return, leads, early) = std::thread::scope(|scope| {
                    let checked = scope.spawn(|| {
                        let per_return = check(plan, &borrowed, profile, previous, checking(jobs));
                        let errors = errors_by_activity(&per_return);
                        let leads = lead_table(plan, &borrowed, &errors, chosen, profile);
                        let rows: Vec<Fields> = rows().collect();
                        let beside = beside(&rows, &per_return, &leads);
                        (per_return, leads, beside)
                    });
                    let early = early(&mut rows());
                    let (per_return, leads, beside) = checked
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (per_return, leads, (early, beside))
                });
                (per_return, choice, leads, Some(early))
            }
            None => {
                let (per_return, choice, leads) = decide(&plan, &borrowed, profile, previous, jobs);
                (per_return, choice, leads, None)
            }
        }
    };
    // The master is put together when the caller asks, so that it can save the workbook
    // meanwhile.
    let pending = Pending {
        plan,
        returns,
        choice,
        leads,
        per_return,
    };
    (pending, early)
}

/// A merge whose master is not yet put together (see [`merge_owned`]): everything it is made
/// from, held until [`Pending::merged`].
pub struct Pending {
    plan: Tracker,
    returns: Vec<(String, Parsed)>,
    choice: Choice,
    leads: Vec<LeadReturn>,
    per_return: Vec<Vec<Finding>>,
}

impl Pending {
    /// The returns it was given (file name, laid-out return), by file name, for a caller that
    /// merges them again another way.
    pub fn into_returns(self) -> Vec<(String, Parsed)> {
        self.returns
    }

    /// How many activities the master holds: the plan's, then those no plan expected.
    pub fn master_len(&self) -> usize {
        self.choice.planned.len() + self.choice.unplanned.len()
    }

    /// [`merged`](Self::merged) without the master's activities (`master` has only the title
    /// lines): the lead table, the ids nobody returned and the findings, for a caller that has
    /// written the master already. Nothing is moved or copied; the rest is freed on a thread
    /// of its own.
    pub fn counted(self) -> Merged {
        let Pending {
            plan,
            returns,
            choice,
            leads,
            per_return,
        } = self;
        let not_returned = plan
            .activities
            .iter()
            .zip(&choice.planned)
            .filter(|(_, pick)| pick.is_none())
            .map(|(p, _)| p.id.clone())
            .collect();
        let master = title_lines(&plan);
        free_aside((plan, returns));
        Merged {
            master,
            leads,
            not_returned,
            findings: per_return.into_iter().flatten().collect(),
        }
    }

    /// The merge: the master moved out of the plan and the returns, what it does not keep freed
    /// on a thread of its own.
    pub fn merged(self) -> Merged {
        let Pending {
            plan,
            returns,
            choice,
            leads,
            per_return,
        } = self;
        // How many times each returned activity is taken: copied before its last use, then moved.
        let mut uses: Vec<Vec<u32>> = returns
            .iter()
            .map(|(_, p)| vec![0; p.tracker.activities.len()])
            .collect();
        for &(r, i) in choice.planned.iter().flatten().chain(&choice.unplanned) {
            uses[r][i] += 1;
        }
        // What the master does not keep is freed on a thread of its own, beside the writing.
        let mut rest = Vec::with_capacity(returns.len());
        let mut held: Vec<Vec<Activity>> = returns
            .into_iter()
            .map(|(_, mut p)| {
                let activities = std::mem::take(&mut p.tracker.activities);
                rest.push(p);
                activities
            })
            .collect();
        let mut take = |(r, i): (usize, usize)| {
            uses[r][i] -= 1;
            if uses[r][i] == 0 {
                std::mem::take(&mut held[r][i])
            } else {
                held[r][i].clone()
            }
        };
        let Tracker {
            title,
            organisation,
            period,
            activities,
            ..
        } = plan;
        let mut master = Tracker {
            title,
            organisation,
            period,
            activities: Vec::with_capacity(activities.len() + choice.unplanned.len()),
            ..Tracker::default()
        };
        let mut not_returned = Vec::new();
        let mut unused = Vec::new();
        for (p, pick) in activities.into_iter().zip(choice.planned) {
            match pick {
                Some(at) => master
                    .activities
                    .push(from_return(p, take(at), &mut unused)),
                None => {
                    not_returned.push(p.id.clone());
                    master.activities.push(Activity { source: None, ..p });
                }
            }
        }
        master
            .activities
            .extend(choice.unplanned.into_iter().map(&mut take));
        free_aside((rest, held, unused));
        Merged {
            master,
            leads,
            not_returned,
            findings: per_return.into_iter().flatten().collect(),
        }
    }
}

/// Frees `trash` on a thread of its own (here if none can be started): a large merge leaves a
/// million strings behind, and the master is written meanwhile.
pub(crate) fn free_aside<T: Send + 'static>(trash: T) {
    // A thread that cannot start drops its closure, and `trash` with it, here.
    let _ = std::thread::Builder::new().spawn(move || drop(trash));
}

/// The master's title lines (title, organisation, period) from the plan, without activities:
/// those of the master [`merge_owned`]'s callbacks write.
pub fn title_lines(plan: &Tracker) -> Tracker {
    Tracker {
        title: plan.title.clone(),
        organisation: plan.organisation.clone(),
        period: plan.period.clone(),
        ..Tracker::default()
    }
}

/// Which returned activity goes into the master: `(return, activity)` indices.
struct Choice {
    /// One per plan activity, in plan order; `None` where no return holds its id.
    planned: Vec<Option<(usize, usize)>>,
    /// The activities no plan expected, by id.
    unplanned: Vec<(usize, usize)>,
}

/// Checks the returns (sorted by file name) and chooses, for every id, the return that gives
/// it: the one with fewer errors, then the first by file name.
fn decide(
    plan: &Tracker,
    returns: &[Return],
    profile: &Profile,
    previous: Option<&Tracker>,
    jobs: usize,
) -> (Vec<Vec<Finding>>, Choice, Vec<LeadReturn>) {
    let per_return = check(plan, returns, profile, previous, jobs);
    let errors = errors_by_activity(&per_return);
    // id → the best candidate so far: (errors, return index, activity index).
    let mut held: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for (r, ret) in returns.iter().enumerate() {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if !a.id.is_empty() {
                let n = errors.get(&(r, a.id.as_str())).copied().unwrap_or(0);
                let best = held.entry(&a.id).or_insert((n, r, i));
                *best = (*best).min((n, r, i));
            }
        }
    }
    let planned: Vec<Option<(usize, usize)>> = plan
        .activities
        .iter()
        .map(|p| held.get(p.id.as_str()).map(|&(_, r, i)| (r, i)))
        .collect();
    let in_plan: HashSet<&str> = plan.activities.iter().map(|a| a.id.as_str()).collect();
    let mut unplanned: Vec<(&str, usize, usize)> = held
        .iter()
        .filter(|(id, _)| !in_plan.contains(*id))
        .map(|(id, &(_, r, i))| (*id, r, i))
        .collect();
    unplanned.sort_unstable();
    let choice = Choice {
        unplanned: unplanned.into_iter().map(|(_, r, i)| (r, i)).collect(),
        planned,
    };
    let leads = lead_table(plan, returns, &errors, &choice, profile);
    (per_return, choice, leads)
}

/// How many threads check the returns beside the writing of the master: one fewer than `jobs`,
/// at least one.
fn checking(jobs: usize) -> usize {
    jobs.saturating_sub(1).max(1)
}

/// Every finding on every return, with the plan rules.
fn check(
    plan: &Tracker,
    returns: &[Return],
    profile: &Profile,
    previous: Option<&Tracker>,
    jobs: usize,
) -> Vec<Vec<Finding>> {
    let ctx = Context {
        profile,
        plan: Some(plan),
        previous,
    };
    rules::check_all_jobs(returns, &ctx, jobs)
}

/// The choice of [`decide`] when it does not depend on the findings: no id is given twice.
fn unique_choice(plan: &Tracker, returns: &[Return]) -> Option<Choice> {
    let mut held = returned_ids(returns)?;
    let planned = plan
        .activities
        .iter()
        .map(|p| {
            let (r, i, in_plan) = held.get_mut(p.id.as_str())?;
            *in_plan = true;
            Some((*r, *i))
        })
        .collect();
    Some(Choice {
        planned,
        unplanned: unplanned_of(held),
    })
}

/// Where each returned activity with an id is: id → (return, activity, false, for "the plan
/// has it"). `None` when some id is given twice (by two returns, or twice by one).
fn returned_ids<'a>(returns: &[Return<'a>]) -> Option<HashMap<&'a str, (usize, usize, bool)>> {
    let given = returns
        .iter()
        .map(|r| r.parsed.tracker.activities.len())
        .sum();
    let mut held: HashMap<&str, (usize, usize, bool)> = HashMap::with_capacity(given);
    for (r, ret) in returns.iter().enumerate() {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if !a.id.is_empty() && held.insert(&a.id, (r, i, false)).is_some() {
                return None;
            }
        }
    }
    Some(held)
}

/// The returned activities [`returned_ids`] holds that the plan does not have (not marked),
/// by id.
fn unplanned_of(held: HashMap<&str, (usize, usize, bool)>) -> Vec<(usize, usize)> {
    let mut unplanned: Vec<(&str, (usize, usize))> = held
        .into_iter()
        .filter(|(_, (_, _, in_plan))| !in_plan)
        .map(|(id, (r, i, _))| (id, (r, i)))
        .collect();
    unplanned.sort_unstable();
    unplanned.into_iter().map(|(_, at)| at).collect()
}

/// (return, id) → how many error findings it has.
fn errors_by_activity(per_return: &[Vec<Finding>]) -> HashMap<(usize, &str), usize> {
    let mut count: HashMap<(usize, &str), usize> = HashMap::new();
    for (r, found) in per_return.iter().enumerate() {
        for f in found.iter().filter(|f| f.severity == Severity::Error) {
            if let Some(id) = f.activity.as_deref() {
                *count.entry((r, id)).or_default() += 1;
            }
        }
    }
    count
}

/// The master's activities' fields, in order: the plan's activities (each with the content of
/// the return `choice` takes it from), then the activities no plan expected.
fn master_rows<'a>(
    plan: &'a Tracker,
    returns: &'a [Return<'a>],
    choice: &'a Choice,
) -> impl Iterator<Item = Fields<'a>> + 'a {
    let got = |(r, i): (usize, usize)| &returns[r].parsed.tracker.activities[i];
    let planned = plan.activities.iter().zip(&choice.planned);
    planned
        .map(move |(p, pick)| match pick {
            Some(at) => merged_fields(p, got(*at)),
            None => p.fields(),
        })
        .chain(choice.unplanned.iter().map(move |at| got(*at).fields()))
}

/// The fields of [`from_return`], borrowed.
fn merged_fields<'a>(plan: &'a Activity, got: &'a Activity) -> Fields<'a> {
    let or_plan = |mine: &'a str, theirs: &'a str| if mine.is_empty() { theirs } else { mine };
    [
        &plan.id,
        or_plan(&got.title, &plan.title),
        &got.status,
        &got.progress,
        &got.next_steps,
        or_plan(&got.lead, &plan.lead),
        or_plan(&got.portfolio, &plan.portfolio),
        or_plan(&plan.objective_id, &got.objective_id),
        or_plan(&plan.objective_title, &got.objective_title),
        or_plan(&plan.theme, &got.theme),
        or_plan(&plan.theme_strapline, &got.theme_strapline),
    ]
}

/// The plan's activity updated with a return's content; the text it does not keep goes to
/// `unused`.
fn from_return(plan: Activity, got: Activity, unused: &mut Vec<String>) -> Activity {
    // The text not kept is set aside, to be freed elsewhere.
    let mut or_plan = |mine: String, theirs: String| {
        let (kept, left) = if mine.is_empty() {
            (theirs, mine)
        } else {
            (mine, theirs)
        };
        unused.push(left);
        kept
    };
    Activity {
        id: plan.id,
        title: or_plan(got.title, plan.title),
        status: got.status,
        progress: got.progress,
        next_steps: got.next_steps,
        lead: or_plan(got.lead, plan.lead),
        portfolio: or_plan(got.portfolio, plan.portfolio),
        objective_id: or_plan(plan.objective_id, got.objective_id),
        objective_title: or_plan(plan.objective_title, got.objective_title),
        theme: or_plan(plan.theme, got.theme),
        theme_strapline: or_plan(plan.theme_strapline, got.theme_strapline),
        source: got.source,
    }
}
