//! The committee workbook: counts read back equal the tracker's, sheets in order, and it prints
//! through LibreOffice to a PDF with every sheet's pages.

use super::{Workdir, import, sample, soffice};
use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use katrack::write;

fn sheet_names(path: &std::path::Path) -> Vec<String> {
    let book: Xlsx<_> = open_workbook(path).unwrap();
    book.sheet_names()
}

/// The number right of a label in the Summary's "At a glance" block.
fn glance(path: &std::path::Path, label: &str) -> Option<f64> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let r = book.worksheet_range("Summary").unwrap();
    r.rows()
        .find(|row| matches!(row.first(), Some(Data::String(s)) if s == label))
        .and_then(|row| match row.get(1) {
            Some(Data::Float(f)) => Some(*f),
            Some(Data::Int(i)) => Some(*i as f64),
            _ => None,
        })
}

#[test]
fn summary_counts_equal_the_trackers() {
    let wd = Workdir::new();
    let t = import(&sample("harborough_q1_2020_21.json"));
    let mut q2 = t.clone();
    q2.activities[0].status = "Red".into();
    q2.activities[1].status = "Complete".into();
    wd.write("q2.json", write::to_json(&q2));
    wd.katrack()
        .arg("summary")
        .arg("q2.json")
        .args(["-o", "s.xlsx", "--previous"])
        .arg(sample("harborough_q1_2020_21.json"))
        .assert()
        .success();
    let path = wd.path("s.xlsx");
    assert_eq!(sheet_names(&path), ["Summary", "Appendix A", "Changes"]);
    let count = |s: &str| q2.activities.iter().filter(|a| a.status == s).count() as f64;
    assert_eq!(glance(&path, "Key activities"), Some(34.0));
    for status in ["Green", "Amber", "Red"] {
        assert_eq!(glance(&path, status), Some(count(status)), "{status}");
    }
    assert_eq!(
        glance(&path, "Not started"),
        Some(count("Start Later in Year"))
    );
    assert_eq!(
        glance(&path, "Deferred"),
        Some(count("Deferred until the 2021/22 Year"))
    );
    assert_eq!(glance(&path, "Complete"), Some(1.0));
    assert_eq!(count("Red"), 1.0);
}

#[test]
fn the_merged_master_prints_every_sheet_through_libreoffice() {
    let wd = Workdir::new();
    wd.katrack()
        .arg("merge")
        .arg(sample("returns"))
        .arg("--plan")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "master.xlsx"])
        .assert()
        .code(1);
    let path = wd.path("master.xlsx");
    assert_eq!(
        sheet_names(&path),
        ["Summary", "Appendix A", "Issues", "Returns"]
    );
    assert_eq!(glance(&path, "Errors outstanding"), Some(4.0));
    assert_eq!(glance(&path, "Returns missing"), Some(0.0));
    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice is not installed");
        return;
    };
    let out = wd.soffice_convert(&soffice, "pdf", &path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(wd.path("master.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let pages = regex::bytes::Regex::new(r"/Type\s*/Page[^s]")
        .unwrap()
        .find_iter(&pdf)
        .count();
    // Summary (headline, objective table, chart, portfolio and lead tables), the 34 activities of
    // Appendix A over a few landscape pages, Issues and Returns: at least a page each.
    assert!(pages >= 8, "only {pages} pages");
    assert!(
        pages <= 30,
        "{pages} pages: something is not fitted to the page width"
    );
}

#[test]
fn an_objective_with_no_activities_is_counted_as_zeros() {
    // The profile lists the council's nine objectives; this quarter nothing is reported under CO 2.
    let wd = Workdir::new();
    let mut t = import(&sample("harborough_q1_2020_21.json"));
    t.activities.retain(|a| a.objective_id != "CO 2");
    wd.write("t.json", write::to_json(&t));
    wd.katrack()
        .args(["summary", "t.json", "-o", "s.xlsx"])
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(wd.path("s.xlsx")).unwrap();
    let r = book.worksheet_range("Summary").unwrap();
    let rows: Vec<Vec<Data>> = r.rows().map(|row| row.to_vec()).collect();
    let label = |row: &[Data]| match row.first() {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    let at = rows
        .iter()
        .position(|row| label(row) == "CO 2 Encourage enterprise")
        .expect("CO 2 has a row");
    let numbers: Vec<f64> = rows[at][1..].iter().filter_map(|c| c.as_f64()).collect();
    assert!(
        !numbers.is_empty() && numbers.iter().all(|n| *n == 0.0),
        "{:?}",
        rows[at]
    );
    // It sits in its place, between CO 1 and CO 3, under THE PLACE.
    assert_eq!(
        label(&rows[at - 1]),
        "CO 1 Keeping the District a great place to live, work and visit"
    );
    assert_eq!(
        label(&rows[at + 1]),
        "CO 3 Enable delivery of quality homes for all"
    );
    let total = rows.iter().find(|row| label(row) == "Total").unwrap();
    assert_eq!(
        total.iter().rev().find_map(|c| c.as_f64()),
        Some(t.activities.len() as f64)
    );
}

#[test]
fn a_merge_with_last_quarter_adds_the_changes_and_one_with_a_duplicate_has_every_sheet_too() {
    let wd = Workdir::new();
    // Last quarter: the plan with two statuses different from this quarter's returns.
    let mut q1 = import(&sample("harborough_q1_2020_21.json"));
    q1.activities[0].status = "Red".into();
    q1.activities[1].status = "Red".into();
    wd.write("q1.json", write::to_json(&q1));
    wd.katrack()
        .arg("merge")
        .arg(sample("returns"))
        .arg("--plan")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["--previous", "q1.json", "-o", "master.xlsx"])
        .assert()
        .code(1);
    let path = wd.path("master.xlsx");
    assert_eq!(
        sheet_names(&path),
        ["Summary", "Appendix A", "Issues", "Returns", "Changes"]
    );
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let changes = book.worksheet_range("Changes").unwrap();
    let cells: Vec<String> = changes
        .rows()
        .flat_map(|r| r.iter().filter_map(|c| c.as_string()))
        .collect();
    for id in [&q1.activities[0].id, &q1.activities[1].id] {
        assert!(cells.contains(id), "{id} is listed as changed: {cells:?}");
    }
    assert!(cells.iter().any(|c| c == "Status changes"), "{cells:?}");

    // The same activities in two returns (a copy of one): the master waits for the findings
    // instead of being written beside them, with the same sheets.
    let dir = wd.path("returns");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(sample("returns")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let first = std::fs::read_dir(sample("returns"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    std::fs::copy(&first, dir.join("zz_copy.xlsx")).unwrap();
    let out = wd
        .katrack()
        .arg("merge")
        .arg(&dir)
        .arg("--plan")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["--previous", "q1.json", "-o", "dup.xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 returns, "));
    assert_eq!(
        sheet_names(&wd.path("dup.xlsx")),
        ["Summary", "Appendix A", "Issues", "Returns", "Changes"]
    );
}
