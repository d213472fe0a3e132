//! The canonical tracker as text (DESIGN.md §3): JSON for tools, CSV for people with a
//! spreadsheet. Both carry every field unchanged so that import → export → import is the identity.
//!
//! A CSV is opened by spreadsheet programs, which run a cell starting with `=` as a formula
//! (LibreOffice does, quoted or not; Excel also runs `+`, `-` and `@`), and a formula can fetch
//! URLs or, through DDE, start programs ("CSV injection"). So the CSV writer puts an apostrophe
//! before any text a spreadsheet could take for a formula, as OWASP recommends: the program shows
//! `'=1+1` as text. katrack's reader removes that apostrophe again when it reads a table under
//! katrack's own CSV header, so the CSV still reads back to the identical tracker.

use crate::error::{Error, Result};
use crate::model::{FIELDS, Tracker};

/// The CSV columns after the canonical [`FIELDS`]: where each activity was read from.
pub const SOURCE_COLUMNS: [&str; 3] = ["source_file", "source_sheet", "source_row"];

/// The tracker as a pretty-printed `katrack/tracker/v1` JSON document ending with a newline.
///
/// Fields appear in the order of the [`Tracker`] and [`Activity`](crate::Activity) structs; empty
/// document metadata and a missing `source` are left out.
///
/// # Examples
///
/// ```
/// use katrack::{Activity, Tracker};
/// let t = Tracker::with_activities(vec![Activity { id: "KA.08.02".into(), ..Activity::default() }]);
/// let json = katrack::write::to_json(&t);
/// assert!(json.starts_with("{\n  \"schema\": \"katrack/tracker/v1\""));
/// assert_eq!(serde_json::from_str::<Tracker>(&json).unwrap(), t);
/// ```
pub fn to_json(t: &Tracker) -> String {
    let mut text = Vec::new();
    write_json(t, &mut text).expect("a tracker of plain strings always serialises");
    String::from_utf8(text).expect("serde_json writes UTF-8")
}

/// [`to_json`] written to `out` as it is made (a large tracker's text is never held whole).
///
/// # Errors
/// [`Error::Io`] when `out` cannot be written.
pub fn write_json(t: &Tracker, mut out: impl std::io::Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut out, t).map_err(|e| match e.io_error_kind() {
        Some(_) => Error::Io(e.into()),
        None => Error::Write(format!("JSON: {e}")),
    })?;
    Ok(out.write_all(b"\n")?)
}

/// The characters that make a spreadsheet program read a cell as a formula when they start it:
/// `=`, `+`, `-`, `@`, tab, carriage return and line feed, and their full-width forms (which some
/// East Asian locales accept for `=`). The apostrophe is here too, so that text already starting
/// with one keeps it through [`escape_spreadsheet_text`] and [`unescape_spreadsheet_text`].
pub const FORMULA_STARTS: [char; 12] = [
    '=', '+', '-', '@', '\t', '\r', '\n', '\'', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// Text for a CSV cell that no spreadsheet program runs as a formula: an apostrophe is put before
/// text that starts with one of [`FORMULA_STARTS`].
///
/// # Examples
///
/// ```
/// use katrack::write::canonical::{escape_spreadsheet_text, unescape_spreadsheet_text};
/// assert_eq!(escape_spreadsheet_text("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(escape_spreadsheet_text("- Done"), "'- Done");
/// assert_eq!(escape_spreadsheet_text("Green"), "Green");
/// for text in ["=1+1", "'quoted'", "Green", ""] {
///     assert_eq!(unescape_spreadsheet_text(&escape_spreadsheet_text(text)), text);
/// }
/// ```
pub fn escape_spreadsheet_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// The text [`escape_spreadsheet_text`] was given: one leading apostrophe removed.
pub fn unescape_spreadsheet_text(text: &str) -> &str {
    text.strip_prefix('\'').unwrap_or(text)
}

/// The tracker as UTF-8 CSV (no byte-order mark): a header row of the [`FIELDS`] names and the
/// [`SOURCE_COLUMNS`], then one record per activity in order.
///
/// Multi-line progress and next steps are quoted, as spreadsheet programs expect; the source
/// columns are empty for an activity with no source. Document metadata (title, organisation,
/// period) has no place in CSV; use JSON to keep it. Text that starts like a formula (`=`, `+`,
/// `-`, `@`, …: [`FORMULA_STARTS`]) gets a leading apostrophe ([`escape_spreadsheet_text`]), so a
/// bullet list is written `'- Done`; katrack's reader removes it again.
///
/// # Errors
///
/// [`Error::Write`] if the CSV writer fails (it writes to memory, so this does not happen in
/// practice).
///
/// # Examples
///
/// ```
/// use katrack::{Activity, Tracker};
/// let t = Tracker::with_activities(vec![Activity {
///     id: "KA.08.02".into(),
///     progress: "- Meetings held\n- Draft written".into(),
///     ..Activity::default()
/// }]);
/// let csv = String::from_utf8(katrack::write::to_csv(&t).unwrap()).unwrap();
/// assert!(csv.starts_with("id,title,status,progress,"));
/// assert!(csv.contains("\"'- Meetings held\n- Draft written\""));
/// ```
pub fn to_csv(t: &Tracker) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_csv(t, &mut out)?;
    Ok(out)
}

/// [`to_csv`] written to `out` as it is made.
///
/// # Errors
/// [`Error::Io`] when `out` cannot be written.
pub fn write_csv(t: &Tracker, out: impl std::io::Write) -> Result<()> {
    let fail = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(io),
        other => Error::Write(format!("CSV: {other:?}")),
    };
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record(FIELDS.iter().chain(SOURCE_COLUMNS.iter()))
        .map_err(fail)?;
    for activity in &t.activities {
        let (file, sheet, row) = match &activity.source {
            Some(s) => (s.file.as_str(), s.sheet.as_str(), s.row.to_string()),
            None => ("", "", String::new()),
        };
        let fields = FIELDS.iter().map(|f| activity.field(f).unwrap_or(""));
        let record = fields
            .chain([file, sheet, row.as_str()])
            .map(escape_spreadsheet_text);
        writer
            .write_record(record.map(|text| text.into_owned()))
            .map_err(fail)?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Activity, Source};

    fn sample() -> Tracker {
        Tracker {
            title: "Corporate Plan Key Activities".into(),
            organisation: "Harborough District Council".into(),
            period: "2020/21 Q1".into(),
            activities: vec![
                Activity {
                    id: "KA.06.03".into(),
                    title: "Deliver the £1m \"Recovery\" fund, phase 1".into(),
                    status: "Amber".into(),
                    progress: "- Grants paid\n  • 40 businesses\n- Review, \"lessons\"".into(),
                    next_steps: "TBC".into(),
                    lead: "Chief Officer - Finance and Assets".into(),
                    portfolio: "Finance".into(),
                    objective_id: "CO 6".into(),
                    objective_title: "Support businesses".into(),
                    theme: "THE PLACE".into(),
                    theme_strapline: "a safe, enterprising and vibrant place".into(),
                    source: Some(Source {
                        file: "finance.xlsx".into(),
                        sheet: "Returns".into(),
                        row: 12,
                    }),
                },
                Activity {
                    id: "KA.09.01".into(),
                    status: "Green".into(),
                    ..Activity::default()
                },
            ],
            ..Tracker::default()
        }
    }

    #[test]
    fn json_parses_back_equal() {
        let t = sample();
        let json = to_json(&t);
        assert!(json.ends_with("}\n"));
        assert_eq!(serde_json::from_str::<Tracker>(&json).unwrap(), t);
        let id = json.find("\"id\"").unwrap();
        let title = json.find("\"title\": \"Deliver").unwrap();
        let status = json.find("\"status\"").unwrap();
        assert!(id < title && title < status, "fields keep struct order");
    }

    #[test]
    fn csv_has_header_and_one_record_per_activity() {
        let t = sample();
        let bytes = to_csv(&t).unwrap();
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let expected: Vec<&str> = FIELDS
            .iter()
            .chain(SOURCE_COLUMNS.iter())
            .copied()
            .collect();
        assert_eq!(header, expected);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        // A bullet list starts with "-", so it is written with the apostrophe (see escape_…).
        assert_eq!(&records[0][3], format!("'{}", t.activities[0].progress));
        assert_eq!(&records[0][1], t.activities[0].title);
        assert_eq!(&records[0][13], "12");
        assert_eq!(&records[1][11], "", "no source, empty columns");
        assert_eq!(&records[1][13], "");
    }

    #[test]
    fn text_that_starts_like_a_formula_gets_an_apostrophe() {
        for (text, written) in [
            ("=1+1", "'=1+1"),
            ("+44 1858 828282", "'+44 1858 828282"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("\u{FF1D}1+1", "'\u{FF1D}1+1"),
            ("'already quoted", "''already quoted"),
            ("Green", "Green"),
            (" =1", " =1"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(escape_spreadsheet_text(text), written, "{text:?}");
            assert_eq!(unescape_spreadsheet_text(written), text, "{written:?}");
        }
    }

    #[test]
    fn every_csv_cell_is_escaped_including_the_source() {
        let t = Tracker::with_activities(vec![Activity {
            id: "=KA".into(),
            title: "@title".into(),
            source: Some(Source {
                file: "=evil.xlsx".into(),
                sheet: "+Sheet".into(),
                row: 3,
            }),
            ..Activity::default()
        }]);
        let bytes = to_csv(&t).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[0], "'=KA");
        assert_eq!(&record[1], "'@title");
        assert_eq!(&record[11], "'=evil.xlsx");
        assert_eq!(&record[12], "'+Sheet");
        assert_eq!(&record[13], "3");
    }

    #[test]
    fn csv_of_an_empty_tracker_is_just_the_header() {
        let bytes = to_csv(&Tracker::default()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.ends_with("source_row\n"));
    }
}
