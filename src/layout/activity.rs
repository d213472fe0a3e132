//! The activity rows of a sheet: an activity's own row read into an [`Activity`], its
//! continuation rows joined to it, and every cell not read reported with the reason.

use super::header::{self, Header};
use super::sheet::{FoundId, State, finding, short};
use super::values::clean_one_line;
use super::{ActivityCells, Parsed, RowKind};
use crate::clean;
use crate::finding::Severity;
use crate::model::{Activity, Source};
use crate::read::Row;

impl State<'_> {
    pub(super) fn activity(
        &mut self,
        row: &Row,
        header: &Header,
        found: Option<FoundId>,
        out: &mut Parsed,
    ) -> (RowKind, String) {
        // The found id's parts are taken, not copied: every activity row has one.
        let (id, title, id_at) = match found {
            Some(f) => (f.id, f.title, Some((f.col, f.raw))),
            None => {
                let title = header
                    .col("title")
                    .and_then(|c| row.get(c))
                    .map(|c| header.text(&c.text).to_string())
                    .unwrap_or_default();
                (String::new(), title, None)
            }
        };
        let mut a = Activity {
            title,
            objective_id: self.objective.0.clone(),
            objective_title: self.objective.1.clone(),
            theme: self.theme.0.clone(),
            theme_strapline: self.theme.1.clone(),
            source: Some(Source {
                file: self.file.to_string(),
                sheet: self.sheet.to_string(),
                row: row.row + 1,
            }),
            ..Activity::default()
        };
        let mut cells = ActivityCells {
            sheet: std::sync::Arc::clone(&self.sheet),
            row: row.row,
            columns: std::sync::Arc::clone(&self.columns),
            ..ActivityCells::default()
        };
        // A table that carries the objective and theme in columns is authoritative for them,
        // even where a cell is empty: the headings above are only for the eye.
        for field in [
            "objective_id",
            "objective_title",
            "theme",
            "theme_strapline",
        ] {
            if header.col(field).is_some() {
                a.field_mut(field).expect("a canonical field").clear();
            }
        }
        let mut source_cells = Vec::new();
        for cell in &row.cells {
            let text = header.text(&cell.text);
            match header.field_at(cell.col) {
                Some(field) if header::SOURCE_FIELDS.contains(&field) => {
                    source_cells.push((field, cell));
                }
                Some(field) => {
                    // The text as written is kept below, where cleaning changed it.
                    cells.fields.insert(field, row.row, cell.col);
                    if field != "title" && field != "id" {
                        *a.field_mut(field).expect("a canonical field") = text.to_string();
                    }
                }
                None => self.unmapped(row, header, (cell.col, &cell.text), &id, out),
            }
        }
        if let Some((col, raw)) = id_at.filter(|(_, raw)| !raw.is_empty()) {
            let id_cell = header.col("id").and_then(|c| row.get(c));
            if let Some(cell) = id_cell.filter(|c| c.col != col) {
                // The id came from the title, so the ID column's text is not an id.
                let why = format!(
                    "is the ID column, but '{}' is not an activity id; the id {id} at the start \
                     of the title was used",
                    short(&cell.text),
                );
                self.not_read(row, (cell.col, &cell.text), &why, &id, out);
            }
            cells.fields.insert("id", row.row, col);
            cells.fields.keep_written("id", raw);
        }
        a.id = id;
        self.read_source(row, header, &source_cells, &mut a, out);
        self.note_normalised(&mut a, &cells, out);
        if header.canonical {
            // Read back from katrack's own CSV: the text as written is the cell's, apostrophe
            // and all, so it is compared below. Elsewhere the multi-line text is cleaned once
            // the activity is done (`values::clean_multiline`), maybe on another thread.
            clean::multiline_in_place(&mut a.progress);
            clean::multiline_in_place(&mut a.next_steps);
        }
        cells.fields.fill_written(|field, (_, col)| {
            let written = row.get(col).map_or("", |c| c.text.as_str());
            (a.field(field) != Some(written)).then(|| written.to_string())
        });
        out.tracker.activities.push(a);
        out.cells.push(cells);
        self.open = true;
        if !self.keep_rows {
            // Only `import --explain` shows how each row was read.
            return (RowKind::Activity(String::new()), String::new());
        }
        let id = out.tracker.activities.last().map_or("", |a| a.id.as_str());
        let detail = if id.is_empty() { "no id" } else { id };
        (RowKind::Activity(id.to_string()), detail.to_string())
    }

    /// Cleans the activity's one-line values, reporting those whose meaning was tidied.
    fn note_normalised(&self, a: &mut Activity, cells: &ActivityCells, out: &mut Parsed) {
        let was = clean_one_line(a, self.profile);
        // The one-line values as read (not the whole activity: its progress may be long).
        let seen = [
            ("id", cells.raw("id").unwrap_or("")),
            ("status", was.status.as_deref().unwrap_or(&a.status).trim()),
            ("lead", was.lead.as_deref().unwrap_or(&a.lead).trim()),
            (
                "portfolio",
                was.portfolio.as_deref().unwrap_or(&a.portfolio).trim(),
            ),
        ];
        for (field, seen) in seen {
            let now = a.field(field).unwrap_or("");
            if seen != now && !now.is_empty() && !seen.is_empty() {
                let Some((r, c)) = cells.fields.get(field) else {
                    continue;
                };
                let Some(mut f) = finding(
                    self,
                    "normalised",
                    Severity::Info,
                    (r, c),
                    seen,
                    format!("'{}' was read as '{now}'", super::visible(seen)),
                ) else {
                    continue;
                };
                f.activity = (!a.id.is_empty()).then(|| a.id.clone());
                f.field = Some(field.to_string());
                f.suggestion = Some(now.to_string());
                out.findings.push(f);
            }
        }
    }

    /// Sets the activity's `source` from katrack's source columns when they give a file and a
    /// row number; otherwise their text is reported, not dropped.
    fn read_source(
        &self,
        row: &Row,
        header: &Header,
        source_cells: &[(&str, &crate::read::Cell)],
        a: &mut Activity,
        out: &mut Parsed,
    ) {
        let text = |field: &str| {
            source_cells
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, c)| header.text(&c.text).trim().to_string())
        };
        let file = text("source_file").filter(|f| !f.is_empty());
        let number = text("source_row").and_then(|r| r.parse::<u32>().ok());
        if let (Some(file), Some(number)) = (file, number) {
            a.source = Some(Source {
                file,
                sheet: text("source_sheet").unwrap_or_default(),
                row: number,
            });
            return;
        }
        let why = "is a source column, but the row's source_file and source_row do not give a \
                   file and a row number";
        for (_, cell) in source_cells {
            self.not_read(row, (cell.col, &cell.text), why, &a.id, out);
        }
    }

    /// Reports a cell whose text was not read, saying why, on the row of activity `id`.
    fn not_read(&self, row: &Row, (col, text): (u32, &str), why: &str, id: &str, out: &mut Parsed) {
        let message = format!(
            "column {} {why}, so this text was not read",
            crate::cellref::column_letters(col)
        );
        let found = finding(
            self,
            "unrecognised-row",
            Severity::Warning,
            (row.row, col),
            text,
            message,
        );
        out.findings.extend(found.map(|mut f| {
            f.activity = (!id.is_empty()).then(|| id.to_string());
            f
        }));
    }

    /// Reports text in a column the table's header does not map, on the row of activity `id`.
    fn unmapped(
        &self,
        row: &Row,
        header: &Header,
        (col, text): (u32, &str),
        id: &str,
        out: &mut Parsed,
    ) {
        self.not_read(row, (col, text), &why_unmapped(header, col), id, out);
    }

    pub(super) fn continuation(
        &mut self,
        row: &Row,
        header: &Header,
        out: &mut Parsed,
    ) -> (RowKind, String) {
        let i = out.tracker.activities.len() - 1;
        let a = &mut out.tracker.activities[i];
        let cells = &mut out.cells[i];
        let id = a.id.clone();
        let mut conflicts = Vec::new();
        // A one-line value first given here is matched to the vocabulary like any other.
        let mut filled = false;
        for cell in row.cells.iter().filter(|c| !c.merged) {
            let Some(field) = header.field_at(cell.col) else {
                conflicts.push((cell.col, cell.text.clone(), why_unmapped(header, cell.col)));
                continue;
            };
            if cells.fields.get(field).is_some() {
                // The value is about to grow: keep the first row's text as written.
                cells
                    .fields
                    .keep_written(field, a.field(field).unwrap_or(""));
            } else {
                cells.fields.insert(field, row.row, cell.col);
                cells.fields.keep_written(field, cell.text.as_str());
            }
            match field {
                "title" => a.title = clean::tidy_inline(&format!("{} {}", a.title, cell.text)),
                "progress" | "next_steps" => {
                    let slot = a.field_mut(field).expect("a canonical field");
                    *slot = clean::join_continuation(slot, &clean::multiline(&cell.text));
                }
                _ if header::SOURCE_FIELDS.contains(&field) => conflicts.push((
                    cell.col,
                    cell.text.clone(),
                    format!("is {field}, which only an activity's own row gives"),
                )),
                _ => {
                    let slot = a.field_mut(field).expect("a canonical field");
                    let value = clean::tidy_inline(&cell.text);
                    if slot.is_empty() {
                        *slot = value;
                        filled = true;
                    } else if crate::profile::fold(slot) != crate::profile::fold(&value) {
                        conflicts.push((
                            cell.col,
                            cell.text.clone(),
                            format!("gives a second {field} for {id}"),
                        ));
                    }
                }
            }
        }
        if filled {
            let mut a = out.tracker.activities[i].clone();
            let cells = out.cells[i].clone();
            self.note_normalised(&mut a, &cells, out);
            out.tracker.activities[i] = a;
        }
        for (col, text, why) in conflicts {
            let message = format!(
                "continuation row: column {} {why}; not read",
                crate::cellref::column_letters(col)
            );
            if let Some(mut f) = finding(
                self,
                "unrecognised-row",
                Severity::Warning,
                (row.row, col),
                &text,
                message,
            ) {
                f.activity = (!id.is_empty()).then(|| id.clone());
                out.findings.push(f);
            }
        }
        let shown = if id.is_empty() {
            "the activity above".to_string()
        } else {
            id.clone()
        };
        (RowKind::Continuation(id), format!("joined to {shown}"))
    }
}

/// Why a column is not read: it has no header, or its header repeats an earlier column's.
fn why_unmapped(header: &Header, col: u32) -> String {
    match header.repeated.get(&col) {
        Some(field) => format!(
            "repeats the {field} header of column {}, which is the one read",
            header
                .col(field)
                .map_or_else(String::new, crate::cellref::column_letters)
        ),
        None => "has no header".to_string(),
    }
}

/// The id of a row of katrack's own CSV: its id column as written (cleaned later with the rest).
pub(super) fn own_csv_id(row: &Row, header: &Header) -> FoundId {
    let cell = |field: &str| header.col(field).and_then(|c| row.get(c));
    let text = |field: &str| cell(field).map_or("", |c| header.text(&c.text));
    FoundId {
        id: text("id").to_string(),
        col: cell("id").or_else(|| cell("title")).map_or(0, |c| c.col),
        raw: cell("id").map_or(String::new(), |c| c.text.trim().to_string()),
        title: text("title").to_string(),
    }
}
