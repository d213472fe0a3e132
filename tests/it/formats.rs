//! The seed sample read in every format gives exactly the seed's 34 activities. The expected
//! values are computed here straight from the seed text, independently of katrack's reader.

use super::{data, import, sample};
use katrack::Tracker;

/// (id, title, status, lead, portfolio) of each activity, read from the seed text by hand:
/// a line starting with an id is an activity; a line starting "and powers" continues the title.
fn expected() -> Vec<[String; 5]> {
    let seed = std::fs::read_to_string(sample("seed/harborough_q1_2020_21.txt")).unwrap();
    let mut out: Vec<[String; 5]> = Vec::new();
    for line in seed.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        if line.starts_with("KA.") {
            let (id, title) = cells[0].split_once(' ').unwrap();
            out.push([id, title, cells[1], cells[4], cells[5]].map(|s| s.trim().to_string()));
        } else if line.starts_with("and powers") {
            let last = out.last_mut().unwrap();
            last[1] = format!("{} {}", last[1], cells[0].trim());
        }
    }
    out
}

fn check(t: &Tracker, what: &str) {
    let want = expected();
    assert_eq!(want.len(), 34, "the seed has 34 activities");
    assert_eq!(t.activities.len(), 34, "{what}: activity count");
    for (a, w) in t.activities.iter().zip(&want) {
        let got = [&a.id, &a.title, &a.status, &a.lead, &a.portfolio].map(|s| s.to_string());
        assert_eq!(&got, w, "{what}: activity {}", w[0]);
    }
    let find = |id: &str| t.activities.iter().find(|a| a.id == id).unwrap();
    assert!(
        find("KA.01.03")
            .title
            .ends_with("statutory tools and powers"),
        "{what}"
    );
    assert!(
        find("KA.01.03")
            .progress
            .contains("Partnership leads on night-time economy recovery"),
        "{what}"
    );
    assert!(
        find("KA.04.03").progress.contains("16 Warning Notices"),
        "{what}"
    );
    assert!(find("KA.06.03").next_steps.contains("£11,000"), "{what}");
    assert_eq!(find("KA.04.03").objective_id, "CO 4", "{what}");
    assert_eq!(find("KA.05.01").theme, "THE PEOPLE", "{what}");
    assert_eq!(
        find("KA.03.01").objective_title,
        "Enable delivery of quality homes for all",
        "{what}"
    );
    assert_eq!(
        find("KA.09.05").theme_strapline,
        "creative, proactive and efficient",
        "{what}"
    );
}

#[test]
fn seed_xlsx_gives_the_34_activities() {
    check(&import(&sample("harborough_q1_2020_21.xlsx")), "xlsx");
}

#[test]
fn seed_csv_in_windows_1252_gives_the_34_activities() {
    let bytes = std::fs::read(sample("harborough_q1_2020_21.csv")).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the sample CSV is Windows-1252, not UTF-8"
    );
    check(&import(&sample("harborough_q1_2020_21.csv")), "csv");
}

#[test]
fn seed_ods_saved_by_libreoffice_gives_the_34_activities() {
    check(&import(&data("libreoffice_seed.ods")), "ods");
}

#[test]
fn seed_xls_saved_by_libreoffice_gives_the_34_activities() {
    check(&import(&data("libreoffice_seed.xls")), "xls");
}

#[test]
fn seed_json_gives_the_34_activities() {
    check(&import(&sample("harborough_q1_2020_21.json")), "json");
}

#[test]
fn every_format_reads_the_same_content() {
    let xlsx = super::content(&import(&sample("harborough_q1_2020_21.xlsx")));
    for other in [
        sample("harborough_q1_2020_21.csv"),
        sample("harborough_q1_2020_21.json"),
        data("libreoffice_seed.ods"),
        data("libreoffice_seed.xls"),
    ] {
        assert_eq!(super::content(&import(&other)), xlsx, "{}", other.display());
    }
}

#[test]
fn provenance_names_the_physical_row() {
    let t = import(&sample("harborough_q1_2020_21.xlsx"));
    let src = t.activities[0].source.clone().unwrap();
    assert_eq!(
        (src.file.as_str(), src.sheet.as_str(), src.row),
        ("harborough_q1_2020_21.xlsx", "Q1", 8)
    );
    let csv = import(&sample("harborough_q1_2020_21.csv"));
    let src = csv.activities[33].source.clone().unwrap();
    assert_eq!((src.sheet.as_str(), src.row), ("", 94));
}

#[test]
fn document_metadata_is_read_from_the_rows_above_the_table() {
    let t = import(&sample("harborough_q1_2020_21.xlsx"));
    assert_eq!(t.organisation, "Harborough District Council");
    assert_eq!(t.period, "2020/21 Q1");
}

#[test]
fn returns_hold_every_activity_once() {
    let mut ids: Vec<String> = std::fs::read_dir(sample("returns"))
        .unwrap()
        .flat_map(|e| import(&e.unwrap().path()).activities)
        .map(|a| a.id)
        .collect();
    ids.sort();
    let mut want: Vec<String> = expected().into_iter().map(|w| w[0].clone()).collect();
    want.sort();
    assert_eq!(ids, want);
}

#[test]
fn a_page_break_split_in_a_return_is_joined() {
    let t = import(&sample("returns/return_communities.xlsx"));
    let seed = import(&sample("harborough_q1_2020_21.json"));
    let a = t.activities.iter().find(|a| a.id == "KA.01.03").unwrap();
    let s = seed.activities.iter().find(|a| a.id == "KA.01.03").unwrap();
    assert_eq!(a.title, s.title);
    assert_eq!(a.progress, s.progress);
    // The table starts at B3: the first activity is on row 4, its id in column B.
    assert_eq!(t.activities[0].source.as_ref().unwrap().row, 4);
}
