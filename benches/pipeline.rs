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

use katrack::synth::Synthetic;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// One measured run.
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    /// Peak resident set in KiB.
    peak_kib: u64,
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

/// Runs a command to completion with stdout to `out` (or nowhere), returning its wall time and
/// peak memory; panics if it fails unexpectedly (exit codes above `max_code`).
// The child is reaped by `wait4`, which also gives its own peak memory; `Child::wait` cannot.
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command, out: Option<&Path>, max_code: i32) -> Run {
    let stdout = match out {
        Some(p) => Stdio::from(std::fs::File::create(p).expect("create an output file")),
        None => Stdio::null(),
    };
    let stderr_path =
        std::env::temp_dir().join(format!("katrack-bench-{}.err", std::process::id()));
    let stderr = std::fs::File::create(&stderr_path).expect("create a file for stderr");
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
fn best(reps: usize, mut run: impl FnMut() -> Run) -> Run {
    (0..reps)
        .map(|_| run())
        .min_by_key(|r| r.wall)
        .expect("at least one run")
}

/// The files one size needs, generated once and kept between runs.
struct Files {
    xlsx: PathBuf,
    json: PathBuf,
    canonical_csv: PathBuf,
    profile: PathBuf,
    returns: PathBuf,
    out: PathBuf,
}

fn generate(n: usize, dir: &Path) -> Files {
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
fn spawn_generator(args: &[&str], dir: &Path) {
    let me = std::env::current_exe().expect("the bench's own path");
    let status = Command::new(me)
        .arg("--child")
        .args(args)
        .arg(dir)
        .status()
        .expect("run the generator");
    assert!(status.success(), "generating {args:?} failed");
}

/// Writes the files of one size into `dir` (in a child process).
fn write_files(n: usize, dir: &Path) {
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).expect("create the bench folder");
    std::fs::create_dir_all(dir.join("out")).expect("create the bench folder");
    let s = Synthetic::generate(n, SEED);
    std::fs::write(dir.join("profile.toml"), &s.profile_toml).expect("write");
    std::fs::write(dir.join("tracker.xlsx"), s.xlsx().expect("xlsx")).expect("write");
    std::fs::write(dir.join("tracker.json"), s.json()).expect("write");
    let csv = katrack::write::to_csv(&s.tracker).expect("csv");
    std::fs::write(dir.join("tracker.canonical.csv"), csv).expect("write");
    // One return per lead, as a quarter's returns come back.
    for (i, (_, r)) in s.returns_by_lead().into_iter().enumerate() {
        let bytes = r.xlsx().expect("xlsx");
        std::fs::write(returns.join(format!("return_{}.xlsx", i + 1)), bytes).expect("write");
    }
    std::fs::write(dir.join("generated"), "").expect("write");
}

/// Writes `count` returns of `per` activities into `dir/returns` (in a child process).
fn write_folder(count: usize, per: usize, dir: &Path) {
    let folder = dir.join("returns");
    std::fs::create_dir_all(&folder).expect("create the folder");
    let s = Synthetic::generate(count * per, SEED);
    std::fs::write(dir.join("profile.toml"), &s.profile_toml).expect("write");
    for i in 0..count {
        let bytes = s.slice(i * per..(i + 1) * per).xlsx().expect("xlsx");
        std::fs::write(folder.join(format!("return_{:03}.xlsx", i + 1)), bytes).expect("write");
    }
    std::fs::write(dir.join("generated"), "").expect("write");
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// Times the four steps and the two floors at one size; returns a Markdown table.
fn size_table(n: usize, opts: &Options) -> (String, Vec<(&'static str, Duration)>) {
    let f = generate(n, &opts.dir);
    let me = std::env::current_exe().expect("the bench's own path");
    let reps = opts.reps;
    let profile = f.profile.as_os_str();
    let floor_range = best(reps, || {
        measure(
            Command::new(&me)
                .args(["--child", "read-range"])
                .arg(&f.xlsx),
            None,
            0,
        )
    });
    let floor_cells = best(reps, || {
        measure(
            Command::new(&me)
                .args(["--child", "read-cells"])
                .arg(&f.xlsx),
            None,
            0,
        )
    });
    let (read_name, floor_read) = if floor_cells.wall <= floor_range.wall {
        ("calamine cells reader", floor_cells)
    } else {
        ("calamine worksheet_range", floor_range)
    };
    let floor_write = best(reps, || {
        measure(
            Command::new(&me)
                .args(["--child", "write"])
                .arg(&f.canonical_csv)
                .arg(f.out.join("floor.xlsx")),
            None,
            0,
        )
    });
    let mut returns_read = Run {
        wall: Duration::ZERO,
        peak_kib: 0,
    };
    for entry in std::fs::read_dir(&f.returns).expect("the returns") {
        let path = entry.expect("a return").path();
        let r = best(reps, || {
            measure(
                Command::new(&me).args(["--child", "read-cells"]).arg(&path),
                None,
                0,
            )
        });
        returns_read.wall += r.wall;
        returns_read.peak_kib = returns_read.peak_kib.max(r.peak_kib);
    }
    let kt = |args: &[&std::ffi::OsStr]| {
        let mut c = Command::new(katrack());
        c.args(args).arg("--profile").arg(profile);
        c
    };
    let import = best(reps, || {
        let out = f.out.join("import.json");
        measure(
            &mut kt(&[
                "import".as_ref(),
                f.xlsx.as_os_str(),
                "-q".as_ref(),
                "-o".as_ref(),
                out.as_os_str(),
            ]),
            None,
            0,
        )
    });
    let check_jobs = |jobs: &str| {
        best(reps, || {
            measure(
                &mut kt(&[
                    "check".as_ref(),
                    f.xlsx.as_os_str(),
                    "--format".as_ref(),
                    "json".as_ref(),
                    "--jobs".as_ref(),
                    jobs.as_ref(),
                ]),
                Some(&f.out.join(format!("check{jobs}.json"))),
                1,
            )
        })
    };
    let check = check_jobs("2");
    let check_one = check_jobs("1");
    let export = best(reps, || {
        let out = f.out.join("export.xlsx");
        measure(
            &mut kt(&[
                "export".as_ref(),
                f.json.as_os_str(),
                "-o".as_ref(),
                out.as_os_str(),
            ]),
            None,
            0,
        )
    });
    let merge = best(reps, || {
        let out = f.out.join("master.xlsx");
        measure(
            &mut kt(&[
                "merge".as_ref(),
                f.returns.as_os_str(),
                "--plan".as_ref(),
                f.json.as_os_str(),
                "-o".as_ref(),
                out.as_os_str(),
            ]),
            None,
            1,
        )
    });
    let read_write = Run {
        wall: returns_read.wall + floor_write.wall,
        peak_kib: returns_read.peak_kib.max(floor_write.peak_kib),
    };
    let mut t = String::new();
    let size = std::fs::metadata(&f.xlsx).map_or(0, |m| m.len());
    let _ = writeln!(
        t,
        "\n### {n} activities (tracker.xlsx {:.1} MiB)\n",
        size as f64 / 1024.0 / 1024.0
    );
    let _ = writeln!(
        t,
        "| step | time | peak memory | time / floor | memory / floor | floor |"
    );
    let _ = writeln!(t, "|---|---:|---:|---:|---:|---|");
    let row = |t: &mut String, step: &str, r: Run, floor: Run, floor_name: &str| {
        let _ = writeln!(
            t,
            "| {step} | {} | {} | {} | {} | {floor_name} |",
            secs(r.wall),
            mib(r.peak_kib),
            ratio(r.wall.as_secs_f64(), floor.wall.as_secs_f64()),
            ratio(r.peak_kib as f64, floor.peak_kib as f64),
        );
    };
    row(
        &mut t,
        "floor: bare read (worksheet_range)",
        floor_range,
        floor_read,
        read_name,
    );
    row(
        &mut t,
        "floor: bare read (cells reader)",
        floor_cells,
        floor_read,
        read_name,
    );
    row(
        &mut t,
        "floor: bare constant-memory write",
        floor_write,
        floor_write,
        "itself",
    );
    row(
        &mut t,
        "import xlsx → json",
        import,
        floor_read,
        "bare read",
    );
    row(&mut t, "check xlsx", check, floor_read, "bare read");
    row(
        &mut t,
        "check xlsx --jobs 1",
        check_one,
        floor_read,
        "bare read",
    );
    row(
        &mut t,
        "export json → xlsx",
        export,
        floor_write,
        "bare write",
    );
    row(
        &mut t,
        "merge 4 returns → master xlsx",
        merge,
        floor_write,
        "bare write",
    );
    row(
        &mut t,
        "merge 4 returns → master xlsx",
        merge,
        read_write,
        "bare read of the returns + bare write",
    );
    row(
        &mut t,
        "check xlsx",
        check,
        floor_range,
        "worksheet_range (holds every cell)",
    );
    let times = vec![
        ("bare read", floor_read.wall),
        ("bare write", floor_write.wall),
        ("import", import.wall),
        ("check", check.wall),
        ("export", export.wall),
        ("merge", merge.wall),
    ];
    (t, times)
}

/// How time grows with size: each step's time at each size, and the growth per size step.
fn scaling_table(sizes: &[(usize, Vec<(&str, Duration)>)]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n### Scaling (time at each size; growth = time ratio ÷ size ratio)\n"
    );
    let mut header = String::from("| step |");
    let mut rule = String::from("|---|");
    for (n, _) in sizes {
        let _ = write!(header, " {n} |");
        rule.push_str("---:|");
    }
    for w in sizes.windows(2) {
        let _ = write!(header, " {}→{} |", w[0].0, w[1].0);
        rule.push_str("---:|");
    }
    let _ = writeln!(t, "{header}\n{rule}");
    for (i, (step, _)) in sizes[0].1.iter().enumerate() {
        let mut line = format!("| {step} |");
        for (_, times) in sizes {
            let _ = write!(line, " {} |", secs(times[i].1));
        }
        for w in sizes.windows(2) {
            let growth = w[1].1[i].1.as_secs_f64() / w[0].1[i].1.as_secs_f64();
            let _ = write!(line, " {:.2} |", growth / (w[1].0 as f64 / w[0].0 as f64));
        }
        let _ = writeln!(t, "{line}");
    }
    t
}

/// A folder of `opts.returns` returns of 34 activities, checked with one and two threads.
fn folder_table(opts: &Options) -> String {
    let per = 34;
    let dir = opts.dir.join(format!("folder-{}", opts.returns));
    let folder = dir.join("returns");
    if !dir.join("generated").exists() {
        eprintln!(
            "generating {} returns in {}",
            opts.returns,
            folder.display()
        );
        let (count, per) = (opts.returns.to_string(), per.to_string());
        spawn_generator(&["generate-folder", &count, &per], &dir);
    }
    let profile = dir.join("profile.toml");
    let reps = opts.reps.max(3);
    let check = |jobs: &str, out: &Path| {
        let mut c = Command::new(katrack());
        c.arg("check")
            .arg(&folder)
            .args(["--format", "json", "--jobs", jobs])
            .arg("--profile")
            .arg(&profile);
        measure(&mut c, Some(out), 1)
    };
    let one_out = dir.join("jobs1.json");
    let two_out = dir.join("jobs2.json");
    let one = best(reps, || check("1", &one_out));
    let two = best(reps, || check("2", &two_out));
    let same = std::fs::read(&one_out).ok() == std::fs::read(&two_out).ok();
    let single = folder.join("return_001.xlsx");
    let startup = best(reps.max(10), || {
        let mut c = Command::new(katrack());
        c.arg("check").arg(&single).arg("--profile").arg(&profile);
        measure(&mut c, None, 1)
    });
    let version = best(reps.max(10), || {
        measure(Command::new(katrack()).arg("--version"), None, 0)
    });
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n### {} returns of {per} activities, and start-up\n",
        opts.returns
    );
    let _ = writeln!(t, "| step | time | peak memory | note |");
    let _ = writeln!(t, "|---|---:|---:|---|");
    let _ = writeln!(
        t,
        "| check folder --jobs 1 | {} | {} | |",
        secs(one.wall),
        mib(one.peak_kib)
    );
    let _ = writeln!(
        t,
        "| check folder --jobs 2 | {} | {} | {} faster; findings {} |",
        secs(two.wall),
        mib(two.peak_kib),
        ratio(one.wall.as_secs_f64(), two.wall.as_secs_f64()),
        if same { "identical" } else { "DIFFER" }
    );
    let _ = writeln!(
        t,
        "| check one 34-activity return | {:.1} ms | {} | start-up included |",
        startup.wall.as_secs_f64() * 1000.0,
        mib(startup.peak_kib)
    );
    let _ = writeln!(
        t,
        "| katrack --version | {:.1} ms | {} | process start-up alone |",
        version.wall.as_secs_f64() * 1000.0,
        mib(version.peak_kib)
    );
    t
}

/// The floors, run as children so each has its own peak memory.
fn child(args: &[String]) {
    match args {
        [what, n, dir] if what == "generate" => {
            write_files(n.parse().expect("a size"), Path::new(dir));
        }
        [what, count, per, dir] if what == "generate-folder" => {
            let count = count.parse().expect("a count");
            write_folder(count, per.parse().expect("a size"), Path::new(dir));
        }
        [what, path] if what == "read-cells" => {
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook(path).expect("open the workbook");
            let mut cells = 0usize;
            let mut bytes = 0usize;
            for name in calamine::Reader::sheet_names(&book) {
                let mut reader = book.worksheet_cells_reader(&name).expect("a worksheet");
                while let Some(cell) = reader.next_cell().expect("a cell") {
                    cells += 1;
                    bytes += match cell.get_value() {
                        calamine::DataRef::SharedString(s) => s.len(),
                        calamine::DataRef::String(s) => s.len(),
                        _ => 8,
                    };
                }
            }
            println!("{cells} cells, {bytes} bytes");
        }
        [what, path] if what == "read-range" => {
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook(path).expect("open the workbook");
            let mut cells = 0usize;
            for name in calamine::Reader::sheet_names(&book) {
                let range = calamine::Reader::worksheet_range(&mut book, &name).expect("a sheet");
                cells += range.used_cells().count();
            }
            println!("{cells} cells");
        }
        [what, csv, out] if what == "write" => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let ws = book
                .add_worksheet_with_constant_memory()
                .expect("a worksheet");
            let mut reader = csv::Reader::from_path(csv).expect("the canonical csv");
            let mut record = csv::StringRecord::new();
            let mut row = 0;
            while reader.read_record(&mut record).expect("a record") {
                for (col, field) in (0u16..).zip(record.iter()) {
                    if !field.is_empty() {
                        ws.write_string(row, col, field).expect("a cell");
                    }
                }
                row += 1;
            }
            book.save(out).expect("save");
        }
        _ => panic!("unknown child step {args:?}"),
    }
}
