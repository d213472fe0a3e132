//! A canonical JSON tracker read activity by activity, so that a large one can be written out
//! (`katrack export`) without ever being held whole. Only a document whose metadata (`schema`,
//! `title`, `organisation`, `period`) all come before its `activities` — as katrack writes them
//! — is streamed; anything else, and any error, answers "read it whole", so that results and
//! error messages are always those of [`read_path`](super::read_path).

use crate::model::{Activity, SCHEMA_ID, Tracker};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::BufReader;
use std::path::Path;

/// Reads the tracker at `path`: `meta` gets the document (without activities) before the first
/// activity, then `each` every activity in order. Returns false when the document was not
/// streamed to its end (see the [module](self) docs): whatever was received must be discarded.
pub fn stream_tracker_json(
    path: &Path,
    meta: &mut dyn FnMut(&Tracker),
    each: &mut dyn FnMut(Activity),
) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, file));
    let streamed = de
        .deserialize_map(Document { meta, each })
        .is_ok_and(|done| done);
    streamed && de.end().is_ok()
}

/// [`stream_tracker_json`] of a document already read into memory (`bytes`, the file's whole
/// content): parsing from memory is about twice as fast as from a reader. The same documents
/// are streamed, to the same result.
pub fn stream_tracker_json_bytes(
    bytes: &[u8],
    meta: &mut dyn FnMut(&Tracker),
    each: &mut dyn FnMut(Activity),
) -> bool {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let streamed = de
        .deserialize_map(Document { meta, each })
        .is_ok_and(|done| done);
    streamed && de.end().is_ok()
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
        // From memory, the same documents stream to the same result.
        let mut in_memory = (None, Vec::new());
        let from_bytes = stream_tracker_json_bytes(
            json.as_bytes(),
            &mut |t| in_memory.0 = Some(t.clone()),
            &mut |a| in_memory.1.push(a),
        );
        assert_eq!(from_bytes, ok, "{json}");
        if ok {
            assert_eq!((in_memory.0.as_ref(), &in_memory.1), (doc.as_ref(), &all));
        }
        ok.then(|| (doc.unwrap(), all))
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
        ] {
            assert!(streamed(&bad).is_none(), "{bad}");
        }
    }
}
