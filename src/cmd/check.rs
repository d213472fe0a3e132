//! `katrack check`: every return read, cleaned and validated; each problem shown with its cell,
//! and with `--annotate` a marked-up copy of each workbook handed back.

use super::report::{self, Format, Summary};
use super::{InputFile, import};
use katrack::error::Error;
use katrack::finding::{Finding, Severity};
use katrack::read::Input;
use katrack::rules::{self, Context, Return};
use katrack::{Tracker, write};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Find every invalid or incomplete entry in officers' returns, with the cell to fix.
///
/// Each finding names the physical cell an officer opens (return.xlsx:Q1!E12), the activity,
/// the rule, what is wrong and, where there is one, the value to put there. Rules and their
/// severities are listed in the README; a profile can change a severity or turn a rule off.
///
/// Examples:
///   katrack check samples/returns
///   katrack check samples/returns --plan samples/harborough_q1_2020_21.json
///   katrack check return.xlsx --previous last_quarter.json --format json
///   katrack check samples/returns --annotate checked/
///
/// Exit codes: 0 no errors, 1 errors found (or warnings, with --strict),
/// 2 an input could not be read (the others are still checked) or bad usage.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Returns to check: files or folders (`-` for standard input).
    #[arg(required = true, value_name = "FILE|FOLDER")]
    pub inputs: Vec<PathBuf>,
    /// The activities expected this quarter (any tracker file): enables missing-activity and
    /// unexpected-activity.
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Last quarter's tracker: enables stale-progress.
    #[arg(long, value_name = "PREV")]
    pub previous: Option<PathBuf>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write DIR/<name>.checked.xlsx for each input: problem cells filled and noted, and a
    /// first sheet listing every finding with a link to its cell. DIR is created if missing; a
    /// canonical JSON input has no cells and is skipped.
    #[arg(long, value_name = "DIR")]
    pub annotate: Option<PathBuf>,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Read only this sheet of each input.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The council's tracker profile (default: the embedded Harborough profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Read this many inputs at a time (default: one per CPU core); with 1, a single large xlsx is
    /// also read, laid out and checked on one thread instead of three. The findings come in the
    /// same order whatever the number.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

/// Loads a whole tracker file given as an option (`--plan`, `--previous`); it must be readable.
pub fn load_tracker(
    path: &Path,
    profile: &katrack::profile::Profile,
    what: &str,
) -> Result<Tracker, Error> {
    let loaded = import::load(&[path.to_path_buf()], profile, None, false)?;
    if let Some((_, e)) = loaded.failed.first() {
        return Err(Error::Usage(format!("{what}: {e}")));
    }
    Ok(loaded.into_tracker())
}

/// Runs `check`.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let profile = super::load_profile(args.profile.as_deref())?;
    let plan = args
        .plan
        .as_deref()
        .map(|p| load_tracker(p, &profile, "--plan"))
        .transpose()?;
    let previous = args
        .previous
        .as_deref()
        .map(|p| load_tracker(p, &profile, "--previous"))
        .transpose()?;
    if let Some(dir) = &args.annotate {
        if !dir.is_dir() {
            std::fs::create_dir_all(dir).map_err(|e| Error::from(e).with_path(dir))?;
        }
    }
    let inputs = super::expand_inputs(&args.inputs)?;
    let jobs = args.jobs.map_or_else(default_jobs, usize::from);
    let ctx = Context {
        profile: &profile,
        plan: plan.as_ref(),
        previous: previous.as_ref(),
    };
    if let Some(done) = check_one_streamed(&inputs, &args, ctx)? {
        let (findings, activities, unreadable) = done;
        let summary = Summary::new(inputs.len(), activities, &findings);
        let text = report::render(&findings, &summary, args.format)?;
        super::emit(text.as_bytes(), None, &inputs)?;
        std::mem::forget((findings, plan, previous));
        return Ok(exit_code(unreadable, &summary, args.strict));
    }
    let keep_cells = args.annotate.is_some();
    let read = read_all(&inputs, &profile, args.sheet.as_deref(), jobs, keep_cells)?;
    let returns: Vec<Return> = read
        .iter()
        .filter_map(|(f, r)| {
            r.as_ref().ok().map(|(_, p)| Return {
                file: &f.name,
                parsed: p,
            })
        })
        .collect();
    let mut per_return = rules::check_all_jobs(&returns, &ctx, jobs).into_iter();
    let mut findings: Vec<Finding> = Vec::new();
    let mut unreadable = false;
    for (file, result) in &read {
        match result {
            Ok((input, _)) => {
                let found = per_return.next().unwrap_or_default();
                if let (Some(dir), Some(input)) = (&args.annotate, input) {
                    annotate(dir, file, input, &found, &inputs)?;
                }
                findings.extend(found);
            }
            Err(e) => {
                unreadable = true;
                findings.push(unreadable_file(file, e, &profile));
            }
        }
    }
    let activities = returns
        .iter()
        .map(|r| r.parsed.tracker.activities.len())
        .sum();
    let summary = Summary::new(inputs.len(), activities, &findings);
    let text = report::render(&findings, &summary, args.format)?;
    super::emit(text.as_bytes(), None, &inputs)?;
    // The process ends now: freeing every activity, cell and finding one by one would take
    // longer than laying them out did (a tenth of the run at 100,000 activities).
    drop(returns);
    std::mem::forget((read, findings, plan, previous));
    Ok(exit_code(unreadable, &summary, args.strict))
}

/// A single xlsx return (no `--annotate`) checked while it is read, as (findings, activities,
/// unreadable); `None` when it is to be read whole.
fn check_one_streamed(
    inputs: &[InputFile],
    args: &Args,
    ctx: Context,
) -> Result<Option<(Vec<Finding>, usize, bool)>, Error> {
    let [input] = inputs else { return Ok(None) };
    if args.annotate.is_some() || input.path.as_os_str() == "-" {
        return Ok(None);
    }
    let jobs = args.jobs.map_or_else(default_jobs, usize::from);
    let sheet = args.sheet.as_deref();
    match katrack::check::check_streamed(&input.path, &input.name, ctx, sheet, jobs) {
        Ok(None) => Ok(None),
        Ok(Some(s)) => Ok(Some((s.findings, s.activities, false))),
        Err(e) => {
            let e = e.with_path(&input.name);
            if e.is_usage() {
                return Err(Error::Usage(e.to_string()));
            }
            Ok(Some((
                vec![unreadable_file(input, &e, ctx.profile)],
                0,
                true,
            )))
        }
    }
}

/// 2 for an unreadable input, 1 for errors (or warnings with --strict), else 0.
pub fn exit_code(unreadable: bool, summary: &Summary, strict: bool) -> ExitCode {
    if unreadable {
        ExitCode::from(2)
    } else if summary.errors > 0 || (strict && summary.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What was read from one input: its cells (kept only for `--annotate`) and its layout.
type ReadResult = Result<(Option<Input>, katrack::layout::Parsed), Error>;

/// One reading thread per CPU core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Reads and lays out every input on up to `jobs` threads, with a progress bar on a terminal
/// when there are several. The results are in the order of `inputs` whatever the threads do;
/// a usage error (e.g. `--sheet` naming no sheet) stops the run, the first in input order.
fn read_all(
    inputs: &[InputFile],
    profile: &katrack::profile::Profile,
    sheet: Option<&str>,
    jobs: usize,
    keep_cells: bool,
) -> Result<Vec<(InputFile, ReadResult)>, Error> {
    let bar = (inputs.len() > 1 && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(inputs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("checking {bar:30} {pos}/{len} {wide_msg}")
                .expect("a valid template"),
        );
        bar
    });
    let read_one = |input: &InputFile| -> ReadResult {
        if let Some(b) = &bar {
            b.set_message(input.name.clone());
        }
        let result = super::parse_input(input, profile, sheet)
            // Without --annotate the cells are not needed once laid out: free them now.
            .map(|(cells, parsed)| (keep_cells.then_some(cells), parsed));
        if let Some(b) = &bar {
            b.inc(1);
        }
        result
    };
    let results = in_parallel(inputs, jobs, read_one);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut out = Vec::with_capacity(inputs.len());
    for (input, result) in inputs.iter().zip(results) {
        if let Err(e) = &result {
            if e.is_usage() {
                return Err(Error::Usage(e.to_string()));
            }
        }
        out.push((input.clone(), result));
    }
    Ok(out)
}

pub use katrack::rules::in_parallel;

/// The finding for an input that could not be read.
pub fn unreadable_file(
    file: &InputFile,
    e: &Error,
    profile: &katrack::profile::Profile,
) -> Finding {
    Finding {
        rule: "unreadable-file".into(),
        severity: profile
            .rule_severity("unreadable-file", Severity::Error)
            .unwrap_or(Severity::Error),
        activity: None,
        field: None,
        file: file.name.clone(),
        sheet: String::new(),
        cell: String::new(),
        value: None,
        message: e.root().to_string(),
        suggestion: None,
    }
}

/// Writes DIR/<name>.checked.xlsx for one input.
fn annotate(
    dir: &Path,
    file: &InputFile,
    input: &Input,
    findings: &[Finding],
    inputs: &[InputFile],
) -> Result<(), Error> {
    let Input::Sheets { sheets, .. } = input else {
        eprintln!(
            "katrack: {}: a canonical JSON file has no cells to annotate; skipped",
            file.name
        );
        return Ok(());
    };
    let stem = file
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("stdin");
    let out = dir.join(format!("{stem}.checked.xlsx"));
    let bytes = write::annotated_workbook(sheets, findings, &file.name)?;
    write::write_file(&out, &bytes, &super::paths(inputs))
}
