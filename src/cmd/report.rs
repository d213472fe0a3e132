//! Reporters for findings: a table for people (comfy-table, coloured on a terminal), JSON and
//! CSV in the contract's shape for other tools. Only the binary formats; findings are data.

use katrack::finding::{Finding, Severity};
use katrack::write::canonical::escape_spreadsheet_text;
use serde::Serialize;
use std::io::IsTerminal;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table per file, for reading.
    Table,
    /// `{ "findings": [...], "summary": {...} }`.
    Json,
    /// One row per finding, the contract's field names as the header.
    Csv,
}

/// The counts closing every report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files checked (readable or not).
    pub files: usize,
    /// Activities read.
    pub activities: usize,
    /// Findings at error severity.
    pub errors: usize,
    /// Findings at warning severity.
    pub warnings: usize,
    /// Findings at info severity.
    pub infos: usize,
}

impl Summary {
    /// Counts findings by severity.
    pub fn new(files: usize, activities: usize, findings: &[Finding]) -> Summary {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        Summary {
            files,
            activities,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    findings: &'a [Finding],
    summary: &'a Summary,
}

/// True when colour is wanted on stdout: a terminal, and NO_COLOR unset.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Renders findings in a format.
pub fn render(
    findings: &[Finding],
    summary: &Summary,
    format: Format,
) -> Result<String, katrack::Error> {
    Ok(match format {
        Format::Json => json(&Report { findings, summary })?,
        Format::Csv => csv(findings)?,
        Format::Table => table(findings, summary, colour()),
    })
}

/// A report as pretty JSON, ending in a newline.
pub fn json(report: &impl Serialize) -> Result<String, katrack::Error> {
    let mut s =
        serde_json::to_string_pretty(report).map_err(|e| katrack::Error::Write(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

fn csv(findings: &[Finding]) -> Result<String, katrack::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| katrack::Error::Write(e.to_string());
    w.write_record([
        "rule",
        "severity",
        "activity",
        "field",
        "file",
        "sheet",
        "cell",
        "value",
        "message",
        "suggestion",
    ])
    .map_err(err)?;
    // Officers' values are quoted into this CSV; a spreadsheet must not run them as formulas.
    let safe = |v: &str| escape_spreadsheet_text(v).into_owned();
    for f in findings {
        let o = |v: &Option<String>| safe(v.as_deref().unwrap_or(""));
        w.write_record([
            f.rule.clone(),
            f.severity.to_string(),
            o(&f.activity),
            o(&f.field),
            safe(&f.file),
            safe(&f.sheet),
            f.cell.clone(),
            o(&f.value),
            safe(&f.message),
            o(&f.suggestion),
        ])
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| katrack::Error::Write(e.to_string()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn table(findings: &[Finding], summary: &Summary, colour: bool) -> String {
    use comfy_table::{Cell, Color, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    let mut out = String::new();
    // The findings of each file, files in the order they first appear: one pass, as a
    // folder of 200 returns checked against a plan can give hundreds of thousands.
    let mut files: Vec<(&str, Vec<&Finding>)> = Vec::new();
    let mut index: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
    for f in findings {
        let at = *index.entry(f.file.as_str()).or_insert_with(|| {
            files.push((&f.file, Vec::new()));
            files.len() - 1
        });
        files[at].1.push(f);
    }
    for (file, found) in files {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        t.set_width(terminal_width());
        if colour {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t.set_header(["Cell", "Activity", "Rule", "Message", "Suggestion"]);
        for f in found {
            let cell = match (f.sheet.is_empty(), f.cell.is_empty()) {
                (_, true) => "—".to_string(),
                (true, false) => f.cell.clone(),
                (false, false) => format!("{}!{}", f.sheet, f.cell),
            };
            let mut rule = Cell::new(format!("{} {}", f.severity, f.rule));
            if colour {
                rule = rule.fg(match f.severity {
                    Severity::Error => Color::Red,
                    Severity::Warning => Color::Yellow,
                    Severity::Info => Color::Blue,
                });
            }
            t.add_row(vec![
                Cell::new(cell),
                Cell::new(f.activity.as_deref().unwrap_or("")),
                rule,
                Cell::new(&f.message),
                Cell::new(f.suggestion.as_deref().unwrap_or("")),
            ]);
        }
        out.push_str(file);
        out.push('\n');
        out.push_str(&t.to_string());
        out.push('\n');
    }
    out.push_str(&format!(
        "{} file{}, {} activities: {} error{}, {} warning{}, {} info\n",
        summary.files,
        plural(summary.files),
        summary.activities,
        summary.errors,
        plural(summary.errors),
        summary.warnings,
        plural(summary.warnings),
        summary.infos
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(140)
}
