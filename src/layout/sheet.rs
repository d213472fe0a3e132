//! One sheet, row by row: a small state machine over the current header, theme and objective,
//! and the activity a continuation row would belong to.

use super::header::{self, Header};
use super::{ActivityCells, Parsed, RowKind, RowReport, SheetReport};
use crate::cellref::a1;
use crate::clean;
use crate::finding::{Finding, Severity};
use crate::model::{Activity, Source};
use crate::profile::Profile;
use crate::read::Row;
use regex::Regex;
use std::sync::LazyLock;

static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(Q[1-4])\s*(?:of\s+)?(20\d\d/\d\d)|(20\d\d/\d\d)\s*(Q[1-4]))\b")
        .expect("valid regex")
});

/// The reporting period a text names, as `2020/21 Q1` ("Q1 2020/21", "2020/21 Q1").
pub fn period_of(text: &str) -> Option<String> {
    let c = PERIOD.captures(text)?;
    let q = c
        .get(1)
        .or(c.get(4))
        .map_or("", |m| m.as_str())
        .to_uppercase();
    let y = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
    Some(format!("{y} {q}"))
}

/// An activity id found in a row.
struct FoundId {
    /// The canonical id.
    id: String,
    /// The column it was written in.
    col: u32,
    /// The id as written.
    raw: String,
    /// The title text (after the id when both share a cell).
    title: String,
}

struct State<'a> {
    profile: &'a Profile,
    file: &'a str,
    sheet: String,
    header: Option<std::sync::Arc<Header>>,
    /// The current header's columns, shared by the cells of every activity under it.
    columns: std::sync::Arc<std::collections::BTreeMap<&'static str, u32>>,
    theme: (String, String),
    objective: (String, String),
    /// Whether a continuation row joins the last activity of `out.tracker.activities`.
    open: bool,
}

/// One sheet laid out row by row: rows above the first header row wait for it (their meaning
/// depends on whether the sheet holds a table at all), then every row goes through [`State`].
pub(super) struct SheetLayout<'a> {
    name: String,
    /// Rows read before the first header row; `None` once it is found.
    pending: Option<Vec<Row>>,
    state: State<'a>,
    /// Whether [`RowReport`]s are kept (`import --explain`).
    keep_rows: bool,
}

impl<'a> SheetLayout<'a> {
    /// A sheet named `name` (`csv`: a CSV file, whose cells have no sheet name).
    pub(super) fn new(
        name: &str,
        file: &'a str,
        csv: bool,
        profile: &'a Profile,
        keep_rows: bool,
    ) -> Self {
        SheetLayout {
            name: name.to_string(),
            pending: Some(Vec::new()),
            state: State {
                profile,
                file,
                sheet: if csv { String::new() } else { name.to_string() },
                header: None,
                columns: Default::default(),
                theme: Default::default(),
                objective: Default::default(),
                open: false,
            },
            keep_rows,
        }
    }

    /// Whether a header row has been found.
    pub(super) fn has_table(&self) -> bool {
        self.pending.is_none()
    }

    /// Whether the last activity may still grow (a continuation row would join it).
    pub(super) fn is_open(&self) -> bool {
        self.state.open
    }

    /// Lays out the next row.
    pub(super) fn row(&mut self, row: &Row, out: &mut Parsed) {
        if let Some(pending) = &mut self.pending {
            if header::detect(self.state.profile, row).is_none() {
                pending.push(row.clone());
                return;
            }
            let waiting = std::mem::take(pending);
            self.pending = None;
            out.sheets.push(SheetReport {
                sheet: self.name.clone(),
                read: true,
                detail: format!("table header at row {}", row.row + 1),
            });
            for r in &waiting {
                self.table_row(r, out);
            }
        }
        self.table_row(row, out);
    }

    /// The sheet is read: a sheet that never showed a header row is reported.
    pub(super) fn end(self, out: &mut Parsed) {
        if let Some(rows) = self.pending {
            report_sheet_without_table(&self.name, &rows, self.state.file, self.state.profile, out);
        }
    }

    fn table_row(&mut self, row: &Row, out: &mut Parsed) {
        let st = &mut self.state;
        let (kind, detail) = st.row(row, out);
        if kind == RowKind::Unrecognised {
            // One finding for the row, at its first cell, whose value is every text on the row
            // (so none is lost), separated by " | ".
            let first = &row.cells[0];
            let texts = row.texts();
            let value = match texts.as_slice() {
                [_] => first.text.clone(),
                _ => texts.join(" | "),
            };
            out.findings.extend(finding(
                st,
                "unrecognised-row",
                Severity::Warning,
                (row.row, first.col),
                &value,
                format!(
                    "row {} is not an activity, a continuation, a heading or a header: {detail}",
                    row.row + 1
                ),
            ));
        }
        if self.keep_rows {
            out.rows.push(RowReport {
                sheet: st.sheet.clone(),
                row: row.row + 1,
                kind,
                detail,
            });
        }
    }
}

/// A sheet with no table: skipped, unless it holds activity ids (then data may be lost: warn).
fn report_sheet_without_table(
    name: &str,
    rows: &[Row],
    file: &str,
    profile: &Profile,
    out: &mut Parsed,
) {
    let with_id = rows
        .iter()
        .flat_map(|r| r.cells.iter().map(move |c| (r.row, c)))
        .find(|(_, c)| profile.id_loose.is_match(&c.text));
    let detail = match with_id {
        Some(_) => "holds activity ids but no header row: not read".to_string(),
        None if rows.is_empty() => "empty".to_string(),
        None => "no header row of the tracker: not read".to_string(),
    };
    let severity = profile.rule_severity("unrecognised-row", Severity::Warning);
    if let (Some((row, cell)), Some(severity)) = (with_id, severity) {
        out.findings.push(Finding {
            rule: "unrecognised-row".into(),
            severity,
            activity: None,
            field: None,
            file: file.to_string(),
            sheet: name.to_string(),
            cell: a1(row, cell.col),
            value: Some(cell.text.clone()),
            message: format!(
                "sheet '{}' has activity ids but no header row (e.g. 'Key Activities | Status | Progress'), so its rows were not read",
                super::visible(name)
            ),
            suggestion: None,
        });
    }
    out.sheets.push(SheetReport {
        sheet: name.to_string(),
        read: false,
        detail,
    });
}

/// A finding at a cell, unless the profile turns the rule off.
fn finding(
    st: &State,
    rule: &str,
    default: Severity,
    at: (u32, u32),
    value: &str,
    message: String,
) -> Option<Finding> {
    Some(Finding {
        rule: rule.to_string(),
        severity: st.profile.rule_severity(rule, default)?,
        activity: None,
        field: None,
        file: st.file.to_string(),
        sheet: st.sheet.clone(),
        cell: a1(at.0, at.1),
        value: Some(value.to_string()),
        message,
        suggestion: None,
    })
}

impl State<'_> {
    fn row(&mut self, row: &Row, out: &mut Parsed) -> (RowKind, String) {
        // Under katrack's own CSV header every record is an activity, even one whose text reads
        // like a header ("Key Activities", "Status", …); only that exact header starts a new table.
        let in_own_csv = self.header.as_ref().is_some_and(|h| h.canonical);
        let detected = header::detect(self.profile, row).filter(|h| h.canonical || !in_own_csv);
        if let Some(h) = detected {
            let mut names: Vec<(u32, &str)> = h.columns.iter().map(|(f, c)| (*c, *f)).collect();
            names.sort();
            let names: Vec<String> = names
                .iter()
                .map(|(c, f)| format!("{}={f}", crate::cellref::column_letters(*c)))
                .collect();
            for (&col, field) in &h.repeated {
                let text = row.get(col).map_or("", |c| c.text.as_str());
                let first = h
                    .col(field)
                    .map_or_else(String::new, crate::cellref::column_letters);
                let column = crate::cellref::column_letters(col);
                out.findings.extend(finding(
                    self,
                    "unrecognised-row",
                    Severity::Warning,
                    (row.row, col),
                    text,
                    format!(
                        "header: column {column} is another {field} column; column {first} is \
                         the one read, and text under column {column} is reported, not read"
                    ),
                ));
            }
            self.columns = std::sync::Arc::new(h.columns.clone());
            self.header = Some(std::sync::Arc::new(h));
            return (RowKind::Header, names.join(" "));
        }
        if let Some(header) = self.header.clone().filter(|h| h.canonical) {
            // katrack's own CSV: one activity a record, whatever its text looks like, and its id
            // column is the id (even one not of the profile's form), never the title's start.
            let found = own_csv_id(row, &header);
            return self.activity(row, &header, Some(found), out);
        }
        let texts = row.texts();
        if let Some(kind) = self.heading(row, &texts) {
            if matches!(
                kind.0,
                RowKind::Theme | RowKind::Objective | RowKind::Heading
            ) {
                self.open = false;
            }
            return kind;
        }
        let Some(header) = self.header.clone() else {
            return self.above_table(&texts, out);
        };
        if let Some(found) = self.id_of(row, &header) {
            return self.activity(row, &header, Some(found), out);
        }
        let has = |field: &str| {
            header
                .col(field)
                .and_then(|c| row.get(c))
                .is_some_and(|c| !c.merged)
        };
        if has("title") && (has("status") || has("lead") || has("portfolio")) {
            return self.activity(row, &header, None, out);
        }
        if self.open {
            return self.continuation(row, &header, out);
        }
        (
            RowKind::Unrecognised,
            "no activity id, and no activity above it to continue".into(),
        )
    }

    /// Theme banners, objective headings, wide merged banners and page furniture.
    fn heading(&mut self, row: &Row, texts: &[&str]) -> Option<(RowKind, String)> {
        let [text] = texts else { return None };
        // Read as it will be cleaned: a stray control character does not hide a heading.
        let text = &clean::tidy_inline(text);
        if let Some(c) = self.profile.objective_heading.captures(text) {
            let number: u32 = c["number"].parse().unwrap_or(0);
            let id = self.profile.format_objective_id(number);
            self.objective = (id.clone(), clean::tidy_inline(&c["title"]));
            return Some((RowKind::Objective, format!("objective '{id}'")));
        }
        if let Some(c) = self.profile.theme_banner.captures(text) {
            let name = clean::tidy_inline(c.name("name").map_or("", |m| m.as_str()));
            let strap = clean::tidy_inline(c.name("strapline").map_or("", |m| m.as_str()));
            self.theme = (name, strap);
            self.objective = Default::default();
            return Some((RowKind::Theme, format!("theme '{}'", self.theme.0)));
        }
        if self.profile.is_furniture(text) || !text.chars().any(char::is_alphanumeric) {
            return Some((RowKind::Furniture, format!("'{}'", short(text))));
        }
        let merged_copies = row.cells.iter().filter(|c| c.merged).count();
        if merged_copies >= 2 && !self.profile.id_loose.is_match(text) {
            return Some((RowKind::Heading, format!("'{}'", short(text))));
        }
        None
    }

    /// Rows above the first header: the document's organisation, title and period.
    fn above_table(&mut self, texts: &[&str], out: &mut Parsed) -> (RowKind, String) {
        let [text] = texts else {
            return (
                RowKind::Unrecognised,
                "several cells above the table's header row".into(),
            );
        };
        let t = &mut out.tracker;
        if let Some(period) = period_of(text) {
            if t.period.is_empty() {
                t.period = period;
            }
            if t.title.is_empty() && clean::tidy_inline(text) != t.period {
                t.title = clean::tidy_inline(text);
            }
            return (RowKind::Title, format!("period {}", t.period));
        }
        if t.organisation.is_empty()
            && text.to_lowercase().contains("council")
            && texts.len() == 1
            && text.len() < 80
        {
            t.organisation = clean::tidy_inline(text);
            return (RowKind::Title, "organisation".into());
        }
        if t.title.is_empty() {
            t.title = clean::tidy_inline(text);
            return (RowKind::Title, "document title".into());
        }
        (RowKind::Title, "text above the table".into())
    }

    /// The canonical id, where it was written (column and text), and the title text after it.
    /// The id is looked for in the text as it will be cleaned, so a stray control character or
    /// non-breaking space before it does not hide it.
    fn id_of(&self, row: &Row, header: &Header) -> Option<FoundId> {
        let cell = |field: &str| header.col(field).and_then(|c| row.get(c));
        let title = cell("title").map_or(String::new(), |c| clean::tidy_inline(&c.text));
        let title = title.as_str();
        if let Some(c) = cell("id") {
            if let Some(id) = self.canonical_id(&clean::tidy_inline(&c.text)) {
                let raw = c.text.trim().to_string();
                return Some(FoundId {
                    id,
                    col: c.col,
                    raw,
                    title: title.to_string(),
                });
            }
        }
        let c = cell("title")?;
        let caps = self.profile.id_loose.captures(title)?;
        let id = self.canonical_id(&caps[0])?;
        let end = caps.get(0)?.end();
        let rest = title[end..].trim_start_matches([' ', ':', '-', '–', '\u{a0}', '\t']);
        Some(FoundId {
            id,
            col: c.col,
            raw: caps[0].trim().to_string(),
            title: rest.to_string(),
        })
    }

    fn canonical_id(&self, text: &str) -> Option<String> {
        let caps = self.profile.id_loose.captures(text)?;
        let objective: u32 = caps["objective"].parse().ok()?;
        let number: u32 = caps["number"].parse().ok()?;
        Some(self.profile.format_id(objective, number))
    }

    fn activity(
        &mut self,
        row: &Row,
        header: &Header,
        found: Option<FoundId>,
        out: &mut Parsed,
    ) -> (RowKind, String) {
        let title = match &found {
            Some(f) => f.title.clone(),
            None => header
                .col("title")
                .and_then(|c| row.get(c))
                .map(|c| header.text(&c.text).to_string())
                .unwrap_or_default(),
        };
        let id = found.as_ref().map(|f| f.id.clone()).unwrap_or_default();
        let mut a = Activity {
            id: id.clone(),
            title,
            objective_id: self.objective.0.clone(),
            objective_title: self.objective.1.clone(),
            theme: self.theme.0.clone(),
            theme_strapline: self.theme.1.clone(),
            source: Some(Source {
                file: self.file.to_string(),
                sheet: self.sheet.clone(),
                row: row.row + 1,
            }),
            ..Activity::default()
        };
        let mut cells = ActivityCells {
            sheet: self.sheet.clone(),
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
                    cells
                        .fields
                        .insert(field, (row.row, cell.col, String::new()));
                    if field != "title" && field != "id" {
                        *a.field_mut(field).expect("a canonical field") = text.to_string();
                    }
                }
                None => self.unmapped(row, header, (cell.col, &cell.text), &id, out),
            }
        }
        if let Some(f) = found.as_ref().filter(|f| !f.raw.is_empty()) {
            let id_cell = header.col("id").and_then(|c| row.get(c));
            if let Some(cell) = id_cell.filter(|c| c.col != f.col) {
                // The id came from the title, so the ID column's text is not an id.
                let why = format!(
                    "is the ID column, but '{}' is not an activity id; the id {} at the start \
                     of the title was used",
                    short(&cell.text),
                    f.id
                );
                self.not_read(row, (cell.col, &cell.text), &why, &id, out);
            }
            cells.fields.insert("id", (row.row, f.col, f.raw.clone()));
        }
        self.read_source(row, header, &source_cells, &mut a, out);
        self.note_normalised(&mut a, &cells, out);
        for (field, (_, col, raw)) in cells.fields.iter_mut() {
            let written = row.get(*col).map_or("", |c| c.text.as_str());
            if raw.is_empty() && a.field(field) != Some(written) {
                *raw = written.to_string();
            }
        }
        out.tracker.activities.push(a);
        out.cells.push(cells);
        self.open = true;
        let detail = if id.is_empty() {
            "no id".to_string()
        } else {
            id.clone()
        };
        (RowKind::Activity(id), detail)
    }

    /// Cleans the activity's values, reporting the one-line values whose meaning was tidied.
    fn note_normalised(&self, a: &mut Activity, cells: &ActivityCells, out: &mut Parsed) {
        // The one-line values as read (not the whole activity: its progress may be long).
        let seen = [
            ("id", cells.raw("id").unwrap_or("").to_string()),
            ("status", a.status.trim().to_string()),
            ("lead", a.lead.trim().to_string()),
            ("portfolio", a.portfolio.trim().to_string()),
        ];
        clean_activity(a, self.profile);
        for (field, seen) in seen {
            let now = a.field(field).unwrap_or("");
            if seen != now && !now.is_empty() && !seen.is_empty() {
                let Some(&(r, c, _)) = cells.fields.get(field) else {
                    continue;
                };
                let Some(mut f) = finding(
                    self,
                    "normalised",
                    Severity::Info,
                    (r, c),
                    &seen,
                    format!("'{}' was read as '{now}'", super::visible(&seen)),
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

    fn continuation(&mut self, row: &Row, header: &Header, out: &mut Parsed) -> (RowKind, String) {
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
            match cells.fields.get_mut(field) {
                // The value is about to grow: keep the first row's text as written.
                Some((_, _, raw)) if raw.is_empty() => {
                    *raw = a.field(field).unwrap_or("").to_string();
                }
                Some(_) => {}
                None => {
                    cells
                        .fields
                        .insert(field, (row.row, cell.col, cell.text.clone()));
                }
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
fn own_csv_id(row: &Row, header: &Header) -> FoundId {
    let cell = |field: &str| header.col(field).and_then(|c| row.get(c));
    let text = |field: &str| cell(field).map_or("", |c| header.text(&c.text));
    FoundId {
        id: text("id").to_string(),
        col: cell("id").or_else(|| cell("title")).map_or(0, |c| c.col),
        raw: cell("id").map_or(String::new(), |c| c.text.trim().to_string()),
        title: text("title").to_string(),
    }
}

fn short(text: &str) -> String {
    let t = clean::tidy_inline(text);
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t
    }
}

/// Cleans every field of an activity: one-line values tidied and matched to the profile's
/// vocabulary (case and spaces ignored), multi-line text normalised, the id made canonical.
pub fn clean_activity(a: &mut Activity, profile: &Profile) {
    for field in [
        "title",
        "lead",
        "portfolio",
        "objective_id",
        "objective_title",
        "theme",
        "theme_strapline",
        "status",
        "id",
    ] {
        clean::tidy_inline_in_place(a.field_mut(field).expect("a canonical field"));
    }
    clean::multiline_in_place(&mut a.progress);
    clean::multiline_in_place(&mut a.next_steps);
    if let Some((_, canonical)) = profile.match_status(&a.status) {
        a.status = canonical;
    }
    if let Some(v) = Profile::match_in(&profile.vocabulary.leads, &a.lead) {
        a.lead = v.to_string();
    }
    if let Some(v) = Profile::match_in(&profile.vocabulary.portfolios, &a.portfolio) {
        a.portfolio = v.to_string();
    }
    if let Some(c) = profile.id_loose.captures(&a.id) {
        if c[0].len() == a.id.len() {
            if let (Ok(o), Ok(n)) = (c["objective"].parse(), c["number"].parse()) {
                a.id = profile.format_id(o, n);
            }
        }
    }
    if let Some(n) = a
        .objective_id
        .strip_prefix(&profile.objectives.prefix)
        .and_then(|r| r.trim().parse::<u32>().ok())
    {
        a.objective_id = profile.format_objective_id(n);
    }
}
