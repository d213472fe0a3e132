//! Writing a synthetic tracker: the officer layout row by row (page breaks, banners, headings
//! and the defects that show only in the layout), as a workbook, as CSV, or as canonical JSON.

use super::{Defect, Raw, Synthetic};
use crate::error::{Error, Result};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

/// Activities between two page breaks (each break repeats the page furniture and the header).
const PAGE: usize = 12;

impl Synthetic {
    /// The tracker in the officer layout, one row of 6 cells at a time: title rows, then for
    /// each page a furniture line and the header (its lead column named "CMT Lead" or "Lead
    /// Officer"), theme banners and objective headings as rows of one text, activities with the
    /// id at the start of the title cell. `heading` marks rows a workbook merges across.
    fn officer_rows(&self, mut row: impl FnMut(&[String], bool) -> Result<()>) -> Result<()> {
        let t = &self.tracker;
        let one = |text: &str| vec![text.to_string()];
        row(&one(&t.organisation), false)?;
        row(&one(&t.title), false)?;
        let mut theme = "";
        let mut objective = "";
        let mut on_page = PAGE;
        let mut pages = 0;
        for (a, raw) in t.activities.iter().zip(&self.raw) {
            if on_page == PAGE {
                page_break(&mut row, &mut pages)?;
                on_page = 0;
            }
            if a.theme != theme {
                theme = &a.theme;
                row(&one(&format!("{}: {}", a.theme, a.theme_strapline)), true)?;
            }
            if a.objective_id != objective {
                objective = &a.objective_id;
                row(
                    &one(&format!("{}: {}", a.objective_id, a.objective_title)),
                    true,
                )?;
            }
            let mut cells = vec![
                format!("{} {}", a.id, a.title),
                a.status.clone(),
                written_progress(&a.progress, *raw),
                a.next_steps.clone(),
                a.lead.clone(),
                a.portfolio.clone(),
            ];
            if raw.defect == Some(Defect::StatusTypedByHand) {
                cells[1] = "green ".into();
            }
            on_page += 1;
            if raw.defect == Some(Defect::Continuation) {
                // A page break splits the title at a space and the progress at a bullet.
                let (title_head, title_tail) = split_at_space(&cells[0]);
                let (head, tail) = a.progress.split_once('\n').unwrap_or((&a.progress, ""));
                let mut first = cells.clone();
                first[0] = title_head.to_string();
                first[2] = head.to_string();
                row(&first, false)?;
                page_break(&mut row, &mut pages)?;
                on_page = 0;
                let mut rest = vec![String::new(); 6];
                rest[0] = title_tail.to_string();
                rest[2] = tail.to_string();
                row(&rest, false)?;
            } else {
                row(&cells, false)?;
            }
        }
        Ok(())
    }

    /// The officer workbook (.xlsx): sheet "Q1" in the officer layout, headings merged across
    /// the table, wrapped text, and a hidden "Lists" sheet of dropdown values. Rows are flushed
    /// as they are written (rust_xlsxwriter's low-memory mode keeps the shared strings, as Excel
    /// writes them).
    ///
    /// # Errors
    /// [`Error::Write`] if rust_xlsxwriter fails (e.g. no temporary folder).
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let profile = self.profile();
        let mut book = Workbook::new();
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(&self.tracker.title));
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        let bold = Format::new().set_bold();
        let ws = book.add_worksheet_with_low_memory()?;
        ws.set_name("Q1")?;
        for (col, width) in [50.0, 16.0, 60.0, 45.0, 28.0, 12.0].into_iter().enumerate() {
            ws.set_column_width(col as u16, width)?;
        }
        let mut r = 0u32;
        self.officer_rows(|cells, heading| {
            if heading {
                ws.merge_range(r, 0, r, 5, &cells[0], &bold)?;
            } else {
                for (c, text) in (0u16..).zip(cells) {
                    if !text.is_empty() {
                        ws.write_string_with_format(r, c, text, &wrap)?;
                    }
                }
            }
            r += 1;
            Ok(())
        })?;
        let lists = book.add_worksheet();
        lists.set_name("Lists")?;
        lists.set_hidden(true);
        for (i, s) in (0u32..).zip(&profile.statuses) {
            lists.write_string(i, 0, &s.name)?;
        }
        for (i, l) in (0u32..).zip(&profile.vocabulary.leads) {
            lists.write_string(i, 1, l)?;
        }
        Ok(book.save_to_buffer()?)
    }

    /// The officer layout as UTF-8 CSV (headings in the first column).
    ///
    /// # Errors
    /// [`Error::Write`] if the CSV writer fails (it writes to memory).
    pub fn csv(&self) -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        self.officer_rows(|cells, _| {
            w.write_record(cells)
                .map_err(|e| Error::Write(format!("CSV: {e}")))
        })?;
        w.into_inner()
            .map_err(|e| Error::Write(format!("CSV: {e}")))
    }

    /// The tracker as canonical JSON.
    pub fn json(&self) -> String {
        crate::write::to_json(&self.tracker)
    }
}

/// The page furniture and header after a page break; the lead column's name alternates.
fn page_break(
    row: &mut impl FnMut(&[String], bool) -> Result<()>,
    pages: &mut usize,
) -> Result<()> {
    if *pages > 0 {
        row(&["Key Activities in Detail".to_string()], false)?;
    }
    let lead = if *pages % 2 == 0 {
        "CMT Lead"
    } else {
        "Lead Officer"
    };
    let mut header = crate::samples::HEADER;
    header[4] = lead;
    let header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
    row(&header, false)?;
    *pages += 1;
    Ok(())
}

/// Progress as the officer's tool left it: canonical, flattened onto one line, or HTML.
fn written_progress(progress: &str, raw: Raw) -> String {
    if raw.flattened {
        progress.replace("\n  • ", " • ").replace('\n', " ")
    } else if raw.html {
        progress
            .lines()
            .map(|l| format!("<p>{}</p>", l.trim_start()))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        progress.to_string()
    }
}

/// A text split at its middle space: the head, and the tail that a continuation row carries.
fn split_at_space(text: &str) -> (&str, &str) {
    let mid = text.len() / 2;
    let at = text[..mid]
        .rfind(' ')
        .or_else(|| text.find(' '))
        .unwrap_or(text.len());
    (&text[..at], text[at..].trim_start())
}
