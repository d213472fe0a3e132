//! A merge whose plan arrives while the master is written: the plan's activities come in
//! batches from another thread (parsed from its file as the master's rows go out), so that the
//! plan is read beside Appendix A instead of before it. The master, the findings and every
//! sheet are those of [`merge_owned`](super::merge_owned) with the whole plan.

use super::{
    Checks, LeadReturn, Pending, choice_of, master_fields, merge_owned, pick, returned_ids,
};
use crate::finding::Finding;
use crate::layout::Parsed;
use crate::model::{Activity, Fields, Rows, Tracker};
use crate::profile::Profile;
use crate::rules::Return;
use std::sync::mpsc::{Receiver, TryRecvError};

/// Where [`merge_streamed`] writes the master's rows, in order.
pub trait RowSink {
    /// What the sink gives once every row is written.
    type Out;
    /// One row: an activity's fields in the order of [`FIELDS`](crate::model::FIELDS).
    fn row(&mut self, fields: &Fields);
    /// Every row has been written.
    fn finish(self) -> Self::Out;
}

/// A plan whose activities arrive in batches, for [`merge_streamed`].
pub struct PlanStream<'a> {
    /// The plan's title lines (its activities are not read).
    pub meta: &'a Tracker,
    /// Its activities in plan order, each laid out as the whole read lays it out; the sender
    /// is dropped after the last.
    pub activities: Receiver<Vec<Activity>>,
}

/// [`merge_owned`] with the plan's activities arriving as `plan` gives them.
///
/// When no id is given twice, the master's rows are written to the sink `start` gives (on this
/// thread) as the plan's activities arrive; once the whole plan has come, the returns are
/// checked on another thread, which then calls `beside` as [`merge_owned`] does. Otherwise the
/// whole plan is awaited and [`merge_owned`] decides (neither `start` nor `beside` is called).
/// The result is [`merge_owned`]'s for the same plan, whatever the batches.
pub fn merge_streamed<W: RowSink, S: Send>(
    plan: PlanStream,
    mut returns: Vec<(String, Parsed)>,
    profile: &Profile,
    previous: Option<&Tracker>,
    jobs: usize,
    start: impl FnOnce() -> W,
    beside: impl FnOnce(&dyn Rows, &[Vec<Finding>], &[LeadReturn]) -> S + Send,
) -> (Pending, Option<(W::Out, S)>) {
    let PlanStream {
        meta,
        activities: plan,
    } = plan;
    let whole = |activities: Vec<Activity>| Tracker {
        activities,
        ..meta.title_lines()
    };
    returns.sort_by(|a, b| a.0.cmp(&b.0));
    let mut beside = Some(beside);
    let merged = {
        let borrowed: Vec<Return> = returns
            .iter()
            .map(|(file, parsed)| Return { file, parsed })
            .collect();
        // Where each returned id is; `None` when an id is given twice.
        returned_ids(&borrowed).map(|mut held| {
            let mut sink = start();
            let (batches, written) = rows_as_they_come(&plan, &mut |p| {
                write_planned(&mut sink, p, pick(&mut held, &p.id), &borrowed);
            });
            let plan = whole(joined(batches));
            // The whole plan has come: which return gives each activity, once for the rows
            // still to write and for the check.
            let choice = choice_of(&plan, held);
            let beside = beside.take().unwrap_or_else(unreachable);
            // The rest of the rows beside the check, which needs the whole plan.
            let (per_return, leads, early) = std::thread::scope(|scope| {
                let checked = scope.spawn(|| {
                    let checks = Checks {
                        plan: &plan,
                        returns: &borrowed,
                        profile,
                        previous,
                        jobs,
                    };
                    checks.then(&choice, beside)
                });
                let rest = plan.activities[written..].iter();
                for (p, &at) in rest.zip(&choice.planned[written..]) {
                    write_planned(&mut sink, p, at, &borrowed);
                }
                for &(r, i) in &choice.unplanned {
                    sink.row(&borrowed[r].parsed.tracker.activities[i].fields());
                }
                let out = sink.finish();
                let (per_return, leads, beside) = checked
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (per_return, leads, (out, beside))
            });
            (plan, choice, per_return, leads, early)
        })
    };
    let Some((plan, choice, per_return, leads, early)) = merged else {
        // An id given twice: the whole plan, then merge_owned decides (the master waits for
        // the findings).
        let plan = whole(joined(plan.into_iter().collect()));
        let beside = beside.take().unwrap_or_else(unreachable);
        return merge_owned(
            plan,
            returns,
            profile,
            previous,
            jobs,
            |_| unreachable(),
            beside,
        );
    };
    let pending = Pending {
        plan,
        returns,
        choice,
        leads,
        per_return,
    };
    (pending, Some(early))
}

/// The batches' activities in one list, allocated once at its length (a list grown batch by
/// batch would hold up to twice the room at the end, and copy itself on the way).
fn joined(batches: Vec<Vec<Activity>>) -> Vec<Activity> {
    let mut all = Vec::with_capacity(batches.iter().map(Vec::len).sum());
    for batch in batches {
        all.extend(batch);
    }
    all
}

/// Writes the rows of the plan's activities as they come from `plan` (`write` writes one),
/// until the whole plan has come (the sender dropped): gives the batches received and how many
/// rows were written.
fn rows_as_they_come(
    plan: &Receiver<Vec<Activity>>,
    write: &mut dyn FnMut(&Activity),
) -> (Vec<Vec<Activity>>, usize) {
    let mut batches: Vec<Vec<Activity>> = Vec::new();
    let (mut batch, mut next, mut written) = (0, 0, 0);
    as_they_come(plan, &mut |came| match came {
        Some(b) => {
            batches.push(b);
            true
        }
        None => loop {
            match batches.get(batch).map(|b| b.get(next)) {
                Some(Some(p)) => {
                    write(p);
                    (next, written) = (next + 1, written + 1);
                    return true;
                }
                Some(None) => (batch, next) = (batch + 1, 0),
                None => return false,
            }
        },
    });
    (batches, written)
}

/// Takes the plan's batches as they come from `plan` and writes its rows as soon as they can
/// be, until the whole plan has come (the sender dropped): `step(Some(batch))` takes a batch
/// (what it gives is not read), `step(None)` writes the next row if its activity has come
/// (false if not: the next batch is waited for). Batches that have come are taken before each row, so that the whole plan is
/// known as soon as it has come.
pub(super) fn as_they_come<T>(plan: &Receiver<T>, step: &mut dyn FnMut(Option<T>) -> bool) {
    loop {
        loop {
            match plan.try_recv() {
                Ok(batch) => {
                    step(Some(batch));
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        if !step(None) {
            match plan.recv() {
                Ok(batch) => {
                    step(Some(batch));
                }
                Err(_) => return,
            }
        }
    }
}

/// Writes the row of plan activity `p`: with the content of returned activity `at` (return,
/// activity), if a return gives it.
fn write_planned<W: RowSink>(
    sink: &mut W,
    p: &Activity,
    at: Option<(usize, usize)>,
    returns: &[Return],
) {
    let got = at.map(|(r, i)| returns[r].parsed.tracker.activities[i].fields());
    sink.row(&master_fields(p.fields(), got));
}

/// For what cannot happen: the ids were found unique (or not) once, before.
pub(super) fn unreachable<T>() -> T {
    unreachable!("the returns' ids were found unique, or not, once before")
}
