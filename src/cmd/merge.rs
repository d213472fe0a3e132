//! `katrack merge`: the quarter's returns into the master tracker, with who has and has not
//! returned what.

use super::check::{default_jobs, exit_code, load_tracker, unreadable_file};
use super::report::{self, Format, Summary};
use katrack::Tracker;
use katrack::error::Error;
use katrack::finding::Finding;
use katrack::merge::{LeadReturn, Merged, SetAside};
use katrack::model::{Activity, Fields};
use katrack::write;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

mod master;
mod returns;

use returns::{AsideReads, How, Returns, read_returns};

/// Merge officers' returns into the quarter's master tracker.
///
/// Each activity of the plan is taken from the return that holds it (its `source` names the
/// return file and row); activities nobody returned stay in the master with the plan's data.
/// Prints, per lead, how many activities were expected, returned, missing and still with errors,
/// then the conflicts (one activity in two returns with different content), unexpected
/// activities and unreadable files. The master workbook is the committee workbook: Summary,
/// Appendix A, Issues, Returns (and Changes with --previous).
///
/// Examples:
///   katrack merge samples/returns --plan samples/harborough_q1_2020_21.json -o master.xlsx
///   katrack merge returns/ --plan q1_master.xlsx --period "2020/21 Q2" -o q2_master.xlsx
///   katrack merge returns/ --plan q1_master.json --previous q1_master.json --period "2020/21 Q2" -o q2_master.xlsx --json q2_master.json
///
/// Exit codes: 0 no errors, 1 errors found in the returns (or warnings, with --strict),
/// 2 a return could not be read (the others are still merged) or bad usage.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The returns: files or folders.
    #[arg(required = true, value_name = "RETURN|FOLDER")]
    pub inputs: Vec<PathBuf>,
    /// The activities expected this quarter (usually last quarter's master), any tracker file.
    #[arg(long, value_name = "PLAN")]
    pub plan: PathBuf,
    /// The master workbook to write (.xlsx).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Also write the master as canonical JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write the master as canonical CSV.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Last quarter's tracker: flags progress copied unchanged and adds a Changes sheet.
    #[arg(long, value_name = "PREV")]
    pub previous: Option<PathBuf>,
    /// The period of the master (e.g. "2020/21 Q2"), also where the plan's title names a
    /// period; default: the plan's.
    #[arg(long)]
    pub period: Option<String>,
    /// How to print the completeness report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// The council's tracker profile (default: the embedded Harborough profile).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Read this many returns at a time, and deflate the workbook's large sheets on at most as
    /// many threads (default: one per CPU core). The master is the same whatever the number.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    leads: &'a [LeadReturn],
    not_returned: &'a [String],
    findings: &'a [Finding],
    summary: &'a Summary,
}

/// The plan as the merge gets it.
enum Plan<'a> {
    /// Read whole beside the returns.
    Whole(Tracker),
    /// A canonical JSON file or an xlsx workbook, read beside Appendix A.
    Beside(&'a super::InputFile),
}

/// Runs `merge`.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    super::allocator::hold_mmap_threshold();
    let profile = super::load_profile(args.profile.as_deref())?;
    if super::OutFormat::of(&args.output)? != super::OutFormat::Xlsx {
        return Err(Error::Usage(format!(
            "{}: the master workbook must be .xlsx (use --json or --csv for the other formats)",
            args.output.display()
        )));
    }
    let jobs = args.jobs.map_or_else(default_jobs, usize::from);
    if let Some(threads) = args.jobs {
        katrack::write::deflate_on_at_most(threads.into());
    }
    // The plan is read on this thread while the returns are read on others, unless it is a
    // canonical JSON document or an xlsx workbook, read later beside Appendix A.
    let plan_beside = master::plan_beside(&args.plan);
    if let Some(plan) = plan_beside.as_ref().filter(|_| jobs > 1) {
        // Read once the returns are: its merged areas are found while they are.
        katrack::read::prefetch::find_merged_areas_ahead(&plan.path);
    }
    // When only the workbook is written, the returns are set aside as they are read (see
    // katrack::merge::set_aside): the merge holds nothing per returned activity.
    let aside = (args.json.is_none() && args.csv.is_none() && args.previous.is_none())
        .then(|| AsideReads::new(katrack::merge::Spill::new()));
    let (plan, previous, inputs) = std::thread::scope(|scope| {
        let inputs = scope.spawn(|| {
            super::expand_inputs(&args.inputs).map(|inputs| {
                let ids = plan_beside.is_some();
                let how = match &aside {
                    // A return on standard input could not be read again if it had to be.
                    Some(aside) if inputs.iter().all(|i| i.path.as_os_str() != "-") => {
                        How::Aside(aside, ids)
                    }
                    _ => How::Whole { ids },
                };
                let read = read_returns(&inputs, &profile, jobs, how);
                (inputs, read)
            })
        });
        let plan = plan_beside
            .is_none()
            .then(|| load_tracker(&args.plan, &profile, "--plan"));
        let previous = args
            .previous
            .as_deref()
            .map(|p| load_tracker(p, &profile, "--previous"));
        let inputs = inputs
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (plan, previous, inputs)
    });
    // Errors in the same order as ever: the plan's, the previous quarter's, the inputs'. A
    // plan to be read beside Appendix A is read whole now when something else failed, so that
    // its own error comes first.
    let failed = previous.as_ref().is_some_and(Result::is_err)
        || inputs.as_ref().map_or(true, |(_, read)| {
            read.iter().any(|r| r.as_ref().is_err_and(Error::is_usage))
        });
    let plan = match (plan, &plan_beside) {
        (None, Some(input)) if !failed => Plan::Beside(input),
        (Some(plan), _) => Plan::Whole(plan?),
        _ => Plan::Whole(load_tracker(&args.plan, &profile, "--plan")?),
    };
    let previous = previous.transpose()?;
    let (inputs, read) = inputs?;
    let mut returns = Returns::default();
    let mut unreadable = Vec::new();
    for (input, result) in inputs.iter().zip(read) {
        match result {
            Ok(read) => returns.add(input, read),
            Err(e) if e.is_usage() => return Err(e),
            Err(e) => unreadable.push(unreadable_file(input, &e, &profile)),
        }
    }
    let set = master::Setting {
        profile: &profile,
        previous: previous.as_ref(),
        jobs,
        period: args.period.as_deref(),
        unreadable: &unreadable,
    };
    // What cannot be written of the workbook begun (no temporary folder) is the master's error.
    let of_master = |e: Error| match e {
        Error::Write(_) => e.with_path(&args.output),
        e => e,
    };
    let (master, early, activities) =
        merge_returns(&args, plan, returns, aside, &set).map_err(of_master)?;
    let early = early.map(|begun| begun.map_err(of_master));
    // The master with --period, and the unreadable files first among the findings.
    let activities_out = match &master {
        Master::Pending(pending) => pending.master_len(),
        Master::Counted(_, len) => *len,
    };
    // `whole`: with the master's activities (only --json, --csv and the Changes sheet need them
    // once the workbook is written; a merge set aside has neither).
    let put_together = |whole: bool| {
        let mut merged = match master {
            Master::Pending(pending) if whole => pending.merged(),
            Master::Pending(pending) => pending.counted(),
            Master::Counted(merged, _) => {
                debug_assert!(!whole, "a merge set aside writes only the workbook");
                merged
            }
        };
        if let Some(p) = &args.period {
            katrack::layout::set_period(&mut merged.master, p);
        }
        merged.findings.splice(0..0, unreadable.iter().cloned());
        merged
    };
    let mut all_inputs = inputs.clone();
    all_inputs.extend(
        [&args.plan]
            .into_iter()
            .chain(args.previous.as_ref())
            .map(|p| super::InputFile {
                path: p.clone(),
                name: p.display().to_string(),
            }),
    );
    let merged = write_outputs(
        &args,
        put_together,
        early,
        previous.as_ref(),
        &profile,
        &all_inputs,
    )?;
    let summary = Summary::new(inputs.len(), activities, &merged.findings);
    let text = match args.format {
        Format::Json => {
            let report = JsonReport {
                leads: &merged.leads,
                not_returned: &merged.not_returned,
                findings: &merged.findings,
                summary: &summary,
            };
            report::json(&report)?
        }
        Format::Csv => report::render(&merged.findings, &summary, Format::Csv)?,
        Format::Table => table(&merged, &summary),
    };
    super::emit(text.as_bytes(), None, &inputs)?;
    eprintln!(
        "wrote {} activities to {}",
        activities_out,
        args.output.display()
    );
    let code = exit_code(!unreadable.is_empty(), &summary, args.strict);
    // The process ends now: no need to free every activity one by one.
    std::mem::forget((merged, previous));
    Ok(code)
}

/// The workbook begun beside the merge (`None`: the merge could not write it beside; see
/// [`master::Begun`]).
type EarlyBook = Option<master::BookBegun>;

/// The master as the merge leaves it.
enum Master {
    /// To be put together (or only counted).
    Pending(katrack::merge::Pending),
    /// Counted already (a merge set aside), with how many activities the master holds.
    Counted(Merged, usize),
}

/// Merges `returns` into the master for `plan` and begins its workbook: set aside when they
/// were (read whole again when that merge cannot be done), else whole. Also gives how many
/// activities the returns merged hold.
fn merge_returns(
    args: &Args,
    plan: Plan,
    mut returns: Returns,
    aside: Option<AsideReads>,
    set: &master::Setting,
) -> Result<(Master, EarlyBook, usize), Error> {
    let whole_plan = || load_tracker(&args.plan, set.profile, "--plan");
    // Set aside unless a return was read whole (none may have been read at all: every one
    // unreadable, a merge of the plan alone).
    let (Some(aside), true) = (aside, returns.whole.is_empty()) else {
        let activities = returns.activities;
        let (pending, early) = merge_whole_or_beside(args, plan, returns, set)?;
        return Ok((Master::Pending(pending), early, activities));
    };
    let whole = aside.whole.into_inner();
    let spilled = aside.spill.finish();
    super::allocator::give_back_freed();
    let mut aside = std::mem::take(&mut returns.aside);
    aside.sort_by(|a, b| a.0.file().cmp(b.0.file()));
    let (kept, inputs): (Vec<SetAside>, Vec<super::InputFile>) = aside.into_iter().unzip();
    let plan = if whole {
        plan
    } else {
        let first = match plan {
            Plan::Beside(input) => master::AsidePlan::Beside(input),
            Plan::Whole(plan) => master::AsidePlan::Whole(plan),
        };
        let mut merged = master::merge_aside(first, &kept, &spilled, set)?;
        if let master::AsideOutcome::PlanWhole = merged {
            let plan = master::AsidePlan::Whole(whole_plan()?);
            merged = master::merge_aside(plan, &kept, &spilled, set)?;
        }
        if let master::AsideOutcome::Done(done) = merged {
            let (merged, len, book) = *done;
            // The process ends soon: what was set aside need not be freed.
            std::mem::forget(kept);
            return Ok((Master::Counted(merged, len), Some(book), returns.activities));
        }
        Plan::Whole(whole_plan()?)
    };
    // Merged whole: each return set aside read again (it was read once, so an error now is
    // new).
    returns.activities -= kept.iter().map(SetAside::len).sum::<usize>();
    drop(kept);
    let how = How::Whole {
        ids: matches!(plan, Plan::Beside(_)),
    };
    for (input, read) in inputs
        .iter()
        .zip(read_returns(&inputs, set.profile, set.jobs, how))
    {
        returns.add(input, read.map_err(|e| e.with_path(&input.name))?);
    }
    let activities = returns.activities;
    let (pending, early) = merge_whole_or_beside(args, plan, returns, set)?;
    Ok((Master::Pending(pending), early, activities))
}

/// Merges the returns read whole ([`master::merge_beside`] when the plan can be read beside
/// Appendix A, else [`master::merge_whole`]).
fn merge_whole_or_beside(
    args: &Args,
    plan: Plan,
    returns: Returns,
    set: &master::Setting,
) -> Result<master::Begun, Error> {
    let Returns { whole, ids, .. } = returns;
    match plan {
        Plan::Beside(input) => match master::merge_beside(input, whole, ids, set)? {
            Ok(begun) => Ok(begun),
            Err(whole) => {
                let plan = load_tracker(&args.plan, set.profile, "--plan")?;
                master::merge_whole(plan, whole, set)
            }
        },
        Plan::Whole(plan) => master::merge_whole(plan, whole, set),
    }
}

/// Writes the master workbook (from `early`, the workbook written beside the merge with its
/// master's title lines, when there is one) and the --json and --csv files; returns the merge
/// that `merged` puts together (beside the workbook's save when it can).
fn write_outputs(
    args: &Args,
    merged: impl FnOnce(bool) -> Merged + Send,
    early: EarlyBook,
    previous: Option<&katrack::Tracker>,
    profile: &katrack::profile::Profile,
    inputs: &[super::InputFile],
) -> Result<Merged, Error> {
    let paths = super::paths(inputs);
    for out in [Some(&args.output), args.json.as_ref(), args.csv.as_ref()]
        .into_iter()
        .flatten()
    {
        write::atomic::check_target(out, &paths)?;
    }
    let save = |book: write::SummaryBook| {
        write::write_file_with(&args.output, &paths, |file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            book.finish_to(&mut out)?;
            Ok(out.flush()?)
        })
    };
    let merged = match (early, previous) {
        // Nothing left to write needs the master: it is put together while the workbook is
        // saved.
        (Some(book), None) => {
            let (book, _) = book?;
            let (merged, saved) = std::thread::scope(|scope| {
                let whole = args.json.is_some() || args.csv.is_some();
                let merged = scope.spawn(move || merged(whole));
                let saved = save(book);
                let merged = merged
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (merged, saved)
            });
            saved?;
            merged
        }
        (Some(book), Some(previous)) => {
            let (mut book, meta) = book?;
            let merged = merged(true);
            let changes = katrack::diff::diff(previous, &merged.master, profile);
            let activities: Vec<Fields> = merged
                .master
                .activities
                .iter()
                .map(Activity::fields)
                .collect();
            book.write_changes(&meta, &activities, &changes, profile)?;
            save(book)?;
            merged
        }
        (None, previous) => {
            let merged = merged(true);
            let changes = previous.map(|p| katrack::diff::diff(p, &merged.master, profile));
            let input = write::SummaryInput {
                tracker: &merged.master,
                findings: &merged.findings,
                returns: Some(&merged.leads),
                changes: changes.as_ref(),
            };
            let bytes = write::summary_workbook(&input, profile)?;
            super::emit(&bytes, Some(&args.output), inputs)?;
            merged
        }
    };
    for (path, format) in [
        (&args.json, super::OutFormat::Json),
        (&args.csv, super::OutFormat::Csv),
    ] {
        if let Some(path) = path {
            super::emit_tracker(&merged.master, format, profile, Some(path), inputs)?;
        }
    }
    Ok(merged)
}

/// The completeness table, then conflicts, unexpected activities and unreadable files.
fn table(merged: &Merged, summary: &Summary) -> String {
    use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).force_no_tty();
    t.set_header(["Lead", "Expected", "Returned", "Missing", "With errors"]);
    let mut total = [0usize; 4];
    for l in &merged.leads {
        t.add_row(vec![
            l.lead.clone(),
            l.expected.to_string(),
            l.returned.to_string(),
            l.missing.len().to_string(),
            l.with_errors.to_string(),
        ]);
        for (slot, n) in
            total
                .iter_mut()
                .zip([l.expected, l.returned, l.missing.len(), l.with_errors])
        {
            *slot += n;
        }
    }
    t.add_row(vec![
        "Total".to_string(),
        total[0].to_string(),
        total[1].to_string(),
        total[2].to_string(),
        total[3].to_string(),
    ]);
    let mut out = format!("{t}\n");
    for l in merged.leads.iter().filter(|l| !l.missing.is_empty()) {
        let _ = writeln!(out, "missing for {}: {}", l.lead, l.missing.join(", "));
    }
    for (rule, title) in [
        ("conflict", "conflicts"),
        ("unexpected-activity", "unexpected activities"),
        ("unreadable-file", "unreadable files"),
    ] {
        let found: Vec<&Finding> = merged.findings.iter().filter(|f| f.rule == rule).collect();
        if !found.is_empty() {
            let _ = writeln!(out, "{title}:");
            for f in found {
                let _ = writeln!(out, "  {}: {}", f.location(), f.message);
            }
        }
    }
    let others = merged
        .findings
        .iter()
        .filter(|f| {
            ![
                "conflict",
                "unexpected-activity",
                "unreadable-file",
                "missing-activity",
            ]
            .contains(&f.rule.as_str())
        })
        .count();
    if others > 0 {
        let _ = writeln!(
            out,
            "{others} other findings in the returns: run `katrack check` on them, or see the Issues sheet"
        );
    }
    let _ = writeln!(
        out,
        "{} returns, {} activities: {} errors, {} warnings, {} info",
        summary.files, summary.activities, summary.errors, summary.warnings, summary.infos
    );
    out
}
