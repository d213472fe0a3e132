//! The summary workbook: the quarter's master for the committee, ready to print without
//! touching up. A "Summary" sheet of headline numbers, status tables by objective, portfolio and
//! lead, and native charts drawn from those tables; "Appendix A", the full tracker in the
//! council's layout; then, when there is something to show, the "Issues", "Returns" and
//! "Changes" sheets.
//!
//! Counts are written as numbers (no formulas), so every spreadsheet program shows the same
//! values and the charts' cached data is right; the bytes are reproducible.

mod appendix;
mod changes;
mod counts;
mod lists;
mod overview;
#[cfg(test)]
mod tests;

pub use appendix::{AppendixRows, AppendixSheet};
pub use counts::{
    CountRow, NO_OBJECTIVE, NO_THEME, NOT_GIVEN, OTHER, StatusColumn, StatusCounts, ThemeCounts,
    status_counts,
};

use crate::diff::Changes;
use crate::error::Result;
use crate::finding::Finding;
use crate::merge::LeadReturn;
use crate::model::{Activity, Fields, Rows, Tracker};
use crate::profile::Profile;
use crate::write::sheet_stream::{Rows as StreamedRows, Xfs};
use crate::write::style::print_setup;
use crate::write::style::text_row_height as row_height;
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

/// The list sheets, in workbook order after Summary and Appendix A (the first at
/// [`FIRST_LIST`]); [`ISSUES`], [`RETURNS`] and [`CHANGES`] are their places in this list.
const LIST_SHEETS: [&str; 3] = [ISSUES_SHEET, RETURNS_SHEET, CHANGES_SHEET];
const FIRST_LIST: usize = 2;
const ISSUES: usize = 0;
const RETURNS: usize = 1;
const CHANGES: usize = 2;

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
    let activities: Vec<Fields> = t.activities.iter().map(Activity::fields).collect();
    let findings: Vec<&Finding> = input.findings.iter().collect();
    let sheets = SheetsInput {
        meta: t,
        activities: &activities,
        findings: &findings,
        returns: input.returns,
        changes: input.changes,
    };
    let mut book = SummaryBook::new(t, profile)?;
    // Appendix A (the bulk of the work) is written on this thread while the other sheets are
    // written on a second one. The Summary and Issues sheets keep their own formats until the
    // workbook is saved, and the Returns sheet's were registered when the workbook was begun
    // (see `SummaryBook::new`), so the bytes do not depend on which thread goes first.
    let (appendix, others) = book.parts();
    let (appendix, (overview, lists)) = std::thread::scope(|scope| {
        let side = scope.spawn(|| others.write(&sheets, profile));
        let appendix = appendix.write(t, activities.iter().copied(), profile);
        let others = side
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (appendix, others)
    });
    // The first failure in workbook order.
    overview.and(appendix).and(lists)?;
    book.finish()
}

/// [`SummaryInput`] with the master's activities given as their fields: what the sheets beside
/// Appendix A are written from, which [`SummaryBook`] can have before the master is put
/// together.
#[derive(Clone, Copy)]
pub struct SheetsInput<'a> {
    /// The master's title lines (its activities are not read).
    pub meta: &'a Tracker,
    /// The master's activities, in order (gone through several times).
    pub activities: &'a dyn Rows,
    /// The findings on the returns (or on the master), in order; an "Issues" sheet lists them.
    pub findings: &'a [&'a Finding],
    /// Per-lead completeness from a merge; a "Returns" sheet shows it.
    pub returns: Option<&'a [LeadReturn]>,
    /// What moved since last quarter; a "Changes" sheet shows it.
    pub changes: Option<&'a Changes>,
}

/// The committee workbook written in parts, on two threads if wished: [`SummaryBook::parts`]
/// gives Appendix A and the other sheets to be written at once, [`SummaryBook::write_changes`]
/// adds the Changes sheet when it is known only later, and [`SummaryBook::finish_to`] saves.
/// The bytes are those of [`summary_workbook`] for the same input.
pub struct SummaryBook {
    workbook: Workbook,
    /// Which of the Issues, Returns and Changes sheets were written; the others are left out.
    written: [bool; 3],
    /// The numbers of Appendix A's formats, when its rows are written as XML by katrack
    /// (`src/write/sheet_stream.rs`) rather than on its sheet.
    xfs: Option<Xfs>,
    /// Appendix A's rows so written, once all are; and the Returns sheet's list of activities
    /// not returned (tens of thousands of rows when half a large plan is missing).
    appendix_rows: Option<StreamedRows>,
    returns_rows: Option<StreamedRows>,
}

/// The Summary, Issues, Returns and Changes sheets of a [`SummaryBook`], to be written once.
pub struct OtherSheets<'a> {
    summary: &'a mut Worksheet,
    lists: &'a mut [Worksheet],
    written: &'a mut [bool; 3],
    /// The Returns sheet's list rows written as XML (with the formats' numbers), if so.
    returns_rows: Option<(&'a Xfs, &'a mut Option<StreamedRows>)>,
}

impl SummaryBook {
    /// Starts the workbook of tracker `t` (its title lines; its activities are not read), for
    /// `profile` (its statuses' colours).
    ///
    /// # Errors
    ///
    /// As [`summary_workbook`].
    pub fn new(t: &Tracker, profile: &Profile) -> Result<SummaryBook> {
        SummaryBook::begin(t, profile, true)
    }

    /// [`new`](Self::new), Appendix A's rows written on its sheet by rust_xlsxwriter (the
    /// workbook is the same; for the tests that hold this).
    #[cfg(test)]
    pub(crate) fn on_sheets(t: &Tracker, profile: &Profile) -> Result<SummaryBook> {
        SummaryBook::begin(t, profile, false)
    }

    /// [`new`](Self::new), Appendix A's rows written as XML by katrack if `streamed`.
    fn begin(t: &Tracker, profile: &Profile, streamed: bool) -> Result<SummaryBook> {
        crate::error::guarded(
            || {
                let (mut workbook, xfs) = new_workbook(t, profile)?;
                for name in LIST_SHEETS {
                    // The Returns sheet may list tens of thousands of activities nobody
                    // returned: written row by row beside Appendix A, not made at the save.
                    let ws = if name == RETURNS_SHEET {
                        workbook.add_worksheet_with_constant_memory()?
                    } else {
                        workbook.add_worksheet()
                    };
                    ws.set_name(name)?;
                }
                for format in lists::returns_formats() {
                    workbook.register_format(&format);
                }
                Ok(SummaryBook {
                    workbook,
                    written: [false; 3],
                    xfs: streamed.then_some(xfs),
                    appendix_rows: None,
                    returns_rows: None,
                })
            },
            super::writer_panic,
        )
    }

    /// Appendix A and the other sheets, to be written at once (on two threads).
    pub fn parts(&mut self) -> (AppendixSheet<'_>, OtherSheets<'_>) {
        let (summary, rest) = self.workbook.worksheets_mut().split_at_mut(1);
        let (appendix, lists) = rest.split_at_mut(1);
        (
            AppendixSheet {
                ws: &mut appendix[0],
                xfs: self.xfs.as_ref(),
                rows_out: &mut self.appendix_rows,
            },
            OtherSheets {
                summary: &mut summary[0],
                lists,
                written: &mut self.written,
                returns_rows: self.xfs.as_ref().map(|xfs| (xfs, &mut self.returns_rows)),
            },
        )
    }

    /// Writes the Changes sheet, for `changes` on the master whose title lines are `meta` and
    /// whose activities are `activities`.
    ///
    /// # Errors
    ///
    /// As [`summary_workbook`].
    pub fn write_changes(
        &mut self,
        meta: &Tracker,
        activities: &dyn Rows,
        changes: &Changes,
        profile: &Profile,
    ) -> Result<()> {
        crate::error::guarded(
            || {
                let ws = &mut self.workbook.worksheets_mut()[FIRST_LIST + CHANGES];
                changes::changes(ws, meta, activities, changes, profile)?;
                self.written[CHANGES] = true;
                Ok(())
            },
            super::writer_panic,
        )
    }

    /// Saves the workbook to `out`.
    ///
    /// # Errors
    ///
    /// As [`summary_workbook`], and [`Error::Io`](crate::Error::Io) when `out` cannot be written.
    pub fn finish_to(mut self, out: impl std::io::Write + Send) -> Result<()> {
        crate::error::guarded(
            || {
                let streamed = [
                    (APPENDIX_SHEET, self.appendix_rows.take()),
                    (RETURNS_SHEET, self.returns_rows.take()),
                ];
                let sheets: Vec<_> = streamed
                    .into_iter()
                    .filter_map(|(name, rows)| Some((name, rows?)))
                    .collect();
                let mut workbook = self.without_unwritten();
                let saved = if sheets.is_empty() {
                    super::save_to(&mut workbook, out)
                } else {
                    super::spliced::save_spliced(&mut workbook, sheets, out)
                };
                // The workbook holds every row's settings: freed aside, as the caller goes on.
                crate::merge::free_aside(workbook);
                saved
            },
            super::writer_panic,
        )
    }

    /// The workbook's bytes.
    ///
    /// # Errors
    ///
    /// As [`summary_workbook`].
    pub fn finish(self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.finish_to(&mut bytes)?;
        Ok(bytes)
    }

    /// The workbook without the list sheets nothing was written to.
    fn without_unwritten(mut self) -> Workbook {
        let sheets = self.workbook.worksheets_mut();
        for (i, written) in self.written.iter().enumerate().rev() {
            if !written {
                sheets.remove(FIRST_LIST + i);
            }
        }
        self.workbook
    }
}

impl OtherSheets<'_> {
    /// Writes the Summary sheet and the Issues (when there are findings), Returns (when
    /// returns are given) and Changes (when changes are given) sheets: the Summary's result,
    /// then the others'.
    pub fn write(self, input: &SheetsInput, profile: &Profile) -> (Result<()>, Result<()>) {
        let overview = crate::error::guarded(
            || overview::write(self.summary, input, profile),
            super::writer_panic,
        );
        let lists = crate::error::guarded(
            || write_lists(self.lists, self.written, self.returns_rows, input, profile),
            super::writer_panic,
        );
        (overview, lists)
    }
}

/// A workbook with the properties of `t`'s summary and its first two sheets, Summary (empty)
/// and Appendix A (empty, in constant-memory mode: the tracker is written row by row), the
/// tracker's formats registered first.
fn new_workbook(t: &Tracker, profile: &Profile) -> Result<(Workbook, Xfs)> {
    let mut workbook = Workbook::new();
    let xfs = crate::write::tracker_xlsx::register_formats(&mut workbook, profile);
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
    Ok((workbook, xfs))
}

/// The Issues, Returns and Changes sheets that `input` calls for, on `sheets` (one for each,
/// in that order); `written` says which were.
fn write_lists(
    sheets: &mut [Worksheet],
    written: &mut [bool; 3],
    returns_rows: Option<(&Xfs, &mut Option<StreamedRows>)>,
    input: &SheetsInput,
    profile: &Profile,
) -> Result<()> {
    let t = input.meta;
    if !input.findings.is_empty() {
        lists::issues(&mut sheets[ISSUES], t, input.findings)?;
        written[ISSUES] = true;
    }
    if let Some(returns) = input.returns {
        lists::returns(
            &mut sheets[RETURNS],
            t,
            input.activities,
            returns,
            returns_rows,
        )?;
        written[RETURNS] = true;
    }
    if let Some(changes) = input.changes {
        changes::changes(&mut sheets[CHANGES], t, input.activities, changes, profile)?;
        written[CHANGES] = true;
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
