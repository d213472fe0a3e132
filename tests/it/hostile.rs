//! Hostile and broken input (issue 7): nothing lost, nothing crashes, nothing executes.
//!
//! - `corpus`: every file in tests/data/hostile/ (made by its make_corpus.py) and katrack's exact
//!   outcome on it, always beside a good return that must still be read;
//! - `fuzz_regressions`: the inputs the fuzzers (fuzz/) found, which must not panic again;
//! - `nothing_lost`: every non-empty cell of the samples and of random trackers ends up in the
//!   canonical tracker, in a finding, or on a row the row report accounts for; merge keeps the plan;
//! - `nothing_executes`: text that looks like a formula stays text in every workbook and CSV;
//! - `safe_writes`: output is all or nothing, never over an input.

mod corpus;
mod fuzz_regressions;
mod nothing_executes;
mod nothing_lost;
mod safe_writes;

use super::{Workdir, data, sample};
use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// A file of the hostile corpus.
pub fn hostile(name: &str) -> PathBuf {
    data("hostile").join(name)
}

/// The good return read beside each hostile file: three activities of the finance lead.
pub fn good() -> PathBuf {
    sample("returns/return_finance.xlsx")
}

/// The activities in the good return.
pub const GOOD_ACTIVITIES: usize = 3;

/// What a run of the binary gave.
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: stdout {} / stderr {}",
                String::from_utf8_lossy(&self.stdout),
                self.stderr
            )
        })
    }
}

/// Runs katrack; it must exit by itself with a code (no panic, no signal).
pub fn run(wd: &Workdir, args: &[&OsStr]) -> Run {
    let out = wd.katrack().args(args).output().expect("katrack runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "katrack panicked: {stderr}"
    );
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("katrack was killed ({:?}): {stderr}", out.status));
    Run {
        code,
        stdout: out.stdout,
        stderr,
    }
}

/// `katrack import FILE GOOD [extra…]`: the run, and the activities of the tracker on stdout.
pub fn import_beside_good(wd: &Workdir, file: &Path, extra: &[&str]) -> (Run, Vec<Value>) {
    let good = good();
    let mut args: Vec<&OsStr> = vec!["import".as_ref(), file.as_os_str(), good.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    let run = run(wd, &args);
    let activities = run.json()["activities"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (run, activities)
}

/// `katrack check FILE GOOD --format json`: the run and its JSON report.
pub fn check_beside_good(wd: &Workdir, file: &Path) -> (Run, Value) {
    let good = good();
    let run = run(
        wd,
        &[
            "check".as_ref(),
            file.as_os_str(),
            good.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
    );
    let json = run.json();
    (run, json)
}

/// The text of a JSON string value (`""` for anything else).
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}
