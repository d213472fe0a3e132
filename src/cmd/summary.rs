//! `katrack summary`: the committee workbook from any tracker file.

use super::check::load_tracker;
use katrack::error::Error;
use katrack::write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Write the committee workbook for a tracker: Summary, Appendix A and (with --previous) Changes.
///
/// The Summary sheet has headline counts, status counts by objective, portfolio and lead, and
/// charts; Appendix A is the full tracker ready to print; Changes lists what moved since last
/// quarter.
///
/// `katrack merge` writes the same workbook with the Issues and Returns sheets as well.
///
/// Examples:
///   katrack summary samples/harborough_q1_2020_21.json -o summary.xlsx
///   katrack summary q2_master.json -o summary.xlsx --previous q1_master.json --period "2020/21 Q2"
///
/// Exit codes: 0 written, 2 a tracker could not be read or bad usage.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The tracker (any file katrack reads).
    pub tracker: PathBuf,
    /// The workbook to write (.xlsx).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Last quarter's tracker: adds the Changes sheet.
    #[arg(long, value_name = "PREV")]
    pub previous: Option<PathBuf>,
    /// The period shown on the workbook, also where the tracker's title names a period
    /// (default: the tracker's). A tracker naming no organisation shows the profile's.
    #[arg(long)]
    pub period: Option<String>,
    /// The council's tracker profile (default: the embedded Harborough profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// Runs `summary`.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let profile = super::load_profile(args.profile.as_deref())?;
    if super::OutFormat::of(&args.output)? != super::OutFormat::Xlsx {
        return Err(Error::Usage(format!(
            "{}: the summary must be an .xlsx workbook",
            args.output.display()
        )));
    }
    let mut tracker = load_tracker(&args.tracker, &profile, "TRACKER")?;
    super::set_metadata(&mut tracker, args.period.as_deref(), &profile);
    let previous = args
        .previous
        .as_deref()
        .map(|p| load_tracker(p, &profile, "--previous"))
        .transpose()?;
    let changes = previous
        .as_ref()
        .map(|p| katrack::diff::diff(p, &tracker, &profile));
    let input = write::SummaryInput {
        tracker: &tracker,
        findings: &[],
        returns: None,
        changes: changes.as_ref(),
    };
    let bytes = write::summary_workbook(&input, &profile)?;
    let inputs: Vec<PathBuf> = [Some(args.tracker.clone()), args.previous.clone()]
        .into_iter()
        .flatten()
        .collect();
    write::write_file(&args.output, &bytes, &inputs)?;
    eprintln!(
        "wrote the summary of {} activities to {}",
        tracker.activities.len(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
