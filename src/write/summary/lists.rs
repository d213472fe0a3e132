//! The list sheets of the summary workbook: "Issues" (every finding, filterable), "Returns"
//! (per lead, what came back and what is missing) and "Changes" (what moved since last quarter).

use super::{print_setup, row_height};
use crate::diff::{Change, Changes, Direction};
use crate::error::Result;
use crate::finding::{Finding, Severity};
use crate::merge::LeadReturn;
use crate::model::{Fields, Rows, Tracker, field};
use crate::profile::Profile;
use crate::write::sheet_stream::{self, RowsXml, Xfs, pixels, unregistered};
use crate::write::style::{Styles, count_line, severity_style, status_style};
use foldhash::HashMap;
use rust_xlsxwriter::{
    ColNum, Color, Format, FormatAlign, FormatBorder, RowNum, Table, TableColumn, TableStyle,
    Worksheet,
};
use std::cmp::Reverse;

/// The Issues table's columns and widths.
const ISSUE_COLUMNS: [(&str, f64); 7] = [
    ("File", 26.0),
    ("Cell", 16.0),
    ("Activity", 11.0),
    ("Rule", 20.0),
    ("Severity", 10.0),
    ("Message", 60.0),
    ("Suggestion", 30.0),
];
/// The Returns table's columns and widths.
const RETURN_COLUMNS: [(&str, f64); 6] = [
    ("Lead", 42.0),
    ("Expected", 11.0),
    ("Returned", 11.0),
    ("Missing", 11.0),
    ("With errors", 11.0),
    ("Files", 50.0),
];
/// The Changes sheet's column widths (every section shares them).
const CHANGE_WIDTHS: [f64; 5] = [11.0, 50.0, 24.0, 36.0, 36.0];
/// Progress copied unchanged is shown up to this many characters.
const SHOWN_PROGRESS: usize = 200;

/// The formats the list sheets share.
struct Formats {
    styles: Styles,
    cell: Format,
    number: Format,
    total: Format,
    total_number: Format,
    section: Format,
    note: Format,
}

impl Formats {
    fn new() -> Formats {
        let styles = Styles::new();
        let number = styles.cell.clone().set_align(FormatAlign::Center);
        let total = |f: Format| {
            f.set_bold()
                .set_background_color(Color::RGB(0xF2F2F2))
                .set_border_top(FormatBorder::Double)
        };
        Formats {
            cell: styles.cell.clone(),
            total: total(styles.cell.clone()),
            total_number: total(number.clone()),
            number,
            section: Format::new()
                .set_bold()
                .set_font_size(13)
                .set_font_color(Color::RGB(crate::write::style::DARK_BLUE)),
            note: Format::new().set_italic(),
            styles,
        }
    }
}

/// Every format the Returns sheet uses. It is a constant-memory sheet, whose formats are
/// numbered workbook-wide as they are first used, and it is written while Appendix A is (on
/// two threads): registered first, in this order, they are numbered the same every time.
pub(super) fn returns_formats() -> Vec<Format> {
    let f = Formats::new();
    vec![
        f.styles.title.clone(),
        f.styles.period.clone(),
        f.styles.header.clone(),
        f.cell.clone(),
        f.number.clone(),
        severity_style(&f.number, Severity::Error),
        severity_style(&f.number, Severity::Warning),
        f.total.clone(),
        f.total_number.clone(),
        f.section.clone(),
        f.note.clone(),
    ]
}

/// Title and count line at the top of a list sheet; returns the next free row.
fn heading(ws: &mut Worksheet, f: &Formats, title: &str, line: &str) -> Result<RowNum> {
    ws.write_string_with_format(0, 0, title, &f.styles.title)?;
    ws.set_row_height(0, 24.0)?;
    ws.write_string_with_format(1, 0, line, &f.styles.period)?;
    Ok(3)
}

/// Every finding, errors first, as a filterable Excel table with the severity coloured.
pub(super) fn issues(ws: &mut Worksheet, t: &Tracker, findings: &[&Finding]) -> Result<()> {
    let f = Formats::new();
    let mut sorted: Vec<&Finding> = findings.to_vec();
    sorted.sort_by_key(|x| Reverse(x.severity));
    let line = count_line(findings.iter().copied());
    let header = heading(ws, &f, "Issues found in the returns", &line)?;
    for (col, (_, width)) in (0..).zip(ISSUE_COLUMNS) {
        ws.set_column_width(col, width)?;
    }
    let mut row = header;
    for finding in sorted {
        row += 1;
        let cell = match (finding.sheet.as_str(), finding.cell.as_str()) {
            (_, "") => String::new(),
            ("", cell) => cell.to_string(),
            (sheet, cell) => format!("{sheet}!{cell}"),
        };
        let texts = [
            finding.file.as_str(),
            &cell,
            finding.activity.as_deref().unwrap_or(""),
            &finding.rule,
            finding.severity.as_str(),
            &finding.message,
            finding.suggestion.as_deref().unwrap_or(""),
        ];
        let severity = severity_style(&f.cell, finding.severity);
        for (col, text) in (0..).zip(texts) {
            let format = if col == 4 { &severity } else { &f.cell };
            ws.write_string_with_format(row, col, text, format)?;
        }
        let widths: Vec<(&str, f64)> = texts
            .iter()
            .zip(ISSUE_COLUMNS)
            .map(|(t, (_, w))| (*t, w))
            .collect();
        ws.set_row_height(row, row_height(&widths))?;
    }
    let columns: Vec<TableColumn> = ISSUE_COLUMNS
        .iter()
        .map(|(name, _)| {
            TableColumn::new()
                .set_header(*name)
                .set_header_format(&f.styles.header)
        })
        .collect();
    let table = Table::new()
        .set_name("IssueList")
        .set_style(TableStyle::Light1)
        .set_columns(&columns);
    ws.add_table(header, 0, row, ISSUE_COLUMNS.len() as ColNum - 1, &table)?;
    ws.set_row_height(header, 21.0)?;
    ws.set_freeze_panes(header + 1, 0)?;
    print_setup(ws, t, Some(header))
}

/// Per lead: expected, returned, missing, with errors and files, a totals row, then every
/// activity nobody returned with its title.
/// The list of activities not returned is written as XML by katrack when `stream` gives the
/// workbook's format numbers and where to leave the rows (see `src/write/sheet_stream.rs`).
pub(super) fn returns(
    ws: &mut Worksheet,
    t: &Tracker,
    activities: &dyn Rows,
    leads: &[LeadReturn],
    stream: Option<(&Xfs, &mut Option<sheet_stream::Rows>)>,
) -> Result<()> {
    let f = Formats::new();
    let missing: usize = leads.iter().map(|l| l.missing.len()).sum();
    let expected: usize = leads.iter().map(|l| l.expected).sum();
    let line = format!(
        "{} of {expected} key activities returned; {missing} missing",
        expected - missing.min(expected)
    );
    let header = heading(ws, &f, "Returns from lead officers", &line)?;
    for (col, (name, width)) in (0..).zip(RETURN_COLUMNS) {
        ws.set_column_width(col, width)?;
        ws.write_string_with_format(header, col, name, &f.styles.header)?;
    }
    ws.set_row_height(header, 21.0)?;
    let mut row = header;
    for lead in leads {
        row += 1;
        ws.write_string_with_format(row, 0, &lead.lead, &f.cell)?;
        let flagged = |n: usize, severity| {
            if n > 0 {
                severity_style(&f.number, severity)
            } else {
                f.number.clone()
            }
        };
        let numbers = [
            (lead.expected, f.number.clone()),
            (lead.returned, f.number.clone()),
            (
                lead.missing.len(),
                flagged(lead.missing.len(), Severity::Error),
            ),
            (
                lead.with_errors,
                flagged(lead.with_errors, Severity::Warning),
            ),
        ];
        for (col, (n, format)) in (1..).zip(numbers) {
            ws.write_number_with_format(row, col, n as f64, &format)?;
        }
        let files = lead.files.join("\n");
        ws.write_string_with_format(row, 5, &files, &f.cell)?;
        ws.set_row_height(row, row_height(&[(&lead.lead, 42.0), (&files, 50.0)]))?;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Total", &f.total)?;
    let totals = [
        expected,
        leads.iter().map(|l| l.returned).sum(),
        missing,
        leads.iter().map(|l| l.with_errors).sum(),
    ];
    for (col, n) in (1..).zip(totals) {
        ws.write_number_with_format(row, col, n as f64, &f.total_number)?;
    }
    ws.write_blank(row, 5, &f.total)?;

    row += 2;
    ws.write_string_with_format(row, 0, "Key activities not returned", &f.section)?;
    ws.set_row_height(row, 24.0)?;
    row += 1;
    if missing == 0 {
        ws.write_string_with_format(
            row,
            0,
            "None: every expected key activity was returned.",
            &f.note,
        )?;
    } else {
        ws.write_string_with_format(row, 0, "Lead", &f.styles.header)?;
        ws.write_string_with_format(row, 1, "ID", &f.styles.header)?;
        ws.merge_range(row, 2, row, 5, "Key activity", &f.styles.header)?;
        let missing = leads.iter().flat_map(|l| &l.missing).map(String::as_str);
        let titles = first_of(activities, missing, |a| a[field::TITLE]);
        let mut xml = match &stream {
            Some((xfs, _)) => Some((RowsXml::new()?, xfs.of(&f.cell).ok_or_else(unregistered)?)),
            None => None,
        };
        for lead in leads {
            for id in &lead.missing {
                row += 1;
                let title = titles[id.as_str()].unwrap_or("");
                let height = row_height(&[(&lead.lead, 42.0), (title, 83.0)]);
                if let Some((xml, cell)) = &mut xml {
                    let cells = [&lead.lead, id.as_str(), title, "", "", ""];
                    let cells: Vec<sheet_stream::Cell> =
                        (0..).zip(cells).map(|(c, t)| (c, t, *cell)).collect();
                    xml.row(row, pixels(height), &cells).map_err(|(_, e)| e)?;
                    xml.merged(row, 2, 5);
                    continue;
                }
                ws.write_string_with_format(row, 0, &lead.lead, &f.cell)?;
                ws.write_string_with_format(row, 1, id, &f.cell)?;
                ws.merge_range(row, 2, row, 5, title, &f.cell)?;
                ws.set_row_height(row, height)?;
            }
        }
        if let (Some((xml, _)), Some((_, out))) = (xml, stream) {
            *out = Some(xml.finish()?);
        }
    }
    ws.set_freeze_panes(header + 1, 0)?;
    print_setup(ws, t, Some(header))
}

/// What `pick` takes of the first activity of each of `ids` (`None`: no activity has it),
/// found in one pass over the activities (a search per id took minutes when half of a
/// 100,000-activity plan was missing); only what is picked is kept of each.
fn first_of<'a, 'i, T>(
    activities: &dyn Rows<'a>,
    ids: impl IntoIterator<Item = &'i str>,
    pick: impl Fn(Fields<'a>) -> T,
) -> HashMap<&'i str, Option<T>> {
    let mut wanted: HashMap<&str, Option<T>> = ids.into_iter().map(|id| (id, None)).collect();
    if !wanted.is_empty() {
        activities.each(&mut |a| {
            if let Some(slot @ None) = wanted.get_mut(a[field::ID]) {
                *slot = Some(pick(a));
            }
        });
    }
    wanted
}

/// A cell of a Changes section: its text and format.
type Cell = (String, Format);

/// What moved since last quarter, one section after another.
pub(super) fn changes(
    ws: &mut Worksheet,
    t: &Tracker,
    activities: &dyn Rows,
    changes: &Changes,
    profile: &Profile,
) -> Result<()> {
    let f = Formats::new();
    let moved = |d: Direction| {
        changes
            .status
            .iter()
            .filter(|c| c.direction == Some(d))
            .count()
    };
    let line = format!(
        "{} status changes ({} improved, {} worsened), {} lead or portfolio changes, {} added, \
         {} removed, {} with progress copied unchanged",
        changes.status.len(),
        moved(Direction::Improved),
        moved(Direction::Worsened),
        changes.reassigned.len(),
        changes.added.len(),
        changes.removed.len(),
        changes.unchanged_progress.len()
    );
    let mut row = heading(ws, &f, "Changes since last quarter", &line)?;
    for (col, width) in (0..).zip(CHANGE_WIDTHS) {
        ws.set_column_width(col, width)?;
    }
    let plain = |text: &str| (text.to_string(), f.cell.clone());
    let status = |text: &str| {
        (
            text.to_string(),
            status_style(&f.cell.clone().set_bold(), profile.status_colour(text)),
        )
    };

    let body: Vec<[Cell; 5]> = changes
        .status
        .iter()
        .map(|c| {
            let direction = c.direction.unwrap_or(Direction::Changed);
            [
                plain(&c.id),
                plain(&c.title),
                status(&c.from),
                status(&c.to),
                (
                    direction.as_str().to_string(),
                    direction_style(&f.cell, direction),
                ),
            ]
        })
        .collect();
    section(
        ws,
        &mut row,
        &f,
        "Status changes",
        ["ID", "Title", "From", "To", "Direction"],
        body,
    )?;

    let body = changes
        .reassigned
        .iter()
        .map(|c: &Change| {
            [
                plain(&c.id),
                plain(&c.title),
                plain(&field_name(&c.field)),
                plain(&c.from),
                plain(&c.to),
            ]
        })
        .collect();
    section(
        ws,
        &mut row,
        &f,
        "Lead and portfolio changes",
        ["ID", "Title", "Changed", "From", "To"],
        body,
    )?;

    for (title, activities) in [
        ("Added since last quarter", &changes.added),
        ("Removed since last quarter", &changes.removed),
    ] {
        let body = activities
            .iter()
            .map(|a| {
                [
                    plain(&a.id),
                    plain(&a.title),
                    status(&a.status),
                    plain(&a.lead),
                    plain(&a.portfolio),
                ]
            })
            .collect();
        section(
            ws,
            &mut row,
            &f,
            title,
            ["ID", "Title", "Status", "Lead", "Portfolio"],
            body,
        )?;
    }

    let unchanged = changes.unchanged_progress.iter().map(|c| c.id.as_str());
    let now = first_of(activities, unchanged, |a| {
        (a[field::LEAD], a[field::STATUS])
    });
    let body = changes
        .unchanged_progress
        .iter()
        .map(|c| {
            let (lead, current) = now[c.id.as_str()].unwrap_or_default();
            [
                plain(&c.id),
                plain(&c.title),
                plain(current),
                plain(lead),
                plain(&shorten(&c.to)),
            ]
        })
        .collect();
    let headers = [
        "ID",
        "Title",
        "Status",
        "Lead",
        "Progress (as last quarter)",
    ];
    section(
        ws,
        &mut row,
        &f,
        "Progress copied unchanged from last quarter",
        headers,
        body,
    )?;

    ws.set_freeze_panes(3, 0)?;
    print_setup(ws, t, None)
}

/// A section of the Changes sheet: a heading, a header row and its rows, or "None.".
fn section(
    ws: &mut Worksheet,
    row: &mut RowNum,
    f: &Formats,
    title: &str,
    headers: [&str; 5],
    body: Vec<[Cell; 5]>,
) -> Result<()> {
    ws.write_string_with_format(*row, 0, title, &f.section)?;
    ws.set_row_height(*row, 24.0)?;
    *row += 1;
    if body.is_empty() {
        ws.write_string_with_format(*row, 0, "None.", &f.note)?;
        *row += 2;
        return Ok(());
    }
    for (col, header) in (0..).zip(headers) {
        ws.write_string_with_format(*row, col, header, &f.styles.header)?;
    }
    ws.set_row_height(*row, 21.0)?;
    for cells in body {
        *row += 1;
        for (col, (text, format)) in (0..).zip(&cells) {
            ws.write_string_with_format(*row, col, text, format)?;
        }
        let sizes: Vec<(&str, f64)> = cells
            .iter()
            .zip(CHANGE_WIDTHS)
            .map(|((t, _), w)| (t.as_str(), w))
            .collect();
        ws.set_row_height(*row, row_height(&sizes))?;
    }
    *row += 2;
    Ok(())
}

/// The direction word's colours: improved green, worsened red, completed and started blue,
/// deferred grey.
fn direction_style(base: &Format, direction: Direction) -> Format {
    let (fill, font) = match direction {
        Direction::Improved => (0xC6EFCE, 0x006100),
        Direction::Worsened => (0xFFC7CE, 0x9C0006),
        Direction::Completed | Direction::Started => (0xDDEBF7, 0x1F4E78),
        Direction::Deferred => (0xEDEDED, 0x595959),
        Direction::Changed => return base.clone().set_bold(),
    };
    base.clone()
        .set_bold()
        .set_background_color(Color::RGB(fill))
        .set_font_color(Color::RGB(font))
}

/// "lead" → "Lead", "portfolio" → "Portfolio".
fn field_name(field: &str) -> String {
    let mut chars = field.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The start of a long text, marked with an ellipsis.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_PROGRESS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
