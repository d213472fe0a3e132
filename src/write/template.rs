//! The return template (DESIGN.md §2, step 2): the workbook sent to one chief officer each
//! quarter, pre-filled with the activities they lead, so returns come back in a shape katrack
//! reads without guessing.
//!
//! The "Return" sheet is protected: id, title and lead are locked (grey), the cells an officer
//! fills in are unlocked (white), and Status and Portfolio offer the profile's values from a
//! hidden "Lists" sheet. Its header texts are profile synonyms and hidden columns carry each
//! activity's objective and theme, so a returned template imports with the plan's structure. The
//! "Instructions" sheet never starts a cell with an activity id (the reader would report it).

use crate::error::{Error, Result};
use crate::model::Activity;
use crate::profile::{Profile, StatusKind};
use crate::write::style::{DARK_BLUE, Styles, TEXT_LINE_HEIGHT, text_row_height};
use rust_xlsxwriter::{
    ColNum, Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, Formula,
    ProtectionOptions, RowNum, Workbook, Worksheet,
};

/// The sheet the officer fills in.
pub const RETURN_SHEET: &str = "Return";
/// The sheet of instructions.
pub const INSTRUCTIONS_SHEET: &str = "Instructions";
/// The hidden sheet holding the dropdowns' values: statuses, portfolios and leads in A, B and C.
pub const LISTS_SHEET: &str = "Lists";

/// Who may edit a column: `Fixed` is locked and grey, `Entry` unlocked and white, `Hidden`
/// carries the plan's structure out of sight.
#[derive(Clone, Copy, PartialEq)]
enum Access {
    Fixed,
    Entry,
    Hidden,
}

/// The Return sheet's columns: canonical field, header (a profile synonym), width, access.
const COLUMNS: [(&str, &str, f64, Access); 11] = [
    ("id", "ID", 11.0, Access::Fixed),
    ("title", "Key Activity", 40.0, Access::Fixed),
    ("lead", "Lead Officer", 22.0, Access::Fixed),
    ("status", "Status", 18.0, Access::Entry),
    ("progress", "Progress", 60.0, Access::Entry),
    ("next_steps", "Next Steps", 45.0, Access::Entry),
    ("portfolio", "Portfolio", 14.0, Access::Entry),
    ("objective_id", "Objective ID", 12.0, Access::Hidden),
    ("objective_title", "Objective", 40.0, Access::Hidden),
    ("theme", "Theme", 16.0, Access::Hidden),
    ("theme_strapline", "Theme Strapline", 40.0, Access::Hidden),
];
/// Lead Officer, Status and Portfolio: the columns with dropdowns.
const LEAD_COL: ColNum = 2;
const STATUS_COL: ColNum = 3;
const PORTFOLIO_COL: ColNum = 6;
/// Fields left empty in blank mode.
const BLANKED: [&str; 3] = ["status", "progress", "next_steps"];
const HINT: &str = "Fill in the white cells; grey cells are fixed. See the Instructions sheet.";
const INSTRUCTIONS_WIDTH: f64 = 90.0;

/// The return workbook for one lead: a protected "Return" sheet with one row per activity in the
/// given order, an "Instructions" sheet and a hidden "Lists" sheet feeding the dropdowns.
///
/// Status, progress, next steps and portfolio are last quarter's values, unless `blank`, which
/// leaves status, progress and next steps empty. Placeholders ("Choose an item.") are written as
/// empty cells; an activity with no lead gets an unlocked Lead Officer cell with a dropdown of the
/// profile's leads. `period` (e.g. "2020/21 Q2") is shown under the title and is the document's
/// subject; the same arguments always give the same bytes.
///
/// # Errors
///
/// [`Error::Write`] if a cell cannot be written, e.g. a text longer than Excel's 32,767
/// characters; the message names the activity and the column.
///
/// # Examples
///
/// ```
/// use katrack::{profile::Profile, Activity};
/// let a = Activity { id: "KA.08.02".into(), title: "Develop a MTFS".into(), ..Activity::default() };
/// let lead = "Chief Officer - Finance and Assets";
/// let profile = Profile::default_profile();
/// let bytes = katrack::write::template_workbook(lead, &[a], &profile, "2020/21 Q2", false).unwrap();
/// assert!(bytes.starts_with(b"PK"));
/// ```
pub fn template_workbook(
    lead: &str,
    activities: &[Activity],
    profile: &Profile,
    period: &str,
    blank: bool,
) -> Result<Vec<u8>> {
    let lead = lead.trim();
    let known = !lead.is_empty() && !profile.is_placeholder(lead);
    let title = format!(
        "Key Activities return: {}",
        [lead, "Unassigned"][usize::from(!known)]
    );
    let period = period.trim();
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2020, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_subject(period)
            .set_company(&profile.organisation)
            .set_comment("Key Activities return template written by katrack")
            .set_creation_datetime(&created),
    );
    let styles = Styles::new();
    let ws = workbook.add_worksheet().set_name(RETURN_SHEET)?;
    write_return(ws, &title, activities, profile, period, blank, &styles)?;
    let ws = workbook.add_worksheet().set_name(INSTRUCTIONS_SHEET)?;
    write_instructions(ws, &instructions(&title, period, profile, blank), &styles)?;
    let ws = workbook
        .add_worksheet()
        .set_name(LISTS_SHEET)?
        .set_hidden(true);
    let statuses: Vec<String> = profile.statuses.iter().map(|s| s.name.clone()).collect();
    let vocabulary = &profile.vocabulary;
    for (col, values) in (0..).zip([&statuses, &vocabulary.portfolios, &vocabulary.leads]) {
        for (row, value) in (0..).zip(values) {
            ws.write_string(row, col, value)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// A readable file name for a lead's template, safe on Windows: "Chief Officer - Governance.xlsx".
///
/// Characters Windows forbids (`<>:"/\|?*` and control characters) become spaces, runs of space
/// are collapsed and trailing dots dropped; an empty lead or a placeholder of the default profile
/// ("Choose an item.") gives "Unassigned.xlsx".
///
/// # Examples
///
/// ```
/// use katrack::write::template_file_name;
/// assert_eq!(template_file_name("Chief Officer - Governance"), "Chief Officer - Governance.xlsx");
/// assert_eq!(template_file_name("Planning/Regeneration?"), "Planning Regeneration.xlsx");
/// assert_eq!(template_file_name("Choose an item."), "Unassigned.xlsx");
/// ```
pub fn template_file_name(lead: &str) -> String {
    let spaced = lead.replace(|c: char| c.is_control() || "<>:\"/\\|?*".contains(c), " ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let joined: String = words.join(" ").chars().take(120).collect();
    let stem = joined.trim_end_matches(['.', ' ']);
    let unnamed = stem.is_empty() || Profile::default_profile().is_placeholder(lead);
    format!("{}.xlsx", if unnamed { "Unassigned" } else { stem })
}

/// Lays out the Return sheet: title, period, hint, header and one row per activity.
fn write_return(
    ws: &mut Worksheet,
    title: &str,
    activities: &[Activity],
    profile: &Profile,
    period: &str,
    blank: bool,
    styles: &Styles,
) -> Result<()> {
    let fixed = styles.cell.clone().set_background_color(0xEDEDED);
    let entry = styles
        .cell
        .clone()
        .set_unlocked()
        .set_background_color(Color::White);
    let hidden = Format::new();
    for (i, (_, _, width, access)) in (0..).zip(COLUMNS) {
        ws.set_column_width(i, width)?;
        if access == Access::Hidden {
            ws.set_column_hidden(i)?;
        }
    }
    ws.write_string_with_format(0, 0, title, &styles.title)?;
    ws.set_row_height(0, 24.0)?;
    let mut row: RowNum = 1;
    if !period.is_empty() {
        ws.write_string_with_format(row, 0, period, &styles.period)?;
        row += 1;
    }
    let hint = Format::new().set_italic().set_font_color(0x595959);
    ws.write_string_with_format(row, 0, HINT, &hint)?;
    let header_row = row + 1;
    for (i, (_, header, _, _)) in (0..).zip(COLUMNS) {
        ws.write_string_with_format(header_row, i, header, &styles.header)?;
    }
    ws.set_row_height(header_row, TEXT_LINE_HEIGHT + 6.0)?;
    ws.set_freeze_panes(header_row + 1, 0)?;

    let prompt = "Choose the chief officer who leads this activity.";
    let leads = dropdown('C', profile.vocabulary.leads.len(), "Lead Officer", prompt)?;
    for (row, a) in (header_row + 1..).zip(activities) {
        let mut visible = Vec::new();
        for (col, (field, header, width, access)) in (0..).zip(COLUMNS) {
            let raw = a.field(field).unwrap_or("");
            let wiped = profile.is_placeholder(raw) || (blank && BLANKED.contains(&field));
            let value = if wiped { "" } else { raw };
            let open_lead = field == "lead" && value.is_empty();
            let format = match access {
                Access::Fixed if !open_lead => &fixed,
                Access::Fixed | Access::Entry => &entry,
                Access::Hidden => &hidden,
            };
            let written = match (value.is_empty(), access) {
                (false, _) => ws.write_string_with_format(row, col, value, format),
                (true, Access::Hidden) => continue,
                (true, _) => ws.write_blank(row, col, format),
            };
            written.map_err(|e| {
                let id = Some(a.id.as_str()).filter(|id| !id.is_empty());
                let id = id.unwrap_or("an activity with no id");
                Error::Write(format!("{id}, column {header}: {e}"))
            })?;
            if access != Access::Hidden {
                visible.push((value, width));
            }
            if let (true, Some(v)) = (open_lead, &leads) {
                ws.add_data_validation(row, LEAD_COL, row, LEAD_COL, v)?;
            }
        }
        ws.set_row_height(row, text_row_height(&visible))?;
    }

    if !activities.is_empty() {
        let (first, last) = (header_row + 1, header_row + activities.len() as RowNum);
        let (statuses, prompt) = (profile.statuses.len(), status_prompt(profile));
        let status = dropdown('A', statuses, "Status", &prompt)?;
        let prompt = "Choose the cabinet portfolio this activity reports to.";
        let portfolios = profile.vocabulary.portfolios.len();
        let portfolio = dropdown('B', portfolios, "Portfolio", prompt)?;
        for (col, v) in [(STATUS_COL, status), (PORTFOLIO_COL, portfolio)] {
            if let Some(v) = v {
                ws.add_data_validation(first, col, last, col, &v)?;
            }
        }
    }
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });
    ws.set_landscape().set_repeat_rows(header_row, header_row)?;
    page_setup(ws, title);
    Ok(())
}

/// A dropdown of the first `count` values in one column of the Lists sheet, with a prompt and a
/// stop alert ("Choose a status from the list"); `None` when the list is empty.
fn dropdown(
    column: char,
    count: usize,
    title: &str,
    prompt: &str,
) -> Result<Option<DataValidation>> {
    if count == 0 {
        return Ok(None);
    }
    let source = format!("={LISTS_SHEET}!${column}$1:${column}${count}");
    let error = format!("Choose a {} from the list", title.to_lowercase());
    let v = DataValidation::new()
        .allow_list_formula(Formula::new(source))
        .set_input_title(fit(title, 32))?
        .set_input_message(fit(prompt, 255))?
        .set_error_title(fit(title, 32))?
        .set_error_message(fit(&error, 255))?;
    Ok(Some(v))
}

/// Text cut to Excel's limit of `max` UTF-16 units, ending with "…" when cut.
fn fit(text: &str, max: usize) -> String {
    if text.encode_utf16().count() <= max {
        return text.to_string();
    }
    let mut used = 1; // the ellipsis
    let mut cut: String = text
        .chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= max
        })
        .collect();
    cut.push('…');
    cut
}

/// A4, one page wide, titled and numbered in the footer.
fn page_setup(ws: &mut Worksheet, title: &str) {
    ws.set_paper_size(9).set_print_fit_to_pages(1, 0);
    ws.set_margins(0.4, 0.4, 0.75, 0.75, 0.3, 0.3);
    let title: String = title.chars().take(100).collect();
    ws.set_footer(format!("&L{}&RPage &P of &N", title.replace('&', "&&")));
}

/// The statuses grouped by kind, in the profile's order: `(kind, "Green, Amber or Red")`.
fn status_groups(profile: &Profile) -> Vec<(StatusKind, String)> {
    let mut groups: Vec<(StatusKind, Vec<&str>)> = Vec::new();
    for s in &profile.statuses {
        match groups.iter_mut().find(|(kind, _)| *kind == s.kind) {
            Some((_, names)) => names.push(&s.name),
            None => groups.push((s.kind, vec![&s.name])),
        }
    }
    let or_list = |names: &[&str]| match names {
        [rest @ .., last] if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    };
    groups
        .into_iter()
        .map(|(kind, names)| (kind, or_list(&names)))
        .collect()
}

/// What a kind of status is for: in the dropdown's prompt, and in the instructions.
fn kind_words(kind: StatusKind) -> (&'static str, &'static str) {
    match kind {
        StatusKind::Rag => ("for work under way", "give progress and next steps."),
        StatusKind::NotStarted => ("if not started", "say when the work will start."),
        StatusKind::Deferred => ("if put off to a later year", "say why it was put off."),
        StatusKind::Complete => ("when finished", "say what was delivered."),
    }
}

/// The Status dropdown's prompt: "Choose Green, Amber or Red for work under way; …".
fn status_prompt(profile: &Profile) -> String {
    let parts: Vec<String> = status_groups(profile)
        .into_iter()
        .map(|(kind, names)| format!("{names} {}", kind_words(kind).0))
        .collect();
    format!("Choose {}.", parts.join("; "))
}

/// How an instructions line looks.
#[derive(Clone, Copy)]
enum Line {
    Title,
    Heading,
    Text,
}

/// The Instructions sheet: one sentence a line, `# ` before a heading; `{period}`, `{entries}` and
/// `{statuses}` are filled in. No line may start with an activity id (the reader reports those).
const INSTRUCTIONS: &str = "\
This workbook is your {period} return for the corporate plan's Key Activities: the Return sheet has one row for each activity you lead.
Return this workbook to the performance team by the date in the covering email.
Fill in the white cells on the Return sheet; the grey cells are fixed.
{entries}
# What each column means
ID: the activity's reference in the corporate plan (fixed).
Key Activity: what the corporate plan commits the council to do (fixed).
Lead Officer: the chief officer responsible for the activity (fixed).
Status: where the activity stands at the end of the quarter, one of the statuses below.
Progress: what has been achieved so far, with this quarter's work first.
Next Steps: what will be done in the coming quarter.
Portfolio: the cabinet portfolio the activity reports to.
# The statuses
{statuses}
# How to fill it in
Write one bullet per line starting with '- '; press Alt+Enter for a new line inside a cell.
Status and Portfolio have dropdowns: click the cell and choose from the list; other values are refused.
Do not change the ID, Key Activity or Lead Officer; if one is wrong, say so in the covering email.
Do not add, delete or move sheets, columns or rows: the return is read back automatically.";

/// The Instructions sheet's lines for this lead, period and profile.
fn instructions(title: &str, period: &str, profile: &Profile, blank: bool) -> Vec<(Line, String)> {
    let statuses: Vec<String> = status_groups(profile)
        .into_iter()
        .map(|(kind, names)| {
            let (when, then) = kind_words(kind);
            format!("{names}: {when}; {then}")
        })
        .collect();
    let entries = if blank {
        "Status, Progress and Next Steps are empty: fill them in for this quarter."
    } else {
        "Status, Progress, Next Steps and Portfolio show last quarter's entries: update each one for this quarter, as text left unchanged is reported as out of date."
    };
    let period = if period.is_empty() {
        "quarterly"
    } else {
        period
    };
    let text = INSTRUCTIONS
        .replace("{statuses}", &statuses.join("\n"))
        .replace("{entries}", entries)
        .replace("{period}", period);
    let mut lines = vec![(Line::Title, title.to_string())];
    for line in text.lines() {
        lines.push(match line.strip_prefix("# ") {
            Some(heading) => (Line::Heading, heading.to_string()),
            None => (Line::Text, line.to_string()),
        });
    }
    lines
}

/// Writes the instruction lines in column A, wrapped, and protects the sheet.
fn write_instructions(ws: &mut Worksheet, lines: &[(Line, String)], styles: &Styles) -> Result<()> {
    let text = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let heading = Format::new().set_bold().set_font_color(DARK_BLUE);
    ws.set_column_width(0, INSTRUCTIONS_WIDTH)?;
    for (row, (kind, line)) in (0..).zip(lines) {
        let (format, height) = match kind {
            Line::Title => (&styles.title, 24.0),
            Line::Heading => (&heading, TEXT_LINE_HEIGHT + 9.0),
            Line::Text => (&text, text_row_height(&[(line, INSTRUCTIONS_WIDTH)])),
        };
        ws.write_string_with_format(row, 0, line, format)?;
        ws.set_row_height(row, height)?;
    }
    // Landscape: a single column wider than the page would be clipped, not scaled, by some
    // spreadsheet programs when the default font is wider than Calibri.
    ws.protect().set_landscape();
    page_setup(ws, lines.first().map_or("", |(_, t)| t.as_str()));
    Ok(())
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
