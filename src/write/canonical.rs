//! The canonical tracker as text (DESIGN.md §3): JSON for tools, CSV for people with a
//! spreadsheet. Both carry every field unchanged so that import → export → import is the identity.

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
    let mut text =
        serde_json::to_string_pretty(t).expect("a tracker of plain strings always serialises");
    text.push('\n');
    text
}

/// The tracker as UTF-8 CSV (no byte-order mark): a header row of the [`FIELDS`] names and the
/// [`SOURCE_COLUMNS`], then one record per activity in order.
///
/// Multi-line progress and next steps are quoted, as spreadsheet programs expect; the source
/// columns are empty for an activity with no source. Document metadata (title, organisation,
/// period) has no place in CSV; use JSON to keep it.
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
/// assert!(csv.contains("\"- Meetings held\n- Draft written\""));
/// ```
pub fn to_csv(t: &Tracker) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::Write(format!("CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(FIELDS.iter().chain(SOURCE_COLUMNS.iter()))
        .map_err(fail)?;
    for activity in &t.activities {
        let (file, sheet, row) = match &activity.source {
            Some(s) => (s.file.as_str(), s.sheet.as_str(), s.row.to_string()),
            None => ("", "", String::new()),
        };
        let fields = FIELDS.iter().map(|f| activity.field(f).unwrap_or(""));
        writer
            .write_record(fields.chain([file, sheet, row.as_str()]))
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| Error::Write(format!("CSV: {}", e.error())))
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
        assert_eq!(&records[0][3], t.activities[0].progress);
        assert_eq!(&records[0][1], t.activities[0].title);
        assert_eq!(&records[0][13], "12");
        assert_eq!(&records[1][11], "", "no source, empty columns");
        assert_eq!(&records[1][13], "");
    }

    #[test]
    fn csv_of_an_empty_tracker_is_just_the_header() {
        let bytes = to_csv(&Tracker::default()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.ends_with("source_row\n"));
    }
}
