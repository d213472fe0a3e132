//! One sheet, row by row: a small state machine over the current header, theme and objective,
//! and the activity a continuation row would belong to.

use super::activity::own_csv_id;
use super::header::{self, Header};
use super::values::period_of;
use super::{Parsed, RowKind, RowReport, SheetReport};
use crate::cellref::a1;
use crate::clean;
use crate::finding::{Finding, Severity};
use crate::profile::Profile;
use crate::read::Row;

/// An activity id found in a row.
pub(super) struct FoundId {
    /// The canonical id.
    pub(super) id: String,
    /// The column it was written in.
    pub(super) col: u32,
    /// The id as written.
    pub(super) raw: String,
    /// The title text (after the id when both share a cell).
    pub(super) title: String,
}

pub(super) struct State<'a> {
    pub(super) profile: &'a Profile,
    pub(super) file: &'a str,
    pub(super) sheet: std::sync::Arc<str>,
    header: Option<std::sync::Arc<Header>>,
    /// The current header's columns, shared by the cells of every activity under it.
    pub(super) columns: std::sync::Arc<std::collections::BTreeMap<&'static str, u32>>,
    pub(super) theme: (String, String),
    pub(super) objective: (String, String),
    /// Whether a continuation row joins the last activity of `out.tracker.activities`.
    pub(super) open: bool,
    /// Whether each row's reading is reported (`import --explain`).
    pub(super) keep_rows: bool,
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
                sheet: if csv { "".into() } else { name.into() },
                header: None,
                columns: Default::default(),
                theme: Default::default(),
                objective: Default::default(),
                open: false,
                keep_rows,
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
                sheet: st.sheet.to_string(),
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
pub(super) fn finding(
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
        sheet: st.sheet.to_string(),
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
        let found = self.profile.loose_id(title)?;
        let rest = title[found.end..].trim_start_matches([' ', ':', '-', '–', '\u{a0}', '\t']);
        Some(FoundId {
            id: self.profile.format_id(found.objective, found.number),
            col: c.col,
            raw: title[..found.end].trim().to_string(),
            title: rest.to_string(),
        })
    }

    fn canonical_id(&self, text: &str) -> Option<String> {
        let found = self.profile.loose_id(text)?;
        Some(self.profile.format_id(found.objective, found.number))
    }
}

pub(super) fn short(text: &str) -> String {
    let t = clean::tidy_inline(text);
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t
    }
}
