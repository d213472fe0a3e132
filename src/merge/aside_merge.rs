//! The merge of returns set aside as they were read ([`set_aside`](super::set_aside)), with the
//! plan arriving while the master is written (as for [`merge_streamed`](super::merge_streamed)):
//! Appendix A's returned rows are read back from the spill in plan order, the plan rules run on
//! what was kept, the other sheets go by the kept short fields. The master, findings and sheets
//! are those of [`merge_streamed`](super::merge_streamed), which holds every return whole.

use super::aside::{Reader, SetAside, Spilled};
use super::aside_plan::{KeptPlan, PlanRow, Unwritten};
use super::streamed::as_they_come;
use super::{
    Choice, LeadReturn, Merged, RowSink, choice_of_ids, errors_by_activity, lead_table,
    master_fields, pick, unique_ids,
};
use crate::finding::Finding;
use crate::layout::Parsed;
use crate::model::{Fields, Rows, Tracker, field};
use crate::profile::Profile;
use crate::rules::{self, Context, Return, history};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::mpsc::Receiver;

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

/// Merges `returns` (set aside into `spilled`, sorted by file name) into the master for the
/// plan whose title lines are `meta` and whose activities arrive from `plan` in order (the
/// sender dropped after the last): the master's rows go to the sink `start` gives, on this
/// thread, as they come; once the whole plan has come, the plan rules run on another thread,
/// which then calls `beside` with the master's rows (the progress and next steps of every
/// activity empty, a returned activity's title the plan's), every return's findings and the
/// lead table. Of each plan activity only what those read is kept as it comes (its id, title
/// and short fields), and its progress and next steps until its row is written.
///
/// `Ok(None)` when some id is given twice (by two returns, or twice by one): nothing was
/// written, and the returns must be merged whole (their conflicts and duplicates need every
/// field).
///
/// # Errors
/// When the spill cannot be read back (what was written must be discarded).
pub fn merge_set_aside<W: RowSink, S: Send>(
    meta: &Tracker,
    plan: Receiver<Vec<PlanRow>>,
    returns: &[SetAside],
    spilled: &Spilled,
    profile: &Profile,
    start: impl FnOnce() -> W,
    beside: impl FnOnce(&dyn Rows<'_>, &[Vec<Finding>], &[LeadReturn]) -> S + Send,
) -> std::io::Result<Option<SetAsideMerge<W::Out, S>>> {
    debug_assert!(returns.is_sorted_by(|a, b| a.file <= b.file));
    let given = returns.iter().map(SetAside::len).sum();
    let Some(mut held) = unique_ids(returns.iter().map(SetAside::ids), given) else {
        return Ok(None);
    };
    let mut sink = start();
    let mut reader = Reader::new(spilled, returns.len());
    // The plan's rows are taken as they come (so that the plan rules can start as soon as the
    // whole plan has) and each is written as soon as this thread can; only what is kept of
    // each and the progress and next steps of those not yet written are held. `next` is the
    // next row to write.
    let mut kept = KeptPlan::default();
    let mut unwritten = Unwritten::default();
    let mut next = 0;
    as_they_come(&plan, &mut |came| match came {
        Some(batch) => {
            for p in &batch {
                unwritten.push(kept.len(), p.fields());
                kept.push(p.fields());
            }
            true
        }
        None if next < kept.len() => {
            let fields = unwritten.row(&kept, next);
            let at = pick(&mut held, fields[field::ID]);
            row(&mut sink, &mut reader, returns, fields, at);
            next += 1;
            true
        }
        None => false,
    });
    kept.finish();
    let kept = &kept;
    // The whole plan has come: which return gives each activity, once for the rows still to
    // write and for the plan rules.
    let choice = choice_of_ids((0..kept.len()).map(|i| kept.id(i)), held);
    let (per_return, leads, out, beside) = std::thread::scope(|scope| {
        let checked = scope.spawn(|| {
            let per_return = plan_rules(kept, returns, profile);
            let errors = errors_by_activity(&per_return);
            let leads = lead_table(
                &kept.leads(),
                ids_and_files(returns),
                &errors,
                &choice,
                profile,
            );
            let titles = titles_not_returned(kept, &leads);
            let rows = KeptRows {
                plan: kept,
                titles: &titles,
                returns,
                choice: &choice,
            };
            let beside = beside(&rows, &per_return, &leads);
            (per_return, leads, beside)
        });
        for (i, &at) in (next..).zip(&choice.planned[next..]) {
            row(&mut sink, &mut reader, returns, unwritten.row(kept, i), at);
        }
        for &(r, i) in &choice.unplanned {
            sink.row(&reader.fields(r, &returns[r], i));
        }
        let out = sink.finish();
        let (per_return, leads, beside) = checked
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (per_return, leads, out, beside)
    });
    if let Some(e) = reader
        .error
        .take()
        .or(unwritten.error.take())
        .or(kept.error())
    {
        return Err(e);
    }
    let not_returned = choice.not_returned((0..kept.len()).map(|i| kept.id(i)));
    let merged = Merged {
        master: meta.title_lines(),
        leads,
        not_returned,
        findings: per_return.into_iter().flatten().collect(),
    };
    let master_len = choice.planned.len() + choice.unplanned.len();
    Ok(Some(SetAsideMerge {
        merged,
        master_len,
        written: out,
        beside,
    }))
}

/// Writes the row of the plan activity whose fields are `p`: with the content of returned
/// activity `at` (return, activity), read back by `reader`, if a return gives it.
fn row<W: RowSink>(
    sink: &mut W,
    reader: &mut Reader,
    returns: &[SetAside],
    p: Fields,
    at: Option<(usize, usize)>,
) {
    let got = at.map(|(r, i)| reader.fields(r, &returns[r], i));
    sink.row(&master_fields(p, got));
}

/// Every return's findings: those it was set aside with (the layout's and the rules' that need
/// no plan), then `missing-activity`'s and `unexpected-activity`'s — as
/// [`check_all`](rules::check_all) gives them when no id is given twice (so there is no
/// conflict) and there is no previous quarter (so no `stale-progress`).
fn plan_rules(plan: &KeptPlan, returns: &[SetAside], profile: &Profile) -> Vec<Vec<Finding>> {
    let ctx = Context {
        profile,
        plan: None,
        previous: None,
    };
    // The plan's first activity of each id.
    let mut planned: HashMap<&str, usize> = HashMap::with_capacity(plan.len());
    for i in 0..plan.len() {
        planned.entry(plan.id(i)).or_insert(i);
    }
    let empty = Parsed::default();
    returns
        .iter()
        .map(|aside| {
            let ret = Return {
                file: &aside.file,
                parsed: &empty,
            };
            let mut found = aside.findings.clone();
            let mut leads = aside.leads.clone();
            let lead_of = |id: &str| planned.get(id).map(|&p| plan.lead(p));
            history::add_planned_leads(aside.ids(), &lead_of, &mut leads);
            let held: HashSet<&str> = aside.ids().collect();
            let mut e = rules::emitter(&history::MissingActivity, ret, &ctx);
            let rows = (0..plan.len()).map(|i| [plan.id(i), plan.lead(i)]);
            let mut titles = plan.titles();
            let mut title = |i| titles.get(i);
            history::missing(rows, &mut title, &leads, &|id| held.contains(id), &mut e);
            found.append(&mut e.findings);
            let mut e = rules::emitter(&history::UnexpectedActivity, ret, &ctx);
            for (i, id) in aside.ids().enumerate() {
                if !id.is_empty() && !planned.contains_key(id) {
                    e.at_place(aside.id_place(i), "id", history::not_in_plan(id), None);
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
            for id in aside.ids() {
                f(r, &aside.file, id);
            }
        }
    }
}

/// The titles of the plan activities whose ids are listed as not returned (read back: the
/// only titles the sheets beside Appendix A read, the Returns sheet listing those activities),
/// by place in the plan.
fn titles_not_returned(plan: &KeptPlan, leads: &[LeadReturn]) -> HashMap<usize, String> {
    let listed: HashSet<&str> = leads
        .iter()
        .flat_map(|l| &l.missing)
        .map(String::as_str)
        .collect();
    if listed.is_empty() {
        return HashMap::default();
    }
    let mut titles = plan.titles();
    (0..plan.len())
        .filter(|&i| listed.contains(plan.id(i)))
        .map(|i| (i, titles.get(i)))
        .collect()
}

/// The master's rows for the sheets beside Appendix A, from what was kept of the plan and the
/// returns: the progress and next steps empty, and the title only of an activity whose id is
/// listed as not returned (the Summary, Issues and Returns sheets read no other).
struct KeptRows<'a> {
    plan: &'a KeptPlan,
    titles: &'a HashMap<usize, String>,
    returns: &'a [SetAside],
    choice: &'a Choice,
}

impl<'a> Rows<'a> for KeptRows<'a> {
    fn each(&self, f: &mut dyn FnMut(Fields<'a>)) {
        let (plan, titles, returns) = (self.plan, self.titles, self.returns);
        let planned = |i| {
            let mut fields = plan.fields(i);
            fields[field::TITLE] = titles.get(&i).map_or("", String::as_str);
            fields
        };
        self.choice
            .rows(planned, |(r, i)| returns[r].short_fields(i))
            .for_each(f);
    }
}
