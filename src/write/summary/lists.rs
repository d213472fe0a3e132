//! The list sheets of the summary workbook: "Issues" (every finding, filterable) and "Returns"
//! (per lead, what came back and what is missing); "Changes" is in `changes.rs`.

use super::{print_setup, row_height};
use crate::error::Result;
use crate::finding::{Finding, Severity};
use crate::merge::LeadReturn;
use crate::model::{Fields, Rows, Tracker, field};
use crate::write::sheet_stream::{self, RowsXml, Xfs, pixels, unregistered};
use crate::write::style::{Styles, count_line, severity_style};
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

/// The formats the list sheets share.
pub(super) struct Formats {
    pub(super) styles: Styles,
    pub(super) cell: Format,
    number: Format,
    total: Format,
    total_number: Format,
    pub(super) section: Format,
    pub(super) note: Format,
}

impl Formats {
    pub(super) fn new() -> Formats {
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
pub(super) fn heading(ws: &mut Worksheet, f: &Formats, title: &str, line: &str) -> Result<RowNum> {
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

/// How many activities not returned have their titles found at once (see [`returns`]); a few
/// in the tests, so that their lists take several passes.
const TITLES_AT_ONCE: usize = if cfg!(test) { 7 } else { 16 << 10 };

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
        let mut xml = match &stream {
            Some((xfs, _)) => Some((RowsXml::new()?, xfs.of(&f.cell).ok_or_else(unregistered)?)),
            None => None,
        };
        let mut listed = leads
            .iter()
            .flat_map(|l| l.missing.iter().map(move |id| (l, id.as_str())))
            .peekable();
        // The titles of so many at a time, each found in a pass over the activities: half of
        // a large plan may be missing, and its titles are not all held at once.
        while listed.peek().is_some() {
            let some: Vec<(&LeadReturn, &str)> = listed.by_ref().take(TITLES_AT_ONCE).collect();
            let ids = some.iter().map(|&(_, id)| id);
            let titles = first_of(activities, ids, |a| a[field::TITLE].to_string());
            for (lead, id) in some {
                row += 1;
                let title = titles[id].as_deref().unwrap_or("");
                let height = row_height(&[(&lead.lead, 42.0), (title, 83.0)]);
                if let Some((xml, cell)) = &mut xml {
                    let texts = [&lead.lead, id, title, "", "", ""];
                    let cells: [sheet_stream::Cell; 6] =
                        std::array::from_fn(|c| (c as u16, texts[c], *cell));
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
pub(super) fn first_of<'i, T>(
    activities: &dyn Rows,
    ids: impl IntoIterator<Item = &'i str>,
    pick: impl Fn(Fields<'_>) -> T,
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
