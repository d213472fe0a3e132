//! `check --jobs N`: inputs read on several threads give the same report as one thread.

use super::{Workdir, sample};
use katrack::synth::Synthetic;

#[test]
fn check_gives_the_same_findings_in_the_same_order_with_any_number_of_jobs() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.path("returns")).unwrap();
    for name in [
        "return_planning.xlsx",
        "return_communities.xlsx",
        "return_governance.csv",
        "return_finance.xlsx",
    ] {
        let bytes = std::fs::read(sample(&format!("returns/{name}"))).unwrap();
        wd.write(&format!("returns/{name}"), bytes);
    }
    // Returns of different sizes, so that the threads finish out of order.
    let s = Synthetic::generate(600, 11);
    let mut from = 0;
    for (i, size) in [200, 5, 120, 34, 3, 90, 40, 108].into_iter().enumerate() {
        let bytes = s.slice(from..from + size).xlsx().unwrap();
        wd.write(&format!("returns/synthetic_{i}.xlsx"), bytes);
        from += size;
    }
    wd.write("returns/empty.xlsx", "");
    let run = |jobs: &str| {
        let out = wd
            .katrack()
            .args(["check", "returns", "--format", "json", "--jobs", jobs])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, one) = run("1");
    assert_eq!(code, Some(2), "an unreadable file gives exit code 2");
    assert!(
        one.contains("unreadable-file") && one.contains("Finanse"),
        "{one}"
    );
    for jobs in ["2", "3", "16"] {
        assert_eq!(run(jobs), (code, one.clone()), "--jobs {jobs}");
    }
}

#[test]
fn zero_jobs_is_a_usage_error() {
    let wd = Workdir::new();
    wd.katrack()
        .args(["check", "--jobs", "0"])
        .arg(sample("returns/return_finance.xlsx"))
        .assert()
        .code(2);
}
