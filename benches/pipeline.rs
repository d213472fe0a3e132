//! The pipeline benchmark: katrack's import, check, export and merge at 1k, 10k and 100k
//! activities, timed beside the floor its libraries set — a bare calamine read of every cell of
//! the same workbook, and a bare rust_xlsxwriter constant-memory write of the same cells — so
//! the ratios stay comparable on a noisy machine. Also: a folder of 200 returns checked with
//! `--jobs 1` and `--jobs 2`, and the start-up cost of checking one 34-activity return.
//!
//! Every step runs in a child process; its wall time is measured around it and its peak memory
//! is the child's own maximum resident set (`wait4`). See BENCHMARKS.md.
//!
//! ```sh
//! cargo bench --bench pipeline -- --sizes 1000,10000,100000
//! ```

#[path = "pipeline/child.rs"]
mod child;
#[path = "pipeline/measure.rs"]
mod measure;
#[path = "pipeline/tables.rs"]
mod tables;

use child::child;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;
use tables::{folder_table, scaling_table, size_table};

const SEED: u64 = 2020;
const HELP: &str = "usage: cargo bench --bench pipeline -- [--sizes 1000,10000,100000] \
    [--reps N] [--dir DIR] [--returns 200] [--no-folder]   (--sizes '' runs the folder alone)";

struct Options {
    sizes: Vec<usize>,
    reps: usize,
    dir: PathBuf,
    returns: usize,
    folder: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1..]);
        return;
    }
    let opts = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}\n{HELP}");
            std::process::exit(2);
        }
    };
    let mut report = String::new();
    let _ = writeln!(report, "{}", machine());
    let mut scaling: Vec<(usize, Vec<(&str, Duration)>)> = Vec::new();
    for &n in &opts.sizes {
        let (table, times) = size_table(n, &opts);
        print!("{table}");
        report.push_str(&table);
        scaling.push((n, times));
    }
    if scaling.len() > 1 {
        let table = scaling_table(&scaling);
        print!("{table}");
        report.push_str(&table);
    }
    if opts.folder {
        let table = folder_table(&opts);
        print!("{table}");
        report.push_str(&table);
    }
    let _ = std::fs::write(opts.dir.join("report.md"), &report);
    eprintln!("report written to {}", opts.dir.join("report.md").display());
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        sizes: vec![1_000, 10_000, 100_000],
        reps: 3,
        dir: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pipeline"),
        returns: 200,
        folder: true,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--bench" => {}
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().replace('_', "").parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("--sizes: {e}"))?;
            }
            "--reps" => o.reps = value()?.parse().map_err(|e| format!("--reps: {e}"))?,
            "--returns" => o.returns = value()?.parse().map_err(|e| format!("--returns: {e}"))?,
            "--dir" => o.dir = PathBuf::from(value()?),
            "--no-folder" => o.folder = false,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    o.reps = o.reps.max(1);
    Ok(o)
}

/// `nproc`, memory and CPU model, for the report.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']))
        })
        .unwrap_or("unknown");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|m| m.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    format!(
        "machine: {cpus} CPUs ({model}), {:.1} GiB memory\n",
        mem_kib as f64 / 1024.0 / 1024.0
    )
}

fn katrack() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_katrack"))
}
