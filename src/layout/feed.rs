//! The layout fed row by row: [`Layout`] takes the sheets of an input one row at a time, so a
//! large workbook is laid out while it is still being read, and the activities it has finished
//! can be taken away part by part ([`Layout::take_done`]) instead of being held to the end.
//! [`parse`](super::parse) feeds it a whole input read beforehand: both ways give the same
//! activities, cells and findings.

use super::sheet::SheetLayout;
use super::{Parsed, SheetReport};
use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::read::Row;

/// What is known of a sheet once it has been fed (for the error when no sheet holds a table).
#[derive(Debug, Clone)]
pub struct SheetSeen {
    /// The sheet's name.
    pub name: String,
    /// Whether it is hidden.
    pub hidden: bool,
    /// Whether no row of it was read.
    pub empty: bool,
}

/// The sheet being fed.
enum Current<'a> {
    /// Not read (hidden, or katrack's own findings sheet): its rows are passed over.
    Skipped,
    /// Waiting for its first row, which tells whether it is a findings sheet.
    First { name: String },
    /// Being laid out.
    Reading(Box<SheetLayout<'a>>),
}

/// Lays out an input fed sheet by sheet and row by row. It is the layout behind [`parse`](super::parse) and the streamed reads.
pub struct Layout<'a> {
    profile: &'a Profile,
    file: &'a str,
    csv: bool,
    named: bool,
    keep_rows: bool,
    out: Parsed,
    current: Option<Current<'a>>,
    seen: Vec<SheetSeen>,
    any_table: bool,
}

impl<'a> Layout<'a> {
    /// A layout of the input read from `file` (the name used in sources and findings); `csv`
    /// for a CSV or TSV file (its cells have no sheet); `named` when the user chose the sheet
    /// (`--sheet`), which is then read even if hidden.
    pub fn new(file: &'a str, profile: &'a Profile, csv: bool, named: bool) -> Self {
        Layout {
            profile,
            file,
            csv,
            named,
            keep_rows: true,
            out: Parsed::default(),
            current: None,
            seen: Vec::new(),
            any_table: false,
        }
    }

    /// Does not keep a [`RowReport`](super::RowReport) per row (only `import --explain` shows them).
    pub fn without_row_reports(mut self) -> Self {
        self.keep_rows = false;
        self
    }

    /// Starts a sheet; returns false when its rows are not read (a hidden sheet the user did
    /// not name), so that the caller need not read them at all.
    pub fn begin_sheet(&mut self, name: &str, hidden: bool) -> bool {
        self.end_sheet();
        self.seen.push(SheetSeen {
            name: name.to_string(),
            hidden,
            empty: true,
        });
        if !reads_sheet(hidden, self.named) {
            self.out.sheets.push(SheetReport {
                sheet: name.to_string(),
                read: false,
                detail: "hidden sheet (dropdown lists and the like): not read".into(),
            });
            self.current = Some(Current::Skipped);
            return false;
        }
        self.current = Some(Current::First {
            name: name.to_string(),
        });
        true
    }

    /// Lays out the next row of the current sheet (rows top to bottom, cells left to right).
    pub fn row(&mut self, row: &Row) {
        if row.cells.is_empty() {
            return;
        }
        if let Some(seen) = self.seen.last_mut() {
            seen.empty = false;
        }
        if let Some(Current::First { name }) = &self.current {
            let findings_sheet = row
                .cells
                .first()
                .is_some_and(|c| c.text.starts_with(crate::write::annotated::FINDINGS_TITLE));
            self.current = Some(if findings_sheet && !self.named {
                self.out.sheets.push(SheetReport {
                    sheet: name.clone(),
                    read: false,
                    detail: "katrack's own findings sheet (from check --annotate): not read".into(),
                });
                Current::Skipped
            } else {
                Current::Reading(Box::new(SheetLayout::new(
                    name,
                    self.file,
                    self.csv,
                    self.profile,
                    self.keep_rows,
                )))
            });
        }
        if let Some(Current::Reading(sheet)) = &mut self.current {
            sheet.row(row, &mut self.out);
        }
    }

    /// Ends the current sheet (also done by the next [`begin_sheet`](Self::begin_sheet)).
    pub fn end_sheet(&mut self) {
        match self.current.take() {
            Some(Current::Reading(sheet)) => {
                self.any_table |= sheet.has_table();
                sheet.end(&mut self.out);
            }
            Some(Current::First { name }) => {
                SheetLayout::new(&name, self.file, self.csv, self.profile, false).end(&mut self.out)
            }
            Some(Current::Skipped) | None => {}
        }
    }

    /// The activities finished so far (a later row can no longer change them) with their
    /// cells, taken out of the layout; `None` when there are none. The layout's own findings
    /// stay until [`finish`](Self::finish).
    pub fn take_done(&mut self) -> Option<Done> {
        let open = matches!(&self.current, Some(Current::Reading(s)) if s.is_open());
        let n = self
            .out
            .tracker
            .activities
            .len()
            .saturating_sub(usize::from(open));
        if n == 0 {
            return None;
        }
        let mut part = Parsed::default();
        part.tracker.activities = self.out.tracker.activities.drain(..n).collect();
        part.cells = self.out.cells.drain(..n).collect();
        Some(Done(part))
    }

    /// The title lines (title, organisation, period) the rows so far gave, without activities;
    /// [`finish`](Self::finish) may still change them (a later sheet's rows above its header,
    /// the document's properties).
    pub fn title_lines(&self) -> crate::model::Tracker {
        self.out.tracker.title_lines()
    }

    /// The input laid out: every activity not yet taken, the layout's findings, and the
    /// document's title and period (`title`, `subject`: the workbook's properties, when set).
    ///
    /// # Errors
    /// [`Error::Empty`] when no sheet holds a header row of the tracker.
    pub fn finish(mut self, title: Option<&str>, subject: Option<&str>) -> Result<Parsed> {
        self.end_sheet();
        let out = &mut self.out;
        for (a, cells) in out.tracker.activities.iter_mut().zip(&mut out.cells) {
            super::values::clean_multiline(a, cells);
        }
        if !self.any_table {
            return Err(no_table(&self.seen, self.named, self.profile));
        }
        if let Some(t) = title {
            self.out.tracker.title = t.trim().to_string();
        }
        if let Some(p) = subject.filter(|p| super::values::period_of(p).is_some()) {
            self.out.tracker.period = p.trim().to_string();
        }
        Ok(self.out)
    }
}

/// Activities taken from a [`Layout`] as they are done, their multi-line text not cleaned yet:
/// [`cleaned`](Self::cleaned) does it, on whichever thread takes them.
#[derive(Debug)]
pub struct Done(Parsed);

impl Done {
    /// The activities with every value cleaned, as [`Layout::finish`] would give them.
    pub fn cleaned(mut self) -> Parsed {
        let part = &mut self.0;
        for (a, cells) in part.tracker.activities.iter_mut().zip(&mut part.cells) {
            super::values::clean_multiline(a, cells);
        }
        self.0
    }

    /// [`cleaned`](Self::cleaned), each activity first handed to `trim`, which may empty text
    /// that will not be used (it is then not cleaned for nothing).
    pub fn trimmed_and_cleaned(
        mut self,
        trim: &mut dyn FnMut(&mut crate::model::Activity),
    ) -> Parsed {
        self.0.tracker.activities.iter_mut().for_each(trim);
        self.cleaned()
    }
}

/// Whether a sheet's rows are laid out: a hidden sheet only when the user named it (`--sheet`).
/// A streamed read asks this too, so as not to read a sheet the layout would pass over.
pub fn reads_sheet(hidden: bool, named: bool) -> bool {
    !hidden || named
}

/// The sheets to read: the one named (exactly, else ignoring case), or every sheet.
///
/// # Errors
/// [`Error::Usage`] when `sheet` names no sheet, with the closest name.
pub fn choose_sheets(names: &[&str], sheet: Option<&str>) -> Result<Vec<usize>> {
    let Some(name) = sheet else {
        return Ok((0..names.len()).collect());
    };
    let found = names
        .iter()
        .position(|s| *s == name)
        .or_else(|| names.iter().position(|s| s.eq_ignore_ascii_case(name)));
    match found {
        Some(i) => Ok(vec![i]),
        None => Err(no_such_sheet(name, names)),
    }
}

/// Why no tracker table was found: every sheet hidden, every sheet empty, or no header row.
fn no_table(chosen: &[SheetSeen], named: bool, profile: &Profile) -> Error {
    let shown: Vec<&SheetSeen> = chosen.iter().filter(|s| named || !s.hidden).collect();
    if shown.is_empty() && !chosen.is_empty() {
        let names: Vec<String> = chosen
            .iter()
            .map(|s| format!("'{}'", super::visible(&s.name)))
            .collect();
        return Error::Empty(format!(
            "every sheet of the workbook is hidden ({}); name the sheet to read (--sheet NAME) \
             or unhide it",
            names.join(", ")
        ));
    }
    if shown.iter().all(|s| s.empty) {
        return Error::Empty(match shown.as_slice() {
            [one] if one.name.is_empty() => "the file has no text in any cell".to_string(),
            [one] => format!("the sheet '{}' is empty", super::visible(&one.name)),
            _ => "every sheet of the workbook is empty".to_string(),
        });
    }
    let wanted = profile
        .columns
        .title
        .first()
        .map(String::as_str)
        .unwrap_or("Key Activities");
    Error::Empty(format!(
        "no sheet has a header row of the tracker (a row with a '{wanted}' column and at least two of Status, Progress, Next Steps, Lead, Portfolio)"
    ))
}

fn no_such_sheet(name: &str, names: &[&str]) -> Error {
    let listed: Vec<String> = names
        .iter()
        .map(|s| format!("'{}'", super::visible(s)))
        .collect();
    let closest = names
        .iter()
        .map(|s| {
            (
                strsim::jaro_winkler(&s.to_lowercase(), &name.to_lowercase()),
                s,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| format!(" Did you mean '{}'?", super::visible(n)))
        .unwrap_or_default();
    Error::Usage(format!(
        "no sheet named '{name}'; the sheets are {}.{closest}",
        listed.join(", ")
    ))
}
