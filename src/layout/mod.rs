//! Layout: sheets of cells into activities. Finds header rows by the profile's column synonyms,
//! follows theme banners and objective headings, joins continuation rows split by page breaks,
//! and accounts for every non-empty row (STYLE.md: nothing dropped silently).

mod activity;
mod cells;
mod feed;
mod header;
mod sheet;
mod values;

use crate::error::Result;
use crate::finding::Finding;
use crate::model::{Source, Tracker};
use crate::profile::Profile;
use crate::read::{Format, Input};
use std::collections::BTreeMap;

pub use cells::FieldCells;
pub use feed::{Done, Layout, SheetSeen, choose_sheets, reads_sheet};
pub use header::{Header, HeaderKeys, SOURCE_FIELDS};
pub use values::{clean_activity, set_period};

/// How one physical row was read, for `import --explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    /// The header row of a table.
    Header,
    /// A key activity (its id, or `""` when the row has none).
    Activity(String),
    /// The rest of an activity split by a page break.
    Continuation(String),
    /// A theme banner.
    Theme,
    /// A corporate objective heading.
    Objective,
    /// Another section heading (a merged banner that names no theme or objective).
    Heading,
    /// Document title, organisation or period above the table.
    Title,
    /// Page furniture ("Appendix A", "Key Activities in Detail", a rule of dashes).
    Furniture,
    /// Not understood; reported as an `unrecognised-row` finding.
    Unrecognised,
}

impl RowKind {
    /// A short label for tables.
    pub fn label(&self) -> &'static str {
        match self {
            RowKind::Header => "header",
            RowKind::Activity(_) => "activity",
            RowKind::Continuation(_) => "continuation",
            RowKind::Theme => "theme heading",
            RowKind::Objective => "objective heading",
            RowKind::Heading => "heading",
            RowKind::Title => "title",
            RowKind::Furniture => "page furniture",
            RowKind::Unrecognised => "unrecognised",
        }
    }
}

/// One physical row's reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    /// The sheet name (`""` for CSV).
    pub sheet: String,
    /// The 1-based physical row.
    pub row: u32,
    /// What the row was read as.
    pub kind: RowKind,
    /// A few words on why (the heading's text, the header's columns, the activity's id).
    pub detail: String,
}

/// A note about a whole sheet (skipped, hidden, no header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetReport {
    /// The sheet name.
    pub sheet: String,
    /// Whether its rows were read as tracker rows.
    pub read: bool,
    /// Why or why not.
    pub detail: String,
}

/// Where an activity's values physically are, for findings that point at cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityCells {
    /// The sheet (`""` for CSV and JSON), shared by the activities of one sheet.
    pub sheet: std::sync::Arc<str>,
    /// 0-based row of the activity's first row.
    pub row: u32,
    /// Field → (0-based row, 0-based column) for the fields the rows hold, and the text as
    /// written where it is not the activity's value word for word (most progress text is):
    /// [`raw`](Self::raw) gives it.
    pub fields: FieldCells,
    /// Field → 0-based column of the table the activity sits in (shared by the activities of
    /// one table).
    pub columns: std::sync::Arc<BTreeMap<&'static str, u32>>,
}

impl ActivityCells {
    /// The A1 reference of the cell holding `field`: the cell it was read from, else the empty
    /// cell of its column in the activity's row, else the row's first cell. `""` without a sheet grid.
    pub fn cell(&self, field: &str) -> String {
        self.at(field)
            .map(|(r, c)| crate::cellref::a1(r, c))
            .unwrap_or_default()
    }

    /// The 0-based (row, column) of the cell [`cell`](Self::cell) names (`None` for `""`).
    pub fn at(&self, field: &str) -> Option<(u32, u32)> {
        if let Some(at) = self.fields.get(field) {
            return Some(at);
        }
        self.columns
            .get(field)
            .or_else(|| self.columns.get("title"))
            .map(|&c| (self.row, c))
    }

    /// The text as written in the input, before cleaning, when it is not the activity's value
    /// as it stands (`None`: the value is what was written, or the row does not hold the field).
    pub fn raw(&self, field: &str) -> Option<&str> {
        self.fields.written(field)
    }
}

/// The result of laying out one input.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The activities read.
    pub tracker: Tracker,
    /// Where each activity's values are, parallel to `tracker.activities`.
    pub cells: Vec<ActivityCells>,
    /// Problems found while reading (unrecognised rows, cleaned values).
    pub findings: Vec<Finding>,
    /// How each non-empty row was read.
    pub rows: Vec<RowReport>,
    /// How each sheet was treated.
    pub sheets: Vec<SheetReport>,
}

/// Lays out one input read from `file` (the name used in sources and findings);
/// `sheet` picks one sheet by name instead of every sheet that holds a table.
///
/// # Errors
/// [`Error::Usage`](crate::error::Error::Usage) when `sheet` names no sheet,
/// [`Error::Empty`](crate::error::Error::Empty) when no sheet holds a
/// header row of the tracker.
pub fn parse(input: &Input, file: &str, profile: &Profile, sheet: Option<&str>) -> Result<Parsed> {
    let (format, sheets, title, subject) = match input {
        Input::Tracker(tracker) => return Ok(from_tracker(tracker.clone(), file, profile)),
        Input::Sheets {
            format,
            sheets,
            title,
            subject,
        } => (format, sheets, title, subject),
    };
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    let chosen = feed::choose_sheets(&names, sheet)?;
    let csv = matches!(format, Format::Csv | Format::Tsv);
    let mut layout = Layout::new(file, profile, csv, sheet.is_some());
    for i in chosen {
        let s = &sheets[i];
        if layout.begin_sheet(&s.name, s.hidden) {
            for row in &s.rows {
                layout.row(row);
            }
        }
    }
    layout.finish(title.as_deref(), subject.as_deref())
}

/// Text from a file quoted in a message, with control characters shown as escapes (`\u{1b}`):
/// a message is printed on a terminal, which an escape sequence in a cell would otherwise drive.
pub(crate) fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Lays out a canonical tracker document taken by value ([`parse`] of an
/// [`Input::Tracker`](crate::read::Input) without copying its activities).
pub fn parse_tracker(tracker: Tracker, file: &str, profile: &Profile) -> Parsed {
    from_tracker(tracker, file, profile)
}

/// An activity of a canonical document read from `file`, the `index`-th (from 0), as it is
/// laid out: its text cleaned (cleaning is idempotent), and its source the document's entry.
pub fn canonical_activity(
    a: &mut crate::model::Activity,
    index: usize,
    file: &str,
    profile: &Profile,
) {
    values::clean_activity(a, profile);
    if a.source.is_none() {
        a.source = Some(Source {
            file: file.to_string(),
            sheet: String::new(),
            row: index as u32 + 1,
        });
    }
}

/// A canonical document read as it is, with its text cleaned (cleaning is idempotent).
fn from_tracker(mut tracker: Tracker, file: &str, profile: &Profile) -> Parsed {
    for (i, a) in tracker.activities.iter_mut().enumerate() {
        canonical_activity(a, i, file, profile);
    }
    // No cells to point at: one empty entry, shared.
    let cells = vec![ActivityCells::default(); tracker.activities.len()];
    Parsed {
        tracker,
        cells,
        ..Parsed::default()
    }
}
