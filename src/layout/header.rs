//! Header rows: which physical column holds which canonical field, found by the profile's
//! synonyms (compared ignoring case, spaces and punctuation).

use crate::model::FIELDS;
use crate::profile::Profile;
use crate::read::Row;
use std::collections::BTreeMap;

/// Provenance columns of katrack's own CSV, read back so a round trip keeps `source`.
pub const SOURCE_FIELDS: [&str; 3] = ["source_file", "source_sheet", "source_row"];

/// Where each field is in the current table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Canonical field (or a `SOURCE_FIELDS` name) → 0-based column.
    pub columns: BTreeMap<&'static str, u32>,
    /// Columns whose header names a field an earlier column already has: column → field. Only
    /// the first column is read; text under a repeated one is reported.
    pub repeated: BTreeMap<u32, &'static str>,
    /// 0-based row of the header.
    pub row: u32,
    /// The header is exactly katrack's own canonical CSV header (the field names, then the
    /// source columns), so its cells may carry the apostrophe katrack's CSV writer puts before
    /// text a spreadsheet program would run as a formula; see [`crate::write::canonical`].
    pub canonical: bool,
}

impl Header {
    /// The column of a field, when the table has it.
    pub fn col(&self, field: &str) -> Option<u32> {
        self.columns.get(field).copied()
    }

    /// The field a column holds, when it is mapped.
    pub fn field_at(&self, col: u32) -> Option<&'static str> {
        self.columns
            .iter()
            .find(|(_, c)| **c == col)
            .map(|(f, _)| *f)
    }

    /// A cell's text as the officer meant it: in katrack's own CSV, without the apostrophe that
    /// kept it from being read as a formula.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        if self.canonical {
            crate::write::canonical::unescape_spreadsheet_text(text)
        } else {
            text
        }
    }
}

/// A comparison key for header text: letters and digits only, lower case.
fn key(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

/// Every name a header cell may give a field, as comparison keys: the canonical field names,
/// the profile's synonyms, then katrack's source columns. Built once per profile.
#[derive(Debug, Clone, Default)]
pub struct HeaderKeys {
    /// Sorted by key, looked up by binary search.
    fields: Vec<(String, &'static str)>,
    /// The longest key, in chars: a cell with more letters and digits names no column.
    longest: usize,
    /// For each first byte of a key, bit `n` set when a key of `n` bytes starts with it
    /// (keys of 128 bytes or more are not counted: [`HeaderKeys::field_of`] never looks them up
    /// here). A cell's key that no key shares its first byte and length with is not searched.
    lengths: Vec<u128>,
    /// Bit `256 * a + b` set when a key starts with the bytes `a`, `b`: a cell whose key starts
    /// otherwise is given up after two letters or digits (most text starts like no key).
    starts: Vec<u64>,
}

impl HeaderKeys {
    fn new(profile: &Profile) -> HeaderKeys {
        let mut keys = HeaderKeys::default();
        let names = FIELDS.into_iter().flat_map(|field| {
            std::iter::once((field, field)).chain(
                profile
                    .columns
                    .synonyms(field)
                    .iter()
                    .map(move |s| (s.as_str(), field)),
            )
        });
        for (name, field) in names.chain(SOURCE_FIELDS.into_iter().map(|f| (f, f))) {
            let k: String = key(name).collect();
            keys.longest = keys.longest.max(k.chars().count());
            keys.fields.push((k, field));
        }
        // A name listed twice keeps its first field (the sort is stable).
        keys.fields.sort_by(|a, b| a.0.cmp(&b.0));
        keys.fields.dedup_by(|later, first| later.0 == first.0);
        keys.starts = vec![0; 1024];
        for (k, _) in &keys.fields {
            if let [a, b, ..] = *k.as_bytes() {
                let bit = usize::from(a) << 8 | usize::from(b);
                keys.starts[bit / 64] |= 1 << (bit % 64);
            }
        }
        keys.lengths = vec![0; 256];
        for (k, _) in &keys.fields {
            if let (Some(&first), n @ 0..128) = (k.as_bytes().first(), k.len()) {
                keys.lengths[first as usize] |= 1 << n;
            }
        }
        keys
    }

    /// The field a header cell names, if any. The cell's key is made in a buffer on the stack
    /// (every row is tried as a header, and nearly every cell names nothing); a cell with more
    /// letters and digits than the longest key is given up as soon as they are counted.
    fn field_of(&self, text: &str) -> Option<&'static str> {
        if self.longest * 4 > KEY_BYTES {
            // A key of `longest` chars might not fit: only a profile with very long names.
            return self.field_of_plain(text);
        }
        let mut buf = [0u8; KEY_BYTES];
        let (mut len, mut chars) = (0, 0);
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii() {
                i += 1;
                if b.is_ascii_alphanumeric() {
                    if chars == self.longest {
                        return None;
                    }
                    buf[len] = b.to_ascii_lowercase();
                    (len, chars) = (len + 1, chars + 1);
                    if len == 2 && !self.may_start(buf[0], buf[1]) {
                        return None;
                    }
                }
                continue;
            }
            let c = text[i..].chars().next().unwrap_or_default();
            i += c.len_utf8();
            if c.is_alphanumeric() {
                for lower in c.to_lowercase() {
                    if chars == self.longest {
                        return None;
                    }
                    let was = len;
                    len += lower.encode_utf8(&mut buf[len..]).len();
                    chars += 1;
                    if was < 2 && len >= 2 && !self.may_start(buf[0], buf[1]) {
                        return None;
                    }
                }
            }
        }
        if len == 0 || self.lengths[buf[0] as usize] & (1 << len) == 0 {
            return None;
        }
        let k = &buf[..len];
        // UTF-8 bytes sort as their chars do, so the keys' order holds for their bytes.
        let i = self
            .fields
            .binary_search_by(|(key, _)| key.as_bytes().cmp(k))
            .ok()?;
        Some(self.fields[i].1)
    }

    /// Some key starts with the bytes `a`, `b`.
    fn may_start(&self, a: u8, b: u8) -> bool {
        let bit = usize::from(a) << 8 | usize::from(b);
        self.starts[bit / 64] & 1 << (bit % 64) != 0
    }

    /// [`HeaderKeys::field_of`] with the key in a `String`: the statement the stack buffer is
    /// held to, and the way for keys longer than the buffer.
    fn field_of_plain(&self, text: &str) -> Option<&'static str> {
        let mut k = String::new();
        for (n, c) in key(text).enumerate() {
            if n == self.longest {
                return None;
            }
            k.push(c);
        }
        if k.is_empty() {
            return None;
        }
        let i = self
            .fields
            .binary_search_by(|(key, _)| key.as_str().cmp(&k))
            .ok()?;
        Some(self.fields[i].1)
    }
}

/// The bytes of a header key made on the stack: keys of up to 24 chars, each at most 4 bytes.
const KEY_BYTES: usize = 96;

/// Reads a row as a header: the title column plus at least two other known columns.
/// A field named twice keeps its first column; the others are listed in `repeated`.
pub fn detect(profile: &Profile, row: &Row) -> Option<Header> {
    let keys = profile.header_keys.get_or_init(|| HeaderKeys::new(profile));
    // Nearly every row is not a header: a first pass, allocating nothing, looks for the title
    // column and two more cells that name a field.
    let (mut named, mut title) = (0, false);
    for cell in row.cells.iter().filter(|c| !c.merged) {
        if let Some(field) = keys.field_of(&cell.text) {
            named += 1;
            title |= field == "title";
        }
    }
    if !title || named < 3 {
        return None;
    }
    let mut columns = BTreeMap::new();
    let mut repeated = BTreeMap::new();
    for cell in row.cells.iter().filter(|c| !c.merged) {
        if let Some(field) = keys.field_of(&cell.text) {
            if *columns.entry(field).or_insert(cell.col) != cell.col {
                repeated.insert(cell.col, field);
            }
        }
    }
    let has_title = columns.contains_key("title");
    let own = FIELDS.iter().chain(SOURCE_FIELDS.iter());
    let canonical = row.cells.len() == FIELDS.len() + SOURCE_FIELDS.len()
        && row
            .cells
            .iter()
            .zip(own)
            .zip(0..)
            .all(|((c, name), i)| c.text == *name && c.col == i);
    (has_title && columns.len() >= 3).then_some(Header {
        columns,
        repeated,
        row: row.row,
        canonical,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Cell;

    fn row(texts: &[&str]) -> Row {
        Row {
            row: 4,
            cells: texts
                .iter()
                .enumerate()
                .filter(|(_, t)| !t.is_empty())
                .map(|(i, t)| Cell {
                    col: i as u32 + 1,
                    text: t.to_string(),
                    merged: false,
                })
                .collect(),
        }
    }

    #[test]
    fn seed_headers_with_either_lead_name() {
        let p = Profile::default_profile();
        for lead in ["CMT Lead", "Lead Officer", "responsible officer"] {
            let h = detect(
                &p,
                &row(&[
                    "Key Activities",
                    "Status",
                    "Progress",
                    "Next Steps",
                    lead,
                    "Portfolio",
                ]),
            )
            .unwrap();
            assert_eq!(h.col("title"), Some(1));
            assert_eq!(h.col("lead"), Some(5));
            assert_eq!(h.col("portfolio"), Some(6));
        }
    }

    #[test]
    fn canonical_csv_header_and_other_order() {
        let p = Profile::default_profile();
        let h = detect(
            &p,
            &row(&["status", "id", "title", "next_steps", "source_row"]),
        )
        .unwrap();
        assert_eq!(h.col("status"), Some(1));
        assert_eq!(h.col("id"), Some(2));
        assert_eq!(h.col("next_steps"), Some(4));
        assert_eq!(h.col("source_row"), Some(5));
    }

    #[test]
    fn a_repeated_column_is_listed_not_read() {
        let p = Profile::default_profile();
        let h = detect(
            &p,
            &row(&["Key Activities", "Status", "Progress", "RAG", "Status"]),
        )
        .unwrap();
        assert_eq!(h.col("status"), Some(2));
        assert_eq!(h.field_at(4), None);
        assert_eq!(
            h.repeated.iter().map(|(c, f)| (*c, *f)).collect::<Vec<_>>(),
            [(4, "status"), (5, "status")]
        );
        assert!(!h.canonical);
    }

    #[test]
    fn katracks_own_csv_header_is_recognised() {
        let p = Profile::default_profile();
        let own: Vec<&str> = crate::model::FIELDS
            .iter()
            .chain(SOURCE_FIELDS.iter())
            .copied()
            .collect();
        let cells = |from: u32| Row {
            row: 0,
            cells: (from..)
                .zip(&own)
                .map(|(col, t)| Cell {
                    col,
                    text: t.to_string(),
                    merged: false,
                })
                .collect(),
        };
        assert!(detect(&p, &cells(0)).unwrap().canonical);
        assert!(
            !detect(&p, &cells(1)).unwrap().canonical,
            "shifted: not katrack's CSV"
        );
        let mut fewer = cells(0);
        fewer.cells.pop();
        assert!(!detect(&p, &fewer).unwrap().canonical);
    }

    #[test]
    fn a_data_row_is_not_a_header() {
        let p = Profile::default_profile();
        assert!(detect(&p, &row(&["KA.01.01 Local Plan", "Green", "- Done"])).is_none());
        assert!(detect(&p, &row(&["Status", "Progress", "Portfolio"])).is_none());
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_stack_key_is_the_string_key(
            text in prop_oneof![
                prop::sample::select(vec![
                    "Key Activities", "STATUS", "Next Steps / Milestones", "next_steps",
                    "Actions for Next Quarter", "Actions for Next Quarters", "source_row",
                    "Lead Officer", "Ref.", "Green", "KA.01.01 Local Plan",
                ]).prop_map(str::to_string),
                "[ ./_a-zA-Z0-9\u{130}\u{212a}ßéÉ]{0,30}",
                "\\PC{0,30}",
            ]
        ) {
            let p = Profile::default_profile();
            let keys = HeaderKeys::new(&p);
            prop_assert_eq!(keys.field_of(&text), keys.field_of_plain(&text));
            let mut long = keys.clone();
            long.longest = KEY_BYTES;
            prop_assert_eq!(long.field_of(&text), long.field_of_plain(&text));
        }
    }

    #[test]
    fn a_header_needs_its_title_and_two_more_named_cells() {
        let p = Profile::default_profile();
        let h = detect(&p, &row(&["Activity", "RAG", "Update"])).unwrap();
        assert_eq!(h.columns.len(), 3);
        assert!(detect(&p, &row(&["Activity", "RAG", "Status"])).is_none());
        assert!(detect(&p, &row(&["Activity", "Title", "RAG"])).is_none());
    }
}
