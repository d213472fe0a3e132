//! The look of katrack's workbooks (fonts, fills, borders, status colours) in one place, so the
//! tracker sheet and any later report sheets match.

use crate::Tracker;
use crate::finding::{Finding, Severity};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, RowNum, Worksheet};

/// Header rows and titles.
pub(crate) const DARK_BLUE: u32 = 0x1F3864;
/// Theme banners.
pub(crate) const BANNER: u32 = 0x2F5597;
/// Objective headings.
pub(crate) const LIGHT_BLUE: u32 = 0xD9E1F2;
/// Cell borders.
pub(crate) const RULE: u32 = 0x808080;

/// The status cell's format: the profile's fill, with white text on a dark fill.
pub(crate) fn status_style(base: &Format, colour: Option<&str>) -> Format {
    match colour.and_then(parse_colour) {
        Some(rgb) => {
            let format = base.clone().set_background_color(Color::RGB(rgb));
            if luminance(rgb) < 0.4 {
                format.set_font_color(Color::White)
            } else {
                format
            }
        }
        None => base.clone(),
    }
}

/// `#RRGGBB` (or `RRGGBB`) as a number.
pub(crate) fn parse_colour(text: &str) -> Option<u32> {
    let hex = text.trim().trim_start_matches('#');
    (hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
}

/// Perceived brightness, 0 (black) to 1 (white).
pub(crate) fn luminance(rgb: u32) -> f64 {
    let channel = |shift: u32| f64::from((rgb >> shift) & 0xFF) / 255.0;
    0.299 * channel(16) + 0.587 * channel(8) + 0.114 * channel(0)
}

/// The sheet's formats, made once.
pub(crate) struct Styles {
    /// The organisation line above the table.
    pub(crate) organisation: Format,
    /// The tracker title line.
    pub(crate) title: Format,
    /// The reporting period line.
    pub(crate) period: Format,
    /// The column header row.
    pub(crate) header: Format,
    /// A theme banner row.
    pub(crate) theme: Format,
    /// An objective heading row.
    pub(crate) objective: Format,
    /// An activity cell: wrapped, top-aligned, bordered.
    pub(crate) cell: Format,
    /// The status cell before its fill is added.
    pub(crate) status: Format,
}

impl Styles {
    pub(crate) fn new() -> Styles {
        let boxed = |f: Format| {
            f.set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(RULE))
                .set_text_wrap()
        };
        let cell = boxed(Format::new()).set_align(FormatAlign::Top);
        Styles {
            organisation: Format::new().set_bold().set_font_size(14),
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_font_color(Color::RGB(DARK_BLUE)),
            period: Format::new().set_italic(),
            header: boxed(Format::new())
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(DARK_BLUE))
                .set_align(FormatAlign::VerticalCenter),
            theme: boxed(Format::new())
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(BANNER))
                .set_align(FormatAlign::VerticalCenter),
            objective: boxed(Format::new())
                .set_bold()
                .set_background_color(Color::RGB(LIGHT_BLUE))
                .set_align(FormatAlign::VerticalCenter),
            status: cell.clone().set_bold().set_align(FormatAlign::Center),
            cell,
        }
    }
}

/// A cell flagged by a finding: the severity's fill and text colour on `base` (Excel's "Bad" and
/// "Neutral" styles for errors and warnings, a light blue for notes).
pub(crate) fn severity_style(base: &Format, severity: crate::finding::Severity) -> Format {
    use crate::finding::Severity;
    let (fill, font) = match severity {
        Severity::Error => (0xFFC7CE, 0x9C0006),
        Severity::Warning => (0xFFEB9C, 0x9C5700),
        Severity::Info => (0xDDEBF7, 0x1F4E78),
    };
    base.clone()
        .set_background_color(Color::RGB(fill))
        .set_font_color(Color::RGB(font))
}

/// Points per line of 11pt Calibri.
pub(crate) const TEXT_LINE_HEIGHT: f64 = 15.0;

/// A row height in points that shows every cell's wrapped text, for `(text, column width)` pairs:
/// each text line wraps after about 1.2 characters per unit of width (a width counts '0' digits;
/// prose is narrower, less what wrapping wastes), the tallest cell wins, capped at Excel's 409.
/// Generous rather than tight: clipped text is worse than white space.
pub(crate) fn text_row_height(cells: &[(&str, f64)]) -> f64 {
    let lines = cells
        .iter()
        .map(|(text, width)| {
            let per_line = (width * 1.2).max(1.0);
            text.split('\n')
                .map(|line| (line.chars().count() as f64 / per_line).ceil().max(1.0))
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines * TEXT_LINE_HEIGHT + 3.0).min(409.0)
}

/// Printing for a tracker's sheets: landscape A4, one page wide, the tracker's title (or
/// organisation) in the page header, the period and "Page N of M" in the footer, and `repeat`
/// rows on every page.
pub(crate) fn print_setup(
    ws: &mut Worksheet,
    t: &Tracker,
    repeat: Option<RowNum>,
) -> crate::Result<()> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.4, 0.4, 0.75, 0.75, 0.3, 0.3);
    if let Some(row) = repeat {
        ws.set_repeat_rows(row, row)?;
    }
    let heading = if t.title.is_empty() {
        &t.organisation
    } else {
        &t.title
    };
    if !heading.is_empty() {
        ws.set_header(format!("&C&\"-,Bold\"{}", header_text(heading)));
    }
    ws.set_footer(if t.period.is_empty() {
        "&RPage &P of &N".to_string()
    } else {
        format!("&L{}&RPage &P of &N", header_text(&t.period))
    });
    Ok(())
}

/// Text for a page header or footer: `&` doubled (it starts a code) and the length capped at
/// 100 characters, since Excel drops a header over 255 characters, codes included.
pub(crate) fn header_text(text: &str) -> String {
    let short: String = text.chars().take(100).collect();
    short.replace('&', "&&")
}

/// "3 errors, 1 warning, 2 notes".
pub(crate) fn count_line<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> String {
    let (mut errors, mut warnings, mut notes) = (0, 0, 0);
    for f in findings {
        match f.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Info => notes += 1,
        }
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(notes, "note")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_and_dark_fills_get_white_text() {
        assert_eq!(parse_colour("#00B050"), Some(0x00B050));
        assert_eq!(parse_colour("FFC000"), Some(0xFFC000));
        assert_eq!(parse_colour("#GGG000"), None);
        assert_eq!(parse_colour("#FFF"), None);
        assert!(luminance(0xFF0000) < 0.4);
        assert!(luminance(0xFFC000) > 0.4);
    }
}
