//! Pieces every subcommand shares: finding the input files, reading them with the profile, and
//! writing output safely. Raw flags become checked options here, once.

pub(crate) mod allocator;
pub mod check;
pub mod diff;
pub mod export;
pub mod import;
pub mod merge;
pub mod report;
pub mod schema;
pub mod summary;
pub mod template;

use katrack::error::Error;
use katrack::finding::Finding;
use katrack::layout::{self, Parsed};
use katrack::profile::Profile;
use katrack::read;
use katrack::write;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One input named on the command line: a file, or `-` for standard input.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The path (`-` for stdin).
    pub path: PathBuf,
    /// The name used in sources and findings: the path as the user wrote it.
    pub name: String,
}

/// Expands files and folders into input files; a folder gives its spreadsheets, sorted by name.
pub fn expand_inputs(args: &[PathBuf]) -> Result<Vec<InputFile>, Error> {
    let mut out = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(InputFile {
                path: arg.clone(),
                name: "<stdin>".into(),
            });
        } else if arg.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(arg)
                .map_err(|e| Error::from(e).with_path(arg))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_spreadsheet_name(p))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::Usage(format!(
                    "{}: the folder holds no spreadsheet, CSV or JSON file",
                    arg.display()
                )));
            }
            out.extend(found.into_iter().map(|p| InputFile {
                name: p.display().to_string(),
                path: p,
            }));
        } else if arg.exists() {
            out.push(InputFile {
                name: arg.display().to_string(),
                path: arg.clone(),
            });
        } else {
            return Err(Error::Usage(format!(
                "{}: no such file or folder",
                arg.display()
            )));
        }
    }
    Ok(out)
}

fn is_spreadsheet_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with('.') || name.starts_with("~$") {
        return false;
    }
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    read::EXTENSIONS.contains(&ext.as_str())
}

/// Loads `--profile FILE`, or the embedded default.
pub fn load_profile(path: Option<&Path>) -> Result<Profile, Error> {
    match path {
        Some(p) => Profile::load(p),
        None => Ok(Profile::default_profile()),
    }
}

/// Reads and lays out one input, keeping what was read (the annotated workbook copies its cells);
/// errors carry the file's name.
pub fn parse_input(
    input: &InputFile,
    profile: &Profile,
    sheet: Option<&str>,
) -> Result<(read::Input, Parsed), Error> {
    let read = if input.path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        read::read_bytes(bytes, "")
    } else {
        read::read_path(&input.path)
    };
    read.and_then(|i| match i {
        // A canonical document is laid out by value: its activities are not kept twice (the
        // input keeps only the document's metadata).
        read::Input::Tracker(mut t) => {
            let activities = std::mem::take(&mut t.activities);
            let all = katrack::Tracker {
                activities,
                ..t.clone()
            };
            Ok((
                read::Input::Tracker(t),
                layout::parse_tracker(all, &input.name, profile),
            ))
        }
        i => layout::parse(&i, &input.name, profile, sheet).map(|p| (i, p)),
    })
    .map_err(|e| e.with_path(&input.name))
}

/// An input laid out when its cells are not needed: an xlsx is laid out while it is read (see
/// [`katrack::check::lay_out_streamed`]), anything else read whole by [`parse_input`]. The
/// result is the same either way; with `row_reports` false, `rows` is empty (only
/// `import --explain` shows them).
pub fn lay_out_input(
    input: &InputFile,
    profile: &Profile,
    sheet: Option<&str>,
    row_reports: bool,
) -> Result<Parsed, Error> {
    if input.path.as_os_str() != "-" {
        let streamed = if row_reports {
            katrack::check::lay_out_streamed(&input.path, &input.name, profile, sheet)
        } else {
            katrack::check::lay_out_streamed_without_rows(&input.path, &input.name, profile, sheet)
        };
        if let Some(parsed) = streamed.map_err(|e| e.with_path(&input.name))? {
            return Ok(parsed);
        }
    }
    parse_input(input, profile, sheet).map(|(_, mut parsed)| {
        if !row_reports {
            parsed.rows = Vec::new();
        }
        parsed
    })
}

/// How many activities of a JSON tracker go from its reading thread to the writing one at a
/// time.
const BATCH: usize = 256;

/// A canonical JSON tracker read activity by activity
/// ([`stream_tracker_json`](katrack::read::json_stream::stream_tracker_json)): `meta` gets the
/// document's metadata first; each activity is laid out as the whole read lays it out, handed
/// to `keep` (which may trim it), and sent in batches. Gives whether the document was read to
/// its end (if not, what was sent must be discarded) and how many activities were sent.
pub fn stream_json_batches(
    input: &InputFile,
    profile: &Profile,
    meta: &mut dyn FnMut(&katrack::Tracker),
    keep: &mut dyn FnMut(&mut katrack::Activity),
    send: &mut dyn FnMut(Vec<katrack::Activity>),
) -> (bool, usize) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut n = 0;
    let done = read::json_stream::stream_tracker_json(&input.path, meta, &mut |mut a| {
        layout::canonical_activity(&mut a, n, &input.name, profile);
        keep(&mut a);
        n += 1;
        batch.push(a);
        if batch.len() >= BATCH {
            send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
        }
    });
    if !batch.is_empty() {
        send(batch);
    }
    (done, n)
}

/// Output formats chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// Canonical JSON.
    Json,
    /// Canonical CSV.
    Csv,
    /// The formatted tracker workbook.
    Xlsx,
}

impl OutFormat {
    /// The format an output path asks for.
    pub fn of(path: &Path) -> Result<OutFormat, Error> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Ok(OutFormat::Json),
            Some("csv") => Ok(OutFormat::Csv),
            Some("xlsx") => Ok(OutFormat::Xlsx),
            _ => Err(Error::Usage(format!(
                "{}: the output must end in .xlsx, .csv or .json",
                path.display()
            ))),
        }
    }
}

/// Writes a tracker in a format to `out` (atomically, never over an input) or to stdout, as it
/// is made: a large tracker's output is never held whole.
pub fn emit_tracker(
    tracker: &katrack::Tracker,
    format: OutFormat,
    profile: &Profile,
    out: Option<&Path>,
    inputs: &[InputFile],
) -> Result<(), Error> {
    emit_with(out, inputs, |to| {
        let mut to = std::io::BufWriter::new(to);
        match format {
            OutFormat::Json => write::write_json(tracker, &mut to)?,
            OutFormat::Csv => write::write_csv(tracker, &mut to)?,
            OutFormat::Xlsx => {
                write::write_tracker_workbook(&mut to, tracker, &tracker.activities, profile)?;
            }
        }
        Ok(to.flush()?)
    })
}

/// Writes bytes to `out` (atomically, never over an input) or to stdout.
pub fn emit(bytes: &[u8], out: Option<&Path>, inputs: &[InputFile]) -> Result<(), Error> {
    emit_with(out, inputs, |to| {
        to.write_all(bytes)?;
        Ok(to.flush()?)
    })
}

/// Hands `render` the file `out` (written atomically, never over an input) or stdout.
fn emit_with(
    out: Option<&Path>,
    inputs: &[InputFile],
    render: impl FnOnce(&mut (dyn Write + Send)) -> Result<(), Error>,
) -> Result<(), Error> {
    match out {
        Some(path) => write::write_file_with(path, &paths(inputs), |file| render(file)),
        None => render(&mut std::io::stdout()),
    }
}

/// The paths of the inputs, which no output may overwrite.
pub fn paths(inputs: &[InputFile]) -> Vec<PathBuf> {
    inputs.iter().map(|i| i.path.clone()).collect()
}

/// Sets the period a tracker shows (`--period`, also where its title names the period: see
/// [`katrack::layout::set_period`]), and its organisation to the profile's when it names none.
pub fn set_metadata(tracker: &mut katrack::Tracker, period: Option<&str>, profile: &Profile) {
    if let Some(p) = period {
        katrack::layout::set_period(tracker, p);
    }
    if tracker.organisation.is_empty() {
        tracker.organisation.clone_from(&profile.organisation);
    }
}

/// Prints findings to stderr, one line each: `warning: file:Sheet!E7: message`.
pub fn print_findings(findings: &[Finding]) {
    for f in findings {
        let suggestion = f
            .suggestion
            .as_deref()
            .map(|s| format!(" (suggestion: {s})"))
            .unwrap_or_default();
        eprintln!(
            "{}: {}: [{}] {}{suggestion}",
            f.severity,
            f.location(),
            f.rule,
            f.message
        );
    }
}

/// True when an error is a closed stdout (`katrack import x | head`), which is not a failure.
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e.root(), Error::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
}
