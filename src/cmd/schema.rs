//! `katrack schema`: the JSON Schema of the canonical tracker, for other tools to validate against.

use katrack::Tracker;
use std::io::Write;
use std::process::ExitCode;

/// Print the JSON Schema of the canonical tracker document (katrack/tracker/v1).
///
/// The same schema is shipped as schemas/tracker.schema.json.
///
/// Example:
///   katrack schema > tracker.schema.json
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

/// Prints the schema.
pub fn run(_args: Args) -> Result<ExitCode, katrack::Error> {
    std::io::stdout().write_all(Tracker::json_schema().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
