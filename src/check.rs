//! A large workbook checked, or laid out, while it is read. One thread reads the xlsx and sends
//! its cells ([`read::stream`](crate::read::stream)); a second makes rows of them and lays them
//! out, sending the activities it has finished ([`Layout::take_done`]) to a third, which checks
//! them part by part ([`Checker`]). The cores share the work, and no sheet, tracker or activity
//! is held whole. The findings are those of reading the file whole, laying it out and running
//! [`rules::check`](crate::rules::check), in the same order; [`lay_out_streamed`] gives the
//! whole read's [`Parsed`] the same way, for commands that keep the activities.

use crate::error::Result;
use crate::finding::Finding;
use crate::layout::{Done, Layout, Parsed};
use crate::read::stream::{Cells, Event, Properties, Rows, stream_xlsx};
use crate::rules::{Checker, Context};
use std::path::Path;

/// How many batches may wait between one thread and the next.
const QUEUE: usize = 4;

/// A return checked as it was read.
#[derive(Debug)]
pub struct Streamed {
    /// Every finding: the layout's, then each rule's.
    pub findings: Vec<Finding>,
    /// How many activities it holds.
    pub activities: usize,
}

/// Checks the xlsx at `path` (named `file` in findings) as it is read; `sheet` picks one sheet;
/// `jobs`: 1 does it all on this thread, more uses three. `Ok(None)` when the file is not
/// streamed ([`stream_xlsx`]): read and check it whole.
///
/// # Errors
/// What reading the file whole would report: I/O errors, a zip bomb, no tracker table.
pub fn check_streamed(
    path: &Path,
    file: &str,
    ctx: Context,
    sheet: Option<&str>,
    jobs: usize,
) -> Result<Option<Streamed>> {
    let checker = Checker::new(file, ctx);
    let layout = Layout::new(file, ctx.profile, false, sheet.is_some()).without_row_reports();
    let Some((checker, layout_findings)) = in_parts(path, sheet, jobs, layout, checker)? else {
        return Ok(None);
    };
    let activities = checker.activities();
    Ok(Some(Streamed {
        findings: checker.finish(layout_findings),
        activities,
    }))
}

/// What takes a file's activities part by part as it is laid out (see [`in_parts`]).
pub trait Part: Send {
    /// The next part's activities, with their cells (its layout findings are not taken here).
    fn part(&mut self, part: &Parsed);
}

impl Part for Checker<'_> {
    fn part(&mut self, part: &Parsed) {
        Checker::part(self, part);
    }
}

/// The xlsx at `path` laid out by `layout` as it is read, each part of its activities handed to
/// `parts` (on a thread of its own with `jobs` over 1): gives `parts` once the last part is
/// handed on, with the layout's findings. `Ok(None)` when the file is not streamed.
///
/// # Errors
/// What reading the file whole would report.
pub fn in_parts<P: Part>(
    path: &Path,
    sheet: Option<&str>,
    jobs: usize,
    mut layout: Layout,
    mut parts: P,
) -> Result<Option<(P, Vec<Finding>)>> {
    if jobs <= 1 {
        let taker = &mut parts;
        let mut rows = Rows::default();
        // Each batch of cells is filled again once laid out.
        let spare = std::cell::Cell::new(None);
        let read = stream_xlsx(
            path,
            sheet,
            false,
            &mut |e| {
                let spent = feed(
                    &mut layout,
                    &mut rows,
                    e,
                    Some(&mut |done, _| taker.part(&done.cleaned())),
                );
                spare.set(spent);
            },
            &mut || spare.take(),
        );
        return finish(read, layout, rows, parts);
    }
    let (parts_tx, parts_rx) = std::sync::mpsc::sync_channel::<Done>(QUEUE);
    // Parts taken come back to be freed where they were made: freeing another thread's
    // memory makes the two wait on each other in the allocator.
    let (taken_tx, taken_rx) = std::sync::mpsc::channel::<Parsed>();
    std::thread::scope(|scope| {
        let taking = scope.spawn(move || {
            let mut taker = parts;
            for done in parts_rx {
                // Cleaning the long text here takes it off the layout's thread.
                let part = done.cleaned();
                taker.part(&part);
                let _ = taken_tx.send(part);
            }
            taker
        });
        let mut rows = Rows::default();
        let read = read_beside(
            path,
            sheet,
            &mut layout,
            &mut rows,
            Some(&mut |part, _| {
                // The taking thread has stopped only if it panicked; the join below reports it.
                let _ = parts_tx.send(part);
                taken_rx.try_iter().for_each(drop);
            }),
        );
        drop(parts_tx);
        let taker = taking
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        finish(read, layout, rows, taker)
    })
}

/// Reads the xlsx at `path` on a thread of its own, laying its cells out on this one as they
/// come (`done` as for [`feed`]); gives what [`stream_xlsx`] gave.
fn read_beside<'d>(
    path: &Path,
    sheet: Option<&str>,
    layout: &mut Layout,
    rows: &mut Rows,
    mut done: Option<&mut DoneFn<'d>>,
) -> Result<Option<Properties>> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Event>(QUEUE);
    // Batches laid out go back to the reader to be filled again, not freed here.
    let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Cells>();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            // The layout side has stopped only if it panicked, which reaches the caller.
            stream_xlsx(
                path,
                sheet,
                true,
                &mut |e| {
                    let _ = tx.send(e);
                },
                &mut || spare_rx.try_recv().ok(),
            )
        });
        for event in rx {
            if let Some(spent) = feed(layout, rows, event, done.as_deref_mut()) {
                let _ = spare_tx.send(spent);
            }
        }
        reader
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Takes the activities a layout has finished, with the layout (for what it has read so far).
type DoneFn<'d> = dyn FnMut(Done, &Layout) + 'd;

/// Lays out one event's rows, handing on the activities finished with the layout they came
/// from (`done`: `None` keeps them); gives back the batch of cells, to be filled again.
fn feed<'d>(
    layout: &mut Layout,
    rows: &mut Rows,
    event: Event,
    done: Option<&mut DoneFn<'d>>,
) -> Option<Cells> {
    match event {
        Event::Sheet {
            name,
            hidden,
            merges,
        } => {
            rows.finish(&mut |r| layout.row(&r));
            layout.begin_sheet(&name, hidden);
            rows.sheet(&merges);
            None
        }
        Event::Cells(cells) => {
            rows.cells(&cells, &mut |r| layout.row(&r));
            if let Some(done) = done {
                if let Some(part) = layout.take_done() {
                    done(part, layout);
                }
            }
            Some(cells)
        }
    }
}

/// The last activities handed on, once the whole file has been read: `parts` with the layout's
/// findings.
fn finish<P: Part>(
    read: Result<Option<Properties>>,
    layout: Layout,
    rows: Rows,
    mut parts: P,
) -> Result<Option<(P, Vec<Finding>)>> {
    let Some(parsed) = finish_layout(read, layout, rows)? else {
        return Ok(None);
    };
    parts.part(&parsed);
    Ok(Some((parts, parsed.findings)))
}

/// The layout once the whole file has been read: its last rows laid out, then finished.
fn finish_layout(
    read: Result<Option<Properties>>,
    mut layout: Layout,
    mut rows: Rows,
) -> Result<Option<Parsed>> {
    let Some(props) = read? else {
        return Ok(None);
    };
    rows.finish(&mut |r| layout.row(&r));
    if rows.disordered {
        return Ok(None);
    }
    layout
        .finish(props.title.as_deref(), props.subject.as_deref())
        .map(Some)
}

/// The xlsx at `path` (named `file`) laid out while it is read, on two threads, without holding
/// the file or its cells: the same [`Parsed`] as [`read_path`](crate::read::read_path) then
/// [`layout::parse`](crate::layout::parse). `Ok(None)` when it is not streamed: read it whole.
///
/// # Errors
/// What reading the file whole would report: I/O errors, a zip bomb, no tracker table.
pub fn lay_out_streamed(
    path: &Path,
    file: &str,
    profile: &crate::profile::Profile,
    sheet: Option<&str>,
) -> Result<Option<Parsed>> {
    lay_out(path, file, profile, sheet, true)
}

/// [`lay_out_streamed`] without a [`RowReport`](crate::layout::RowReport) per row (`rows` left
/// empty; only `import --explain` shows them), for commands that keep the activities, such as
/// merge: a string or two less per row.
///
/// # Errors
/// As [`lay_out_streamed`].
pub fn lay_out_streamed_without_rows(
    path: &Path,
    file: &str,
    profile: &crate::profile::Profile,
    sheet: Option<&str>,
) -> Result<Option<Parsed>> {
    lay_out(path, file, profile, sheet, false)
}

/// [`lay_out_streamed`], with a report per row or not.
fn lay_out(
    path: &Path,
    file: &str,
    profile: &crate::profile::Profile,
    sheet: Option<&str>,
    row_reports: bool,
) -> Result<Option<Parsed>> {
    let mut layout = Layout::new(file, profile, false, sheet.is_some());
    if !row_reports {
        layout = layout.without_row_reports();
    }
    let mut rows = Rows::default();
    let read = read_beside(path, sheet, &mut layout, &mut rows, None);
    finish_layout(read, layout, rows)
}

/// The xlsx at `path` (named `file`) laid out while it is read, as
/// [`lay_out_streamed_without_rows`] lays it out, its activities handed on as they are done
/// rather than held: `meta` gets the title lines (title, organisation, period; no activities)
/// before the first, then `part` each batch of activities, in order, cleaned as the whole read
/// cleans them, each first handed to `trim` (which may empty text the caller will not use, so
/// that it is not cleaned). The layout's findings are not kept.
///
/// Gives true when the whole file was laid out so, with the title lines sent: what was handed
/// on is then the whole read's tracker. False when it was not (not an xlsx that is streamed, an
/// error, rows out of order, or title lines that a later sheet or the document's properties
/// changed once activities had gone): what was handed on must be discarded and the file read
/// whole, which also gives any error.
pub fn lay_out_in_parts(
    path: &Path,
    file: &str,
    profile: &crate::profile::Profile,
    meta: &mut dyn FnMut(&crate::model::Tracker),
    trim: &mut dyn FnMut(&mut crate::model::Activity),
    part: &mut dyn FnMut(Vec<crate::model::Activity>),
) -> bool {
    let mut layout = Layout::new(file, profile, false, false).without_row_reports();
    let mut rows = Rows::default();
    let mut sent: Option<crate::model::Tracker> = None;
    let read = read_beside(
        path,
        None,
        &mut layout,
        &mut rows,
        Some(&mut |done, layout| {
            if sent.is_none() {
                let lines = layout.title_lines();
                meta(&lines);
                sent = Some(lines);
            }
            part(done.trimmed_and_cleaned(trim).tracker.activities);
        }),
    );
    let Ok(Some(parsed)) = finish_layout(read, layout, rows) else {
        return false;
    };
    let lines = parsed.tracker.title_lines();
    match sent {
        Some(sent) if sent != lines => return false,
        Some(_) => {}
        None => meta(&lines),
    }
    let mut activities = parsed.tracker.activities;
    if !activities.is_empty() {
        activities.iter_mut().for_each(trim);
        part(activities);
    }
    true
}
