//! The child steps: the generators that write the files, and the floors (a bare calamine read,
//! a bare rust_xlsxwriter write), each in a process of its own so its peak memory is its own.

use super::SEED;
use katrack::synth::Synthetic;
use std::path::Path;

/// Writes the files of one size into `dir` (in a child process).
pub(super) fn write_files(n: usize, dir: &Path) {
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
pub(super) fn write_folder(count: usize, per: usize, dir: &Path) {
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

/// The floors, run as children so each has its own peak memory.
pub(super) fn child(args: &[String]) {
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
        // With "write-heights", a height set on each row as katrack's sheets do (its rows of
        // wrapped text): rust_xlsxwriter keeps every row's options until the book is saved.
        [what, csv, out] if what == "write" || what == "write-heights" => {
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
                if what == "write-heights" {
                    ws.set_row_height(row, 45).expect("a row height");
                }
                row += 1;
            }
            book.save(out).expect("save");
        }
        _ => panic!("unknown child step {args:?}"),
    }
}
