//! `katrack export`: a tracker (any readable file) written as a formatted workbook, CSV or JSON.

use super::OutFormat;
use katrack::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

/// Write a tracker as a formatted workbook, canonical CSV or canonical JSON.
///
/// The input is any file katrack reads (usually canonical JSON). The format follows the output's
/// extension. The workbook is laid out like the council's Appendix A: theme banners, objective
/// headings, one header row, wrapped text, coloured status cells, ready to print landscape.
///
/// Examples:
///   katrack export tracker.json -o tracker.xlsx
///   katrack export samples/harborough_q1_2020_21.xlsx -o tracker.csv
///
/// Exit codes: 0 written, 2 the input could not be read or bad usage.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The tracker to write (a file or folder; `-` for standard input).
    #[arg(required = true, value_name = "TRACKER")]
    pub inputs: Vec<PathBuf>,
    /// The output file: .xlsx, .csv or .json.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Read only this sheet of the input.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The council's tracker profile (default: the embedded Harborough profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Set the period shown on the workbook (e.g. "2020/21 Q1").
    #[arg(long)]
    pub period: Option<String>,
}

/// Runs `export`.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let profile = super::load_profile(args.profile.as_deref())?;
    let format = OutFormat::of(&args.output)?;
    let loaded = super::import::load(&args.inputs, &profile, args.sheet.as_deref())?;
    if let Some((_, e)) = loaded.failed.first() {
        return Err(Error::Usage(e.to_string()));
    }
    let inputs = loaded.inputs.clone();
    let mut tracker = loaded.into_tracker();
    if let Some(p) = args.period {
        tracker.period = p;
    }
    if tracker.organisation.is_empty() {
        tracker.organisation.clone_from(&profile.organisation);
    }
    let bytes = super::render(&tracker, format, &profile)?;
    super::emit(&bytes, Some(&args.output), &inputs)?;
    eprintln!(
        "wrote {} activities to {}",
        tracker.activities.len(),
        args.output.display()
    );
    // The process ends now: no need to free every activity one by one.
    std::mem::forget((tracker, bytes));
    Ok(ExitCode::SUCCESS)
}
