//! A single xlsx is checked while it is read (`katrack::check`); its findings must be exactly
//! those of reading it whole, laying it out and running the rules.

use super::{Workdir, data, root, write_header};
use katrack::check::check_streamed;
use katrack::finding::Finding;
use katrack::profile::Profile;
use katrack::rules::{self, Context, Return};
use katrack::synth::Synthetic;
use rust_xlsxwriter::{Format, Workbook};
use std::path::{Path, PathBuf};

/// Reading whole: (findings, activities), or the error's text.
fn whole(
    path: &Path,
    profile: &Profile,
    ctx: Context,
    sheet: Option<&str>,
) -> Result<(Vec<Finding>, usize), String> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let input = katrack::read::read_path(path).map_err(|e| e.to_string())?;
    let parsed =
        katrack::layout::parse(&input, &name, profile, sheet).map_err(|e| e.to_string())?;
    let ret = Return {
        file: &name,
        parsed: &parsed,
    };
    Ok((rules::check(ret, &ctx), parsed.tracker.activities.len()))
}

/// Checks `path` both ways; returns whether it was streamed.
fn same_both_ways(path: &Path, profile: &Profile, ctx: Context, sheet: Option<&str>) -> bool {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    // Laid out while read (import, merge): the very same layout, rows and sheets included.
    let whole_layout = katrack::read::read_path(path)
        .and_then(|input| katrack::layout::parse(&input, &name, profile, sheet))
        .map_err(|e| e.to_string());
    match katrack::check::lay_out_streamed(path, &name, profile, sheet) {
        Ok(None) => {}
        Ok(Some(p)) => {
            let w = whole_layout.as_ref().expect("streamed, so readable whole");
            assert_eq!(p.tracker, w.tracker, "{}", path.display());
            assert_eq!(p.cells, w.cells, "{}", path.display());
            assert_eq!(p.findings, w.findings, "{}", path.display());
            assert_eq!(p.rows, w.rows, "{}", path.display());
            assert_eq!(p.sheets, w.sheets, "{}", path.display());
            // Without the report of each row (merge, import without --explain): all the rest.
            let quiet = katrack::check::lay_out_streamed_without_rows(path, &name, profile, sheet)
                .unwrap()
                .expect("streamed as before");
            assert!(quiet.rows.is_empty() && !w.rows.is_empty());
            assert_eq!(
                (&quiet.tracker, &quiet.cells, &quiet.findings, &quiet.sheets),
                (&w.tracker, &w.cells, &w.findings, &w.sheets),
                "{}",
                path.display()
            );
        }
        Err(e) => assert_eq!(
            Err(e.to_string()),
            whole_layout.map(|_| ()),
            "{}",
            path.display()
        ),
    }
    let expected = whole(path, profile, ctx, sheet);
    // On one thread and on three: the same.
    let one =
        check_streamed(path, &name, ctx, sheet, 1).map(|s| s.map(|s| (s.findings, s.activities)));
    let three = check_streamed(path, &name, ctx, sheet, 3);
    assert_eq!(
        one.map_err(|e| e.to_string()),
        three
            .as_ref()
            .map(|s| s.as_ref().map(|s| (s.findings.clone(), s.activities)))
            .map_err(ToString::to_string),
        "{}",
        path.display()
    );
    match three {
        Ok(None) => false,
        Ok(Some(s)) => {
            let (findings, activities) = expected.unwrap_or_else(|e| {
                panic!(
                    "{}: streamed, but the whole read failed: {e}",
                    path.display()
                )
            });
            assert_eq!(s.activities, activities, "{}", path.display());
            assert_eq!(s.findings, findings, "{}", path.display());
            true
        }
        Err(e) => {
            assert_eq!(
                Err(e.to_string()),
                expected.map(|_| ()),
                "{}",
                path.display()
            );
            true
        }
    }
}

fn xlsx_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            xlsx_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "xlsx") {
            out.push(path);
        }
    }
}

/// A sheet with merged areas down and across, a gap the merges fill, and one below the last
/// row; a hidden sheet; a second table sheet.
fn merged_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let f = Format::new();
    let ws = wb.add_worksheet().set_name("Q1").unwrap();
    ws.write(0, 0, "Key Activities Q1 2020/21").unwrap();
    write_header(ws, 2);
    ws.merge_range(3, 0, 3, 5, "CO 1 - Economy", &f).unwrap();
    for r in 4..9u32 {
        ws.write(r, 0, format!("KA.01.0{} Activity {r}", r - 3))
            .unwrap();
        ws.write(r, 1, "Green").unwrap();
        ws.write(r, 2, format!("- Progress {r}")).unwrap();
    }
    // The lead of three activities in one merged cell; a portfolio merged over a row with no
    // cells of its own (row 10 is only the merge's) and past the last row.
    ws.merge_range(4, 4, 6, 4, "Chief Executive", &f).unwrap();
    ws.merge_range(7, 5, 11, 5, "Strategy", &f).unwrap();
    ws.write(9, 2, "- continued").unwrap();
    let lists = wb.add_worksheet().set_name("Lists").unwrap();
    lists.write(0, 0, "KA.09.09 hidden").unwrap();
    lists.set_hidden(true);
    let q2 = wb.add_worksheet().set_name("Q2").unwrap();
    write_header(q2, 0);
    q2.write(1, 0, "KA.02.01 Second sheet").unwrap();
    q2.write(1, 1, "Choose an item.").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_checked_while_read_has_the_findings_of_the_whole_read() {
    let profile = Profile::default_profile();
    let plan = super::import(&root().join("samples/harborough_q1_2020_21.json"));
    let w = Workdir::new();
    let mut files = Vec::new();
    xlsx_under(&root().join("samples"), &mut files);
    xlsx_under(&data(""), &mut files);
    files.push(w.write("merged.xlsx", merged_workbook()));
    let synth = Synthetic::generate(1500, 7);
    files.push(w.write("synthetic.xlsx", synth.xlsx().unwrap()));
    // katrack's own workbooks: an annotated copy (a findings sheet first) and a template
    // (a hidden Lists sheet).
    w.katrack()
        .args(["check", "--annotate"])
        .arg(w.path("annotated"))
        .arg(root().join("samples/returns/return_finance.xlsx"))
        .assert()
        .code(1);
    xlsx_under(&w.path("annotated"), &mut files);
    w.katrack()
        .arg("template")
        .arg(root().join("samples/harborough_q1_2020_21.json"))
        .arg("-o")
        .arg(w.path("templates"))
        .assert()
        .success();
    xlsx_under(&w.path("templates"), &mut files);
    let mut streamed = 0;
    for path in &files {
        let synthetic = path.ends_with("synthetic.xlsx");
        let p = if synthetic {
            synth.profile()
        } else {
            profile.clone()
        };
        for (plan, sheet) in [(None, None), (Some(&plan), None), (None, Some("q2"))] {
            let ctx = Context {
                profile: &p,
                plan,
                previous: plan,
            };
            streamed += usize::from(same_both_ways(path, &p, ctx, sheet));
        }
    }
    // Every zip workbook is streamed (not the four that are zero bytes, text or encrypted, nor
    // the truncated zip, whose directory the whole read explains), but with --sheet only
    // merged.xlsx, the one with a Q2 sheet ("no sheet named" comes from the whole read), and the
    // zip bomb, refused before a sheet is chosen.
    assert_eq!(streamed, 2 * (files.len() - 5) + 2);
}

/// A large workbook's long shared strings go to a temporary file as it is read
/// (`src/read/strings.rs`); where none can be made, the same report comes all the same.
#[test]
fn a_workbook_checked_where_no_temporary_file_can_be_made_gives_the_same_report() {
    let w = Workdir::new();
    let synth = Synthetic::generate(1500, 7);
    let path = w.write("synthetic.xlsx", synth.xlsx().unwrap());
    let profile = w.write("synthetic.toml", &synth.profile_toml);
    let run = |temp: &Path| {
        let out = w
            .katrack()
            .arg("check")
            .arg(&path)
            .arg("--profile")
            .arg(&profile)
            .args(["--format", "json"])
            .env("TMPDIR", temp)
            .output()
            .unwrap();
        let said = (out.stdout, out.stderr);
        (
            out.status.code(),
            said.0,
            String::from_utf8(said.1).unwrap(),
        )
    };
    let held = run(&w.path(""));
    assert!(String::from_utf8_lossy(&held.1).contains("\"findings\""));
    assert_eq!(run(&w.path("no such folder")), held);
}

/// Workbook `good` with its first sheet's XML replaced by `rewrite` of it.
pub(super) fn sheet_rewritten(good: &[u8], rewrite: impl Fn(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(good)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut text).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            text = rewrite(text);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, &text).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Workbook `good` with its first sheet's rows in reverse order (calamine gives them in file
/// order, so a streamed read leaves such a file to the whole read).
pub(super) fn rows_reversed(good: &[u8]) -> Vec<u8> {
    sheet_rewritten(good, |text| {
        let s = String::from_utf8(text).unwrap();
        let (head, rest) = s.split_once("<sheetData>").unwrap();
        let (rows, tail) = rest.split_once("</sheetData>").unwrap();
        let mut rows: Vec<String> = rows
            .split("</row>")
            .filter(|r| !r.is_empty())
            .map(|r| format!("{r}</row>"))
            .collect();
        rows.reverse();
        format!("{head}<sheetData>{}</sheetData>{tail}", rows.concat()).into_bytes()
    })
}

#[test]
fn rows_out_of_order_are_read_whole() {
    // An xlsx whose rows come bottom row first: calamine gives them in file order.
    let good = Synthetic::generate(20, 3).xlsx().unwrap();
    let w = Workdir::new();
    let path = w.write("reversed.xlsx", rows_reversed(&good));
    let s = Synthetic::generate(20, 3);
    let p = s.profile();
    let ctx = Context {
        profile: &p,
        plan: None,
        previous: None,
    };
    assert!(
        check_streamed(&path, "reversed.xlsx", ctx, None, 2)
            .unwrap()
            .is_none()
    );
    let (_, activities) = whole(&path, &p, ctx, None).unwrap();
    assert_eq!(activities, 20, "read whole, every activity is there");
}

/// `katrack export` of a JSON tracker streams it; from standard input it reads it whole. The
/// workbooks must be the same, byte for byte.
/// The sample tracker as JSON with its metadata after its activities, written into `w`: a
/// document the whole read takes and the stream leaves to it.
pub(super) fn reordered_sample(w: &Workdir) -> PathBuf {
    let sample = root().join("samples/harborough_q1_2020_21.json");
    let text = std::fs::read_to_string(&sample).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let activities = doc.as_object_mut().unwrap().remove("activities").unwrap();
    let mut reordered = serde_json::Map::new();
    reordered.insert("activities".into(), activities);
    reordered.extend(doc.as_object().unwrap().clone());
    w.write("reordered.json", serde_json::to_string(&reordered).unwrap())
}

#[test]
fn a_json_tracker_exported_as_it_is_read_gives_the_same_workbook() {
    let w = Workdir::new();
    let synthetic = w.write("synthetic.json", Synthetic::generate(1500, 11).json());
    let sample = root().join("samples/harborough_q1_2020_21.json");
    // Metadata after the activities: not streamed, exported whole all the same.
    let reordered = reordered_sample(&w);
    for (i, input) in [sample, synthetic, reordered].iter().enumerate() {
        for period in [None, Some("2020/21 Q2")] {
            let (a, b) = (w.path(&format!("a{i}.xlsx")), w.path(&format!("b{i}.xlsx")));
            let mut streamed = w.katrack();
            streamed.arg("export").arg(input).arg("-o").arg(&a);
            let mut whole = w.katrack();
            whole.args(["export", "-", "-o"]).arg(&b);
            whole.write_stdin(std::fs::read(input).unwrap());
            if let Some(p) = period {
                streamed.args(["--period", p]);
                whole.args(["--period", p]);
            }
            let said = streamed.assert().success().get_output().stderr.clone();
            whole.assert().success().stderr(
                String::from_utf8(said)
                    .unwrap()
                    .replace(a.to_str().unwrap(), b.to_str().unwrap()),
            );
            assert_eq!(
                std::fs::read(&a).unwrap(),
                std::fs::read(&b).unwrap(),
                "{}",
                input.display()
            );
        }
    }
}

/// Rows of a sheet: each a list of (column, text).
fn rows(cells: &[&[(u32, &str)]]) -> Vec<katrack::read::Row> {
    (0u32..)
        .zip(cells)
        .map(|(row, cells)| katrack::read::Row {
            row,
            cells: cells
                .iter()
                .map(|&(col, text)| katrack::read::Cell {
                    col,
                    text: text.to_string(),
                    merged: false,
                })
                .collect(),
        })
        .collect()
}

#[test]
fn progress_is_cleaned_once_and_the_text_as_written_is_kept_whichever_thread_cleans_it() {
    let profile = Profile::default_profile();
    let header: Vec<(u32, &str)> = (0u32..).zip(super::HEADER).collect();
    let sheet = rows(&[
        &header,
        &[
            (0, "KA.01.01 Plan"),
            (1, "Green"),
            (2, "- one - Two  three"),
        ],
        &[(0, "KA.01.02 Build"), (1, "Amber"), (2, "- five - Six")],
        // A continuation row: its progress joins the activity's.
        &[(2, "- seven")],
        &[(0, "KA.01.03 Open"), (1, "Red"), (2, "Already clean.")],
        &[(0, "KA.01.04 Close"), (1, "Red"), (2, "- eight - Nine")],
    ]);
    let mut layout = katrack::layout::Layout::new("t.xlsx", &profile, false, false);
    layout.begin_sheet("Q1", false);
    let mut parts = Vec::new();
    for row in &sheet {
        layout.row(row);
        parts.extend(layout.take_done());
    }
    // Taken while the layout goes on, the long text is cleaned by whoever takes the part.
    assert_eq!(
        parts.len(),
        3,
        "KA.01.01 to KA.01.03 are done before the last row"
    );
    let cleaned: Vec<katrack::layout::Parsed> = parts.into_iter().map(|d| d.cleaned()).collect();
    let last = layout.finish(None, None).unwrap();
    let input = katrack::read::Input::Sheets {
        format: katrack::read::Format::Xlsx,
        sheets: vec![katrack::read::Sheet {
            name: "Q1".into(),
            hidden: false,
            rows: sheet.clone(),
        }],
        title: None,
        subject: None,
    };
    let whole = katrack::layout::parse(&input, "t.xlsx", &profile, None).unwrap();
    let streamed_activities: Vec<_> = cleaned
        .iter()
        .chain([&last])
        .flat_map(|p| p.tracker.activities.clone())
        .collect();
    let streamed_cells: Vec<_> = cleaned
        .iter()
        .chain([&last])
        .flat_map(|p| p.cells.clone())
        .collect();
    assert_eq!(streamed_activities, whole.tracker.activities);
    assert_eq!(streamed_cells, whole.cells);
    let a = &whole.tracker.activities;
    let raw = |i: usize| whole.cells[i].raw("progress");
    assert_eq!(a[0].progress, "- one\n- Two three");
    assert_eq!(raw(0), Some("- one - Two  three"));
    assert_eq!(a[1].progress, "- five\n- Six\n- seven");
    assert_eq!(raw(1), Some("- five - Six"));
    assert_eq!(a[2].progress, "Already clean.");
    assert_eq!(raw(2), None);
    assert_eq!(a[3].progress, "- eight\n- Nine");
    assert_eq!(raw(3), Some("- eight - Nine"));
}
