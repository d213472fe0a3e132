//! The annotated workbook: the marked-up copy of an officer's return that `katrack check
//! --annotate` hands back. A first "Findings" sheet lists every finding with a link to its cell;
//! then come the return's own sheets, cell for cell, with each flagged cell coloured by severity
//! and carrying a note that says what is wrong and what would be accepted.
//!
//! The copy must read back as the same return (an officer fixes it and sends it again), so every
//! value is written as text in its original position, merged copies included, and the findings
//! sheet is marked by [`FINDINGS_TITLE`] in A1 so the reader can skip it.

use crate::cellref::parse_a1;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::read::Sheet;
use crate::write::style::{Styles, TEXT_LINE_HEIGHT, count_line, severity_style, text_row_height};
use foldhash::{HashMap, HashMapExt};
use rust_xlsxwriter::utility::check_sheet_name;
use rust_xlsxwriter::{
    ColNum, Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatUnderline, Note,
    RowNum, Url, Workbook, Worksheet,
};
use std::collections::BTreeMap;

/// The start of A1 on the findings sheet; a reader skips a sheet whose A1 begins with it.
pub const FINDINGS_TITLE: &str = "katrack check findings";

/// Excel's limits: characters in a cell (UTF-16 units), rows and columns in a sheet.
const MAX_TEXT: usize = 32_767;
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLS: u32 = 16_384;
/// A note's text is checked against the cell limit less room for an author prefix.
const MAX_NOTE: usize = MAX_TEXT - 100;
/// The findings sheet shows the start of a long value; the linked cell holds all of it.
const SHOWN_VALUE: usize = 300;
/// Widest column the data sheets get, in characters; longer text wraps.
const MAX_WIDTH: f64 = 60.0;
/// The header row of the findings table (0-based) and its columns with their widths.
const HEADER_ROW: RowNum = 3;
const COLUMNS: [(&str, f64); 8] = [
    ("Severity", 10.0),
    ("Cell", 16.0),
    ("Activity", 11.0),
    ("Field", 13.0),
    ("Rule", 20.0),
    ("Message", 60.0),
    ("Value", 40.0),
    ("Suggestion", 28.0),
];

/// The marked-up copy of a return as `.xlsx` bytes: a "Findings" sheet first, then `sheets` with
/// their names, order, visibility and cell positions, each flagged cell filled with its worst
/// finding's colour (error red, warning amber, info blue) and given a note.
///
/// `file_name` is shown in the title. A CSV's one sheet (named `""`) becomes "Data", and findings
/// on sheet `""` point there; a name that is invalid or already used gets a suffix (" (2)").
/// Findings without a cell (about the whole file) are listed without a link. Text longer than
/// Excel's 32,767 characters is cut, and the cell's note says so. No value is written as a formula.
///
/// # Errors
///
/// [`Error::Write`] if a cell lies beyond Excel's last row or column, or the workbook cannot be
/// assembled.
///
/// # Examples
///
/// ```
/// use katrack::read::{Cell, Row, Sheet};
/// let cells = vec![Cell { col: 4, text: "Choose an item.".into(), merged: false }];
/// let sheet = Sheet { name: "Q1".into(), hidden: false, rows: vec![Row { row: 11, cells }] };
/// let finding: katrack::finding::Finding = serde_json::from_str(r#"{"rule": "placeholder",
///     "severity": "error", "file": "return.xlsx", "sheet": "Q1", "cell": "E12",
///     "message": "Lead is the dropdown placeholder"}"#).unwrap();
/// let bytes = katrack::write::annotated_workbook(&[sheet], &[finding], "return.xlsx").unwrap();
/// assert!(bytes.starts_with(b"PK"));
/// ```
pub fn annotated_workbook(
    sheets: &[Sheet],
    findings: &[Finding],
    file_name: &str,
) -> Result<Vec<u8>> {
    let (names, findings_name) = sheet_names(sheets);
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, sheet) in sheets.iter().enumerate() {
        index.entry(sheet.name.as_str()).or_insert(i);
    }
    // Where each finding points: (sheet index, row, column), if anywhere.
    let targets: Vec<Option<(usize, RowNum, ColNum)>> = findings
        .iter()
        .map(|f| {
            let sheet = *index.get(f.sheet.as_str())?;
            let (row, col) = parse_a1(&f.cell).filter(|&(r, c)| r < MAX_ROWS && c < MAX_COLS)?;
            Some((sheet, row, col as ColNum))
        })
        .collect();

    let mut workbook = Workbook::new();
    let title = format!("{FINDINGS_TITLE}: {file_name}");
    let properties = DocProperties::new()
        .set_title(&title)
        .set_comment("Return annotated by katrack check")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2020, 1, 1)?);
    workbook.set_properties(&properties);
    let styles = Styles::new();

    let ws = workbook.add_worksheet();
    ws.set_name(&findings_name)?;
    write_findings(ws, &title, findings, &targets, &names, &styles)?;

    for (i, (sheet, name)) in sheets.iter().zip(&names).enumerate() {
        let mut marks: BTreeMap<(RowNum, ColNum), Vec<&Finding>> = BTreeMap::new();
        for (finding, target) in findings.iter().zip(&targets) {
            if let Some((_, row, col)) = target.filter(|t| t.0 == i) {
                marks.entry((row, col)).or_default().push(finding);
            }
        }
        let ws = workbook.add_worksheet();
        ws.set_name(name)?;
        write_sheet(ws, sheet, name, &marks)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_findings(
    ws: &mut Worksheet,
    title: &str,
    findings: &[Finding],
    targets: &[Option<(usize, RowNum, ColNum)>],
    names: &[String],
    styles: &Styles,
) -> Result<()> {
    let link = (styles.cell.clone())
        .set_font_color(Color::RGB(0x0563C1))
        .set_underline(FormatUnderline::Single);
    ws.write_string_with_format(0, 0, fit(title, MAX_TEXT).0, &styles.organisation)?;
    ws.write_string_with_format(1, 0, count_line(findings), &styles.period)?;
    for (col, (header, width)) in (0..).zip(COLUMNS) {
        ws.write_string_with_format(HEADER_ROW, col, header, &styles.header)?;
        ws.set_column_width(col, width)?;
    }
    let (mut row, mut cell_width) = (HEADER_ROW, COLUMNS[1].1);
    for (f, target) in findings.iter().zip(targets) {
        row += 1;
        let severity = severity_style(&styles.cell, f.severity);
        ws.write_string_with_format(row, 0, f.severity.as_str(), &severity)?;
        if let Some((sheet, r, c)) = target {
            let (name, cell) = (&names[*sheet], crate::cellref::a1(*r, u32::from(*c)));
            let text = format!("{name}!{cell}");
            cell_width = cell_width.max(text.chars().count() as f64 + 2.0).min(40.0);
            let url = Url::new(internal_link(name, &cell)).set_text(text);
            ws.write_url_with_format(row, 1, url, &link)?;
        } else {
            // A cell on no sheet of this workbook is shown without a link; a file finding, blank.
            let text = match (f.sheet.as_str(), f.cell.as_str()) {
                ("", cell) | (_, cell @ "") => cell.to_string(),
                (sheet, cell) => format!("{sheet}!{cell}"),
            };
            ws.write_string_with_format(row, 1, fit(&text, MAX_TEXT).0, &styles.cell)?;
        }
        let value = f.value.as_deref().map(shorten).unwrap_or_default();
        let texts = [
            f.activity.as_deref().unwrap_or(""),
            f.field.as_deref().unwrap_or(""),
            &f.rule,
            &f.message,
            &value,
            f.suggestion.as_deref().unwrap_or(""),
        ];
        for (col, text) in (2..).zip(texts) {
            ws.write_string_with_format(row, col, fit(text, MAX_TEXT).0, &styles.cell)?;
        }
        let widths = (2..).zip(texts).map(|(col, text)| (text, COLUMNS[col].1));
        ws.set_row_height(row, row_height(widths))?;
    }
    ws.set_column_width(1, cell_width)?;
    ws.autofilter(HEADER_ROW, 0, row, COLUMNS.len() as ColNum - 1)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    Ok(())
}

/// One of the return's sheets, cell for cell, with its flagged cells filled and noted.
fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    name: &str,
    marks: &BTreeMap<(RowNum, ColNum), Vec<&Finding>>,
) -> Result<()> {
    let plain = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let widths = column_widths(sheet);
    for (&col, &width) in &widths {
        ws.set_column_width(col, width)?;
    }
    let width_of = |col: ColNum| widths.get(&col).copied().unwrap_or(8.43);
    let format_at = |row: RowNum, col: ColNum| {
        let worst = marks
            .get(&(row, col))
            .and_then(|f| f.iter().map(|f| f.severity).max());
        worst.map_or_else(|| plain.clone(), |worst| severity_style(&plain, worst))
    };
    let mut truncated: BTreeMap<(RowNum, ColNum), usize> = BTreeMap::new();
    for row in &sheet.rows {
        for cell in &row.cells {
            if row.row >= MAX_ROWS || cell.col >= MAX_COLS {
                let cell = crate::cellref::a1(row.row, cell.col);
                let why = format!("sheet '{name}' has a value in {cell}, past Excel's last cell");
                return Err(Error::Write(why));
            }
            let col = cell.col as ColNum;
            let (text, cut) = fit(&cell.text, MAX_TEXT);
            if cut {
                truncated.insert((row.row, col), cell.text.chars().count());
            }
            ws.write_string_with_format(row.row, col, text, &format_at(row.row, col))?;
        }
        let cells = row.cells.iter().filter(|c| !c.merged);
        let height = row_height(cells.map(|c| (c.text.as_str(), width_of(c.col as ColNum))));
        if height > TEXT_LINE_HEIGHT + 3.0 {
            ws.set_row_height(row.row, height)?;
        }
    }
    let mut noted: Vec<(RowNum, ColNum)> = marks.keys().copied().collect();
    noted.extend(truncated.keys().filter(|k| !marks.contains_key(k)));
    for (row, col) in noted {
        let present = sheet
            .rows
            .iter()
            .any(|r| r.row == row && r.get(u32::from(col)).is_some());
        if !present {
            ws.write_blank(row, col, &format_at(row, col))?;
        }
        let mut lines: Vec<String> = Vec::new();
        for f in marks.get(&(row, col)).into_iter().flatten() {
            lines.push(format!("{}: {}", f.rule, f.message));
            if let Some(suggestion) = &f.suggestion {
                lines.push(format!("Suggestion: {suggestion}"));
            }
        }
        if let Some(chars) = truncated.get(&(row, col)) {
            lines.push(format!(
                "Truncated: the cell held {chars} characters and Excel holds at most 32,767; \
                 the rest is not shown here."
            ));
        }
        ws.insert_note(row, col, &note(&lines.join("\n")))?;
    }
    ws.set_default_note_author("katrack");
    ws.set_hidden(sheet.hidden);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// A hidden note sized to its text.
fn note(text: &str) -> Note {
    let text = fit(text, MAX_NOTE).0;
    let lines: usize = text
        .split('\n')
        .map(|l| l.chars().count().div_ceil(48).max(1))
        .sum();
    Note::new(text)
        .add_author_prefix(false)
        .set_visible(false)
        .set_width(320)
        .set_height((lines as u32 * 13 + 12).clamp(74, 400))
}

/// `internal:'Sheet name'!E12`, with a `'` in the name doubled.
fn internal_link(sheet: &str, cell: &str) -> String {
    format!("internal:'{}'!{cell}", sheet.replace('\'', "''"))
}

/// The text cut to `max` UTF-16 units (Excel's measure), and whether it was cut.
fn fit(text: &str, max: usize) -> (&str, bool) {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return (&text[..at], true);
        }
    }
    (text, false)
}

/// The start of a long value, marked with an ellipsis.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_VALUE) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Column widths from the longest line in each column (merged copies aside), capped.
fn column_widths(sheet: &Sheet) -> BTreeMap<ColNum, f64> {
    let mut widths: BTreeMap<ColNum, f64> = BTreeMap::new();
    for cell in sheet.rows.iter().flat_map(|r| &r.cells) {
        if cell.merged || cell.col >= MAX_COLS {
            continue;
        }
        let longest = cell.text.split('\n').map(|l| l.chars().count()).max();
        let width = (longest.unwrap_or(0) as f64 + 2.0).clamp(8.43, MAX_WIDTH);
        let entry = widths.entry(cell.col as ColNum).or_insert(8.43);
        *entry = entry.max(width);
    }
    widths
}

/// A row height that shows every cell's wrapped text (the shared estimate in `style`).
fn row_height<'a>(cells: impl Iterator<Item = (&'a str, f64)>) -> f64 {
    let cells: Vec<(&str, f64)> = cells.collect();
    text_row_height(&cells)
}

/// The output name of each sheet, and of the findings sheet. Valid, unused names are kept as they
/// are; an empty name (CSV) becomes "Data"; invalid or repeated names are cleaned and suffixed.
fn sheet_names(sheets: &[Sheet]) -> (Vec<String>, String) {
    let mut taken: Vec<String> = Vec::new();
    let mut names: Vec<Option<String>> = vec![None; sheets.len()];
    for (slot, sheet) in names.iter_mut().zip(sheets) {
        let key = sheet.name.to_lowercase();
        if check_sheet_name(&sheet.name).is_ok() && !taken.contains(&key) {
            taken.push(key);
            *slot = Some(sheet.name.clone());
        }
    }
    let names = names
        .into_iter()
        .zip(sheets)
        .map(|(kept, sheet)| kept.unwrap_or_else(|| unique(&clean_name(&sheet.name), &mut taken)))
        .collect();
    let findings = unique("Findings", &mut taken);
    (names, findings)
}

/// A valid sheet name close to `name`.
fn clean_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| if "*?:[]\\/".contains(c) { '_' } else { c })
        .collect();
    let cleaned = fit(&replaced, 31)
        .0
        .trim_matches(|c: char| c == '\'' || c.is_whitespace())
        .to_string();
    if cleaned.is_empty() {
        "Data".into()
    } else {
        cleaned
    }
}

/// `base`, or `base (2)`, `base (3)` … kept within 31 characters, whichever is not taken yet.
fn unique(base: &str, taken: &mut Vec<String>) -> String {
    let mut name = base.to_string();
    let mut n = 1;
    while taken.contains(&name.to_lowercase()) {
        n += 1;
        let suffix = format!(" ({n})");
        name = format!("{}{suffix}", fit(base, 31 - suffix.len()).0);
    }
    taken.push(name.to_lowercase());
    name
}

#[cfg(test)]
#[path = "annotated_tests.rs"]
mod tests;
