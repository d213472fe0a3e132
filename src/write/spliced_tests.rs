//! Tests of a sheet's rows put into a saved workbook (`spliced.rs`); that the workbook is the
//! one rust_xlsxwriter writes is held in `tracker_xlsx_tests.rs` and the summary's tests.

use super::*;

#[test]
fn the_row_repeated_at_the_end_is_dropped_and_only_it() {
    let repeated = r#"<sheetData><row r="3"><c r="A3"/></row><row r="4" ht="21" customHeight="1"><c r="A4"/></row><row r="4" ht="21" customHeight="1"/>"#;
    let kept = &repeated[..repeated.rfind("<row").unwrap()];
    assert_eq!(without_repeated_last_row(repeated), kept);
    // Not repeated: an empty row of its own, a row with cells, no rows at all.
    for head in [
        r#"<sheetData><row r="3"><c r="A3"/></row><row r="4" ht="21" customHeight="1"/>"#,
        r#"<sheetData><row r="3"><c r="A3"/></row><row r="4"><c r="A4"/></row>"#,
        r#"<sheetData><row r="14" ht="21" customHeight="1"/>"#,
        "<sheetData>",
    ] {
        assert_eq!(without_repeated_last_row(head), head);
    }
}

#[test]
fn the_dimension_reaches_the_rows_put_in() {
    let head = r#"<worksheet><dimension ref="A1:K4"/><sheetData>"#;
    let widened = |row, col| super::widened(head, row, col).unwrap();
    assert!(widened(99, 10).contains(r#"<dimension ref="A1:K100"/>"#));
    assert!(widened(2, 3).contains(r#"<dimension ref="A1:K4"/>"#));
    assert!(widened(9, 12).contains(r#"<dimension ref="A1:M10"/>"#));
    let one = r#"<dimension ref="B2"/>"#;
    assert!(super::widened(one, 1, 1).unwrap().contains(r#"ref="B2""#));
    assert!(
        super::widened(one, 5, 1)
            .unwrap()
            .contains(r#"ref="B2:B6""#)
    );
    assert_eq!(super::widened("<sheetData>", 5, 1), None);
}

#[test]
fn merged_areas_go_where_the_schema_wants_them() {
    let merges = [(4, 0, 6), (9, 0, 6)];
    let ours = r#"<mergeCell ref="A5:G5"/><mergeCell ref="A10:G10"/>"#;
    let tail = r#"</sheetData><printOptions horizontalCentered="1"/><pageMargins/></worksheet>"#;
    assert_eq!(
        with_merges(tail, &merges).unwrap(),
        format!(
            r#"</sheetData><mergeCells count="2">{ours}</mergeCells><printOptions horizontalCentered="1"/><pageMargins/></worksheet>"#
        )
    );
    // After an autofilter, before the page margins.
    let tail = r#"</sheetData><autoFilter ref="A4:K4"/><pageMargins/></worksheet>"#;
    let with = with_merges(tail, &merges).unwrap();
    assert!(
        with.contains(r#"<autoFilter ref="A4:K4"/><mergeCells count="2">"#),
        "{with}"
    );
    // Some already merged: counted in, ours after theirs.
    let tail = r#"</sheetData><mergeCells count="1"><mergeCell ref="A1:G1"/></mergeCells><pageMargins/></worksheet>"#;
    assert_eq!(
        with_merges(tail, &merges).unwrap(),
        format!(
            r#"</sheetData><mergeCells count="3"><mergeCell ref="A1:G1"/>{ours}</mergeCells><pageMargins/></worksheet>"#
        )
    );
    assert_eq!(with_merges(tail, &[]).unwrap(), tail);
}

/// Takes `left` bytes, then fails every write.
struct FailingAfter {
    left: usize,
}

impl Write for FailingAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("the disk is full"));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn an_output_that_fails_part_way_is_an_error_not_a_panic() {
    let profile = crate::profile::Profile::default_profile();
    let t = crate::synth::Synthetic::generate(300, 7).tracker;
    let mut whole = Vec::new();
    crate::write::write_tracker_workbook(&mut whole, &t, &t.activities, &profile).unwrap();
    for left in [0, 100, whole.len() / 2, whole.len() - 10] {
        let out = FailingAfter { left };
        let err = crate::write::write_tracker_workbook(out, &t, &t.activities, &profile)
            .unwrap_err()
            .to_string();
        assert!(err.contains("the disk is full"), "{left}: {err}");
    }
}
