//! Merge: the quarter's returns into one master tracker. One activity per plan id, taken from the
//! return that holds it; activities nobody returned stay with their plan data; per lead, what
//! was expected, returned, missing and still wrong. The result does not depend on the order the
//! returns are given in.

use crate::finding::{Finding, Severity};
use crate::layout::Parsed;
use crate::model::{Fields, Rows, Tracker};
use crate::profile::Profile;
use crate::rules::{self, Context, Return};
use foldhash::{HashMap, HashMapExt, HashSet};
use serde::Serialize;

mod aside;
mod aside_merge;
mod aside_plan;
mod index;
mod kept;
mod leads;
mod pending;
mod queue;
mod streamed;
#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;

pub use aside::{Aside, SetAside, Spill, Spilled, set_aside, set_aside_streamed};
pub use aside_merge::{SetAsideMerge, merge_set_aside};
pub use aside_plan::PlanRow;
pub use leads::{by_lead, lead_of};
use leads::{ids_of, lead_table, plan_leads};
pub use pending::Pending;
pub(crate) use pending::free_aside;
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
    beside: impl FnOnce(&dyn Rows, &[Vec<Finding>], &[LeadReturn]) -> S + Send,
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
                let (per_return, leads, early) = std::thread::scope(|scope| {
                    let checked = scope.spawn(|| {
                        let checks = Checks {
                            plan,
                            returns: &borrowed,
                            profile,
                            previous,
                            jobs,
                        };
                        checks.then(chosen, beside)
                    });
                    let early = early(&mut master_rows(plan, &borrowed, chosen));
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
    let leads = lead_table(
        &plan_leads(plan),
        ids_of(returns),
        &errors,
        &choice,
        profile,
    );
    (per_return, choice, leads)
}

/// The returns checked beside the writing of the master, against `plan`.
struct Checks<'a> {
    plan: &'a Tracker,
    returns: &'a [Return<'a>],
    profile: &'a Profile,
    previous: Option<&'a Tracker>,
    /// Threads in all: the check takes one fewer (at least one), the writing has one.
    jobs: usize,
}

impl Checks<'_> {
    /// Checks the returns, makes the lead table for `choice`, then calls `beside` with the
    /// master's rows, every return's findings and the lead table (see [`merge_owned`]).
    fn then<S>(
        &self,
        choice: &Choice,
        beside: impl FnOnce(&dyn Rows, &[Vec<Finding>], &[LeadReturn]) -> S,
    ) -> (Vec<Vec<Finding>>, Vec<LeadReturn>, S) {
        let jobs = self.jobs.saturating_sub(1).max(1);
        let per_return = check(self.plan, self.returns, self.profile, self.previous, jobs);
        let errors = errors_by_activity(&per_return);
        let leads = lead_table(
            &plan_leads(self.plan),
            ids_of(self.returns),
            &errors,
            choice,
            self.profile,
        );
        let rows = MasterRows {
            plan: self.plan,
            returns: self.returns,
            choice,
        };
        let beside = beside(&rows, &per_return, &leads);
        (per_return, leads, beside)
    }
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
    returned_ids(returns).map(|held| choice_of(plan, held))
}

/// The choice for `plan` when the returned ids are `held` (see [`unique_ids`]).
fn choice_of(plan: &Tracker, held: HashMap<&str, (usize, usize, bool)>) -> Choice {
    choice_of_ids(plan.activities.iter().map(|p| p.id.as_str()), held)
}

/// [`choice_of`] for a plan given as its ids, in order.
fn choice_of_ids<'p>(
    plan: impl Iterator<Item = &'p str>,
    mut held: HashMap<&str, (usize, usize, bool)>,
) -> Choice {
    let planned = plan.map(|id| pick(&mut held, id)).collect();
    Choice {
        planned,
        unplanned: unplanned_of(held),
    }
}

/// The returned activity that gives the plan's activity `id`, if a return holds it (marked
/// as planned in `held`, see [`unique_ids`]).
fn pick(held: &mut HashMap<&str, (usize, usize, bool)>, id: &str) -> Option<(usize, usize)> {
    let (r, i, in_plan) = held.get_mut(id)?;
    *in_plan = true;
    Some((*r, *i))
}

impl Choice {
    /// The ids of the plan's activities no return gives (`ids`: the plan's, in order).
    fn not_returned<'p>(&self, ids: impl Iterator<Item = &'p str>) -> Vec<String> {
        ids.zip(&self.planned)
            .filter(|(_, pick)| pick.is_none())
            .map(|(id, _)| id.to_string())
            .collect()
    }

    /// The master's rows, in order, from the fields of the plan's `i`th activity (`plan(i)`) and
    /// of the returned activity at (return, activity) (`got`): each planned activity with the
    /// content of the return it is taken from, then the activities no plan expected.
    fn rows<'a>(
        &'a self,
        plan: impl Fn(usize) -> Fields<'a> + 'a,
        got: impl Fn((usize, usize)) -> Fields<'a> + Copy + 'a,
    ) -> impl Iterator<Item = Fields<'a>> + 'a {
        let planned = self.planned.iter().enumerate();
        planned
            .map(move |(i, pick)| master_fields(plan(i), pick.map(got)))
            .chain(self.unplanned.iter().map(move |&at| got(at)))
    }
}

/// Where each returned activity with an id is: id → (return, activity, false, for "the plan
/// has it"). `None` when some id is given twice (by two returns, or twice by one).
fn returned_ids<'a>(returns: &[Return<'a>]) -> Option<HashMap<&'a str, (usize, usize, bool)>> {
    let given = returns
        .iter()
        .map(|r| r.parsed.tracker.activities.len())
        .sum();
    unique_ids(
        returns
            .iter()
            .map(|r| r.parsed.tracker.activities.iter().map(|a| a.id.as_str())),
        given,
    )
}

/// [`returned_ids`] of the returns' ids, each return's in order (`given`: how many in all).
fn unique_ids<'a, I: Iterator<Item = &'a str>>(
    returns: impl Iterator<Item = I>,
    given: usize,
) -> Option<HashMap<&'a str, (usize, usize, bool)>> {
    let mut held: HashMap<&str, (usize, usize, bool)> = HashMap::with_capacity(given);
    for (r, ids) in returns.enumerate() {
        for (i, id) in ids.enumerate() {
            if !id.is_empty() && held.insert(id, (r, i, false)).is_some() {
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
    choice.rows(
        move |i| plan.activities[i].fields(),
        move |(r, i)| returns[r].parsed.tracker.activities[i].fields(),
    )
}

/// The master's rows made again from the plan, the returns and the choice each time they are
/// gone through ([`master_rows`]), rather than listed: 100,000 rows of borrowed fields are
/// 18 MB.
struct MasterRows<'a> {
    plan: &'a Tracker,
    returns: &'a [Return<'a>],
    choice: &'a Choice,
}

impl Rows for MasterRows<'_> {
    fn each(&self, f: &mut dyn FnMut(Fields<'_>)) {
        master_rows(self.plan, self.returns, self.choice).for_each(f);
    }
}

/// A planned activity's row in the master: the fields of the plan activity `plan`, with the
/// content of the returned activity whose fields are `got`, if a return gives it (the fields of
/// [`from_return`](pending::from_return), borrowed).
fn master_fields<'a>(plan: Fields<'a>, got: Option<Fields<'a>>) -> Fields<'a> {
    use crate::model::field::*;
    let Some(got) = got else {
        return plan;
    };
    let or_plan = |mine: &'a str, theirs: &'a str| if mine.is_empty() { theirs } else { mine };
    [
        plan[ID],
        or_plan(got[TITLE], plan[TITLE]),
        got[STATUS],
        got[PROGRESS],
        got[NEXT_STEPS],
        or_plan(got[LEAD], plan[LEAD]),
        or_plan(got[PORTFOLIO], plan[PORTFOLIO]),
        or_plan(plan[OBJECTIVE_ID], got[OBJECTIVE_ID]),
        or_plan(plan[OBJECTIVE_TITLE], got[OBJECTIVE_TITLE]),
        or_plan(plan[THEME], got[THEME]),
        or_plan(plan[THEME_STRAPLINE], got[THEME_STRAPLINE]),
    ]
}
