//! The plan of a merge of returns set aside ([`merge_set_aside`](super::merge_set_aside)): its
//! activities arrive as [`PlanRow`]s (each one allocation, not eleven, freed on the writing
//! thread) and are not held as such: what the plan rules, the lead table and the other sheets
//! read is kept ([`KeptPlan`]: the id and the short fields, each distinct value once, and the
//! title in a temporary file past the first MiB of them), and the title, progress and next
//! steps only until the activity's row is written ([`Unwritten`]).

use super::aside::{Shorts, Spill, Texts};
use crate::model::{Activity, FIELDS, Fields, field};
use crate::read::strings::{Lookup, Strings};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

/// One plan activity's fields in one allocation.
pub struct PlanRow {
    text: Box<str>,
    /// Where each field ends in `text`, in [`FIELDS`] order.
    ends: [u32; FIELDS.len()],
}

impl From<&Activity> for PlanRow {
    fn from(a: &Activity) -> PlanRow {
        let fields = a.fields();
        let mut text = String::with_capacity(fields.iter().map(|f| f.len()).sum());
        let ends = fields.map(|f| {
            text.push_str(f);
            text.len() as u32
        });
        PlanRow {
            text: text.into_boxed_str(),
            ends,
        }
    }
}

impl PlanRow {
    /// Its fields, in [`FIELDS`] order.
    pub fn fields(&self) -> Fields<'_> {
        let mut start = 0;
        self.ends.map(|end| {
            let field = self.text.get(start..end as usize).unwrap_or_default();
            start = end as usize;
            field
        })
    }
}

/// What is kept of the plan: what is read of it once its rows are written.
pub(super) struct KeptPlan {
    ids: Texts,
    /// The titles, the long ones past the first MiB of them in a temporary file (10 MB at
    /// 100,000 activities): read back only for `missing-activity`'s messages and the Returns
    /// sheet's list of activities not returned (Appendix A's rows have theirs from
    /// [`Unwritten`]).
    titles: Strings,
    /// A title could not be kept or read back.
    failed: AtomicBool,
    /// Each activity's short fields: their set's number in `shorts`.
    short: Vec<u32>,
    shorts: Shorts,
}

impl Default for KeptPlan {
    fn default() -> Self {
        KeptPlan {
            ids: Texts::default(),
            titles: Strings::spilling(TITLES_HELD),
            failed: AtomicBool::new(false),
            short: Vec::new(),
            shorts: Shorts::default(),
        }
    }
}

impl KeptPlan {
    /// Keeps what is read of the activity whose fields are `fields`.
    pub(super) fn push(&mut self, fields: Fields) {
        self.ids.push(fields[field::ID]);
        if !self.failed.load(Ordering::Relaxed) {
            self.titles.text.push_str(fields[field::TITLE]);
            if self.titles.end_string().is_none() {
                self.fail();
            }
        }
        self.short.push(self.shorts.of(&fields));
    }

    /// Every activity kept: its titles made ready to be read back.
    pub(super) fn finish(&mut self) {
        if self.titles.finish().is_none() {
            self.fail();
        }
    }

    /// A title could not be kept: none is kept or read back any more (the merge fails, see
    /// [`error`](Self::error)).
    fn fail(&mut self) {
        self.failed.store(true, Ordering::Relaxed);
        self.titles = Strings::default();
    }

    /// How many activities it holds.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Activity `i`'s id.
    pub(super) fn id(&self, i: usize) -> &str {
        self.ids.get(i)
    }

    /// Its titles, read back (once [`finish`](Self::finish)ed).
    pub(super) fn titles(&self) -> Titles<'_> {
        Titles {
            lookup: self.titles.lookup(),
            failed: &self.failed,
        }
    }

    /// Whether a title could not be kept or read back (given empty).
    pub(super) fn error(&self) -> Option<std::io::Error> {
        self.failed
            .load(Ordering::Relaxed)
            .then(|| std::io::Error::other("the plan's titles could not be read back"))
    }

    /// Activity `i`'s lead.
    pub(super) fn lead(&self, i: usize) -> &str {
        self.shorts.field(self.short[i], field::LEAD)
    }

    /// Activity `i`'s fields, its title, progress and next steps empty (the sheets beside
    /// Appendix A read none of them but the titles of activities not returned, which are
    /// read back for them).
    pub(super) fn fields(&self, i: usize) -> Fields<'_> {
        let mut fields: Fields = [""; FIELDS.len()];
        fields[field::ID] = self.id(i);
        self.shorts.fill(self.short[i], &mut fields);
        fields
    }

    /// Every activity's (id, lead), in order.
    pub(super) fn leads(&self) -> Vec<(&str, &str)> {
        (0..self.len())
            .map(|i| (self.id(i), self.lead(i)))
            .collect()
    }
}

/// How many bytes of the plan's long titles are held before they go to a temporary file.
const TITLES_HELD: usize = 1 << 20;

/// Reads the plan's titles back ([`KeptPlan::titles`]), best in plan order (the file is then
/// read in windows, once).
pub(super) struct Titles<'a> {
    lookup: Lookup<'a>,
    failed: &'a AtomicBool,
}

impl Titles<'_> {
    /// Activity `i`'s title (empty if it cannot be read back: see [`KeptPlan::error`]).
    pub(super) fn get(&mut self, i: usize) -> String {
        if self.failed.load(Ordering::Relaxed) {
            return String::new();
        }
        match self.lookup.get(i) {
            Some(title) => title.to_string(),
            None => {
                self.failed.store(true, Ordering::Relaxed);
                String::new()
            }
        }
    }
}

/// How many bytes of the titles, progress and next steps of rows not yet written are held
/// before they go to a temporary file: a plan is read faster than Appendix A is written, so at
/// 100,000 activities with half of them not returned, 20 MB of their text waited in memory.
const UNWRITTEN_HELD: usize = 1 << 20;

/// How much of the file is read back at once.
const READ_BACK: usize = 256 << 10;

/// The titles, progress and next steps of the plan activities whose rows are not yet written,
/// where any is not empty (an activity a return gives has no progress or next steps: they were
/// dropped as the plan was read). With [`KeptPlan`], what a row is written from. Past [`UNWRITTEN_HELD`] bytes
/// they go to a temporary file ([`Spill`]: memory if none can be made) and are read back in
/// order, a window at a time.
pub(super) struct Unwritten {
    /// (activity, where its text begins in the stream of all texts kept, where its title and
    /// its progress end in it, its length), in order.
    texts: VecDeque<(usize, u64, u32, u32, u32)>,
    /// The stream from `held_at` on.
    held: Vec<u8>,
    held_at: u64,
    /// How many bytes may be held before they go to the file.
    limit: usize,
    /// The file (made when first needed), and where the pieces of the stream written to it
    /// begin: (in the stream, in the file), each ending where the next begins (the last at
    /// `held_at`).
    spill: Option<Spill>,
    pieces: VecDeque<(u64, u64)>,
    /// The file could not be written: everything is held.
    failed: bool,
    /// The stream from `window_at`, as last read from the file.
    window: Vec<u8>,
    window_at: u64,
    /// Those of the row being written (title, progress then next steps, where the title and
    /// the progress end).
    current: String,
    current_ends: [usize; 2],
    /// The first error reading the file back (its rows were given without their texts).
    pub(super) error: Option<std::io::Error>,
}

impl Default for Unwritten {
    fn default() -> Self {
        Unwritten::holding(UNWRITTEN_HELD)
    }
}

impl Unwritten {
    /// Holding up to `limit` bytes before they go to a file.
    fn holding(limit: usize) -> Unwritten {
        Unwritten {
            texts: VecDeque::new(),
            held: Vec::new(),
            held_at: 0,
            limit,
            spill: None,
            pieces: VecDeque::new(),
            failed: false,
            window: Vec::new(),
            window_at: 0,
            current: String::new(),
            current_ends: [0; 2],
            error: None,
        }
    }

    /// Keeps the title, progress and next steps of activity `i`, whose fields are `fields`.
    pub(super) fn push(&mut self, i: usize, fields: Fields) {
        let texts = [field::TITLE, field::PROGRESS, field::NEXT_STEPS].map(|f| fields[f]);
        if texts.iter().all(|t| t.is_empty()) {
            return;
        }
        if self.texts.is_empty() {
            // Nothing kept is still to be read: the stream starts afresh where it is, and the
            // file from its start.
            self.held_at += self.held.len() as u64;
            self.held.clear();
            self.pieces.clear();
            if let Some(spill) = &self.spill {
                spill.clear();
            }
        }
        let at = self.held_at + self.held.len() as u64;
        let [title, progress, next] = texts.map(str::len);
        let (Ok(t), Ok(p), Ok(len)) = (
            u32::try_from(title),
            u32::try_from(title + progress),
            u32::try_from(title + progress + next),
        ) else {
            self.error = Some(std::io::ErrorKind::InvalidData.into());
            return;
        };
        self.texts.push_back((i, at, t, p, len));
        for text in texts {
            self.held.extend_from_slice(text.as_bytes());
        }
        if self.held.len() > self.limit && !self.failed {
            self.write_held();
        }
    }

    /// Writes what is held to the file, less what was read already.
    fn write_held(&mut self) {
        // What was read already is not written (the front text may be in the file).
        if let Some(&(_, first, ..)) = self.texts.front().filter(|t| t.1 > self.held_at) {
            self.held.drain(..(first - self.held_at) as usize);
            self.held_at = first;
        }
        let Ok(at) = self.spill.get_or_insert_with(Spill::new).append(&self.held) else {
            self.failed = true;
            return;
        };
        self.pieces.push_back((self.held_at, at));
        self.held_at += self.held.len() as u64;
        self.held.clear();
    }

    /// Activity `i`'s fields for its row (`plan`'s, with its title, progress and next steps):
    /// rows are written in order, so the texts of those before it are given up.
    pub(super) fn row<'a>(&'a mut self, plan: &'a KeptPlan, i: usize) -> Fields<'a> {
        while self.texts.front().is_some_and(|&(at, ..)| at < i) {
            self.texts.pop_front();
        }
        self.current.clear();
        self.current_ends = [0; 2];
        if self.texts.front().is_some_and(|&(at, ..)| at == i) {
            if let Some((_, start, title, progress, len)) = self.texts.pop_front() {
                if let Err(e) = self.read(start, len as usize) {
                    self.error.get_or_insert(e);
                    self.current.clear();
                }
                let len = self.current.len();
                self.current_ends = [(title as usize).min(len), (progress as usize).min(len)];
            }
        }
        let mut fields = plan.fields(i);
        let [title, progress] = self.current_ends;
        // Cut where the UTF-8 of each text ended, so always at a character's boundary.
        if let (Some(t), Some(p), Some(n)) = (
            self.current.get(..title),
            self.current.get(title..progress),
            self.current.get(progress..),
        ) {
            fields[field::TITLE] = t;
            fields[field::PROGRESS] = p;
            fields[field::NEXT_STEPS] = n;
        }
        fields
    }

    /// The `len` bytes of the stream from `start` into `current`.
    fn read(&mut self, start: u64, len: usize) -> std::io::Result<()> {
        let bytes = if start >= self.held_at {
            let from = (start - self.held_at) as usize;
            &self.held[from..from + len]
        } else {
            let within = start >= self.window_at
                && start + len as u64 <= self.window_at + self.window.len() as u64;
            if !within {
                self.read_window(start, len)?;
            }
            let from = (start - self.window_at) as usize;
            &self.window[from..from + len]
        };
        let text = std::str::from_utf8(bytes).map_err(|_| std::io::ErrorKind::InvalidData)?;
        self.current.push_str(text);
        Ok(())
    }

    /// Reads the window from `start` in the file: `len` bytes at least, up to [`READ_BACK`]
    /// within its piece.
    fn read_window(&mut self, start: u64, len: usize) -> std::io::Result<()> {
        while self.pieces.get(1).is_some_and(|&(next, _)| next <= start) {
            self.pieces.pop_front();
        }
        let (&(piece, in_file), spill) = self
            .pieces
            .front()
            .zip(self.spill.as_ref())
            .ok_or(std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        let piece_end = self.pieces.get(1).map_or(self.held_at, |p| p.0);
        let size = (piece_end - start).min(READ_BACK as u64).max(len as u64);
        self.window.resize(size as usize, 0);
        spill.read_at(&mut self.window, in_file + (start - piece))?;
        self.window_at = start;
        Ok(())
    }
}

#[cfg(test)]
#[path = "aside_plan_tests.rs"]
mod tests;
