//! `katrack template`: one return workbook per lead, pre-filled from the plan.

use super::check::load_tracker;
use katrack::Activity;
use katrack::error::Error;
use katrack::write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Write one return workbook per lead officer, pre-filled from the plan.
///
/// Each workbook (DIR/<lead>.xlsx) holds that lead's activities with last quarter's status,
/// progress and next steps (or blank with --blank), dropdowns for Status and Portfolio, the ID,
/// title and lead cells locked, and an Instructions sheet. Activities whose lead is empty or a
/// placeholder go to Unassigned.xlsx.
///
/// Examples:
///   katrack template samples/harborough_q1_2020_21.json -o templates/ --period "2020/21 Q2"
///   katrack template q1_master.xlsx -o templates/ --blank
///
/// Exit codes: 0 written, 2 the plan could not be read or bad usage.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The plan: the activities expected this quarter (usually last quarter's master).
    pub plan: PathBuf,
    /// The folder to write the templates to (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// The period the returns are for, shown on each template (e.g. "2020/21 Q2").
    #[arg(long)]
    pub period: Option<String>,
    /// Leave status, progress and next steps empty instead of last quarter's.
    #[arg(long)]
    pub blank: bool,
    /// The council's tracker profile (default: the embedded Harborough profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// Runs `template`.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let profile = super::load_profile(args.profile.as_deref())?;
    let plan = load_tracker(&args.plan, &profile, "PLAN")?;
    if plan.activities.is_empty() {
        return Err(Error::Usage(format!(
            "{}: the plan holds no activities",
            args.plan.display()
        )));
    }
    std::fs::create_dir_all(&args.output).map_err(|e| Error::from(e).with_path(&args.output))?;
    let period = args.period.clone().unwrap_or_else(|| plan.period.clone());
    let inputs = [args.plan.clone()];
    for (lead, activities) in katrack::merge::by_lead(&plan, &profile) {
        let activities: Vec<Activity> = activities.into_iter().cloned().collect();
        let bytes = write::template_workbook(&lead, &activities, &profile, &period, args.blank)?;
        let path = args.output.join(write::template::template_file_name(&lead));
        write::write_file(&path, &bytes, &inputs)?;
        eprintln!(
            "wrote {} ({} {})",
            path.display(),
            activities.len(),
            if activities.len() == 1 {
                "activity"
            } else {
                "activities"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
