//! Measuring a step: each runs in a child process, timed around it, its peak memory the
//! child's own (`wait4`); and the generated files each size is measured on.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One measured run.
#[derive(Clone, Copy)]
pub(super) struct Run {
    pub(super) wall: Duration,
    /// Peak resident set in KiB.
    pub(super) peak_kib: u64,
}

/// Runs a command to completion with stdout to `out` (or nowhere), returning its wall time and
/// peak memory; panics if it fails unexpectedly (exit codes above `max_code`).
// The child is reaped by `wait4`, which also gives its own peak memory; `Child::wait` cannot.
#[allow(clippy::zombie_processes)]
pub(super) fn measure(cmd: &mut Command, out: Option<&Path>, max_code: i32) -> Run {
    let stdout = match out {
        Some(p) => Stdio::from(std::fs::File::create(p).expect("create an output file")),
        None => Stdio::null(),
    };
    let stderr_path =
        std::env::temp_dir().join(format!("katrack-bench-{}.err", std::process::id()));
    let stderr = std::fs::File::create(&stderr_path).expect("create a file for stderr");
    // The previous step's output (import writes 160 MB at 100,000) is written back to disk
    // first, not while this step is timed.
    // SAFETY: sync takes nothing and cannot fail.
    unsafe { libc::sync() };
    let start = Instant::now();
    let child = cmd
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 writes both out-parameters.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(got, pid, "wait4 failed for {cmd:?}");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if code < 0 || code > max_code {
        let text = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        panic!("{cmd:?} exited with {code}: {text}");
    }
    let _ = std::fs::remove_file(&stderr_path);
    Run {
        wall,
        peak_kib: usage.ru_maxrss as u64,
    }
}

/// The fastest of `reps` runs (its peak memory with it).
pub(super) fn best(reps: usize, mut run: impl FnMut() -> Run) -> Run {
    (0..reps)
        .map(|_| run())
        .min_by_key(|r| r.wall)
        .expect("at least one run")
}

/// The files one size needs, generated once and kept between runs.
pub(super) struct Files {
    pub(super) xlsx: PathBuf,
    pub(super) json: PathBuf,
    pub(super) canonical_csv: PathBuf,
    pub(super) profile: PathBuf,
    pub(super) returns: PathBuf,
    pub(super) out: PathBuf,
}

pub(super) fn generate(n: usize, dir: &Path) -> Files {
    let dir = dir.join(n.to_string());
    let files = Files {
        xlsx: dir.join("tracker.xlsx"),
        json: dir.join("tracker.json"),
        canonical_csv: dir.join("tracker.canonical.csv"),
        profile: dir.join("profile.toml"),
        returns: dir.join("returns"),
        out: dir.join("out"),
    };
    if !dir.join("generated").exists() {
        eprintln!("generating {n} activities in {}", dir.display());
        spawn_generator(&["generate", &n.to_string()], &dir);
    }
    files
}

/// Runs a generator in a child, so that this process stays small: a child's peak memory counts
/// the pages of the parent it was started from.
pub(super) fn spawn_generator(args: &[&str], dir: &Path) {
    let me = std::env::current_exe().expect("the bench's own path");
    let status = Command::new(me)
        .arg("--child")
        .args(args)
        .arg(dir)
        .status()
        .expect("run the generator");
    assert!(status.success(), "generating {args:?} failed");
}
