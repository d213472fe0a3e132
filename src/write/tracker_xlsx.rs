//! The formatted tracker workbook: the canonical tracker laid out like a council's "Appendix A"
//! (theme banners, objective headings, RAG-coloured statuses, wrapped text, ready to print).
//!
//! It is a report for the committee and also an input katrack can read back: the header texts are
//! profile synonyms, and hidden columns carry each activity's objective and theme, so
//! import → workbook → import keeps every field. Every value is written as a string, never as a
//! formula or number, and the bytes are reproducible (fixed creation date).

use crate::error::Result;
use crate::model::{AsFields, Tracker};
use crate::profile::Profile;
use crate::write::sheet_stream::Xfs;
use crate::write::style::{Styles, status_style};
pub use crate::write::tracker_rows::TrackerRows;
use rust_xlsxwriter::{ColNum, DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

/// The name of the tracker worksheet.
pub const SHEET_NAME: &str = "Tracker";

/// One column of the tracker sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// The canonical field it holds (one of [`FIELDS`](crate::model::FIELDS)).
    pub field: &'static str,
    /// The header text; readers find the column by it, so it must stay a profile synonym.
    pub header: &'static str,
    /// The width in characters.
    pub width: f64,
    /// Hidden columns carry values for round-tripping, not for the printed report.
    pub hidden: bool,
}

const fn col(field: &'static str, header: &'static str, width: f64, hidden: bool) -> Column {
    Column {
        field,
        header,
        width,
        hidden,
    }
}

/// The columns of the tracker sheet, A to K.
pub const COLUMNS: [Column; 11] = [
    col("id", "ID", 11.0, false),
    col("title", "Key Activity", 45.0, false),
    col("status", "Status", 16.0, false),
    col("progress", "Progress", 70.0, false),
    col("next_steps", "Next Steps", 50.0, false),
    col("lead", "Lead Officer", 26.0, false),
    col("portfolio", "Portfolio", 13.0, false),
    col("objective_id", "Objective ID", 12.0, true),
    col("objective_title", "Objective", 40.0, true),
    col("theme", "Theme", 16.0, true),
    col("theme_strapline", "Theme Strapline", 40.0, true),
];

/// The last visible column (G); banners and headings are merged across A to here.
pub(crate) const LAST_VISIBLE: ColNum = 6;
/// Points per line of 11pt Calibri.
pub(crate) const LINE_HEIGHT: f64 = 15.0;

/// The tracker as a formatted `.xlsx` workbook with one sheet, [`SHEET_NAME`].
///
/// Statuses are filled with the profile's colours; the same tracker always gives the same bytes.
///
/// # Errors
///
/// [`Error::Write`](crate::Error::Write) if a cell cannot be written, e.g. a text longer than Excel's 32,767
/// characters; the message names the activity and the column.
///
/// # Examples
///
/// ```
/// use katrack::{profile::Profile, Activity, Tracker};
/// let t = Tracker::with_activities(vec![Activity {
///     id: "KA.08.02".into(),
///     title: "Develop a MTFS".into(),
///     status: "Amber".into(),
///     ..Activity::default()
/// }]);
/// let bytes = katrack::write::tracker_workbook(&t, &Profile::default_profile()).unwrap();
/// assert!(bytes.starts_with(b"PK"));
/// ```
pub fn tracker_workbook(t: &Tracker, profile: &Profile) -> Result<Vec<u8>> {
    crate::error::guarded(|| build(t, profile), super::writer_panic)
}

/// Builds the tracker workbook (see [`tracker_workbook`]).
fn build(t: &Tracker, profile: &Profile) -> Result<Vec<u8>> {
    // The formats registered as for rows written as XML, so that both ways give one workbook.
    let (mut workbook, _) = new_workbook(t, profile)?;
    let ws = workbook.worksheet_from_index(0)?;
    write_tracker_rows(ws, t, t.activities.iter(), profile)?;
    Ok(workbook.save_to_buffer()?)
}

/// [`tracker_workbook`] written to `out` as the activities come, its title and period from `t`
/// (whose own activities are not read): with a large tracker streamed from its file, memory
/// stays flat, as neither the activities nor the workbook's bytes are held.
///
/// # Errors
///
/// As [`tracker_workbook`], and [`Error::Write`](crate::Error::Write) when `out` cannot be written.
pub fn write_tracker_workbook<A: AsFields>(
    out: impl std::io::Write + Send,
    t: &Tracker,
    activities: impl IntoIterator<Item = A>,
    profile: &Profile,
) -> Result<()> {
    crate::error::guarded(
        || {
            let (mut workbook, xfs) = new_workbook(t, profile)?;
            let ws = workbook.worksheet_from_index(0)?;
            let mut rows = TrackerRows::streamed(ws, t, &xfs)?;
            for activity in activities {
                rows.write(ws, &activity.as_fields(), profile)?;
            }
            match rows.finish_rows(ws, t)? {
                Some(rows) => {
                    let sheets = vec![(SHEET_NAME, rows)];
                    super::spliced::save_spliced(&mut workbook, sheets, out)
                }
                None => super::save_to(&mut workbook, out),
            }
        },
        super::writer_panic,
    )
}

/// A workbook with the properties of `t` and its one sheet (empty, in constant-memory mode:
/// the tracker is written row by row), the tracker's formats registered first.
fn new_workbook(t: &Tracker, profile: &Profile) -> Result<(Workbook, Xfs)> {
    let mut workbook = Workbook::new();
    let xfs = register_formats(&mut workbook, profile);
    let created = ExcelDateTime::from_ymd(2020, 1, 1)?;
    let properties = DocProperties::new()
        .set_title(&t.title)
        .set_subject(&t.period)
        .set_company(&t.organisation)
        .set_comment("Key Activities tracker written by katrack")
        .set_creation_datetime(&created);
    workbook.set_properties(&properties);
    // Rows are written top to bottom, so each is flushed as soon as the next begins: memory
    // stays flat however long the tracker (rust_xlsxwriter's constant-memory mode).
    workbook
        .add_worksheet_with_constant_memory()?
        .set_name(SHEET_NAME)?;
    Ok((workbook, xfs))
}

/// Registers the formats of the tracker's rows with `workbook`, which must be new, so that
/// they are numbered before any other (see [`Xfs::register`]): the cell, banner and heading
/// formats and a status format for each of the profile's statuses' colours. A workbook whose
/// tracker rows are written on its sheet registers them too, so that the two ways give the
/// same workbook.
pub(crate) fn register_formats(workbook: &mut Workbook, profile: &Profile) -> Xfs {
    let styles = Styles::new();
    let statuses: Vec<Format> = std::iter::once(None)
        .chain(profile.statuses.iter().map(|s| Some(s.colour.as_str())))
        .map(|colour| status_style(&styles.status, colour))
        .collect();
    let mut formats = vec![&styles.cell, &styles.theme, &styles.objective];
    formats.extend(&statuses);
    Xfs::register(workbook, &formats)
}

/// Lays a tracker out on an existing worksheet (columns A to K, from row 1), with its print
/// settings, for workbooks that hold it beside other sheets, such as a summary: `activities`
/// (each an [`Activity`](crate::model::Activity) or its fields, in the order of
/// [`FIELDS`](crate::model::FIELDS)) under the title lines of `t` (whose activities are not
/// read).
///
/// # Errors
///
/// As [`tracker_workbook`].
pub fn write_tracker_rows<A: AsFields>(
    ws: &mut Worksheet,
    t: &Tracker,
    activities: impl IntoIterator<Item = A>,
    profile: &Profile,
) -> Result<()> {
    let mut rows = TrackerRows::new(ws, t)?;
    for activity in activities {
        rows.write(ws, &activity.as_fields(), profile)?;
    }
    rows.finish(ws, t)
}

#[cfg(test)]
#[path = "tracker_xlsx_tests.rs"]
mod tests;
