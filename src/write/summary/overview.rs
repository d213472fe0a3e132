//! The "Summary" sheet: the title, a block of headline numbers with a doughnut of the overall
//! split beside it, then status tables by objective (with a stacked bar chart drawn from it),
//! by portfolio and by lead. Charts reference the tables' own cells, and manual page breaks keep
//! each table and chart whole on a printed page.

use super::counts::{CountRow, StatusCounts, counts_of};
use super::{SUMMARY_SHEET, SheetsInput, print_setup, row_height, title_block};
use crate::error::Result;
use crate::finding::Severity;
use crate::profile::{Profile, StatusKind};
use crate::write::style::{DARK_BLUE, RULE, Styles, parse_colour, status_style};
use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartDataLabel, ChartFont, ChartFormat, ChartLegendPosition,
    ChartLine, ChartSolidFill, ChartType, ColNum, Color, Format, FormatAlign, FormatBorder, RowNum,
    Worksheet,
};

/// Column widths in characters: the label column, each status, the total.
const LABEL_WIDTH: f64 = 48.0;
const COUNT_WIDTH: f64 = 12.0;
const TOTAL_WIDTH: f64 = 9.0;
/// Heights in points of a section heading, a theme row, a headline or total row.
const HEADING_HEIGHT: f64 = 24.0;
const BAND_HEIGHT: f64 = 20.0;
/// Excel's default row height in pixels; reserved rows under a chart keep it.
const DEFAULT_ROW_PX: u32 = 20;
/// The printable area of landscape A4 with the margins [`print_setup`] sets: 10.89 in × 6.77 in.
const PAGE_WIDTH_PX: f64 = 1045.0;
const PAGE_HEIGHT_PT: f64 = 470.0;
/// The doughnut's least height in pixels.
const DOUGHNUT_PX: u32 = 300;
/// A chart fill for a status whose colour is not `#RRGGBB`.
const GREY: u32 = 0xBFBFBF;

/// The sheet's formats, made once.
struct Formats {
    styles: Styles,
    section: Format,
    label: Format,
    number: Format,
    total_label: Format,
    total_number: Format,
    row_total: Format,
    column_header: Format,
    headline_label: Format,
    headline_number: Format,
}

impl Formats {
    fn new() -> Formats {
        let boxed = Format::new()
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(RULE))
            .set_align(FormatAlign::VerticalCenter);
        let number = boxed.clone().set_align(FormatAlign::Center);
        let total = |f: Format| {
            f.set_bold()
                .set_background_color(Color::RGB(0xF2F2F2))
                .set_border_top(FormatBorder::Double)
        };
        Formats {
            styles: Styles::new(),
            section: Format::new()
                .set_bold()
                .set_font_size(13)
                .set_font_color(Color::RGB(DARK_BLUE))
                .set_align(FormatAlign::Bottom),
            label: boxed.clone().set_text_wrap(),
            total_label: total(boxed.clone()),
            total_number: total(number.clone()),
            row_total: number
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xF2F2F2)),
            column_header: boxed
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            headline_label: boxed.clone().set_bold(),
            headline_number: number.clone().set_bold().set_font_size(13),
            number,
        }
    }
}

/// Where a count table landed: its header row, first and last body rows, and totals row.
struct Placed {
    header: RowNum,
    first: RowNum,
    last: RowNum,
    total: RowNum,
}

/// A body row of a count table.
enum Line<'a> {
    /// A theme banner; no counts.
    Theme(&'a str),
    /// A labelled row of counts.
    Counts(&'a CountRow),
}

/// Tracks the printed height of the page so far and breaks the page before a block that would
/// not fit on it.
struct Pager {
    page: f64,
    used: f64,
    breaks: Vec<RowNum>,
}

impl Pager {
    fn place(&mut self, row: RowNum, height: f64) {
        if self.used > 0.0 && self.used + height > self.page {
            self.breaks.push(row);
            self.used = 0.0;
        }
        self.used += height;
    }
}

pub(super) fn write(ws: &mut Worksheet, input: &SheetsInput, profile: &Profile) -> Result<()> {
    let t = input.meta;
    let counts = counts_of(input.activities, profile);
    let mut widths = vec![LABEL_WIDTH];
    widths.extend(counts.columns.iter().map(|_| COUNT_WIDTH));
    widths.push(TOTAL_WIDTH);
    for (col, width) in (0..).zip(&widths) {
        ws.set_column_width(col, *width)?;
    }
    let sheet_px: u32 = widths.iter().map(|w| pixels(*w)).sum();
    let scale = (PAGE_WIDTH_PX / f64::from(sheet_px)).min(1.0);
    let frozen = title_block(ws, t, "Key Activities summary")?;
    let pager = Pager {
        page: PAGE_HEIGHT_PT / scale,
        used: f64::from(frozen) * 21.0,
        breaks: Vec::new(),
    };
    let mut at = Layout {
        f: Formats::new(),
        counts: &counts,
        row: frozen + 1,
        pager,
    };

    let headline_row = at.row;
    let doughnut_px = at.headline(ws, &headline(&counts, input, profile))?;

    // By objective, grouped by theme, with its stacked bar chart underneath.
    let mut lines = Vec::new();
    for theme in &counts.by_theme {
        if !theme.label.is_empty() {
            lines.push(Line::Theme(&theme.label));
        }
        lines.extend(theme.objectives.iter().map(Line::Counts));
    }
    let title = "Status by corporate objective";
    let by_objective = at.table(ws, title, "Corporate objective", &lines)?;
    if counts.activities() > 0 {
        // Roomy bars, unless that would not fit on a page; then as many as a page holds.
        let page_px = points_to_px(at.pager.page) - 20;
        let roomy = (110 + 30 * lines.len() as u32).max(260);
        let chart_px = roomy.min(page_px.max(110 + 14 * lines.len() as u32));
        at.pager.place(at.row, f64::from(chart_px) * 0.75);
        let chart = bar_chart(&counts, &by_objective, chart_px, sheet_px - 10);
        ws.insert_chart_with_offset(at.row, 0, &chart, 2, 4)?;
        at.row += rows_for(chart_px) + 1;

        let width: u32 = widths[2..].iter().map(|w| pixels(*w)).sum();
        let chart = doughnut(&counts, &by_objective, width - 10, doughnut_px);
        ws.insert_chart_with_offset(headline_row, 2, &chart, 5, 4)?;
    }

    let lines: Vec<Line> = counts.by_portfolio.iter().map(Line::Counts).collect();
    at.table(ws, "Status by portfolio", "Portfolio", &lines)?;
    let lines: Vec<Line> = counts.by_lead.iter().map(Line::Counts).collect();
    at.table(ws, "Status by lead officer", "Lead officer", &lines)?;

    if frozen > 0 {
        ws.set_freeze_panes(frozen, 0)?;
    }
    ws.set_page_breaks(&at.pager.breaks)?;
    print_setup(ws, t, None)?;
    ws.set_print_gridlines(false);
    Ok(())
}

/// The headline block: (label, number, fill colour).
fn headline(
    counts: &StatusCounts,
    input: &SheetsInput,
    profile: &Profile,
) -> Vec<(String, usize, Option<String>)> {
    let mut items = vec![("Key activities".to_string(), counts.activities(), None)];
    for (column, n) in counts.columns.iter().zip(&counts.overall) {
        if column.kind == Some(StatusKind::Rag) {
            items.push((column.label.clone(), *n, Some(column.colour.clone())));
        }
    }
    for (kind, label) in [
        (StatusKind::NotStarted, "Not started"),
        (StatusKind::Deferred, "Deferred"),
        (StatusKind::Complete, "Complete"),
    ] {
        let colour = profile
            .statuses
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.colour.clone());
        items.push((label.to_string(), counts.of_kind(kind), colour));
    }
    if counts.other() > 0 {
        items.push((super::OTHER.to_string(), counts.other(), None));
    }
    if let Some(returns) = input.returns {
        let missing = returns.iter().map(|r| r.missing.len()).sum();
        items.push(("Returns missing".to_string(), missing, None));
    }
    let errors = input
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    items.push(("Errors outstanding".to_string(), errors, None));
    items
}

/// Where the next block goes: the row, the page so far, and what every table shares.
struct Layout<'a> {
    f: Formats,
    counts: &'a StatusCounts,
    row: RowNum,
    pager: Pager,
}

impl Layout<'_> {
    /// The "At a glance" block of labelled numbers, with rows left under it for the doughnut
    /// drawn beside it; returns the doughnut's height in pixels.
    fn headline(
        &mut self,
        ws: &mut Worksheet,
        items: &[(String, usize, Option<String>)],
    ) -> Result<u32> {
        let (f, row) = (&self.f, self.row);
        let block_pt = HEADING_HEIGHT + items.len() as f64 * BAND_HEIGHT;
        let doughnut_px = DOUGHNUT_PX.max(points_to_px(block_pt));
        let padding = rows_for(doughnut_px.saturating_sub(points_to_px(block_pt)));
        self.pager.place(row, block_pt + f64::from(padding) * 15.0);
        ws.write_string_with_format(row, 0, "At a glance", &f.section)?;
        ws.set_row_height(row, HEADING_HEIGHT)?;
        for (i, (label, value, colour)) in (1..).zip(items) {
            let number = status_style(&f.headline_number, colour.as_deref());
            ws.write_string_with_format(row + i, 0, label, &f.headline_label)?;
            ws.write_number_with_format(row + i, 1, *value as f64, &number)?;
            ws.set_row_height(row + i, BAND_HEIGHT)?;
        }
        self.row += 1 + items.len() as RowNum + padding + 1;
        Ok(doughnut_px)
    }

    /// Writes a count table at the current row (a heading, the header, the lines, a totals
    /// row) and moves past it and a blank row.
    fn table(
        &mut self,
        ws: &mut Worksheet,
        title: &str,
        label: &str,
        lines: &[Line],
    ) -> Result<Placed> {
        let (f, counts, row, pager) = (&self.f, self.counts, &mut self.row, &mut self.pager);
        let last = counts.columns.len() as ColNum + 1;
        let header_height = counts
            .columns
            .iter()
            .map(|c| row_height(&[(&c.label, COUNT_WIDTH * 0.9)]))
            .fold(row_height(&[(label, LABEL_WIDTH)]), f64::max)
            + 4.0;
        let heights: Vec<f64> = lines
            .iter()
            .map(|line| match line {
                Line::Theme(_) => BAND_HEIGHT,
                Line::Counts(r) => row_height(&[(&r.label, LABEL_WIDTH)]).max(BAND_HEIGHT),
            })
            .collect();
        let height = HEADING_HEIGHT + header_height + heights.iter().sum::<f64>() + BAND_HEIGHT;
        pager.place(*row, height.min(pager.page));

        ws.write_string_with_format(*row, 0, title, &f.section)?;
        ws.set_row_height(*row, HEADING_HEIGHT)?;
        let header = *row + 1;
        ws.write_string_with_format(header, 0, label, &f.styles.header)?;
        for (col, column) in (1..).zip(&counts.columns) {
            let colour = Some(column.colour.as_str());
            ws.write_string_with_format(
                header,
                col,
                &column.label,
                &status_style(&f.column_header, colour),
            )?;
        }
        ws.write_string_with_format(
            header,
            last,
            "Total",
            &f.styles.header.clone().set_align(FormatAlign::Center),
        )?;
        ws.set_row_height(header, header_height)?;

        let first = header + 1;
        let mut r = first;
        for (line, height) in lines.iter().zip(&heights) {
            match line {
                Line::Theme(text) => {
                    ws.merge_range(r, 0, r, last, text, &f.styles.theme)?;
                }
                Line::Counts(counts_row) => {
                    ws.write_string_with_format(r, 0, &counts_row.label, &f.label)?;
                    for (col, n) in (1..).zip(&counts_row.counts) {
                        ws.write_number_with_format(r, col, *n as f64, &f.number)?;
                    }
                    ws.write_number_with_format(r, last, counts_row.total() as f64, &f.row_total)?;
                }
            }
            ws.set_row_height(r, *height)?;
            r += 1;
        }
        let total = r;
        ws.write_string_with_format(total, 0, "Total", &f.total_label)?;
        for (col, n) in (1..).zip(&counts.overall) {
            ws.write_number_with_format(total, col, *n as f64, &f.total_number)?;
        }
        ws.write_number_with_format(total, last, counts.activities() as f64, &f.total_number)?;
        ws.set_row_height(total, BAND_HEIGHT)?;
        *row = total + 2;
        Ok(Placed {
            header,
            first,
            last: total.saturating_sub(1).max(first),
            total,
        })
    }
}

/// The fill of a status column, as a chart colour.
fn colour_of(column: &super::StatusColumn) -> Color {
    Color::RGB(parse_colour(&column.colour).unwrap_or(GREY))
}

/// Status by objective: one series per status column over the objective table's rows.
fn bar_chart(counts: &StatusCounts, placed: &Placed, height: u32, width: u32) -> Chart {
    let objectives: usize = counts.by_theme.iter().map(|t| t.objectives.len()).sum();
    let mut chart = Chart::new(ChartType::BarStacked);
    chart
        .title()
        .set_name("Status by corporate objective")
        .set_font(ChartFont::new().set_size(12).set_bold());
    for (col, column) in (1..).zip(&counts.columns) {
        let mut fill = ChartFormat::new();
        fill.set_solid_fill(ChartSolidFill::new().set_color(colour_of(column)))
            .set_border(ChartLine::new().set_color(Color::White));
        chart
            .add_series()
            .set_name((SUMMARY_SHEET, placed.header, col))
            .set_categories((SUMMARY_SHEET, placed.first, 0, placed.last, 0))
            .set_values((SUMMARY_SHEET, placed.first, col, placed.last, col))
            .set_format(&mut fill)
            .set_gap(40);
    }
    let most = counts
        .by_theme
        .iter()
        .flat_map(|t| &t.objectives)
        .map(CountRow::total)
        .max()
        .unwrap_or(0);
    // A bar chart's y axis holds the categories: objectives read top to bottom, each labelled,
    // with the value axis kept at the bottom.
    let size = if placed.last - placed.first < 20 {
        9
    } else {
        8
    };
    chart
        .y_axis()
        .set_reverse()
        .set_crossing(ChartAxisCrossing::Max)
        .set_label_interval(1)
        .set_font(ChartFont::new().set_size(size));
    chart
        .x_axis()
        .set_name("Key activities")
        .set_major_gridlines(true)
        .set_major_gridlines_line(ChartLine::new().set_color(Color::RGB(0xD9D9D9)))
        .set_min(0)
        .set_major_unit(most.div_ceil(10).max(1) as f64);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(width).set_height(height);
    chart.set_alt_text(format!(
        "Stacked bar chart of key activity status for {objectives} corporate objectives"
    ));
    chart
}

/// The overall split: the objective table's totals row, one point per status column.
fn doughnut(counts: &StatusCounts, placed: &Placed, width: u32, height: u32) -> Chart {
    let last = counts.columns.len() as ColNum;
    let colours: Vec<Color> = counts.columns.iter().map(colour_of).collect();
    let mut chart = Chart::new(ChartType::Doughnut);
    chart
        .title()
        .set_name("All key activities by status")
        .set_font(ChartFont::new().set_size(12).set_bold());
    chart
        .add_series()
        .set_name("Key activities")
        .set_categories((SUMMARY_SHEET, placed.header, 1, placed.header, last))
        .set_values((SUMMARY_SHEET, placed.total, 1, placed.total, last))
        .set_point_colors(&colours)
        .set_data_label(ChartDataLabel::new().show_value().set_num_format("0;;;"));
    chart.set_hole_size(50);
    chart.legend().set_position(ChartLegendPosition::Right);
    chart.set_width(width).set_height(height);
    chart.set_alt_text("Doughnut chart of all key activities by status");
    chart
}

/// A column width in characters as pixels, as Excel draws it with 11pt Calibri.
fn pixels(width: f64) -> u32 {
    (width * 7.0 + 5.0).round() as u32
}

/// Points as pixels, rounded up.
fn points_to_px(points: f64) -> u32 {
    (points * 4.0 / 3.0).ceil() as u32
}

/// Default-height rows that cover `px` pixels.
fn rows_for(px: u32) -> RowNum {
    px.div_ceil(DEFAULT_ROW_PX)
}
