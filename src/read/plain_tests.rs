//! The plain reader against calamine: the same cells and properties whenever it answers.

use super::*;
use calamine::DataRef;
use rust_xlsxwriter::{Format, Workbook};

/// What calamine reads of the one sheet: (row, column, text) of every shared string cell,
/// and the title and subject; `None` when a cell is anything else.
/// (row, column, text) of each cell.
type Texts = Vec<(u32, u32, String)>;

/// [`read_plain_on`] with two threads.
fn read_plain(path: &Path, sheet: Option<&str>, spill_after: usize) -> Option<Plain> {
    read_plain_on(path, sheet, spill_after, true)
}

fn by_calamine(path: &Path, sheet: &str) -> Option<(Texts, Properties)> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).ok()?;
    let props = Properties::of(book.workbook_properties().ok());
    let mut reader = book.worksheet_cells_reader(sheet).ok()?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().ok()? {
        let (row, col) = cell.get_position();
        match cell.get_value() {
            DataRef::SharedString(s) => cells.push((row, col, s.to_string())),
            DataRef::Empty => {}
            _ => return None,
        }
    }
    Some((cells, props))
}

fn cells_of(plain: &Plain) -> Texts {
    let mut cells = Vec::new();
    plain
        .each_text(&mut |row, col, text| cells.push((row, col, text.to_string())))
        .expect("the spilled strings read back");
    cells
}

/// Reads `path` both ways: they agree whenever the plain read answers, with its shared strings
/// held or every long one spilled.
fn same_as_calamine(path: &Path) -> bool {
    let Some(plain) = read_plain(path, None, usize::MAX) else {
        return false;
    };
    let name = &plain.sheets[plain.read].0;
    let (cells, props) = by_calamine(path, name).expect("calamine reads a plain workbook");
    assert_eq!(cells_of(&plain), cells, "{}", path.display());
    let spilled = read_plain(path, None, 0).expect("plain with its strings spilled");
    assert_eq!(cells_of(&spilled), cells, "{} spilled", path.display());
    let one = read_plain_on(path, None, 0, false).expect("plain on one thread");
    assert_eq!(cells_of(&one), cells, "{} on one thread", path.display());
    assert_eq!(
        (&plain.props.title, &plain.props.subject),
        (&props.title, &props.subject),
        "{}",
        path.display()
    );
    true
}

fn save(dir: &Path, name: &str, build: impl FnOnce(&mut Workbook)) -> std::path::PathBuf {
    let mut wb = Workbook::new();
    build(&mut wb);
    let path = dir.join(name);
    wb.save(&path).unwrap();
    path
}

#[test]
fn a_plain_workbook_reads_as_calamine_reads_it_and_any_other_is_left_to_calamine() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let bold = Format::new().set_bold();
    let plain = save(dir, "plain.xlsx", |wb| {
        wb.set_properties(
            &rust_xlsxwriter::DocProperties::new()
                .set_title("Key Activities & more")
                .set_subject("2020/21 Q1"),
        );
        let ws = wb.add_worksheet().set_name("Q1 <1>").unwrap();
        ws.write(0, 0, "  padded  ").unwrap();
        ws.write(1, 0, "a & b < c\nline two\n\"three\"").unwrap();
        ws.write_rich_string(1, 2, &[(&bold, "Rich "), (&Format::new(), "text")])
            .unwrap();
        ws.write(2, 1, "").unwrap();
        ws.write_blank(3, 3, &bold).unwrap();
        ws.merge_range(4, 0, 4, 3, "Banner", &bold).unwrap();
        ws.write(700, 16383, "far").unwrap();
        // Long strings (spilled when asked), some used again out of order.
        for i in 0..200u32 {
            let k = (i * 7) % 37;
            ws.write(10 + i, 1, format!("Étape {k} — ").repeat(10 + k as usize))
                .unwrap();
        }
        let lists = wb.add_worksheet().set_name("Lists").unwrap();
        lists.write(0, 0, "Green").unwrap();
        lists.set_hidden(true);
    });
    assert!(same_as_calamine(&plain));
    // Every long string spilled but those held when asked to spill after 10 KB of them.
    let spilled = |after| {
        read_plain(&plain, None, after)
            .unwrap()
            .strings
            .spilled_len()
    };
    let long: usize = (0..37)
        .map(|k| format!("Étape {k} — ").len() * (10 + k))
        .sum();
    assert_eq!(spilled(0) as usize, long);
    assert!((1..long - 10_000).contains(&(spilled(10_000) as usize)));
    assert_eq!(spilled(usize::MAX), 0);
    let read = read_plain(&plain, None, usize::MAX).unwrap();
    assert_eq!(
        read.sheets,
        [("Q1 <1>".into(), false), ("Lists".into(), true)]
    );
    assert_eq!(read.merges.len(), 1);
    // Named, the hidden sheet is the one read.
    let named = read_plain(&plain, Some("Lists"), usize::MAX).unwrap();
    assert_eq!(
        (named.sheets, named.read),
        (vec![("Lists".into(), true)], 0)
    );

    type Build = fn(&mut Workbook);
    let not_plain: [(&str, Build); 5] = [
        ("number", |wb| {
            wb.add_worksheet().write(0, 0, 12.5).unwrap();
        }),
        ("formula", |wb| {
            wb.add_worksheet().write_formula(0, 0, "=1+1").unwrap();
        }),
        ("boolean", |wb| {
            wb.add_worksheet().write(0, 0, true).unwrap();
        }),
        ("escape", |wb| {
            wb.add_worksheet().write(0, 0, "a_x000D_b").unwrap();
        }),
        ("two sheets", |wb| {
            wb.add_worksheet().write(0, 0, "one").unwrap();
            wb.add_worksheet().write(0, 0, "two").unwrap();
        }),
    ];
    for (name, build) in not_plain {
        let path = save(dir, &format!("{name}.xlsx"), build);
        assert!(read_plain(&path, None, usize::MAX).is_none(), "{name}");
    }
}

#[test]
fn every_workbook_of_the_repository_reads_as_calamine_reads_it_when_plain() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["samples", "tests/data"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "xlsx") {
                    files.push(p);
                }
            }
        }
    }
    let plain = files
        .iter()
        .filter(|p| !p.ends_with("zip_bomb.xlsx"))
        .filter(|p| same_as_calamine(p))
        .count();
    assert!(plain >= 5, "{plain} plain workbooks compared");
}
