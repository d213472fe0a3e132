//! The tracker sheet's rows, one activity at a time ([`TrackerRows`]): theme and objective
//! banners, the activity's cells and formats, the row's height; on the worksheet, or written as
//! XML by katrack (`src/write/sheet_stream.rs`), the same bytes either way.

use super::tracker_xlsx::{COLUMNS, LAST_VISIBLE, LINE_HEIGHT};
use crate::error::{Error, Result};
use crate::model::field::STATUS;
use crate::model::{Fields, Tracker};
use crate::profile::Profile;
use crate::write::sheet_stream::{Cell, Rows, RowsXml, Xfs, pixels, unregistered};
use crate::write::style::text_row_height as row_height;
use crate::write::style::{Styles, status_style};
use foldhash::{HashMap, HashMapExt};
use rust_xlsxwriter::{ColNum, Format, RowNum, Worksheet};

/// [`write_tracker_rows`](super::tracker_xlsx::write_tracker_rows) one activity at a time, for a caller that has its activities only
/// one by one: [`new`](Self::new) writes the columns, title lines and header,
/// [`write`](Self::write) each activity's row (with a theme or objective banner above it when
/// those change), [`finish`](Self::finish) the print settings. The sheet is the same.
pub struct TrackerRows {
    styles: Styles,
    /// The next row to write.
    row: RowNum,
    header_row: RowNum,
    /// One format per status spelling, made once rather than for every activity, with its
    /// number in the workbook when the rows are written as XML (0 otherwise): finding it
    /// hashes the whole format.
    status_formats: HashMap<String, (Format, u32)>,
    /// The theme and objective of the activity above (owned: activities may be streamed).
    theme: Option<[String; 2]>,
    objective: Option<[String; 2]>,
    /// The rows written as XML by katrack rather than on the worksheet, if so.
    stream: Option<Streamed>,
}

/// [`TrackerRows`]' rows written as XML ([`RowsXml`]), with their formats' indices.
struct Streamed {
    xml: RowsXml,
    xfs: Xfs,
    /// The cell, theme and objective formats' indices.
    cell: u32,
    theme: u32,
    objective: u32,
}

impl TrackerRows {
    /// Writes the columns, the title lines of `t` (not its activities) and the header row.
    ///
    /// # Errors
    ///
    /// As [`tracker_workbook`](super::tracker_workbook).
    pub fn new(ws: &mut Worksheet, t: &Tracker) -> Result<TrackerRows> {
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
        Ok(TrackerRows {
            styles,
            row: row + 1,
            header_row,
            status_formats: HashMap::new(),
            theme: None,
            objective: None,
            stream: None,
        })
    }

    /// [`new`](Self::new), the activities' rows then written as XML and deflated by katrack
    /// (see `src/write/sheet_stream.rs`) rather than on `ws`, their formats numbered by `xfs`
    /// (the workbook's, see [`register_formats`]); [`finish_rows`](Self::finish_rows) gives
    /// them, for the save.
    pub(crate) fn streamed(ws: &mut Worksheet, t: &Tracker, xfs: &Xfs) -> Result<TrackerRows> {
        let mut rows = TrackerRows::new(ws, t)?;
        let of = |format: &Format| xfs.of(format).ok_or_else(unregistered);
        rows.stream = Some(Streamed {
            cell: of(&rows.styles.cell)?,
            theme: of(&rows.styles.theme)?,
            objective: of(&rows.styles.objective)?,
            xfs: xfs.clone(),
            xml: RowsXml::new()?,
        });
        Ok(rows)
    }

    /// Writes one activity (its fields in [`FIELDS`](crate::model::FIELDS) order), under a
    /// theme or objective banner when it starts a new one.
    ///
    /// # Errors
    ///
    /// As [`tracker_workbook`](super::tracker_workbook).
    pub fn write(
        &mut self,
        ws: &mut Worksheet,
        activity: &Fields,
        profile: &Profile,
    ) -> Result<()> {
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
        ] = *activity;
        let same = |held: &Option<[String; 2]>, now: [&str; 2]| {
            held.as_ref()
                .is_some_and(|[a, b]| a == now[0] && b == now[1])
        };
        if !same(&self.theme, [theme_name, strapline]) {
            self.theme = Some([theme_name.to_string(), strapline.to_string()]);
            // A new theme restates its objective even if the id happens to repeat.
            self.objective = None;
            self.banner(ws, &joined(theme_name, strapline), Banner::Theme)?;
        }
        if !same(&self.objective, [objective_id, objective_title]) {
            self.objective = Some([objective_id.to_string(), objective_title.to_string()]);
            self.banner(
                ws,
                &joined(objective_id, objective_title),
                Banner::Objective,
            )?;
        }
        if !self.status_formats.contains_key(status) {
            let format = status_style(&self.styles.status, profile.status_colour(status));
            let xf = match &self.stream {
                Some(s) => s.xfs.of(&format).ok_or_else(unregistered)?,
                None => 0,
            };
            self.status_formats.insert(status.to_string(), (format, xf));
        }
        let (status_format, status_xf) = &self.status_formats[status];
        match &mut self.stream {
            Some(s) => stream_activity(&mut s.xml, self.row, activity, *status_xf, s.cell)?,
            None => write_activity(ws, self.row, activity, status_format, &self.styles.cell)?,
        }
        self.row += 1;
        Ok(())
    }

    /// Writes `text`, unless empty, as a theme or objective banner: merged across the visible
    /// columns.
    fn banner(&mut self, ws: &mut Worksheet, text: &str, banner: Banner) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let height = match banner {
            Banner::Theme => 24.0,
            Banner::Objective => row_height(&[(text, 231.0)]),
        };
        if let Some(s) = &mut self.stream {
            let xf = match banner {
                Banner::Theme => s.theme,
                Banner::Objective => s.objective,
            };
            s.xml
                .merged_row(self.row, pixels(height), (0, LAST_VISIBLE), text, xf)
                .map_err(|(_, e)| e)?;
        } else {
            let format = match banner {
                Banner::Theme => &self.styles.theme,
                Banner::Objective => &self.styles.objective,
            };
            ws.merge_range(self.row, 0, self.row, LAST_VISIBLE, text, format)?;
            ws.set_row_height(self.row, height)?;
        }
        self.row += 1;
        Ok(())
    }

    /// The print settings, once every activity is written.
    ///
    /// # Errors
    ///
    /// As [`tracker_workbook`](super::tracker_workbook).
    pub fn finish(self, ws: &mut Worksheet, t: &Tracker) -> Result<()> {
        self.finish_rows(ws, t).map(|_| ())
    }

    /// [`finish`](Self::finish), giving the rows written as XML, if they were.
    pub(crate) fn finish_rows(self, ws: &mut Worksheet, t: &Tracker) -> Result<Option<Rows>> {
        page_setup(ws, t, self.header_row)?;
        self.stream.map(|s| s.xml.finish()).transpose()
    }
}

/// The two kinds of banner row above activities.
#[derive(Clone, Copy)]
enum Banner {
    Theme,
    Objective,
}

/// The error for `activity`'s cell in column `col`.
fn cell_error(activity: &Fields, col: usize, e: rust_xlsxwriter::XlsxError) -> Error {
    let id = if activity[0].is_empty() {
        "an activity with no id"
    } else {
        activity[0]
    };
    Error::Write(format!("{id}, column {}: {e}", COLUMNS[col].header))
}

/// [`write_activity`]'s row written as XML: the same cells and formats.
fn stream_activity(
    xml: &mut RowsXml,
    row: RowNum,
    activity: &Fields,
    status: u32,
    cell: u32,
) -> Result<()> {
    let end = formatted_end(activity);
    let cells: [Cell; COLUMNS.len()] = std::array::from_fn(|i| {
        let xf = if i == STATUS {
            status
        } else if i <= end || !activity[i].is_empty() {
            cell
        } else {
            0
        };
        (i as u16, activity[i], xf)
    });
    xml.row(row, pixels(activity_height(activity)), &cells)
        .map_err(|(col, e)| cell_error(activity, usize::from(col), e))
}

/// The last column formatted however empty: every visible one, and the hidden values next to
/// them.
fn formatted_end(activity: &Fields) -> usize {
    let mut end = usize::from(LAST_VISIBLE);
    while end + 1 < COLUMNS.len() && !activity[end + 1].is_empty() {
        end += 1;
    }
    end
}

/// The height of an activity's row: enough for its visible cells' wrapped text.
fn activity_height(activity: &Fields) -> f64 {
    let mut visible = [("", 0.0); COLUMNS.len()];
    let mut shown = 0;
    for (column, &value) in COLUMNS.iter().zip(activity).filter(|(c, _)| !c.hidden) {
        visible[shown] = (value, column.width);
        shown += 1;
    }
    row_height(&visible[..shown])
}

/// Writes one activity row: strings only, blank bordered cells for empty visible values.
///
/// The values go in unformatted and the cell format is then set once per run of cells:
/// rust_xlsxwriter finds a format's index by hashing the whole format, which per cell was the
/// largest single cost of a 100,000-row sheet. The cells and the bytes are those of writing
/// each cell with its format (the cell format is met before the status's, as then).
fn write_activity(
    ws: &mut Worksheet,
    row: RowNum,
    activity: &Fields,
    status_format: &Format,
    cell_format: &Format,
) -> Result<()> {
    let failed = |col: usize, e| cell_error(activity, col, e);
    // The id first, blank when empty: in constant-memory mode it makes this the row being
    // written, which the formats below are set on.
    if activity[0].is_empty() {
        ws.write_blank(row, 0, cell_format)
    } else {
        ws.write_string(row, 0, activity[0])
    }
    .map_err(|e| failed(0, e))?;
    for (i, &value) in activity.iter().enumerate().skip(1) {
        if i != STATUS && !value.is_empty() {
            ws.write_string(row, i as ColNum, value)
                .map_err(|e| failed(i, e))?;
        }
    }
    // Every visible column (a blank bordered cell where empty), with the hidden values next
    // to them; then any hidden value after a gap.
    let end = formatted_end(activity);
    ws.set_range_format(row, 0, row, end as ColNum, cell_format)?;
    if activity[STATUS].is_empty() {
        ws.write_blank(row, STATUS as ColNum, status_format)
    } else {
        ws.write_string_with_format(row, STATUS as ColNum, activity[STATUS], status_format)
    }
    .map_err(|e| failed(STATUS, e))?;
    for (i, value) in activity.iter().enumerate().skip(end + 1) {
        if !value.is_empty() {
            ws.set_cell_format(row, i as ColNum, cell_format)?;
        }
    }
    ws.set_row_height(row, activity_height(activity))?;
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
