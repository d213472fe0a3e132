//! The plan of a merge of returns set aside ([`merge_set_aside`](super::merge_set_aside)): its
//! activities arrive as [`PlanRow`]s (each one allocation, not eleven, freed on the writing
//! thread) and are not held as such: what the plan rules, the lead table and the other sheets
//! read is kept ([`KeptPlan`]: the id, the title and the short fields, each distinct value
//! once), and the progress and next steps only until the activity's row is written
//! ([`Unwritten`]).

use super::aside::{Interned, SHORT, Spill, Texts, short_index};
use crate::model::{Activity, FIELDS, Fields, field};
use std::collections::VecDeque;

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
#[derive(Default)]
pub(super) struct KeptPlan {
    ids: Texts,
    titles: Texts,
    short: Vec<[u32; SHORT.len()]>,
    values: Interned,
}

impl KeptPlan {
    /// Keeps what is read of the activity whose fields are `fields`.
    pub(super) fn push(&mut self, fields: Fields) {
        self.ids.push(fields[field::ID]);
        self.titles.push(fields[field::TITLE]);
        self.short.push(SHORT.map(|f| self.values.of(fields[f])));
    }

    /// How many activities it holds.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Activity `i`'s id.
    pub(super) fn id(&self, i: usize) -> &str {
        self.ids.get(i)
    }

    /// Activity `i`'s title.
    pub(super) fn title(&self, i: usize) -> &str {
        self.titles.get(i)
    }

    /// Activity `i`'s lead.
    pub(super) fn lead(&self, i: usize) -> &str {
        self.values.get(self.short[i][short_index(field::LEAD)])
    }

    /// Activity `i`'s fields, its progress and next steps empty (the sheets beside Appendix A
    /// do not read them).
    pub(super) fn fields(&self, i: usize) -> Fields<'_> {
        let mut fields: Fields = [""; FIELDS.len()];
        fields[field::ID] = self.id(i);
        fields[field::TITLE] = self.title(i);
        for (f, &v) in SHORT.iter().zip(&self.short[i]) {
            fields[*f] = self.values.get(v);
        }
        fields
    }

    /// Every activity's (id, lead), in order.
    pub(super) fn leads(&self) -> Vec<(&str, &str)> {
        (0..self.len())
            .map(|i| (self.id(i), self.lead(i)))
            .collect()
    }
}

/// How many bytes of the progress and next steps of rows not yet written are held before they
/// go to a temporary file: a plan is read faster than Appendix A is written, so at 100,000
/// activities with half of them not returned, 20 MB of their text waited in memory.
const UNWRITTEN_HELD: usize = 1 << 20;

/// How much of the file is read back at once.
const READ_BACK: usize = 256 << 10;

/// The progress and next steps of the plan activities whose rows are not yet written, where
/// either is not empty (an activity a return gives has neither: they were dropped as the plan
/// was read). With [`KeptPlan`], what a row is written from. Past [`UNWRITTEN_HELD`] bytes
/// they go to a temporary file ([`Spill`]: memory if none can be made) and are read back in
/// order, a window at a time.
pub(super) struct Unwritten {
    /// (activity, where its text begins in the stream of all texts kept, where its progress
    /// ends in it, its length), in order.
    texts: VecDeque<(usize, u64, u32, u32)>,
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
    /// Those of the row being written (progress then next steps, where the progress ends).
    current: String,
    current_progress: usize,
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
            current_progress: 0,
            error: None,
        }
    }

    /// Keeps the progress and next steps of activity `i`, whose fields are `fields`.
    pub(super) fn push(&mut self, i: usize, fields: Fields) {
        let (progress, next) = (fields[field::PROGRESS], fields[field::NEXT_STEPS]);
        if progress.is_empty() && next.is_empty() {
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
        let (Ok(p), Ok(len)) = (
            u32::try_from(progress.len()),
            u32::try_from(progress.len() + next.len()),
        ) else {
            self.error = Some(std::io::ErrorKind::InvalidData.into());
            return;
        };
        self.texts.push_back((i, at, p, len));
        self.held.extend_from_slice(progress.as_bytes());
        self.held.extend_from_slice(next.as_bytes());
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

    /// Activity `i`'s fields for its row (`plan`'s, with its progress and next steps): rows are
    /// written in order, so the texts of those before it are given up.
    pub(super) fn row<'a>(&'a mut self, plan: &'a KeptPlan, i: usize) -> Fields<'a> {
        while self.texts.front().is_some_and(|&(at, ..)| at < i) {
            self.texts.pop_front();
        }
        self.current.clear();
        self.current_progress = 0;
        if self.texts.front().is_some_and(|&(at, ..)| at == i) {
            if let Some((_, start, progress, len)) = self.texts.pop_front() {
                if let Err(e) = self.read(start, len as usize) {
                    self.error.get_or_insert(e);
                    self.current.clear();
                }
                self.current_progress = (progress as usize).min(self.current.len());
            }
        }
        let mut fields = plan.fields(i);
        if !self.current.is_empty() {
            let (progress, next) = self.current.split_at(self.current_progress);
            fields[field::PROGRESS] = progress;
            fields[field::NEXT_STEPS] = next;
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
mod tests {
    use super::*;

    #[test]
    fn a_plan_row_gives_the_fields_of_its_activity() {
        let a = Activity {
            id: "KA.01.01".into(),
            title: "Étape — one".into(),
            progress: "line\nline".into(),
            theme_strapline: "last".into(),
            ..Activity::default()
        };
        assert_eq!(PlanRow::from(&a).fields(), a.fields());
        let mut kept = KeptPlan::default();
        kept.push(a.fields());
        let fields = kept.fields(0);
        assert_eq!(fields[field::TITLE], "Étape — one");
        assert_eq!(fields[field::THEME_STRAPLINE], "last");
        assert_eq!(fields[field::PROGRESS], "");
    }

    #[test]
    fn a_row_is_written_from_what_is_kept_with_its_own_progress_and_next_steps() {
        let activity = |id: &str, progress: &str, next: &str| Activity {
            id: id.into(),
            title: format!("{id} title"),
            lead: "Lead".into(),
            progress: progress.into(),
            next_steps: next.into(),
            ..Activity::default()
        };
        let plan = [
            activity("KA.01", "", ""),
            activity("KA.02", "done", ""),
            activity("", "", "next"),
            activity("KA.04", "", ""),
            activity("KA.05", "é\nmore", "then"),
        ];
        let (mut kept, mut unwritten) = (KeptPlan::default(), Unwritten::default());
        for (i, a) in plan.iter().enumerate() {
            let row = PlanRow::from(a);
            unwritten.push(i, row.fields());
            kept.push(row.fields());
        }
        assert_eq!(kept.len(), plan.len());
        for (i, a) in plan.iter().enumerate() {
            assert_eq!(unwritten.row(&kept, i), a.fields(), "row {i}");
            assert_eq!(kept.id(i), a.id);
        }
        // A row skipped gives its texts up with the next.
        let (mut kept, mut unwritten) = (KeptPlan::default(), Unwritten::default());
        for (i, a) in plan.iter().enumerate() {
            unwritten.push(i, a.fields());
            kept.push(a.fields());
        }
        assert_eq!(unwritten.row(&kept, 4), plan[4].fields());
        assert!(unwritten.texts.is_empty());
    }

    #[test]
    fn texts_kept_past_the_limit_read_back_from_the_file_as_they_were() {
        let plan: Vec<Activity> = (0..400)
            .map(|i| Activity {
                id: format!("KA.{i:03}"),
                progress: "é line\n".repeat(i % 13),
                next_steps: if i % 3 == 0 {
                    String::new()
                } else {
                    format!("next {i}")
                },
                ..Activity::default()
            })
            .collect();
        for limit in [0, 50, 1000, usize::MAX] {
            // How many rows come before the first is written, and between rows written.
            for lag in [1, 7, 150, 400] {
                let (mut kept, mut unwritten) = (KeptPlan::default(), Unwritten::holding(limit));
                let mut next = 0;
                for (i, a) in plan.iter().enumerate() {
                    unwritten.push(i, a.fields());
                    kept.push(a.fields());
                    assert!(
                        unwritten.held.len() <= limit,
                        "{} held",
                        unwritten.held.len()
                    );
                    while next + lag <= i {
                        assert_eq!(unwritten.row(&kept, next), plan[next].fields(), "{next}");
                        next += 1;
                    }
                }
                for (n, a) in plan.iter().enumerate().skip(next) {
                    assert_eq!(unwritten.row(&kept, n), a.fields(), "row {n}, lag {lag}");
                }
                assert!(unwritten.error.is_none());
                if limit == usize::MAX {
                    assert!(unwritten.spill.is_none());
                } else if lag >= 150 {
                    assert!(unwritten.spill.is_some(), "{limit} {lag}");
                }
            }
        }
    }
}
