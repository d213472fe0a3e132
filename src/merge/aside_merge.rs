//! The merge of returns set aside as they were read ([`set_aside`](super::set_aside)), with the
//! plan arriving while the master is written (as for [`merge_streamed`](super::merge_streamed)):
//! Appendix A's returned rows are read back from the spill in plan order, the plan rules run on
//! what was kept, the other sheets go by the kept short fields. The master, findings and sheets
//! are those of [`merge_streamed`](super::merge_streamed), which holds every return whole.

use super::aside::{Reader, SetAside, Spilled};
use super::streamed::{joined, rows_as_they_come, unreachable};
use super::{
    Choice, LeadReturn, Merged, PlanStream, RowSink, choice_of, errors_by_activity, free_aside,
    lead_table, merged_fields, unique_ids, unplanned_of,
};
use crate::finding::Finding;
use crate::layout::Parsed;
use crate::model::{Activity, Fields, Rows, Tracker};
use crate::profile::Profile;
use crate::rules::{self, Context, Memo, Return, Rule, history};
use foldhash::HashMap;

/// What [`merge_set_aside`] gives.
pub struct SetAsideMerge<O, S> {
    /// The merge without the master's activities (as
    /// [`Pending::counted`](super::Pending::counted) gives it).
    pub merged: Merged,
    /// How many activities the master holds.
    pub master_len: usize,
    /// What the sink gave.
    pub written: O,
    /// What `beside` gave.
    pub beside: S,
}

/// Merges `returns` (set aside into `spilled`, sorted by file name) into the master for `plan`, whose activities
/// arrive as [`merge_streamed`](super::merge_streamed) takes them: the master's rows go to the
/// sink `start` gives on this thread; once the whole plan has come, the plan rules run on
/// another thread, which then calls `beside` with the master's rows (the title, progress and
/// next steps of returned activities empty), every return's findings and the lead table.
///
/// `Ok(None)` when some id is given twice (by two returns, or twice by one): nothing was
/// written, and the returns must be merged whole (their conflicts and duplicates need every
/// field).
///
/// # Errors
/// When the spill cannot be read back (what was written must be discarded).
pub fn merge_set_aside<W: RowSink, S: Send>(
    plan: PlanStream,
    returns: &[SetAside],
    spilled: &Spilled,
    profile: &Profile,
    start: impl FnOnce() -> W,
    beside: impl FnOnce(&dyn Rows<'_>, &[Vec<Finding>], &[LeadReturn]) -> S + Send,
) -> std::io::Result<Option<SetAsideMerge<W::Out, S>>> {
    let PlanStream {
        meta,
        activities: plan,
    } = plan;
    debug_assert!(returns.is_sorted_by(|a, b| a.file <= b.file));
    let given = returns.iter().map(SetAside::len).sum();
    let ids = || returns.iter().map(|r| r.activities.iter().map(|k| &*k.id));
    let Some(mut held) = unique_ids(ids(), given) else {
        return Ok(None);
    };
    let mut sink = start();
    let mut reader = Reader::new(spilled, returns.len());
    let (batches, written) = rows_as_they_come(&plan, &mut |p| {
        row(&mut sink, &mut reader, &mut held, returns, p);
    });
    let plan = Tracker {
        activities: joined(batches),
        ..meta.title_lines()
    };
    let (choice, per_return, leads, out, beside) = std::thread::scope(|scope| {
        let checked = scope.spawn(|| {
            let held = unique_ids(ids(), given).unwrap_or_else(unreachable);
            let choice = choice_of(&plan, held);
            let per_return = plan_rules(&plan, returns, profile);
            let errors = errors_by_activity(&per_return);
            let leads = lead_table(&plan, ids_and_files(returns), &errors, &choice, profile);
            let rows = KeptRows {
                plan: &plan,
                returns,
                choice: &choice,
            };
            let beside = beside(&rows, &per_return, &leads);
            (choice, per_return, leads, beside)
        });
        for p in &plan.activities[written..] {
            row(&mut sink, &mut reader, &mut held, returns, p);
        }
        for (r, i) in unplanned_of(held) {
            sink.row(&reader.fields(r, &returns[r], i));
        }
        let out = sink.finish();
        let (choice, per_return, leads, beside) = checked
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (choice, per_return, leads, out, beside)
    });
    if let Some(e) = reader.error.take() {
        return Err(e);
    }
    let not_returned = plan
        .activities
        .iter()
        .zip(&choice.planned)
        .filter(|(_, pick)| pick.is_none())
        .map(|(p, _)| p.id.clone())
        .collect();
    let merged = Merged {
        master: plan.title_lines(),
        leads,
        not_returned,
        findings: per_return.into_iter().flatten().collect(),
    };
    let master_len = choice.planned.len() + choice.unplanned.len();
    free_aside(plan);
    Ok(Some(SetAsideMerge {
        merged,
        master_len,
        written: out,
        beside,
    }))
}

/// Writes the row of plan activity `p`: with the content of the return that holds its id, if
/// one does (marked as planned in `held`, see [`unique_ids`]), read back by `reader`.
fn row<W: RowSink>(
    sink: &mut W,
    reader: &mut Reader,
    held: &mut HashMap<&str, (usize, usize, bool)>,
    returns: &[SetAside],
    p: &Activity,
) {
    let fields = match held.get_mut(&*p.id) {
        Some((r, i, in_plan)) => {
            *in_plan = true;
            merged_fields(p, reader.fields(*r, &returns[*r], *i))
        }
        None => p.fields(),
    };
    sink.row(&fields);
}

/// Every return's findings: those it was set aside with (the layout's and the rules' that need
/// no plan), then `missing-activity`'s and `unexpected-activity`'s — as
/// [`check_all`](rules::check_all) gives them when no id is given twice (so there is no
/// conflict) and there is no previous quarter (so no `stale-progress`).
fn plan_rules(plan: &Tracker, returns: &[SetAside], profile: &Profile) -> Vec<Vec<Finding>> {
    let ctx = Context {
        profile,
        plan: Some(plan),
        previous: None,
    };
    let planned = rules::index_of(plan);
    let empty = Parsed::default();
    returns
        .iter()
        .map(|aside| {
            let ret = Return {
                file: &aside.file,
                parsed: &empty,
            };
            let mut found = aside.findings.clone();
            let mut memo = Memo {
                leads: aside.leads.clone(),
                ..Memo::default()
            };
            for k in &aside.activities {
                if let Some(p) = planned.get(&*k.id) {
                    if !p.lead.is_empty() {
                        history::add(&mut memo.leads, &p.lead);
                    }
                }
                memo.held.insert(k.id.to_string());
            }
            let missing = &history::MissingActivity;
            let mut e = rules::emitter(missing, ret, &ctx);
            missing.finish(&ctx, &memo, &mut e);
            found.append(&mut e.findings);
            let mut e = rules::emitter(&history::UnexpectedActivity, ret, &ctx);
            for (i, k) in aside.activities.iter().enumerate() {
                if !k.id.is_empty() && !planned.contains_key(&*k.id) {
                    e.at_place(aside.id_place(i), "id", history::not_in_plan(&k.id), None);
                }
            }
            found.append(&mut e.findings);
            found
        })
        .collect()
}

/// Every kept activity as [`lead_table`] takes them: (return, file, id).
fn ids_and_files<'r>(returns: &'r [SetAside]) -> impl Fn(&mut dyn FnMut(usize, &'r str, &'r str)) {
    move |f| {
        for (r, aside) in returns.iter().enumerate() {
            for k in &aside.activities {
                f(r, &aside.file, &k.id);
            }
        }
    }
}

/// The master's rows for the sheets beside Appendix A, from the plan and what was kept of the
/// returns: a returned activity's title, progress and next steps are empty (the plan's title
/// where its row is merged), which the Summary, Issues and Returns sheets do not read.
struct KeptRows<'a> {
    plan: &'a Tracker,
    returns: &'a [SetAside],
    choice: &'a Choice,
}

impl<'a> Rows<'a> for KeptRows<'a> {
    fn each(&self, f: &mut dyn FnMut(Fields<'a>)) {
        let got = |(r, i): (usize, usize)| self.returns[r].short_fields(i);
        for (p, pick) in self.plan.activities.iter().zip(&self.choice.planned) {
            f(match pick {
                Some(at) => merged_fields(p, got(*at)),
                None => p.fields(),
            });
        }
        for &at in &self.choice.unplanned {
            f(got(at));
        }
    }
}
