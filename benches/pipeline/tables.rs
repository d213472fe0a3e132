//! The report's Markdown tables: the steps and floors at one size, the scaling across sizes,
//! and a folder of returns with the start-up cost.

use super::measure::{Run, best, generate, measure, spawn_generator};
use super::{Options, katrack};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub(super) fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

pub(super) fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

pub(super) fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// Times the four steps and the two floors at one size; returns a Markdown table.
pub(super) fn size_table(n: usize, opts: &Options) -> (String, Vec<(&'static str, Duration)>) {
    let f = generate(n, &opts.dir);
    let me = std::env::current_exe().expect("the bench's own path");
    let reps = opts.reps;
    let profile = f.profile.as_os_str();
    // A bench child (`--child KIND FILE`) and a katrack command, each the best of `reps` runs.
    let child = |kind: &str, file: &Path| {
        best(reps, || {
            measure(Command::new(&me).args(["--child", kind]).arg(file), None, 0)
        })
    };
    let kt = |args: &[&OsStr], out: Option<&Path>, max_code: i32| {
        best(reps, || {
            let mut c = Command::new(katrack());
            c.args(args).arg("--profile").arg(profile);
            measure(&mut c, out, max_code)
        })
    };
    let floor_range = child("read-range", &f.xlsx);
    let floor_cells = child("read-cells", &f.xlsx);
    let (read_name, floor_read) = if floor_cells.wall <= floor_range.wall {
        ("calamine cells reader", floor_cells)
    } else {
        ("calamine worksheet_range", floor_range)
    };
    let write_floor = |kind: &str| {
        best(reps, || {
            measure(
                Command::new(&me)
                    .args(["--child", kind])
                    .arg(&f.canonical_csv)
                    .arg(f.out.join("floor.xlsx")),
                None,
                0,
            )
        })
    };
    let floor_write = write_floor("write");
    let floor_heights = write_floor("write-heights");
    let mut returns_read = Run {
        wall: Duration::ZERO,
        peak_kib: 0,
    };
    for entry in std::fs::read_dir(&f.returns).expect("the returns") {
        let r = child("read-cells", &entry.expect("a return").path());
        returns_read.wall += r.wall;
        returns_read.peak_kib = returns_read.peak_kib.max(r.peak_kib);
    }
    let import_json = f.out.join("import.json");
    let import = kt(
        &[
            "import".as_ref(),
            f.xlsx.as_os_str(),
            "-q".as_ref(),
            "-o".as_ref(),
            import_json.as_os_str(),
        ],
        None,
        0,
    );
    let check_jobs = |jobs: &str| {
        kt(
            &[
                "check".as_ref(),
                f.xlsx.as_os_str(),
                "--format".as_ref(),
                "json".as_ref(),
                "--jobs".as_ref(),
                jobs.as_ref(),
            ],
            Some(&f.out.join(format!("check{jobs}.json"))),
            1,
        )
    };
    let check = check_jobs("2");
    let check_one = check_jobs("1");
    let export_xlsx = f.out.join("export.xlsx");
    let export = kt(
        &[
            "export".as_ref(),
            f.json.as_os_str(),
            "-o".as_ref(),
            export_xlsx.as_os_str(),
        ],
        None,
        0,
    );
    let master = f.out.join("master.xlsx");
    let merge_with = |returns: &Path, plan: &Path| {
        kt(
            &[
                "merge".as_ref(),
                returns.as_os_str(),
                "--plan".as_ref(),
                plan.as_os_str(),
                "-o".as_ref(),
                master.as_os_str(),
            ],
            None,
            1,
        )
    };
    let merge = merge_with(&f.returns, &f.json);
    // Last quarter's master as the plan: katrack's own workbook (this merge's), as the quarterly
    // cycle gives it: its text inline, its headings merged across the table.
    let last_master = f.out.join("last_master.xlsx");
    std::fs::copy(&master, &last_master).expect("keep the merge's master");
    // The plan as a workbook (a tracker in the officers' layout) rather than katrack's JSON: it
    // is laid out beside Appendix A, as the JSON is parsed, but costs more to read.
    let merge_xlsx_plan = merge_with(&f.returns, &f.xlsx);
    let merge_master_plan = merge_with(&f.returns, &last_master);
    // Half the returns: half the plan not returned, listed on the Returns sheet (a search per
    // missing activity once made this quadratic).
    let half = f.returns.with_file_name("returns-half");
    if !half.is_dir() {
        std::fs::create_dir_all(&half).expect("the half folder");
        for name in ["return_1.xlsx", "return_2.xlsx"] {
            std::fs::copy(f.returns.join(name), half.join(name)).expect("copy a return");
        }
    }
    let merge_half = merge_with(&half, &f.json);
    let read_write = Run {
        wall: returns_read.wall + floor_write.wall,
        peak_kib: returns_read.peak_kib.max(floor_write.peak_kib),
    };
    let read_write_heights = Run {
        wall: returns_read.wall + floor_heights.wall,
        peak_kib: returns_read.peak_kib.max(floor_heights.peak_kib),
    };
    // With the plan as a workbook, its bare read too (the same cells reader as the returns').
    let plan_read_write = Run {
        wall: read_write.wall + floor_cells.wall,
        peak_kib: read_write.peak_kib.max(floor_cells.peak_kib),
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
    // Each step: (name, its run, the floor it is set against, the floor's name).
    let rows: [(&str, Run, Run, &str); 17] = [
        (
            "floor: bare read (worksheet_range)",
            floor_range,
            floor_read,
            read_name,
        ),
        (
            "floor: bare read (cells reader)",
            floor_cells,
            floor_read,
            read_name,
        ),
        (
            "floor: bare constant-memory write",
            floor_write,
            floor_write,
            "itself",
        ),
        (
            "floor: bare constant-memory write, a height on each row",
            floor_heights,
            floor_heights,
            "itself",
        ),
        ("import xlsx → json", import, floor_read, "bare read"),
        ("check xlsx", check, floor_read, "bare read"),
        ("check xlsx --jobs 1", check_one, floor_read, "bare read"),
        ("export json → xlsx", export, floor_write, "bare write"),
        (
            "export json → xlsx",
            export,
            floor_heights,
            "bare write with row heights",
        ),
        (
            "merge 4 returns → master xlsx",
            merge,
            floor_write,
            "bare write",
        ),
        (
            "merge 4 returns → master xlsx",
            merge,
            read_write,
            "bare read of the returns + bare write",
        ),
        (
            "merge 4 returns → master xlsx",
            merge,
            read_write_heights,
            "bare read of the returns + bare write with row heights",
        ),
        (
            "merge 2 of the 4 returns (half missing)",
            merge_half,
            floor_write,
            "bare write",
        ),
        (
            "merge 4 returns, the plan as xlsx",
            merge_xlsx_plan,
            floor_write,
            "bare write",
        ),
        (
            "merge 4 returns, the plan as xlsx",
            merge_xlsx_plan,
            plan_read_write,
            "bare read of the returns and the plan + bare write",
        ),
        (
            "merge 4 returns, last quarter's master as the plan",
            merge_master_plan,
            floor_write,
            "bare write",
        ),
        (
            "check xlsx",
            check,
            floor_range,
            "worksheet_range (holds every cell)",
        ),
    ];
    for (step, r, floor, floor_name) in rows {
        let _ = writeln!(
            t,
            "| {step} | {} | {} | {} | {} | {floor_name} |",
            secs(r.wall),
            mib(r.peak_kib),
            ratio(r.wall.as_secs_f64(), floor.wall.as_secs_f64()),
            ratio(r.peak_kib as f64, floor.peak_kib as f64),
        );
    }
    let times = vec![
        ("bare read", floor_read.wall),
        ("bare write", floor_write.wall),
        ("import", import.wall),
        ("check", check.wall),
        ("export", export.wall),
        ("merge", merge.wall),
        ("merge, half missing", merge_half.wall),
    ];
    (t, times)
}

/// How time grows with size: each step's time at each size, and the growth per size step.
pub(super) fn scaling_table(sizes: &[(usize, Vec<(&str, Duration)>)]) -> String {
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
pub(super) fn folder_table(opts: &Options) -> String {
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
