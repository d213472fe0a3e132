//! The master of `katrack merge` put together and its workbook begun: Appendix A written while
//! the returns are checked, the other sheets once they are. A canonical JSON plan or an xlsx
//! workbook is read beside Appendix A rather than before it ([`merge_beside`]); any other plan
//! is read whole first ([`merge_whole`]).

use crate::cmd::InputFile;
use foldhash::HashSet;
use katrack::Tracker;
use katrack::error::Error;
use katrack::finding::Finding;
use katrack::layout::Parsed;
use katrack::merge::{self, LeadReturn, Pending, PlanRow, SetAside, Spilled};
use katrack::model::{Activity, Rows};
use katrack::profile::Profile;
use katrack::write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// The workbook begun with the master's title lines, or the first error met writing it.
pub(super) type BookBegun = Result<(write::SummaryBook, Tracker), Error>;

/// What the merge gives the rest of the command: the master still to be put together, and the
/// workbook begun (when the master was known before the returns were checked).
pub(super) type Begun = (Pending, Option<BookBegun>);

/// What a merge needs besides its plan and returns.
pub(super) struct Setting<'a> {
    pub(super) profile: &'a Profile,
    pub(super) previous: Option<&'a Tracker>,
    pub(super) jobs: usize,
    /// `--period`.
    pub(super) period: Option<&'a str>,
    /// The findings of the returns that could not be read.
    pub(super) unreadable: &'a [Finding],
}

/// The plan, when it is one canonical JSON file or xlsx workbook (by its name): that input,
/// read beside Appendix A.
pub(super) fn plan_beside(plan: &Path) -> Option<InputFile> {
    let inputs = super::super::expand_inputs(&[plan.to_path_buf()]).ok()?;
    let [input] = <[InputFile; 1]>::try_from(inputs).ok()?;
    (is_json(&input.path) || is_xlsx(&input.path)).then_some(input)
}

/// Whether `path` names a canonical JSON document.
fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// Whether `path` names an xlsx workbook (the layout read part by part).
fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// Reads `plan` a batch of activities at a time: a JSON document activity by activity, an xlsx
/// workbook laid out as it is read. `meta` gets its title lines first, `keep` may trim each
/// activity, `send` takes each batch. Gives whether it was read to its end so (if not, what
/// was sent must be discarded and the plan read whole).
fn stream_plan(
    plan: &InputFile,
    profile: &Profile,
    meta: &mut dyn FnMut(&Tracker),
    keep: &mut dyn FnMut(&mut Activity),
    send: &mut dyn FnMut(Vec<Activity>),
) -> bool {
    if is_json(&plan.path) {
        return crate::cmd::stream_json_batches(plan, profile, meta, keep, send).0;
    }
    katrack::check::lay_out_in_parts(&plan.path, &plan.name, profile, meta, keep, send)
}

/// Reads `plan` as [`stream_plan`] does, sending its title lines to `meta` and its batches of
/// activities to `batches`, the progress and next steps of the activities whose ids `returned`
/// gives (asked at the first activity) dropped; gives whether it was read to its end.
fn send_plan<'i>(
    plan: &InputFile,
    profile: &Profile,
    returned: impl FnOnce() -> HashSet<&'i str>,
    meta: &std::sync::mpsc::SyncSender<Tracker>,
    batches: &mut dyn FnMut(Vec<Activity>),
) -> bool {
    // Made at the first activity, once the title lines have gone to the writer.
    let mut returned = Some(returned);
    let mut ids: Option<HashSet<&str>> = None;
    stream_plan(
        plan,
        profile,
        &mut |t| {
            let _ = meta.send(t.title_lines());
        },
        &mut |a| {
            let ids = ids.get_or_insert_with(|| returned.take().map(|f| f()).unwrap_or_default());
            if !a.id.is_empty() && ids.contains(a.id.as_str()) {
                a.progress = String::new();
                a.next_steps = String::new();
            }
        },
        batches,
    )
}

/// The master's title lines: the plan's, with --period (in the title too, where it names the
/// plan's period).
fn title_lines(plan: &Tracker, period: Option<&str>) -> Tracker {
    let mut meta = plan.title_lines();
    if let Some(p) = period {
        katrack::layout::set_period(&mut meta, p);
    }
    meta
}

/// Merges with the whole plan ([`merge::merge_owned`]).
///
/// # Errors
/// When the workbook cannot be begun.
pub(super) fn merge_whole(
    plan: Tracker,
    returns: Vec<(String, Parsed)>,
    set: &Setting,
) -> Result<Begun, Error> {
    let meta = title_lines(&plan, set.period);
    let mut book = write::SummaryBook::new(&meta, set.profile)?;
    let (appendix, others) = book.parts();
    let (pending, early) = merge::merge_owned(
        plan,
        returns,
        set.profile,
        set.previous,
        set.jobs,
        |activities| appendix.write(&meta, activities, set.profile),
        sheets_beside(others, &meta, set),
    );
    Ok((pending, begun(early, book, meta)))
}

/// Merges with the JSON file or xlsx workbook `plan` read on another thread while the master's
/// rows are written ([`merge::merge_streamed`]); `returned` holds the ids each return gives.
/// The plan's progress and next steps of those activities are never used (a returned
/// activity's come from its return), so they are not kept. `Ok(Err(returns))` when the plan is
/// not one [`stream_plan`] reads to its end: read it whole.
///
/// # Errors
/// When the workbook cannot be begun.
pub(super) fn merge_beside(
    plan: &InputFile,
    returns: Vec<(String, Parsed)>,
    returned: Vec<Vec<String>>,
    set: &Setting,
) -> Result<Result<Begun, Vec<(String, Parsed)>>, Error> {
    let (tx, rx) = std::sync::mpsc::channel::<Vec<Activity>>();
    let (meta_tx, meta_rx) = std::sync::mpsc::sync_channel::<Tracker>(1);
    let complete = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let complete = &complete;
        scope.spawn(move || {
            let ids = || returned.iter().flatten().map(String::as_str).collect();
            let done = send_plan(plan, set.profile, ids, &meta_tx, &mut |batch| {
                let _ = tx.send(batch);
            });
            // Set before the channel closes, so the merge sees it once the activities run out.
            complete.store(done, Ordering::SeqCst);
        });
        let Ok(plan_lines) = meta_rx.recv() else {
            return Ok(Err(returns));
        };
        let meta = title_lines(&plan_lines, set.period);
        let mut book = write::SummaryBook::new(&meta, set.profile)?;
        let (appendix, others) = book.parts();
        let plan = merge::PlanStream {
            meta: &plan_lines,
            activities: rx,
        };
        let (pending, early) = merge::merge_streamed(
            plan,
            returns,
            set.profile,
            set.previous,
            set.jobs,
            || appendix.rows(&meta, set.profile),
            sheets_beside(others, &meta, set),
        );
        if !complete.load(Ordering::SeqCst) {
            return Ok(Err(pending.into_returns()));
        }
        Ok(Ok((pending, begun(early, book, meta))))
    })
}

/// How many batches of the plan's activities may wait for a merge of returns set aside.
const PLAN_BATCHES: usize = 2;

/// The plan of a merge of returns set aside.
pub(super) enum AsidePlan<'a> {
    /// A canonical JSON file or an xlsx workbook, read beside Appendix A.
    Beside(&'a InputFile),
    /// Read whole.
    Whole(Tracker),
}

/// A merge set aside: the merge (without the master's activities), how many activities the
/// master holds, and the workbook begun with its title lines or the first error met writing it.
pub(super) type AsideDone = (merge::Merged, usize, BookBegun);

/// What [`merge_aside`] gives.
pub(super) enum AsideOutcome {
    /// Merged (see [`AsideDone`]).
    Done(Box<AsideDone>),
    /// The plan is not one that can be read beside Appendix A: read it whole.
    PlanWhole,
    /// Some id is given twice, or the set-aside text could not be read back: merge the returns
    /// read whole.
    ReturnsWhole,
}

/// Merges the returns set aside into `spilled` ([`merge::merge_set_aside`]), sorted by file
/// name, with `plan` read beside Appendix A (see [`merge_beside`]) or whole.
///
/// # Errors
/// When the workbook cannot be begun.
pub(super) fn merge_aside(
    plan: AsidePlan,
    returns: &[SetAside],
    spilled: &Spilled,
    set: &Setting,
) -> Result<AsideOutcome, Error> {
    // Bounded: the merge first sorts the returned ids, and takes the plan's activities as they
    // come only then (where what waits goes to a temporary file).
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<PlanRow>>(PLAN_BATCHES);
    let (meta_tx, meta_rx) = std::sync::mpsc::sync_channel::<Tracker>(1);
    let complete = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let complete = &complete;
        match plan {
            AsidePlan::Whole(plan) => {
                let _ = meta_tx.send(plan.title_lines());
                let _ = tx.send(plan.activities.iter().map(PlanRow::from).collect());
                drop(tx);
                complete.store(true, Ordering::SeqCst);
            }
            AsidePlan::Beside(input) => {
                scope.spawn(move || {
                    // The progress and next steps of the plan's activities a return gives
                    // are dropped by the merge as they come (no returned id is held here).
                    let ids = HashSet::default;
                    // Each activity in one allocation rather than eleven: they are freed on
                    // the writing thread.
                    let done = send_plan(input, set.profile, ids, &meta_tx, &mut |batch| {
                        let _ = tx.send(batch.iter().map(PlanRow::from).collect());
                    });
                    complete.store(done, Ordering::SeqCst);
                });
            }
        }
        let Ok(plan_lines) = meta_rx.recv() else {
            return Ok(AsideOutcome::PlanWhole);
        };
        let meta = title_lines(&plan_lines, set.period);
        let mut book = write::SummaryBook::new(&meta, set.profile)?;
        let (appendix, others) = book.parts();
        let merged = merge::merge_set_aside(
            &plan_lines,
            rx,
            returns,
            spilled,
            set.profile,
            || appendix.rows(&meta, set.profile),
            sheets_beside(others, &meta, set),
        );
        if !complete.load(Ordering::SeqCst) {
            return Ok(AsideOutcome::PlanWhole);
        }
        let Ok(Some(done)) = merged else {
            return Ok(AsideOutcome::ReturnsWhole);
        };
        let begun = book_begun((done.written, done.beside), book, meta);
        Ok(AsideOutcome::Done(Box::new((
            done.merged,
            done.master_len,
            begun,
        ))))
    })
}

/// The Summary's result, then the other sheets'.
type SheetsWritten = (Result<(), Error>, Result<(), Error>);

/// The Summary, Issues and Returns sheets, written once the returns are checked.
fn sheets_beside<'a>(
    others: write::OtherSheets<'a>,
    meta: &'a Tracker,
    set: &'a Setting,
) -> impl FnOnce(&dyn Rows, &[Vec<Finding>], &[LeadReturn]) -> SheetsWritten + Send + 'a {
    move |activities, per_return, leads| {
        let findings: Vec<&Finding> = set
            .unreadable
            .iter()
            .chain(per_return.iter().flatten())
            .collect();
        let input = write::SheetsInput {
            meta,
            activities,
            findings: &findings,
            returns: Some(leads),
            changes: None,
        };
        others.write(&input, set.profile)
    }
}

/// What the merge's callbacks give: Appendix A's result, then the other sheets'.
type Written = (Result<(), Error>, SheetsWritten);

/// The workbook begun beside the merge, with its title lines, or its first error in workbook
/// order (`None` when nothing was written beside the merge).
fn begun(early: Option<Written>, book: write::SummaryBook, meta: Tracker) -> Option<BookBegun> {
    early.map(|written| book_begun(written, book, meta))
}

/// The workbook `book` once its sheets were `written`, with its title lines, or the first
/// error in workbook order.
fn book_begun(
    (appendix, (overview, lists)): Written,
    book: write::SummaryBook,
    meta: Tracker,
) -> BookBegun {
    overview.and(appendix).and(lists).map(|()| (book, meta))
}
