//! Nothing lost: every non-empty cell katrack reads ends up in the canonical tracker, in a
//! finding, or on a row the row report accounts for (a header, heading, title or page
//! furniture); a sheet not read says why. Words are compared (`clean::words` of the cleaned
//! cell), as cleaning removes markup and tidies spaces. Checked over every sample and fixture, over
//! random trackers written by katrack's writers, and over random messy sheets. Merge keeps every
//! activity of the plan.

use crate::it::{HEADER, data, sample};
use katrack::clean::{multiline, words};
use katrack::finding::Finding;
use katrack::layout::{self, Parsed, RowKind};
use katrack::profile::Profile;
use katrack::read::{self, Cell, Format, Input, Row, Sheet};
use katrack::rules::{self, Context, Return};
use katrack::{Activity, Tracker, merge, write};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// The layout and every finding `check` would give, for one input.
fn parse_and_check(input: &Input, file: &str) -> Option<(Parsed, Vec<Finding>)> {
    let profile = Profile::default_profile();
    let parsed = layout::parse(input, file, &profile, None).ok()?;
    let ctx = Context {
        profile: &profile,
        plan: None,
        previous: None,
    };
    let ret = Return {
        file,
        parsed: &parsed,
    };
    let mut findings = rules::check_all(&[ret], &ctx).remove(0);
    findings.extend(parsed.findings.iter().cloned());
    Some((parsed, findings))
}

/// Words compared without case: matching a value to the profile's vocabulary ignores case by
/// design ("green " is read as "Green").
fn word_set(texts: &[&str]) -> BTreeSet<String> {
    texts
        .iter()
        .flat_map(|t| words(&t.to_lowercase()))
        .collect()
}

fn activity_words(a: &Activity) -> BTreeSet<String> {
    let mut texts: Vec<&str> = katrack::model::FIELDS
        .iter()
        .map(|f| a.field(f).unwrap_or(""))
        .collect();
    let row;
    if let Some(s) = &a.source {
        row = s.row.to_string();
        texts.extend([s.file.as_str(), s.sheet.as_str(), row.as_str()]);
    }
    word_set(&texts)
}

/// The cells of `input` whose words are nowhere to be found: "Sheet!A1 'text' (why)".
fn unaccounted(input: &Input, parsed: &Parsed, findings: &[Finding]) -> Vec<String> {
    let Input::Sheets { sheets, format, .. } = input else {
        return Vec::new();
    };
    let csv = matches!(format, Format::Csv | Format::Tsv);
    let mut lost = Vec::new();
    for sheet in sheets {
        let Some(report) = parsed.sheets.iter().find(|s| s.sheet == sheet.name) else {
            lost.push(format!("sheet '{}' has no report", sheet.name));
            continue;
        };
        if !report.read {
            // Hidden, empty, or without a table: the report says so (and warns about ids).
            assert!(!report.detail.is_empty());
            continue;
        }
        let name = if csv { "" } else { sheet.name.as_str() };
        // (first row, index) of this sheet's activities.
        let activities: Vec<(u32, usize)> = parsed
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| &*c.sheet == name)
            .map(|(i, c)| (c.row, i))
            .collect();
        for row in &sheet.rows {
            let Some(r) = parsed
                .rows
                .iter()
                .find(|r| r.sheet == name && r.row == row.row + 1)
            else {
                lost.push(format!("{name}!{} has no row report", row.row + 1));
                continue;
            };
            let activity = match &r.kind {
                RowKind::Header
                | RowKind::Theme
                | RowKind::Objective
                | RowKind::Heading
                | RowKind::Title
                | RowKind::Furniture => continue,
                RowKind::Activity(_) => activities.iter().find(|(at, _)| *at == row.row),
                RowKind::Continuation(_) => activities.iter().rev().find(|(at, _)| *at < row.row),
                RowKind::Unrecognised => None,
            };
            let mut pool = activity
                .map(|(_, i)| activity_words(&parsed.tracker.activities[*i]))
                .unwrap_or_default();
            for f in findings.iter().filter(|f| f.sheet == name) {
                let on_row =
                    katrack::cellref::parse_a1(&f.cell).is_some_and(|(fr, _)| fr == row.row);
                if on_row {
                    pool.extend(word_set(&[f.value.as_deref().unwrap_or(""), &f.message]));
                }
            }
            for cell in row.cells.iter().filter(|c| !c.merged) {
                // "o" alone is Word's sub-bullet marker when text follows it (clean.rs).
                let missing: Vec<String> = words(&multiline(&cell.text).to_lowercase())
                    .into_iter()
                    .filter(|w| !pool.contains(w) && w != "o")
                    .collect();
                if !missing.is_empty() {
                    lost.push(format!(
                        "{name}!{} {:?} ({}): {missing:?} not found",
                        katrack::cellref::a1(row.row, cell.col),
                        cell.text,
                        r.kind.label()
                    ));
                }
            }
        }
    }
    lost
}

fn assert_nothing_lost(input: &Input, file: &str) {
    let Some((parsed, findings)) = parse_and_check(input, file) else {
        return;
    };
    let lost = unaccounted(input, &parsed, &findings);
    assert!(lost.is_empty(), "{file}: {lost:#?}");
}

#[test]
fn nothing_is_lost_from_the_samples_and_fixtures() {
    let mut files: Vec<std::path::PathBuf> = [
        "harborough_q1_2020_21.xlsx",
        "harborough_q1_2020_21.csv",
        "harborough_q1_2020_21.json",
        "returns/return_planning.xlsx",
        "returns/return_communities.xlsx",
        "returns/return_governance.csv",
        "returns/return_finance.xlsx",
        "county/northshire_delivery_plan.xlsx",
    ]
    .iter()
    .map(|f| sample(f))
    .collect();
    files.extend(["libreoffice_seed.ods", "libreoffice_seed.xls"].map(data));
    for entry in std::fs::read_dir(data("hostile")).unwrap() {
        let path = entry.unwrap().path();
        let big = path.file_name().is_some_and(|n| n == "zip_bomb.xlsx");
        if path.is_file() && !big && path.extension().is_some_and(|e| e != "py") {
            files.push(path);
        }
    }
    let mut read = 0;
    for path in files {
        let Ok(input) = read::read_path(&path) else {
            continue;
        };
        assert_nothing_lost(&input, &path.display().to_string());
        read += 1;
    }
    assert!(read >= 20, "{read} files read");
}

// ---------------------------------------------------------------------------------------------
// Random trackers, written by katrack and read back.

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[A-Za-z][a-z0-9]{0,9}",
            1 => prop::sample::select(vec![
                "=SUM(A1)", "+44", "-", "@x", "£11,000", "<p>", "&amp;", "\"q\"", "KA.1.2",
                "Choose an item.", "green ", "Amber/Red", "TBC", "CO 3", "THE PLACE: x",
            ])
            .prop_map(str::to_string),
        ],
        0..6,
    )
    .prop_map(|w| w.join(" "))
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(vec!["", "- ", "• ", "o ", "="]),
            line(),
        ),
        0..4,
    )
    .prop_map(|lines| {
        lines
            .into_iter()
            .map(|(lead, l)| format!("{lead}{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn activity() -> impl Strategy<Value = Activity> {
    (
        (0u32..12, 0u32..12, any::<bool>()),
        (line(), line(), text(), text()),
        (line(), line(), line(), line(), line()),
    )
        .prop_map(
            |(
                (o, n, has_id),
                (title, status, progress, next_steps),
                (lead, portfolio, ot, theme, strap),
            )| {
                Activity {
                    id: if has_id {
                        format!("KA.{o:02}.{n:02}")
                    } else {
                        String::new()
                    },
                    title,
                    status,
                    progress,
                    next_steps,
                    lead,
                    portfolio,
                    objective_id: if o == 0 {
                        String::new()
                    } else {
                        format!("CO {o}")
                    },
                    objective_title: ot,
                    theme,
                    theme_strapline: strap,
                    source: None,
                }
            },
        )
}

fn tracker() -> impl Strategy<Value = Tracker> {
    prop::collection::vec(activity(), 0..8).prop_map(crate::it::canonical)
}

// ---------------------------------------------------------------------------------------------
// Random messy sheets, laid out directly.

/// Cell texts real returns are made of, good and bad.
fn cell_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => line(),
        2 => text(),
        2 => prop::sample::select(vec![
            "Key Activities", "Key Activity", "Status", "RAG", "Progress", "Next Steps",
            "Lead Officer", "CMT Lead", "Portfolio", "ID", "Ref", "Objective", "Theme",
            "KA.01.01 Implement the plan", "KA.1.4", "KA.4.3.1 odd", "KA.02.03", "TBC",
            "Green", "green ", "Amber/Red", "Start Later in Year", "Choose an item.",
            "Chief Officer - Governance", "Finanse", "Finance", "CO 1: Keep it great",
            "CO 3 Enable homes", "THE PLACE: a safe place", "Appendix A",
            "Key Activities in Detail", "-----", "Page 2 of 3", "Q1 2020/21",
            "Harborough District Council", "<p>- A.</p><p>- B.</p>", "and powers",
            "source_file", "x.xlsx",
        ])
        .prop_map(str::to_string),
    ]
}

/// A header of the usual columns in some order.
fn header_columns() -> impl Strategy<Value = Vec<String>> {
    Just(HEADER.map(str::to_string).to_vec()).prop_shuffle()
}

fn messy_row() -> impl Strategy<Value = Vec<(u32, String)>> {
    prop_oneof![
        // A header, maybe with a repeated or an unknown column at its end.
        3 => (
            header_columns(),
            prop::option::of(prop::sample::select(vec![
                "Status", "Notes", "Progress", "ID", "Ref", "Objective", "Theme", "source_row",
            ])),
            0usize..7,
        )
            .prop_map(|(mut columns, extra, at)| {
                if let Some(e) = extra {
                    columns.insert(at, e.to_string());
                }
                (0..).zip(columns).collect()
            }),
        // Any cells anywhere in the first ten columns.
        6 => prop::collection::vec((0u32..10, cell_text()), 1..7),
    ]
}

/// Rows (with blank rows between some) and a merged banner now and then.
fn messy_sheet() -> impl Strategy<Value = Sheet> {
    prop::collection::vec((messy_row(), 0u32..3, any::<bool>()), 1..25).prop_map(|rows| {
        let mut out = Vec::new();
        let mut at = 0;
        for (cells, gap, banner) in rows {
            at += gap;
            let mut by_col: std::collections::BTreeMap<u32, String> = Default::default();
            for (col, text) in cells {
                if !text.trim().is_empty() {
                    by_col.entry(col).or_insert(text);
                }
            }
            let mut cells: Vec<Cell> = by_col
                .into_iter()
                .map(|(col, text)| Cell {
                    col,
                    text,
                    merged: false,
                })
                .collect();
            if banner && cells.len() == 1 && cells[0].col == 0 {
                let text = cells[0].text.clone();
                cells.extend((1..7).map(|col| Cell {
                    col,
                    text: text.clone(),
                    merged: true,
                }));
            }
            if !cells.is_empty() {
                out.push(Row { row: at, cells });
                at += 1;
            }
        }
        Sheet {
            name: "Q1".into(),
            hidden: false,
            rows: out,
        }
    })
}

proptest! {
    // Writing and reading workbooks is the slow part; a longer run (cases: 3000) passes too.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn nothing_is_lost_from_random_trackers(t in tracker()) {
        let profile = Profile::default_profile();
        let files = [
            ("t.xlsx", write::tracker_workbook(&t, &profile).unwrap()),
            ("t.csv", write::to_csv(&t).unwrap()),
        ];
        for (name, bytes) in files {
            let ext = name.rsplit('.').next().unwrap();
            match read::read_bytes(bytes, ext) {
                Ok(input) => assert_nothing_lost(&input, name),
                // Only a tracker with no activity may have nothing to read.
                Err(e) => prop_assert!(t.activities.is_empty(), "{name}: {e}"),
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn nothing_is_lost_from_random_messy_sheets(sheet in messy_sheet(), csv in any::<bool>()) {
        let sheet = Sheet { name: if csv { String::new() } else { sheet.name }, ..sheet };
        let input = Input::Sheets {
            format: if csv { Format::Csv } else { Format::Xlsx },
            sheets: vec![sheet],
            title: None,
            subject: None,
        };
        assert_nothing_lost(&input, "messy");
    }

    #[test]
    fn merge_keeps_every_activity_of_the_plan(
        plan in tracker(),
        returned in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 0..10),
        extra in prop::collection::vec(activity(), 0..3),
    ) {
        let profile = Profile::default_profile();
        let mut plan = plan;
        // A plan names each activity once.
        let mut seen = BTreeSet::new();
        plan.activities.retain(|a| !a.id.is_empty() && seen.insert(a.id.clone()));
        // Two returns: some plan activities (some changed), and activities no plan expects.
        let mut first = Vec::new();
        let mut second = Vec::new();
        for (index, changed) in returned {
            if plan.activities.is_empty() {
                break;
            }
            let mut a = index.get(&plan.activities).clone();
            if changed {
                a.status = "Red".into();
                a.progress = "- Changed".into();
            }
            if first.len() <= second.len() { first.push(a) } else { second.push(a) }
        }
        second.extend(extra);
        let parsed: Vec<Parsed> = [first, second]
            .into_iter()
            .map(|activities| {
                let t = Tracker::with_activities(activities);
                let input = read::read_bytes(write::to_json(&t).into_bytes(), "json").unwrap();
                layout::parse(&input, "r.json", &profile, None).unwrap()
            })
            .collect();
        let returns = [
            Return { file: "a.json", parsed: &parsed[0] },
            Return { file: "b.json", parsed: &parsed[1] },
        ];
        let merged = merge::merge(&plan, &returns, &profile, None);
        let master: Vec<&str> = merged.master.activities.iter().map(|a| a.id.as_str()).collect();
        let planned: Vec<&str> = plan.activities.iter().map(|a| a.id.as_str()).collect();
        prop_assert_eq!(&master[..planned.len()], &planned[..], "the plan's activities, in order");
        // Every activity a return holds under an id is in the master.
        for p in &parsed {
            for a in p.tracker.activities.iter().filter(|a| !a.id.is_empty()) {
                prop_assert!(master.contains(&a.id.as_str()), "{} returned but not merged", a.id);
            }
        }
        // Activities nobody returned keep the plan's content.
        for id in &merged.not_returned {
            let in_plan = plan.activities.iter().find(|a| &a.id == id).unwrap();
            let in_master = merged.master.activities.iter().find(|a| &a.id == id).unwrap();
            prop_assert_eq!(&in_master.without_source(), &in_plan.without_source());
        }
    }
}
