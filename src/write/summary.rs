//! The summary workbook: the quarter's master for the committee, ready to print without
//! touching up. A "Summary" sheet of headline numbers, status tables by objective, portfolio and
//! lead, and native charts drawn from those tables; "Appendix A", the full tracker in the
//! council's layout; then, when there is something to show, the "Issues", "Returns" and
//! "Changes" sheets.
//!
//! Counts are written as numbers (no formulas), so every spreadsheet program shows the same
//! values and the charts' cached data is right; the bytes are reproducible.

mod counts;
mod lists;
mod overview;
#[cfg(test)]
mod tests;

pub use counts::{
    CountRow, NO_OBJECTIVE, NO_THEME, NOT_GIVEN, OTHER, StatusColumn, StatusCounts, ThemeCounts,
    status_counts,
};

use crate::diff::Changes;
use crate::error::Result;
use crate::finding::Finding;
use crate::merge::LeadReturn;
use crate::model::Fields;
use crate::model::Tracker;
use crate::profile::Profile;
use crate::write::style::print_setup;
use crate::write::style::text_row_height as row_height;
use crate::write::tracker_xlsx::{write_tracker_rows, write_tracker_sheet};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, RowNum, Workbook, Worksheet};

/// The sheet names, in workbook order.
pub const SUMMARY_SHEET: &str = "Summary";
/// The full tracker in the council's layout.
pub const APPENDIX_SHEET: &str = "Appendix A";
/// Every finding; only when there are findings.
pub const ISSUES_SHEET: &str = "Issues";
/// Per-lead completeness of the returns; only when returns are given.
pub const RETURNS_SHEET: &str = "Returns";
/// What moved since last quarter; only when changes are given.
pub const CHANGES_SHEET: &str = "Changes";

/// What goes into a summary workbook.
#[derive(Debug, Clone, Copy)]
pub struct SummaryInput<'a> {
    /// The quarter's master tracker.
    pub tracker: &'a Tracker,
    /// The findings on the returns (or on the master); an "Issues" sheet lists them.
    pub findings: &'a [Finding],
    /// Per-lead completeness from a merge; a "Returns" sheet shows it.
    pub returns: Option<&'a [LeadReturn]>,
    /// What moved since last quarter; a "Changes" sheet shows it.
    pub changes: Option<&'a Changes>,
}

/// The committee's master workbook as `.xlsx` bytes: sheets "Summary", "Appendix A", then
/// "Issues" (when there are findings), "Returns" (when `returns` is given) and "Changes" (when
/// `changes` is given). Every sheet prints landscape, one page wide, with the period and page
/// numbers in the footer. The same input always gives the same bytes.
///
/// # Errors
///
/// [`Error::Write`](crate::Error::Write) if a cell cannot be written, e.g. a text longer than
/// Excel's 32,767 characters.
///
/// # Examples
///
/// ```
/// use katrack::{profile::Profile, write::SummaryInput, Activity, Tracker};
/// let t = Tracker::with_activities(vec![Activity {
///     id: "KA.08.02".into(),
///     status: "Amber".into(),
///     objective_id: "CO 8".into(),
///     ..Activity::default()
/// }]);
/// let input = SummaryInput { tracker: &t, findings: &[], returns: None, changes: None };
/// let bytes = katrack::write::summary_workbook(&input, &Profile::default_profile()).unwrap();
/// assert!(bytes.starts_with(b"PK"));
/// ```
pub fn summary_workbook(input: &SummaryInput, profile: &Profile) -> Result<Vec<u8>> {
    crate::error::guarded(|| build(input, profile), super::writer_panic)
}

/// Builds the committee workbook (see [`summary_workbook`]).
fn build(input: &SummaryInput, profile: &Profile) -> Result<Vec<u8>> {
    let t = input.tracker;
    let mut workbook = new_workbook(t)?;
    add_lists(&mut workbook, input)?;
    // Appendix A (the bulk of the work) is written on this thread while the other sheets are
    // written on a second one. Each sheet keeps its own formats until the workbook is saved,
    // so the bytes do not depend on which thread finishes first.
    let (summary, rest) = workbook.worksheets_mut().split_at_mut(1);
    let (appendix, others) = rest.split_at_mut(1);
    let (overview, appendix, others) = std::thread::scope(|scope| {
        let side = scope.spawn(|| {
            let overview = overview::write(&mut summary[0], input, profile);
            (overview, write_lists(others, input, profile))
        });
        let appendix = write_tracker_sheet(&mut appendix[0], t, profile);
        let (overview, others) = side
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (overview, appendix, others)
    });
    // The first failure in workbook order.
    overview.and(appendix).and(others)?;
    Ok(workbook.save_to_buffer()?)
}

/// The committee workbook written in two steps: [`SummaryBook::new`] writes Appendix A from
/// the master's activities as soon as they are known, [`SummaryBook::finish`] the sheets that
/// need the findings and counts. The bytes are those of [`summary_workbook`].
pub struct SummaryBook {
    workbook: Workbook,
}

impl SummaryBook {
    /// Starts the workbook of tracker `t` (its title lines; its activities are not read) with
    /// Appendix A holding `activities`, their fields in the order of
    /// [`FIELDS`](crate::model::FIELDS).
    ///
    /// # Errors
    ///
    /// As [`summary_workbook`].
    pub fn new<'a>(
        t: &Tracker,
        activities: impl IntoIterator<Item = Fields<'a>>,
        profile: &Profile,
    ) -> Result<SummaryBook> {
        crate::error::guarded(
            || {
                let mut workbook = new_workbook(t)?;
                let appendix = &mut workbook.worksheets_mut()[1];
                write_tracker_rows(appendix, t, activities, profile)?;
                Ok(SummaryBook { workbook })
            },
            super::writer_panic,
        )
    }

    /// Writes the other sheets for `input` (whose tracker holds the activities given to
    /// [`SummaryBook::new`]) and returns the workbook's bytes.
    ///
    /// # Errors
    ///
    /// As [`summary_workbook`].
    pub fn finish(mut self, input: &SummaryInput, profile: &Profile) -> Result<Vec<u8>> {
        crate::error::guarded(
            || {
                add_lists(&mut self.workbook, input)?;
                let (summary, rest) = self.workbook.worksheets_mut().split_at_mut(2);
                let (overview, others) = std::thread::scope(|scope| {
                    let side = scope.spawn(|| write_lists(rest, input, profile));
                    let overview = overview::write(&mut summary[0], input, profile);
                    let others = side
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (overview, others)
                });
                overview.and(others)?;
                Ok(self.workbook.save_to_buffer()?)
            },
            super::writer_panic,
        )
    }
}

/// A workbook with the properties of `t`'s summary and its first two sheets, Summary (empty)
/// and Appendix A (empty, in constant-memory mode: the tracker is written row by row).
fn new_workbook(t: &Tracker) -> Result<Workbook> {
    let mut workbook = Workbook::new();
    let title = if t.title.is_empty() {
        "Key Activities summary"
    } else {
        &t.title
    };
    let properties = DocProperties::new()
        .set_title(title)
        .set_subject(&t.period)
        .set_company(&t.organisation)
        .set_comment("Key Activities summary written by katrack")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2020, 1, 1)?);
    workbook.set_properties(&properties);
    workbook.add_worksheet().set_name(SUMMARY_SHEET)?;
    workbook
        .add_worksheet_with_constant_memory()?
        .set_name(APPENDIX_SHEET)?;
    Ok(workbook)
}

/// Adds the (empty) Issues, Returns and Changes sheets that `input` calls for.
fn add_lists(workbook: &mut Workbook, input: &SummaryInput) -> Result<()> {
    let lists = [
        (!input.findings.is_empty(), ISSUES_SHEET),
        (input.returns.is_some(), RETURNS_SHEET),
        (input.changes.is_some(), CHANGES_SHEET),
    ];
    for (_, name) in lists.iter().filter(|(wanted, _)| *wanted) {
        workbook.add_worksheet().set_name(*name)?;
    }
    Ok(())
}

/// The Issues, Returns and Changes sheets that `input` calls for, on `sheets` in that order.
fn write_lists(sheets: &mut [Worksheet], input: &SummaryInput, profile: &Profile) -> Result<()> {
    let mut sheets = sheets.iter_mut();
    let mut next = || sheets.next().expect("one worksheet per list sheet");
    let t = input.tracker;
    if !input.findings.is_empty() {
        lists::issues(next(), t, input.findings)?;
    }
    if let Some(returns) = input.returns {
        lists::returns(next(), t, returns)?;
    }
    if let Some(changes) = input.changes {
        lists::changes(next(), t, changes, profile)?;
    }
    Ok(())
}

/// The tracker's organisation, title and period lines from row 0, omitting empty ones; returns
/// the next free row. `fallback` stands in for an empty title.
fn title_block(ws: &mut Worksheet, t: &Tracker, fallback: &str) -> Result<RowNum> {
    let styles = crate::write::style::Styles::new();
    let title = if t.title.is_empty() {
        fallback
    } else {
        &t.title
    };
    let lines = [
        (t.organisation.as_str(), &styles.organisation, 21.0),
        (title, &styles.title, 24.0),
        (t.period.as_str(), &styles.period, 18.0),
    ];
    let mut row = 0;
    for (text, format, height) in lines {
        if !text.is_empty() {
            ws.write_string_with_format(row, 0, text, format)?;
            ws.set_row_height(row, height)?;
            row += 1;
        }
    }
    Ok(row)
}
