//! A plan read beside Appendix A (a canonical JSON document or an xlsx workbook named as a
//! file) must give what the whole plan gives (the same plan on standard input, always read
//! whole): the same workbook byte for byte, the same report, the same messages. These merges
//! write only the workbook, so their returns are set aside (`tests/it/set_aside.rs` holds
//! them against the merge that keeps its returns whole, which reads the plan beside too).

use super::streamed::{reordered_sample, rows_reversed, sheet_rewritten};
use super::{Workdir, root, write_header};
use katrack::check::lay_out_in_parts;
use katrack::profile::Profile;
use katrack::synth::Synthetic;
use katrack::{Activity, Tracker};
use rust_xlsxwriter::{DocProperties, Workbook};
use std::path::{Path, PathBuf};

/// Merges the returns in `folder` with `plan` named as a file, then given on standard input,
/// with and without --period: asserts that both give the same.
fn same_as_whole(w: &Workdir, plan: &Path, folder: &Path, profile: Option<&Path>) {
    for period in [None, Some("2020/21 Q2")] {
        let (a, b) = (w.path("a.xlsx"), w.path("b.xlsx"));
        let mut from_file = w.katrack();
        from_file.arg("merge").arg(folder).arg("--plan").arg(plan);
        from_file.arg("-o").arg(&a).args(["--format", "json"]);
        let mut whole = w.katrack();
        whole
            .arg("merge")
            .arg(folder)
            .args(["--plan", "-", "-o"])
            .arg(&b);
        whole.args(["--format", "json"]);
        whole.write_stdin(std::fs::read(plan).unwrap());
        for c in [&mut from_file, &mut whole] {
            if let Some(p) = profile {
                c.arg("--profile").arg(p);
            }
            if let Some(p) = period {
                c.args(["--period", p]);
            }
        }
        let beside = from_file.output().unwrap();
        let read_whole = whole.output().unwrap();
        let said = String::from_utf8(beside.stderr).unwrap();
        assert_eq!(beside.status.code(), read_whole.status.code(), "{said}");
        assert_eq!(beside.stdout, read_whole.stdout, "{}", plan.display());
        assert_eq!(
            said.replace(a.to_str().unwrap(), b.to_str().unwrap()),
            String::from_utf8(read_whole.stderr).unwrap()
        );
        assert!(said.contains("activities to"), "{said}");
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{}",
            plan.display()
        );
    }
}

/// A large synthetic plan and its returns, one per lead, in `returns/`; every other one in
/// `some/` (the plan gives the rest, progress and all). Gives the synthetic tracker and the
/// path of its profile.
pub(super) fn synthetic_returns(w: &Workdir) -> (Synthetic, PathBuf) {
    let synthetic = Synthetic::generate(1200, 5);
    let profile = w.write("synthetic.toml", &synthetic.profile_toml);
    std::fs::create_dir(w.path("returns")).unwrap();
    std::fs::create_dir(w.path("some")).unwrap();
    for (i, (_, r)) in synthetic.returns_by_lead().iter().enumerate() {
        let xlsx = r.xlsx().unwrap();
        if i % 2 == 0 {
            w.write(&format!("some/r{i:02}.xlsx"), &xlsx);
        }
        w.write(&format!("returns/r{i:02}.xlsx"), xlsx);
    }
    (synthetic, profile)
}

/// Asserts that merging with `plan` (a file that is not a tracker) fails as the whole read
/// does: its error, naming it and --plan, and no master.
fn plan_refused(w: &Workdir, plan: &Path) {
    let out = w.path("refused.xlsx");
    let mut merge = w.katrack();
    merge.arg("merge").arg(root().join("samples/returns"));
    let said = merge
        .arg("--plan")
        .arg(plan)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let said = String::from_utf8(said).unwrap();
    let name = plan.file_name().unwrap().to_str().unwrap();
    assert!(said.contains("--plan") && said.contains(name), "{said}");
    assert!(!out.exists());
}

#[test]
fn a_json_plan_read_beside_the_master_gives_what_the_whole_plan_gives() {
    let w = Workdir::new();
    let (synthetic, profile) = synthetic_returns(&w);
    let synthetic_plan = w.write("synthetic.json", synthetic.json());
    same_as_whole(&w, &synthetic_plan, &w.path("returns"), Some(&profile));
    same_as_whole(&w, &synthetic_plan, &w.path("some"), Some(&profile));
    // The sample plan, and the same plan with its metadata after its activities (read whole).
    let sample = root().join("samples/harborough_q1_2020_21.json");
    let returns = root().join("samples/returns");
    same_as_whole(&w, &sample, &returns, None);
    same_as_whole(&w, &reordered_sample(&w), &returns, None);
    // A plan cut off among its activities: the whole read's error, and no master.
    let text = std::fs::read(&sample).unwrap();
    plan_refused(&w, &w.write("cut.json", &text[..text.len() / 2]));
}

/// A plan workbook of 60 activities under the title row "Corporate Plan Key Activities", with
/// the document title `props_title`; with `second_sheet`, its last 20 activities on a second
/// sheet under the row "Harborough District Council" (the plan's organisation, which the first
/// sheet does not give).
fn odd_plan(props_title: Option<&str>, second_sheet: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    if let Some(t) = props_title {
        wb.set_properties(&DocProperties::new().set_title(t));
    }
    let leads = ["Chief Executive", "Chief Officer - Finance and Commercial"];
    let ws = wb.add_worksheet().set_name("Q1").unwrap();
    ws.write(0, 0, "Corporate Plan Key Activities").unwrap();
    write_header(ws, 1);
    let mut row = 2;
    for i in 0..60u32 {
        if second_sheet && i == 40 {
            let next = wb.add_worksheet().set_name("More").unwrap();
            next.write(0, 0, "Harborough District Council").unwrap();
            write_header(next, 1);
            row = 2;
        }
        let ws = wb.worksheets_mut().last_mut().unwrap();
        write_plan_activity(ws, row, i);
        ws.write(row, 4, leads[(i % 2) as usize]).unwrap();
        row += 1;
    }
    wb.save_to_buffer().unwrap()
}

/// Plan activity `i` in `row`: its id and title, its status (Green) and its progress.
fn write_plan_activity(ws: &mut rust_xlsxwriter::Worksheet, row: u32, i: u32) {
    let id = format!("KA.{:02}.{:02}", i / 10 + 1, i % 10 + 1);
    ws.write(row, 0, format!("{id} Activity {i}")).unwrap();
    ws.write(row, 1, "Green").unwrap();
    ws.write(row, 2, format!("- Progress of activity {i}\n- and more"))
        .unwrap();
}

/// A plan workbook of 60 activities written as katrack writes a master (each cell's text in the
/// sheet, not in shared strings), each two activities' lead in one cell merged over both rows:
/// the second's lead is the merged area's, so a read that misses the area loses it.
fn merged_leads_plan() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb
        .add_worksheet_with_constant_memory()
        .unwrap()
        .set_name("Q1")
        .unwrap();
    ws.write(0, 0, "Corporate Plan Key Activities").unwrap();
    write_header(ws, 1);
    let leads = ["Chief Executive", "Chief Officer - Finance and Commercial"];
    let plain = rust_xlsxwriter::Format::new();
    for i in 0..60u32 {
        let row = 2 + i;
        write_plan_activity(ws, row, i);
        if i % 2 == 0 {
            ws.merge_range(row, 4, row + 1, 4, leads[(i / 2 % 2) as usize], &plain)
                .unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The sample returns merged with the sample plan, into `w`: last quarter's master, to be this
/// quarter's plan (the usual cycle; a workbook of several sheets, Appendix A among them).
fn sample_master(w: &Workdir) -> PathBuf {
    let master = w.path("last_quarter.xlsx");
    w.katrack()
        .arg("merge")
        .arg(root().join("samples/returns"))
        .arg("--plan")
        .arg(root().join("samples/harborough_q1_2020_21.xlsx"))
        .arg("-o")
        .arg(&master)
        .assert()
        .code(1);
    master
}

#[test]
fn an_xlsx_plan_read_beside_the_master_gives_what_the_whole_plan_gives() {
    let w = Workdir::new();
    let (synthetic, profile) = synthetic_returns(&w);
    let synthetic_plan = w.write("synthetic.xlsx", synthetic.xlsx().unwrap());
    same_as_whole(&w, &synthetic_plan, &w.path("returns"), Some(&profile));
    same_as_whole(&w, &synthetic_plan, &w.path("some"), Some(&profile));
    let sample = root().join("samples/harborough_q1_2020_21.xlsx");
    let returns = root().join("samples/returns");
    same_as_whole(&w, &sample, &returns, None);
    // Last quarter's master as this quarter's plan.
    let master = sample_master(&w);
    same_as_whole(&w, &master, &returns, None);
    // Title lines that change once activities have gone to the master: the document's title
    // over the title row, the organisation from a second sheet; and rows out of order. Each is
    // read again whole.
    for (name, bytes) in [
        ("props_title.xlsx", odd_plan(Some("Board Tracker"), false)),
        (
            "props_same.xlsx",
            odd_plan(Some("Corporate Plan Key Activities"), false),
        ),
        ("second_sheet.xlsx", odd_plan(None, true)),
        ("reversed.xlsx", rows_reversed(&synthetic.xlsx().unwrap())),
    ] {
        let plan = w.write(name, bytes);
        let folder = if name == "reversed.xlsx" {
            w.path("returns")
        } else {
            returns.clone()
        };
        let profile = (name == "reversed.xlsx").then_some(profile.as_path());
        same_as_whole(&w, &plan, &folder, profile);
    }
    // Its text in its sheet, as katrack writes a master: its merged areas are found while the
    // returns are read (src/read/prefetch.rs), and they matter here.
    let merged = w.write("merged_leads.xlsx", merged_leads_plan());
    same_as_whole(&w, &merged, &returns, None);
    let spread = lay_out_in_parts(
        &merged,
        "m.xlsx",
        &Profile::default_profile(),
        &mut |_| {},
        &mut |_| {},
        &mut |_| {},
    );
    assert!(spread);
    let plan = super::import(&merged);
    assert_eq!(plan.activities.len(), 60);
    assert!(plan.activities.iter().all(|a| !a.lead.is_empty()));
    // A workbook cut short, one whose sheet breaks off after many of its activities have gone
    // to the master, and one with no tracker table: the whole read's error, no master.
    let bytes = std::fs::read(&sample).unwrap();
    plan_refused(&w, &w.write("cut.xlsx", &bytes[..bytes.len() / 2]));
    let broken = sheet_rewritten(&synthetic.xlsx().unwrap(), |mut xml| {
        xml.truncate(xml.len() * 3 / 5);
        xml
    });
    plan_refused(&w, &w.write("broken_midway.xlsx", broken));
    let mut empty = Workbook::new();
    empty.add_worksheet().write(0, 0, "Nothing here").unwrap();
    plan_refused(
        &w,
        &w.write("no_table.xlsx", empty.save_to_buffer().unwrap()),
    );
}

/// [`lay_out_in_parts`](katrack::check::lay_out_in_parts) of `path`: whether it read to its
/// end, the title lines sent, and the activities, joined.
fn in_parts(path: &Path, profile: &Profile) -> (bool, Vec<Tracker>, Vec<Activity>) {
    let (mut metas, mut activities, mut parts) = (Vec::new(), Vec::new(), 0);
    let done = lay_out_in_parts(
        path,
        "plan.xlsx",
        profile,
        &mut |t| metas.push(t.clone()),
        &mut |_| {},
        &mut |batch| {
            parts += 1;
            activities.extend(batch);
        },
    );
    assert!(parts > 0 || activities.is_empty());
    (done, metas, activities)
}

#[test]
fn an_xlsx_plan_laid_out_in_parts_is_the_whole_read_or_says_it_is_not() {
    let w = Workdir::new();
    let synthetic = Synthetic::generate(1200, 5);
    let synthetic_profile = synthetic.profile();
    let default = Profile::default_profile();
    let sample = root().join("samples/harborough_q1_2020_21.xlsx");
    let master = sample_master(&w);
    let streamed = [
        (
            w.write("synthetic.xlsx", synthetic.xlsx().unwrap()),
            &synthetic_profile,
        ),
        (sample, &default),
        (master, &default),
        (
            w.write(
                "props_same.xlsx",
                odd_plan(Some("Corporate Plan Key Activities"), false),
            ),
            &default,
        ),
    ];
    for (path, profile) in streamed {
        let (done, metas, activities) = in_parts(&path, profile);
        assert!(done, "{}", path.display());
        let whole = katrack::layout::parse(
            &katrack::read::read_path(&path).unwrap(),
            "plan.xlsx",
            profile,
            None,
        )
        .unwrap()
        .tracker;
        assert_eq!(metas, [whole.title_lines()], "{}", path.display());
        assert_eq!(activities, whole.activities, "{}", path.display());
    }
    // The synthetic plan came in more than one part: activities went before the end.
    let mut parts = 0;
    lay_out_in_parts(
        &w.path("synthetic.xlsx"),
        "plan.xlsx",
        &synthetic_profile,
        &mut |_| {},
        &mut |_| {},
        &mut |_| parts += 1,
    );
    assert!(parts > 1, "{parts}");
    // Every activity is handed to `trim` before it goes out, whichever part it is in (as a
    // merge drops the plan's progress of the activities a return gives).
    let odd = |a: &Activity| a.id.ends_with(['1', '3', '5', '7', '9']);
    let mut trimmed = Vec::new();
    lay_out_in_parts(
        &w.path("synthetic.xlsx"),
        "plan.xlsx",
        &synthetic_profile,
        &mut |_| {},
        &mut |a| {
            if odd(a) {
                a.progress.clear();
            }
        },
        &mut |batch| trimmed.extend(batch),
    );
    let (_, _, mut whole) = in_parts(&w.path("synthetic.xlsx"), &synthetic_profile);
    for a in whole.iter_mut().filter(|a| odd(a)) {
        a.progress.clear();
    }
    assert!(whole.iter().any(|a| a.progress.is_empty()));
    assert_eq!(trimmed, whole);
    for (bytes, profile) in [
        (odd_plan(Some("Board Tracker"), false), &default),
        (odd_plan(None, true), &default),
        (
            rows_reversed(&synthetic.xlsx().unwrap()),
            &synthetic_profile,
        ),
        (
            sheet_rewritten(&synthetic.xlsx().unwrap(), |mut xml| {
                xml.truncate(xml.len() * 3 / 5);
                xml
            }),
            &synthetic_profile,
        ),
    ] {
        let path = w.write("odd.xlsx", bytes);
        assert!(!in_parts(&path, profile).0);
    }
}
