//! The "Changes" sheet of the summary workbook: what moved since last quarter, one section
//! after another.

use super::lists::{Formats, first_of, heading};
use super::{print_setup, row_height};
use crate::diff::{Change, Changes, Direction};
use crate::error::Result;
use crate::model::{Rows, Tracker, field};
use crate::profile::Profile;
use crate::write::style::status_style;
use rust_xlsxwriter::{Color, Format, RowNum, Worksheet};

/// The Changes sheet's column widths (every section shares them).
const CHANGE_WIDTHS: [f64; 5] = [11.0, 50.0, 24.0, 36.0, 36.0];
/// Progress copied unchanged is shown up to this many characters.
const SHOWN_PROGRESS: usize = 200;

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
        (a[field::LEAD].to_string(), a[field::STATUS].to_string())
    });
    let body = changes
        .unchanged_progress
        .iter()
        .map(|c| {
            let (lead, current) = now[c.id.as_str()].clone().unwrap_or_default();
            [
                plain(&c.id),
                plain(&c.title),
                plain(&current),
                plain(&lead),
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
