//! Every input the fuzzers found a failure with (tests/data/hostile/fuzz/<target>/), replayed
//! through the same target body the fuzzer runs (fuzz/fuzz_targets/targets.rs): none may panic
//! again. Add a crash by copying it from fuzz/artifacts/<target>/ into the matching folder.

#[allow(dead_code)] // the fuzz targets' shared bodies; tests call every one
#[path = "../../../fuzz/fuzz_targets/targets.rs"]
mod targets;

use super::hostile;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let dir = hostile("fuzz").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut n = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| body(&bytes));
        assert!(outcome.is_ok(), "{} panics again", path.display());
        n += 1;
    }
    n
}

#[test]
fn fuzz_crashes_do_not_come_back() {
    let replayed = replay("workbook", targets::workbook)
        + replay("csv", targets::csv)
        + replay("xlsx_parts", targets::xlsx_parts)
        + replay("streamed", targets::streamed)
        + replay("json_stream", targets::json_stream);
    assert!(
        replayed >= 1,
        "the fuzz regressions are in tests/data/hostile/fuzz/"
    );
}

#[test]
fn the_shared_bodies_accept_the_samples() {
    // The seeds the fuzzers start from (fuzz/seed.sh) go through without a failure.
    let sample = |p: &str| std::fs::read(crate::it::sample(p)).unwrap();
    let mut xlsx = vec![0u8];
    xlsx.extend(sample("returns/return_finance.xlsx"));
    targets::workbook(&xlsx);
    targets::csv(&sample("returns/return_governance.csv"));
    targets::csv(&sample("harborough_q1_2020_21.csv"));
    let sheet = br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Status</t></is></c><c r="C1" t="inlineStr"><is><t>Progress</t></is></c></row></sheetData></worksheet>"#;
    let strings = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Key Activities</t></si></sst>"#;
    targets::xlsx_parts(&[&sheet[..], &[0], &strings[..]].concat());
    targets::streamed(&[&sheet[..], &[0], &strings[..]].concat());
    for block in [0u8, 6, 63] {
        targets::json_stream(&[&[block][..], &sample("harborough_q1_2020_21.json")].concat());
    }
}
