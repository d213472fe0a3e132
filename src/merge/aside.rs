//! A merge's returns set aside as they are read, so that a merge holds nothing per returned
//! activity: each return is checked by the rules that need no plan while its activities are at
//! hand ([`set_aside`]; `duplicate-id` is left to the merge, which finds an id given twice when
//! it sorts the ids), and each activity's long text (title, progress, next steps) and key (its
//! id, the cell of its id, where its text is, its short fields' set) go to a temporary file
//! ([`Spill`]); in memory stay the return's findings, the leads it names, and each distinct set
//! of short fields once. [`merge_set_aside`](super::merge_set_aside) merges them.

pub(super) use super::kept::Shorts;
use crate::check::Part;
use crate::finding::Finding;
use crate::layout::Parsed;
use crate::model::{FIELDS, Fields, field};
use crate::profile::Profile;
use crate::rules::{Checker, Context, history};
use crate::spill::{Record, put_bytes};
pub use crate::spill::{Spill, Spilled};
use std::collections::BTreeSet;
use std::io;
use std::sync::Arc;

/// The fields kept in memory (each distinct set of them once, [`Shorts`]): those the other
/// sheets group and count by.
pub(super) const SHORT: [usize; 7] = [
    field::STATUS,
    field::LEAD,
    field::PORTFOLIO,
    field::OBJECTIVE_ID,
    field::OBJECTIVE_TITLE,
    field::THEME,
    field::THEME_STRAPLINE,
];

/// Where `field` is among the [`SHORT`] fields.
pub(super) const fn short_index(field: usize) -> usize {
    let mut i = 0;
    while SHORT[i] != field {
        i += 1;
    }
    i
}

/// The fields written to the temporary file, in this order.
const LONG: [usize; 3] = [field::TITLE, field::PROGRESS, field::NEXT_STEPS];

/// How many bytes of records a return gathers before they go to the file, and of their keys.
const CHUNK: usize = 1 << 20;
const KEYS: usize = 256 << 10;

/// One return set aside: its findings from the rules that need no plan, the leads its
/// activities name, and what is kept of each activity (in the spill, with its text: see
/// `SetAside::each_key`).
#[derive(Default)]
pub struct SetAside {
    /// The file name used in findings.
    pub(super) file: String,
    /// The layout's findings, then those of each rule that needs no plan, in rule order.
    pub(super) findings: Vec<Finding>,
    /// The leads its activities name ([`history::named_leads`]).
    pub(super) leads: BTreeSet<String>,
    /// Each distinct short field's value, once.
    shorts: Shorts,
    /// The sheets its activities are on.
    sheets: Vec<Arc<str>>,
    /// How many activities it holds.
    len: usize,
    /// Whether one of them has no id.
    pub(super) no_id: bool,
    /// Where its activities' keys are in the spill, in order.
    pieces: Vec<KeyPiece>,
}

/// A run of a return's keys in the spill: where it is, its length, and where the records of
/// its activities' text begin (each key's `at` counts from there).
struct KeyPiece {
    at: u64,
    len: usize,
    text: u64,
}

/// What is kept of one returned activity (a key, read back from the spill).
pub(super) struct Key<'a> {
    /// Its id, and the id as written where that is not it.
    pub(super) id: &'a str,
    written: Option<&'a str>,
    /// Where its record is in the spill, and its length.
    pub(super) at: u64,
    pub(super) len: u32,
    /// Its [`SHORT`] fields: their set's number in the return's [`Shorts`].
    pub(super) short: u32,
    /// Its sheet (in [`SetAside::sheets`]) and the cell of its id, for `unexpected-activity`.
    sheet: u32,
    id_at: Option<(u32, u32)>,
}

impl SetAside {
    /// How many activities it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no activity.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The file name used in findings.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Its activities' ids, in order, read back from `spilled`.
    ///
    /// # Errors
    /// When the spill cannot be read.
    pub fn ids(&self, spilled: &Spilled) -> io::Result<Vec<String>> {
        let mut ids = Vec::with_capacity(self.len);
        self.each_key(spilled, &mut |_, key| ids.push(key.id.to_string()))?;
        Ok(ids)
    }

    /// Calls `f` with each activity's number and key, in order, read back from `spilled`.
    ///
    /// # Errors
    /// When the spill cannot be read.
    pub(super) fn each_key(
        &self,
        spilled: &Spilled,
        f: &mut dyn FnMut(usize, Key<'_>),
    ) -> io::Result<()> {
        let mut buf = Vec::new();
        let mut i = 0;
        for piece in &self.pieces {
            buf.resize(piece.len, 0);
            spilled.read_at(&mut buf, piece.at)?;
            let mut record = Record(&buf);
            while !record.0.is_empty() {
                let id = record.str();
                let written = match record.u32() {
                    0 => None,
                    _ => Some(record.str()),
                };
                let key = Key {
                    id,
                    written,
                    at: piece.text + record.u64(),
                    len: record.u32(),
                    short: record.u32(),
                    sheet: record.u32(),
                    id_at: match [record.u32(), record.u32()] {
                        [u32::MAX, _] => None,
                        [row, col] => Some((row, col)),
                    },
                };
                f(i, key);
                i += 1;
            }
        }
        Ok(())
    }

    /// The fields of an activity whose id is `id` and short fields `short` (its key's) with
    /// the long ones empty: what the Summary and Returns sheets go by.
    pub(super) fn short_fields<'a>(&'a self, id: &'a str, short: u32) -> Fields<'a> {
        let mut fields: Fields = [""; FIELDS.len()];
        fields[field::ID] = id;
        self.shorts.fill(short, &mut fields);
        fields
    }

    /// Where the id of the activity whose key is `key` is, for a finding on it.
    pub(super) fn id_place<'a>(&'a self, key: &Key<'a>) -> crate::rules::Place<'a> {
        crate::rules::Place {
            id: key.id,
            value: Some(key.written.unwrap_or(key.id)),
            sheet: self.sheets.get(key.sheet as usize).map_or("", |s| s),
            cell: key
                .id_at
                .map(|(r, c)| crate::cellref::a1(r, c))
                .unwrap_or_default(),
        }
    }
}

/// Checks return `parsed` (read from `file`) with the rules that need no plan, writes its long
/// text to `spill` and keeps the rest (see the module's documentation).
///
/// # Errors
/// When the spill cannot be written.
pub fn set_aside(
    file: &str,
    parsed: Parsed,
    profile: &Profile,
    spill: &Spill,
) -> io::Result<SetAside> {
    let mut aside = Aside::new(file, profile, spill);
    aside.part(&parsed);
    let Parsed {
        tracker,
        cells,
        findings,
        ..
    } = parsed;
    // The tracker's text is freed here, on the thread that made it.
    drop((tracker, cells));
    aside.finish(findings)
}

/// [`set_aside`] of the xlsx at `path` (named `file` in findings), laid out, checked and set
/// aside part by part as it is read ([`in_parts`](crate::check::in_parts), on three threads
/// with `jobs` over 1): no whole return is held. `Ok(None)` when the file is not one that is
/// read so: read it whole, then [`set_aside`]. `Ok(Some(Err(_)))` when the spill could not be
/// written.
///
/// # Errors
/// What reading the file whole would report.
pub fn set_aside_streamed(
    path: &std::path::Path,
    file: &str,
    profile: &Profile,
    spill: &Spill,
    jobs: usize,
) -> crate::error::Result<Option<io::Result<SetAside>>> {
    let layout = crate::layout::Layout::new(file, profile, false, false).without_row_reports();
    let aside = Aside::new(file, profile, spill);
    let parts = crate::check::in_parts(path, None, jobs, layout, aside)?;
    Ok(parts.map(|(aside, layout)| aside.finish(layout)))
}

/// A return set aside part by part as it is read ([`set_aside`] of the whole): each part is
/// checked by the rules that need no plan and its long text written to the spill.
pub struct Aside<'a> {
    checker: Checker<'a>,
    profile: &'a Profile,
    spill: &'a Spill,
    aside: SetAside,
    /// Text records not yet written, and the keys of their activities.
    chunk: Vec<u8>,
    keys: Vec<u8>,
    /// The first error writing the spill.
    error: Option<io::Error>,
}

impl<'a> Aside<'a> {
    /// Sets aside the return read from `file`, into `spill`.
    pub fn new(file: &str, profile: &'a Profile, spill: &'a Spill) -> Self {
        let ctx = Context {
            profile,
            plan: None,
            previous: None,
        };
        Aside {
            // An id given twice is found when the returns' ids are sorted (the returns are
            // then merged whole, with this rule).
            checker: Checker::new(file, ctx).without("duplicate-id"),
            profile,
            spill,
            aside: SetAside {
                file: file.to_string(),
                ..SetAside::default()
            },
            chunk: Vec::with_capacity(CHUNK),
            keys: Vec::with_capacity(KEYS + (4 << 10)),
            error: None,
        }
    }

    /// The return's layout findings (`layout`, which come first), once every part is set
    /// aside: the return.
    ///
    /// # Errors
    /// When the spill could not be written.
    pub fn finish(mut self, layout: Vec<Finding>) -> io::Result<SetAside> {
        self.flush();
        if let Some(e) = self.error {
            return Err(e);
        }
        self.aside.findings = self.checker.finish(layout);
        Ok(self.aside)
    }

    /// Writes the text records gathered to the spill, then their activities' keys.
    fn flush(&mut self) {
        if self.error.is_some() || self.keys.is_empty() {
            self.chunk.clear();
            self.keys.clear();
            return;
        }
        let written = self.spill.append(&self.chunk).and_then(|text| {
            let at = self.spill.append(&self.keys)?;
            Ok(KeyPiece {
                at,
                len: self.keys.len(),
                text,
            })
        });
        match written {
            Ok(piece) => self.aside.pieces.push(piece),
            Err(e) => self.error = Some(e),
        }
        self.chunk.clear();
        self.keys.clear();
    }
}

impl Part for Aside<'_> {
    fn part(&mut self, part: &Parsed) {
        self.checker.part(part);
        let activities = &part.tracker.activities;
        history::named_leads(
            activities.iter().map(|a| a.lead.as_str()),
            self.profile,
            &mut self.aside.leads,
        );
        for (i, a) in activities.iter().enumerate() {
            let fields = a.fields();
            let short = self.aside.shorts.of(&fields);
            // A record that would take the chunk past its size goes in the next one (so its
            // buffer is not grown), unless it is the first.
            let size: usize = LONG.iter().map(|&f| 4 + fields[f].len()).sum();
            if !self.chunk.is_empty() && self.chunk.len() + size > CHUNK {
                self.flush();
            }
            let start = self.chunk.len();
            // A key keeps its record's length as a `u32`.
            if size > u32::MAX as usize {
                self.error
                    .get_or_insert_with(|| io::Error::other("a text too long to set aside"));
            }
            for f in LONG {
                put_bytes(&mut self.chunk, fields[f].as_bytes());
            }
            let cell = part.cells.get(i);
            let sheet = cell.map_or("", |c| &c.sheet);
            let sheet = match self.aside.sheets.iter().position(|s| **s == *sheet) {
                Some(at) => at,
                None => {
                    self.aside
                        .sheets
                        .push(cell.map_or_else(|| "".into(), |c| c.sheet.clone()));
                    self.aside.sheets.len() - 1
                }
            };
            let keys = &mut self.keys;
            put_bytes(keys, a.id.as_bytes());
            match cell.and_then(|c| c.raw("id")) {
                Some(written) => {
                    keys.extend_from_slice(&1u32.to_le_bytes());
                    put_bytes(keys, written.as_bytes());
                }
                None => keys.extend_from_slice(&0u32.to_le_bytes()),
            }
            let (row, col) = cell.and_then(|c| c.at("id")).unwrap_or((u32::MAX, 0));
            keys.extend_from_slice(&(start as u64).to_le_bytes());
            for n in [
                (self.chunk.len() - start) as u32,
                short,
                sheet as u32,
                row,
                col,
            ] {
                keys.extend_from_slice(&n.to_le_bytes());
            }
            self.aside.len += 1;
            self.aside.no_id |= a.id.is_empty();
            if self.chunk.len() >= CHUNK || self.keys.len() >= KEYS {
                self.flush();
            }
        }
    }
}

/// Reads records back from a [`Spilled`], a window of each return's records at a time (a
/// return's records lie in order, and Appendix A goes through each return in order).
pub(super) struct Reader<'s> {
    spilled: &'s Spilled,
    /// How many bytes a window holds at least.
    window: usize,
    /// Per return: where its window starts, and its bytes.
    windows: Vec<(u64, Vec<u8>)>,
    /// The first error met (its records then read as empty).
    pub(super) error: Option<io::Error>,
}

/// How many bytes the windows of all returns hold at least, together, and each at most.
const WINDOWS: usize = 4 << 20;
const WINDOW: usize = 128 << 10;

/// Where a returned activity is: its return, its record in the spill (where, and its length)
/// and its short fields' set in the return's [`Shorts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct At {
    pub(super) r: u32,
    pub(super) at: u64,
    pub(super) len: u32,
    pub(super) short: u32,
}

impl<'s> Reader<'s> {
    /// A reader of `spilled` for `returns` returns.
    pub(super) fn new(spilled: &'s Spilled, returns: usize) -> Self {
        Reader {
            spilled,
            window: (WINDOWS / returns.max(1)).clamp(16 << 10, WINDOW),
            windows: vec![(0, Vec::new()); returns],
            error: None,
        }
    }

    /// Every field of the returned activity whose id is `id`, at `at` of `returns`.
    pub(super) fn fields<'a>(
        &'a mut self,
        returns: &'a [SetAside],
        id: &'a str,
        at: At,
    ) -> Fields<'a> {
        let r = at.r as usize;
        let mut fields = returns[r].short_fields(id, at.short);
        let len = at.len as usize;
        let (start, window) = &mut self.windows[r];
        if at.at < *start || at.at + len as u64 > *start + window.len() as u64 {
            window.resize(len.max(self.window), 0);
            // The last window may run past the end of the file: read what there is.
            let read = self.spilled.read_at(window, at.at).or_else(|_| {
                window.truncate(len);
                self.spilled.read_at(window, at.at)
            });
            if let Err(e) = read {
                window.clear();
                self.error.get_or_insert(e);
            }
            *start = at.at;
        }
        let offset = (at.at - *start) as usize;
        let mut record = Record(window.get(offset..offset + len).unwrap_or_default());
        for f in LONG {
            fields[f] = record.str();
        }
        fields
    }
}

#[cfg(test)]
#[path = "aside_tests.rs"]
mod tests;
