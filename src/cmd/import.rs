//! `katrack import`: any officer workbook, CSV or canonical JSON into the canonical tracker,
//! with `--explain` to show how every physical row was read.

use super::{InputFile, OutFormat};
use katrack::Tracker;
use katrack::error::Error;
use katrack::layout::{Parsed, RowKind};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Read officer workbooks, CSV or canonical JSON into the canonical tracker.
///
/// Reads xlsx, xlsm, xlsb, xls, ods, csv/tsv (UTF-8, UTF-8 with BOM, UTF-16, Windows-1252) and
/// canonical JSON. A folder means every spreadsheet in it; `-` reads standard input. The
/// activities of all inputs are written as one tracker: JSON on stdout unless -o is given.
/// Problems found while reading (unrecognised rows, cleaned values) are printed on stderr.
///
/// Examples:
///   katrack import samples/harborough_q1_2020_21.xlsx > tracker.json
///   katrack import samples/returns -o returns.csv
///   katrack import samples/harborough_q1_2020_21.xlsx --explain
///
/// Exit codes: 0 read, 2 an input could not be read (the others are still read) or bad usage.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Files or folders to read (`-` for standard input).
    #[arg(required = true, value_name = "FILE|FOLDER")]
    pub inputs: Vec<PathBuf>,
    /// Write the tracker here (.json, .csv or .xlsx) instead of JSON on stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read only this sheet (by default every visible sheet with a tracker table).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The council's tracker profile (default: the embedded Harborough profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Print how each physical row was read instead of the tracker.
    #[arg(long)]
    pub explain: bool,
    /// Do not print findings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// What reading every input gave.
pub struct Loaded {
    /// The inputs named on the command line.
    pub inputs: Vec<InputFile>,
    /// Each readable input with its layout (the cells read are not kept).
    pub parsed: Vec<(InputFile, Parsed)>,
    /// Inputs that could not be read, with the reason.
    pub failed: Vec<(InputFile, Error)>,
}

impl Loaded {
    /// All activities as one tracker (moved, not copied), with the first metadata any input
    /// gave.
    pub fn into_tracker(self) -> Tracker {
        let mut tracker = Tracker::default();
        for (_, p) in self.parsed {
            let t = p.tracker;
            for (mine, theirs) in [
                (&mut tracker.title, t.title),
                (&mut tracker.organisation, t.organisation),
                (&mut tracker.period, t.period),
            ] {
                if mine.is_empty() {
                    *mine = theirs;
                }
            }
            if tracker.activities.is_empty() {
                // The first (usually the only) input's list is taken whole, not copied.
                tracker.activities = t.activities;
            } else {
                tracker.activities.extend(t.activities);
            }
        }
        tracker
    }
}

/// Reads every input, collecting the unreadable ones rather than stopping; `row_reports`: keep
/// how each row was read (for `--explain`).
pub fn load(
    paths: &[PathBuf],
    profile: &katrack::profile::Profile,
    sheet: Option<&str>,
    row_reports: bool,
) -> Result<Loaded, Error> {
    let inputs = super::expand_inputs(paths)?;
    let mut parsed = Vec::new();
    let mut failed = Vec::new();
    for input in &inputs {
        match super::lay_out_input(input, profile, sheet, row_reports) {
            Ok(p) => parsed.push((input.clone(), p)),
            Err(e) if e.is_usage() => return Err(e),
            Err(e) => failed.push((input.clone(), e)),
        }
    }
    Ok(Loaded {
        inputs,
        parsed,
        failed,
    })
}

/// Runs `import`.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let profile = super::load_profile(args.profile.as_deref())?;
    let format = args.output.as_deref().map(OutFormat::of).transpose()?;
    let loaded = load(&args.inputs, &profile, args.sheet.as_deref(), args.explain)?;
    for (_, e) in &loaded.failed {
        eprintln!("katrack: error: {e}");
    }
    if args.explain {
        let text = explain(&loaded);
        super::emit(text.as_bytes(), None, &loaded.inputs)?;
    } else {
        if !args.quiet {
            let findings: Vec<_> = loaded
                .parsed
                .iter()
                .flat_map(|(_, p)| p.findings.iter().cloned())
                .collect();
            super::print_findings(&findings);
        }
        if !loaded.parsed.is_empty() || loaded.failed.is_empty() {
            let (inputs, failed) = (loaded.inputs.clone(), loaded.failed.len());
            let tracker = loaded.into_tracker();
            let format = format.unwrap_or(OutFormat::Json);
            super::emit_tracker(&tracker, format, &profile, args.output.as_deref(), &inputs)?;
            // The process ends now: no need to free every activity one by one.
            std::mem::forget(tracker);
            return Ok(exit_code(failed));
        }
    }
    Ok(exit_code(loaded.failed.len()))
}

/// 0 when every input was read, 2 when one could not be.
fn exit_code(failed: usize) -> ExitCode {
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// The `--explain` report: each file's sheets and every non-empty row, with the blank runs between.
fn explain(loaded: &Loaded) -> String {
    let mut s = String::new();
    for (input, parsed) in &loaded.parsed {
        let _ = writeln!(s, "{}", input.name);
        for sheet in &parsed.sheets {
            let name = if sheet.sheet.is_empty() {
                "(csv)"
            } else {
                &sheet.sheet
            };
            let _ = writeln!(s, "  sheet {name}: {}", sheet.detail);
        }
        let mut last: Option<(&str, u32)> = None;
        for r in &parsed.rows {
            if let Some((sheet, row)) = last.filter(|(sh, _)| *sh == r.sheet) {
                if r.row > row + 1 {
                    let gap = if r.row == row + 2 {
                        format!("{}", row + 1)
                    } else {
                        format!("{}-{}", row + 1, r.row - 1)
                    };
                    let _ = writeln!(s, "  {:>12}  blank", place(sheet, &gap));
                }
            }
            let what = match &r.kind {
                RowKind::Activity(id) if !id.is_empty() => format!("activity {id}"),
                RowKind::Continuation(id) if !id.is_empty() => format!("continuation of {id}"),
                other => other.label().to_string(),
            };
            let _ = writeln!(
                s,
                "  {:>12}  {:<26} {}",
                place(&r.sheet, &r.row.to_string()),
                what,
                r.detail
            );
            last = Some((&r.sheet, r.row));
        }
        let errors: Vec<_> = parsed
            .findings
            .iter()
            .filter(|f| f.rule == "unrecognised-row")
            .collect();
        let _ = writeln!(
            s,
            "  {} activities, {} rows read, {} unrecognised",
            parsed.tracker.activities.len(),
            parsed.rows.len(),
            errors.len()
        );
    }
    for (input, e) in &loaded.failed {
        let _ = writeln!(s, "{}\n  not read: {}", input.name, e.root());
    }
    s
}

fn place(sheet: &str, row: &str) -> String {
    if sheet.is_empty() {
        format!("row {row}")
    } else {
        format!("{sheet}!{row}")
    }
}
