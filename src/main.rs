//! The `katrack` command: thin glue over the library. Each subcommand lives in its own file
//! under `src/cmd/`; this file is only the enum and the dispatch, and owns the exit code.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// katrack — read, clean, validate and write a council's corporate-plan Key Activities tracker.
#[derive(Parser)]
#[command(name = "katrack", version, about, long_about = None, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands; each one's help is the doc comment of its `Args`.
#[derive(Subcommand)]
enum Command {
    Import(cmd::import::Args),
    Check(cmd::check::Args),
    Merge(cmd::merge::Args),
    Summary(cmd::summary::Args),
    Diff(cmd::diff::Args),
    Template(cmd::template::Args),
    Export(cmd::export::Args),
    Schema(cmd::schema::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Import(args) => cmd::import::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Merge(args) => cmd::merge::run(args),
        Command::Summary(args) => cmd::summary::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::Template(args) => cmd::template::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Schema(args) => cmd::schema::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) if cmd::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("katrack: error: {e}");
            ExitCode::from(2)
        }
    }
}
