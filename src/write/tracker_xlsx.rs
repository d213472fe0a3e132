//! The formatted tracker workbook: the canonical tracker laid out like a council's "Appendix A"
//! (theme banners, objective headings, RAG-coloured statuses, wrapped text, ready to print).
//!
//! It is a report for the committee and also an input katrack can read back: the header texts are
//! profile synonyms, and hidden columns carry each activity's objective and theme, so
//! import → workbook → import keeps every field. Every value is written as a string, never as a
//! formula or number, and the bytes are reproducible (fixed creation date).

use crate::error::{Error, Result};
use crate::model::{Activity, AsFields, Fields, Tracker};
use crate::profile::Profile;
use crate::write::style::text_row_height as row_height;
use crate::write::style::{Styles, status_style};
use rust_xlsxwriter::{ColNum, DocProperties, ExcelDateTime, Format, RowNum, Workbook, Worksheet};
use std::collections::HashMap;

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
const LAST_VISIBLE: ColNum = 6;
/// Points per line of 11pt Calibri.
const LINE_HEIGHT: f64 = 15.0;

/// The tracker as a formatted `.xlsx` workbook with one sheet, [`SHEET_NAME`].
///
/// Statuses are filled with the profile's colours; the same tracker always gives the same bytes.
///
/// # Errors
///
/// [`Error::Write`] if a cell cannot be written, e.g. a text longer than Excel's 32,767
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
    let mut workbook = workbook_of(t, t.activities.iter(), profile)?;
    Ok(workbook.save_to_buffer()?)
}

/// [`tracker_workbook`] written to `out` as the activities come, its title and period from `t`
/// (whose own activities are not read): with a large tracker streamed from its file, memory
/// stays flat, as neither the activities nor the workbook's bytes are held.
///
/// # Errors
///
/// As [`tracker_workbook`], and [`Error::Write`] when `out` cannot be written.
pub fn write_tracker_workbook<A: AsFields>(
    out: impl std::io::Write + Send,
    t: &Tracker,
    activities: impl IntoIterator<Item = A>,
    profile: &Profile,
) -> Result<()> {
    crate::error::guarded(
        || {
            let mut workbook = workbook_of(t, activities, profile)?;
            // A failed write is the disk's, said as such by the caller (see write_file_with).
            workbook.save_to_writer(out).map_err(|e| match e {
                rust_xlsxwriter::XlsxError::IoError(io)
                | rust_xlsxwriter::XlsxError::ZipError(zip::result::ZipError::Io(io)) => {
                    Error::Io(io)
                }
                other => other.into(),
            })
        },
        super::writer_panic,
    )
}

fn workbook_of<A: AsFields>(
    t: &Tracker,
    activities: impl IntoIterator<Item = A>,
    profile: &Profile,
) -> Result<Workbook> {
    let mut workbook = Workbook::new();
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
    let worksheet = workbook.add_worksheet_with_constant_memory()?;
    worksheet.set_name(SHEET_NAME)?;
    write_tracker_rows(worksheet, t, activities, profile)?;
    Ok(workbook)
}

/// Lays the tracker out on an existing worksheet (columns A to K, from row 1), with its print
/// settings; for workbooks that hold the tracker beside other sheets, such as a summary.
///
/// # Errors
///
/// As [`tracker_workbook`].
pub fn write_tracker_sheet(ws: &mut Worksheet, t: &Tracker, profile: &Profile) -> Result<()> {
    write_tracker_rows(ws, t, t.activities.iter().map(Activity::fields), profile)
}

/// [`write_tracker_sheet`] with the activities given as their fields, in the order of
/// [`FIELDS`](crate::model::FIELDS); `t` gives the title lines and print settings (its
/// activities are not read).
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
    let styles = Styles::new();
    for (i, column) in (0..).zip(COLUMNS.iter()) {
        ws.set_column_width(i, column.width)?;
        if column.hidden {
            ws.set_column_hidden(i)?;
        }
    }

    let mut row: RowNum = 0;
    let top = [
        (&t.organisation, &styles.organisation, 21.0),
        (&t.title, &styles.title, 24.0),
        (&t.period, &styles.period, LINE_HEIGHT + 3.0),
    ];
    for (text, format, height) in top {
        if !text.is_empty() {
            ws.write_string_with_format(row, 0, text, format)?;
            ws.set_row_height(row, height)?;
            row += 1;
        }
    }

    let header_row = row;
    for (i, column) in (0..).zip(COLUMNS.iter()) {
        ws.write_string_with_format(header_row, i, column.header, &styles.header)?;
    }
    ws.set_row_height(header_row, LINE_HEIGHT + 6.0)?;
    ws.set_freeze_panes(header_row + 1, 0)?;
    row += 1;

    // One format per status spelling, made once rather than for every activity.
    let mut status_formats: HashMap<String, Format> = HashMap::new();
    // The theme and objective of the activity above (owned: activities may be streamed).
    let mut theme: Option<[String; 2]> = None;
    let mut objective: Option<[String; 2]> = None;
    let same = |held: &Option<[String; 2]>, now: [&str; 2]| {
        held.as_ref()
            .is_some_and(|[a, b]| a == now[0] && b == now[1])
    };
    for activity in activities {
        let activity = activity.as_fields();
        let [
            _,
            _,
            status,
            _,
            _,
            _,
            _,
            objective_id,
            objective_title,
            theme_name,
            strapline,
        ] = activity;
        if !same(&theme, [theme_name, strapline]) {
            theme = Some([theme_name.to_string(), strapline.to_string()]);
            // A new theme restates its objective even if the id happens to repeat.
            objective = None;
            let text = joined(theme_name, strapline);
            if !text.is_empty() {
                ws.merge_range(row, 0, row, LAST_VISIBLE, &text, &styles.theme)?;
                ws.set_row_height(row, 24.0)?;
                row += 1;
            }
        }
        if !same(&objective, [objective_id, objective_title]) {
            objective = Some([objective_id.to_string(), objective_title.to_string()]);
            let text = joined(objective_id, objective_title);
            if !text.is_empty() {
                ws.merge_range(row, 0, row, LAST_VISIBLE, &text, &styles.objective)?;
                ws.set_row_height(row, row_height(&[(&text, 231.0)]))?;
                row += 1;
            }
        }
        if !status_formats.contains_key(status) {
            let format = status_style(&styles.status, profile.status_colour(status));
            status_formats.insert(status.to_string(), format);
        }
        write_activity(ws, row, &activity, &status_formats[status], &styles.cell)?;
        row += 1;
    }

    page_setup(ws, t, header_row)
}

/// Writes one activity row: strings only, blank bordered cells for empty visible values.
fn write_activity(
    ws: &mut Worksheet,
    row: RowNum,
    activity: &Fields,
    status_format: &Format,
    cell_format: &Format,
) -> Result<()> {
    let mut visible = [("", 0.0); COLUMNS.len()];
    let mut shown = 0;
    for ((i, column), &value) in (0..).zip(COLUMNS.iter()).zip(activity) {
        let format = if column.field == "status" {
            status_format
        } else {
            cell_format
        };
        let written = if !value.is_empty() {
            ws.write_string_with_format(row, i, value, format)
                .map(|_| ())
        } else if !column.hidden {
            ws.write_blank(row, i, format).map(|_| ())
        } else {
            Ok(())
        };
        written.map_err(|e| {
            let id = if activity[0].is_empty() {
                "an activity with no id"
            } else {
                activity[0]
            };
            Error::Write(format!("{id}, column {}: {e}", column.header))
        })?;
        if !column.hidden {
            visible[shown] = (value, column.width);
            shown += 1;
        }
    }
    ws.set_row_height(row, row_height(&visible[..shown]))?;
    Ok(())
}

/// Printing: landscape A4, one page wide, the header row on every page, titled and numbered,
/// centred on the page.
fn page_setup(ws: &mut Worksheet, t: &Tracker, header_row: RowNum) -> Result<()> {
    super::style::print_setup(ws, t, Some(header_row))?;
    ws.set_print_center_horizontally(true);
    Ok(())
}

/// "name: detail", or whichever part is non-empty.
fn joined(name: &str, detail: &str) -> String {
    match (name.is_empty(), detail.is_empty()) {
        (false, false) => format!("{name}: {detail}"),
        (false, true) => name.to_string(),
        _ => detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    fn activity(id: &str, status: &str, objective: (&str, &str), theme: (&str, &str)) -> Activity {
        Activity {
            id: id.into(),
            title: format!("Title of {id}"),
            status: status.into(),
            progress: "- First point\n  • detail".into(),
            next_steps: String::new(),
            lead: "Chief Officer - Governance".into(),
            portfolio: "Corporate".into(),
            objective_id: objective.0.into(),
            objective_title: objective.1.into(),
            theme: theme.0.into(),
            theme_strapline: theme.1.into(),
            source: None,
        }
    }

    fn sample() -> Tracker {
        let place = ("THE PLACE", "a safe, enterprising and vibrant place");
        let council = ("YOUR COUNCIL", "creative, proactive and efficient");
        let co1 = (
            "CO 1",
            "Keeping the District a great place to live, work and visit",
        );
        let mut formula = activity("KA.01.02", "Amber", co1, place);
        formula.progress = "=1+1".into();
        formula.next_steps = "0123".into();
        Tracker {
            title: "Corporate Plan Key Activities".into(),
            organisation: "Harborough District Council".into(),
            period: "2020/21 Q1".into(),
            activities: vec![
                activity("KA.01.01", "Green", co1, place),
                formula,
                activity("KA.08.02", "Made up", ("CO 8", "Sound finances"), council),
            ],
            ..Tracker::default()
        }
    }

    fn profile() -> Profile {
        Profile::default_profile()
    }

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)).unwrap()
    }

    fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
        range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
    }

    fn s(value: &str) -> Data {
        Data::String(value.into())
    }

    #[test]
    fn reads_back_headers_banners_and_cells() {
        let t = sample();
        let mut book = open(tracker_workbook(&t, &profile()).unwrap());
        let range = book.worksheet_range(SHEET_NAME).unwrap();
        assert_eq!(text(&range, 0, 0), s("Harborough District Council"));
        assert_eq!(text(&range, 1, 0), s("Corporate Plan Key Activities"));
        assert_eq!(text(&range, 2, 0), s("2020/21 Q1"));
        for (i, column) in (0..).zip(COLUMNS.iter()) {
            assert_eq!(text(&range, 3, i), s(column.header));
        }
        let banner = "THE PLACE: a safe, enterprising and vibrant place";
        assert_eq!(text(&range, 4, 0), s(banner));
        let heading = "CO 1: Keeping the District a great place to live, work and visit";
        assert_eq!(text(&range, 5, 0), s(heading));
        let first = &t.activities[0];
        for (i, column) in (0..).zip(COLUMNS.iter()) {
            let expected = first.field(column.field).unwrap();
            let expected = if expected.is_empty() {
                Data::Empty
            } else {
                s(expected)
            };
            assert_eq!(text(&range, 6, i), expected, "column {}", column.header);
        }
        // KA.08.02 is under a new theme and a new objective.
        assert_eq!(
            text(&range, 8, 0),
            s("YOUR COUNCIL: creative, proactive and efficient")
        );
        assert_eq!(text(&range, 9, 0), s("CO 8: Sound finances"));
        assert_eq!(text(&range, 10, 0), s("KA.08.02"));
        assert_eq!(text(&range, 10, 2), s("Made up"));

        let merged = book.merge_cells_by_sheet_name(SHEET_NAME).unwrap();
        for row in [4, 5, 8, 9] {
            assert!(
                merged
                    .iter()
                    .any(|d| d.start == (row, 0) && d.end == (row, 6)),
                "row {row} merged A:G in {merged:?}"
            );
        }
    }

    #[test]
    fn text_that_looks_like_a_formula_or_number_stays_text() {
        let mut book = open(tracker_workbook(&sample(), &profile()).unwrap());
        let range = book.worksheet_range(SHEET_NAME).unwrap();
        assert_eq!(text(&range, 7, 3), s("=1+1"));
        assert_eq!(text(&range, 7, 4), s("0123"));
        let formulas = book.worksheet_formula(SHEET_NAME).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn columns_follow_the_canonical_field_order() {
        // Rows are written from `Activity::fields`, which follows FIELDS.
        assert_eq!(COLUMNS.map(|c| c.field), crate::model::FIELDS);
        let a = activity(
            "KA.01.01",
            "Green",
            ("CO 1", "Homes"),
            ("THE PLACE", "safe"),
        );
        for (column, value) in COLUMNS.iter().zip(a.fields()) {
            assert_eq!(a.field(column.field), Some(value));
        }
    }

    #[test]
    fn same_tracker_gives_identical_bytes() {
        let profile = profile();
        let a = tracker_workbook(&sample(), &profile).unwrap();
        let b = tracker_workbook(&sample(), &profile).unwrap();
        assert!(a == b, "two writes of one tracker differ");
    }

    #[test]
    fn no_metadata_and_no_themes_means_no_extra_rows() {
        let mut a = activity("KA.02.01", "Green", ("", ""), ("", ""));
        a.title = "& more".into();
        let t = Tracker::with_activities(vec![a]);
        let mut book = open(tracker_workbook(&t, &profile()).unwrap());
        let range = book.worksheet_range(SHEET_NAME).unwrap();
        assert_eq!(text(&range, 0, 0), s("ID"));
        assert_eq!(text(&range, 1, 0), s("KA.02.01"));
        assert_eq!(text(&range, 1, 1), s("& more"));
        assert!(
            book.merge_cells_by_sheet_name(SHEET_NAME)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn an_overlong_cell_names_the_activity() {
        let mut a = activity("KA.03.01", "Green", ("CO 3", "Homes"), ("", ""));
        a.progress = "x".repeat(40_000);
        let err = tracker_workbook(&Tracker::with_activities(vec![a]), &profile())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("KA.03.01") && err.contains("Progress"),
            "{err}"
        );
    }

    #[test]
    fn row_heights_follow_the_text_and_stop_at_excels_limit() {
        assert_eq!(row_height(&[("short", 45.0)]), 18.0);
        assert_eq!(row_height(&[("", 45.0)]), 18.0);
        // 120 characters in a 45-wide column (54 characters a line) take 3 lines.
        let long = "a".repeat(120);
        assert_eq!(row_height(&[(&long, 45.0), ("one\ntwo", 70.0)]), 48.0);
        assert_eq!(
            row_height(&[(&"a".repeat(100), 45.0), ("one\ntwo", 70.0)]),
            33.0
        );
        assert_eq!(row_height(&[(&"line\n".repeat(100), 70.0)]), 409.0);
    }
}
