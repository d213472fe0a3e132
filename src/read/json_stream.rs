//! A canonical JSON tracker read activity by activity, so that a large one can be written out
//! (`katrack export`) without ever being held whole. Only a document whose metadata (`schema`,
//! `title`, `organisation`, `period`) all come before its `activities` — as katrack writes them
//! — is streamed; anything else, and any error, answers "read it whole", so that results and
//! error messages are always those of [`read_path`](super::read_path).

use crate::model::{Activity, SCHEMA_ID, Tracker};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::path::Path;

/// Reads the tracker at `path`: `meta` gets the document (without activities) before the first
/// activity, then `each` every activity in order. Returns false when the document was not
/// streamed to its end (see the [module](self) docs): whatever was received must be discarded.
///
/// The file is read a block at a time and each activity parsed from memory once it is whole
/// (parsing from memory is about twice as fast as from a reader), so neither the file nor the
/// tracker is held. The document's opening, up to its list of activities, is checked by the
/// same rules as a document read in one piece.
pub fn stream_tracker_json(
    path: &Path,
    meta: &mut dyn FnMut(&Tracker),
    each: &mut dyn FnMut(Activity),
) -> bool {
    stream_in_blocks(path, BLOCK, meta, each)
}

/// [`stream_tracker_json`] reading `block` bytes at a time, at least (the fuzz target uses
/// small blocks, so that activities and the opening cross their ends).
#[doc(hidden)]
pub fn stream_in_blocks(
    path: &Path,
    block: usize,
    meta: &mut dyn FnMut(&Tracker),
    each: &mut dyn FnMut(Activity),
) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut blocks = Blocks {
        file,
        block,
        buf: Vec::new(),
        pos: 0,
        failed: false,
    };
    blocks.stream(meta, each).is_some()
}

/// How much of the file is read at a time, at least.
const BLOCK: usize = 1 << 20;
/// How far into the file the list of activities must begin (after the metadata).
const OPENING: usize = 1 << 20;
/// How many chars at the start of a text the whole read samples to tell binary data.
const SAMPLE: usize = 4096;
/// How deep an activity may nest (it holds strings only): deeper is left to the whole read,
/// whose limit counts the levels above the activity too.
const MAX_DEPTH: usize = 64;

/// A JSON file read a block at a time: `buf[pos..]` is what is read and not yet used.
struct Blocks {
    file: std::fs::File,
    /// How much to read at a time, at least.
    block: usize,
    buf: Vec<u8>,
    pos: usize,
    /// Whether a read failed (rather than the file ending).
    failed: bool,
}

impl Blocks {
    /// The document, or `None` where the whole read must decide.
    fn stream(
        &mut self,
        meta: &mut dyn FnMut(&Tracker),
        each: &mut dyn FnMut(Activity),
    ) -> Option<()> {
        // The whole read refuses a text whose first 4,096 chars are mostly control chars (as
        // binary), which JSON allows in strings: the same start is left to it.
        while self.buf.len() < 4 * SAMPLE && self.more().is_some() {}
        let start = &self.buf[..self.buf.len().min(4 * SAMPLE)];
        let start = match std::str::from_utf8(start) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&start[..e.valid_up_to()]).ok()?,
        };
        if super::looks_binary(start) {
            return None;
        }
        // The opening, up to the `[` of the activities, checked by the whole read's rules: the
        // same document with an empty list must stream.
        let opening = loop {
            match opening_len(&self.buf) {
                Some(len) => break len,
                None if self.buf.len() >= OPENING => return None,
                None => self.more()?,
            }
        };
        let mut probe = self.buf[..opening].to_vec();
        probe.extend_from_slice(b"]}");
        let mut de = serde_json::Deserializer::from_slice(&probe);
        let opened = de
            .deserialize_map(Document {
                meta,
                each: &mut |_| {},
            })
            .ok()?;
        de.end().ok()?;
        opened.then_some(())?;
        self.pos = opening;
        // The activities, each parsed once it is whole.
        let mut first = true;
        loop {
            match self.next_byte()? {
                b']' => break,
                b',' if !first => {
                    if self.next_byte()? != b'{' {
                        return None;
                    }
                }
                b'{' if first => {}
                _ => return None,
            }
            first = false;
            // Back to the `{`.
            self.pos -= 1;
            let len = loop {
                match object_len(&self.buf[self.pos..])? {
                    Some(len) => break len,
                    None => self.more()?,
                }
            };
            let a: Activity = serde_json::from_slice(&self.buf[self.pos..self.pos + len]).ok()?;
            each(a);
            self.pos += len;
        }
        // Then only the document's end.
        (self.next_byte()? == b'}').then_some(())?;
        match self.next_byte() {
            None if !self.failed => Some(()),
            _ => None,
        }
    }

    /// The next byte that is not JSON white space (reading on as needed); `None` at the end of
    /// the file or on a read error.
    fn next_byte(&mut self) -> Option<u8> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                self.pos += 1;
                if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    return Some(b);
                }
            }
            self.more()?;
        }
    }

    /// Reads on: drops what is used, then reads at least a block (more when what is left is
    /// long, so a long activity is not scanned again and again). `None` at the end of the file
    /// or on a read error.
    fn more(&mut self) -> Option<()> {
        use std::io::Read;
        self.buf.drain(..self.pos);
        self.pos = 0;
        let have = self.buf.len();
        let want = self.block.max(have);
        self.buf.resize(have + want, 0);
        let got = loop {
            match self.file.read(&mut self.buf[have..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        let got = got.unwrap_or_else(|_| {
            self.failed = true;
            0
        });
        self.buf.truncate(have + got);
        (got > 0).then_some(())
    }
}

/// The length of a document's opening up to and including the `[` that starts the value of an
/// `"activities"` key of the top object, when `bytes` holds it. Only an opening of string keys
/// and string values is found: anything else is left to the whole read.
fn opening_len(bytes: &[u8]) -> Option<usize> {
    let mut i = skip_space(bytes, 0);
    (bytes.get(i) == Some(&b'{')).then_some(())?;
    loop {
        i = skip_space(bytes, i + 1);
        let key = i;
        i = string_end(bytes, i)?;
        let is_activities = &bytes[key..i] == b"\"activities\"";
        i = skip_space(bytes, i);
        (bytes.get(i) == Some(&b':')).then_some(())?;
        i = skip_space(bytes, i + 1);
        if is_activities {
            return (bytes.get(i) == Some(&b'[')).then_some(i + 1);
        }
        i = skip_space(bytes, string_end(bytes, i)?);
        (bytes.get(i) == Some(&b',')).then_some(())?;
    }
}

/// The index after JSON white space from `i`.
fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes
        .get(i)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The index after the string that starts at `bytes[i]` (a `"`), when `bytes` holds it whole.
fn string_end(bytes: &[u8], i: usize) -> Option<usize> {
    (bytes.get(i) == Some(&b'"')).then_some(())?;
    let mut j = i + 1;
    loop {
        let k = j + memchr::memchr2(b'"', b'\\', bytes.get(j..)?)?;
        if bytes[k] == b'"' {
            return Some(k + 1);
        }
        // An escape: the char after the backslash is never the string's end.
        j = k + 2;
    }
}

/// The length of the object that starts at `bytes[0]` (a `{`): `Some(Some(len))` when `bytes`
/// holds it whole, `Some(None)` when it goes on past them, `None` when it nests deeper than
/// [`MAX_DEPTH`] or closes more than it opened. Only its brackets are matched, outside strings;
/// the parse checks the rest.
fn object_len(bytes: &[u8]) -> Option<Option<usize>> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => match string_end(bytes, i) {
                Some(end) => {
                    i = end;
                    continue;
                }
                None => return Some(None),
            },
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return None;
                }
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(Some(i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some(None)
}

/// The top-level object; its value is whether every activity was handed on.
struct Document<'f> {
    meta: &'f mut dyn FnMut(&Tracker),
    each: &'f mut dyn FnMut(Activity),
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a katrack tracker document")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<bool, M::Error> {
        let mut doc = Tracker {
            schema: String::new(),
            ..Tracker::default()
        };
        let mut activities = false;
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                // A key given twice is an error of the whole read.
                return Ok(false);
            }
            seen.push(key.clone());
            let slot = match key.as_str() {
                "schema" => &mut doc.schema,
                "title" => &mut doc.title,
                "organisation" => &mut doc.organisation,
                "period" => &mut doc.period,
                "activities" if !activities && doc.schema == SCHEMA_ID => {
                    activities = true;
                    (self.meta)(&doc);
                    map.next_value_seed(Activities { each: self.each })?;
                    continue;
                }
                // Metadata after the activities, a second list, another schema, or an unknown
                // key: the whole read decides.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    return Ok(false);
                }
            };
            if activities {
                return Ok(false);
            }
            *slot = map.next_value()?;
        }
        Ok(activities)
    }
}

/// The `activities` array, handed on one by one.
struct Activities<'f> {
    each: &'f mut dyn FnMut(Activity),
}

impl<'de> DeserializeSeed<'de> for Activities<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Activities<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of activities")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(a) = seq.next_element::<Activity>()? {
            (self.each)(a);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamed(json: &str) -> Option<(Tracker, Vec<Activity>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, json).unwrap();
        let mut doc = None;
        let mut all = Vec::new();
        let ok = stream_tracker_json(&path, &mut |t| doc = Some(t.clone()), &mut |a| all.push(a));
        // Read in small blocks, every activity and the opening cross block ends: the same.
        for block in [1, 7, 64] {
            let mut small = (None, Vec::new());
            let same =
                stream_in_blocks(&path, block, &mut |t| small.0 = Some(t.clone()), &mut |a| {
                    small.1.push(a)
                });
            assert_eq!(same, ok, "blocks of {block}: {json}");
            if ok {
                assert_eq!((&small.0, &small.1), (&doc, &all), "blocks of {block}");
            }
        }
        ok.then(|| (doc.unwrap(), all))
    }

    fn text() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex(r#"([a-z {}\[\]"\\:,\n\t/é€😀]|\\u|\}"){0,40}"#).unwrap()
    }

    proptest::proptest! {
        /// Any activities, written as katrack writes a tracker (or compact), stream to what the
        /// whole read gives: strings full of brackets, quotes, backslashes and escapes.
        #[test]
        fn any_activities_stream_to_what_the_whole_read_gives(
            texts in proptest::collection::vec((text(), text(), text()), 0..6),
            pretty: bool,
        ) {
            let activities: Vec<Activity> = texts
                .into_iter()
                .map(|(id, title, progress)| Activity { id, title, progress, ..Activity::default() })
                .collect();
            let tracker = Tracker {
                title: "T {\"x\"}".into(),
                activities,
                ..Tracker::default()
            };
            let json = if pretty {
                serde_json::to_string_pretty(&tracker).unwrap()
            } else {
                serde_json::to_string(&tracker).unwrap()
            };
            let (doc, activities) = streamed(&json).expect("streamed");
            proptest::prop_assert_eq!(Tracker { activities, ..doc }, tracker);
        }
    }

    #[test]
    fn katracks_own_json_streams_to_the_same_tracker() {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("samples/harborough_q1_2020_21.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let whole: Tracker = serde_json::from_str(&text).unwrap();
        let (doc, activities) = streamed(&text).expect("streamed");
        assert_eq!(activities, whole.activities);
        assert_eq!(Tracker { activities, ..doc }, whole);
    }

    #[test]
    fn anything_unusual_is_left_to_the_whole_read() {
        let a = r#"{"id":"KA.01.01","title":"t","status":"","progress":"","next_steps":"","lead":"","portfolio":"","objective_id":"","objective_title":"","theme":"","theme_strapline":""}"#;
        let ok = format!(r#"{{"schema":"{SCHEMA_ID}","title":"T","activities":[{a}]}}"#);
        assert_eq!(streamed(&ok).unwrap().1.len(), 1);
        let empty = format!(r#"{{"schema":"{SCHEMA_ID}","title":"T","activities":[ ]}} "#);
        assert_eq!(streamed(&empty).unwrap().1.len(), 0);
        for bad in [
            // Metadata after the activities, another schema, unknown keys, broken JSON.
            format!(r#"{{"schema":"{SCHEMA_ID}","activities":[{a}],"title":"T"}}"#),
            format!(r#"{{"schema":"other","activities":[{a}]}}"#),
            format!(r#"{{"schema":"{SCHEMA_ID}","extra":1,"activities":[{a}]}}"#),
            format!(r#"{{"activities":[{a}],"schema":"{SCHEMA_ID}"}}"#),
            format!(r#"{{"schema":"{SCHEMA_ID}","activities":[{a},"#),
            format!(r#"{{"schema":"{SCHEMA_ID}","activities":[{a}]}} trailing"#),
            format!(r#"{{"schema":"{SCHEMA_ID}"}}"#),
            format!(r#"{{"schema":"{SCHEMA_ID}","title":"a","title":"b","activities":[{a}]}}"#),
            // A trailing or missing comma, an element that is not an activity, an unclosed
            // list, nesting deeper than the whole read allows, a key spelt with an escape.
            format!(r#"{{"schema":"{SCHEMA_ID}","activities":[{a},]}}"#),
            format!(r#"{{"schema":"{SCHEMA_ID}","activities":[{a} {a}]}}"#),
            format!(r#"{{"schema":"{SCHEMA_ID}","activities":[null]}}"#),
            format!(r#"{{"schema":"{SCHEMA_ID}","activities":[{a}"#),
            format!(
                r#"{{"schema":"{SCHEMA_ID}","activities":[{{"x":{}1{}}}]}}"#,
                "[".repeat(130),
                "]".repeat(130)
            ),
            format!(r#"{{"schema":"{SCHEMA_ID}","activ\u0069ties":[{a}]}}"#),
            // Valid JSON, but its start mostly control chars (DEL): the whole read refuses it.
            format!(
                r#"{{"schema":"{SCHEMA_ID}","title":"{}","activities":[{a}]}}"#,
                "\u{7f}".repeat(300)
            ),
        ] {
            assert!(streamed(&bad).is_none(), "{bad}");
        }
    }
}
