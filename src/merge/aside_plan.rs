//! The plan of a merge of returns set aside ([`merge_set_aside`](super::merge_set_aside)): its
//! activities arrive as [`PlanRow`]s (each one allocation, not eleven, freed on the writing
//! thread) and are not held as such. What the plan rules, the lead table and the other sheets
//! read of each (its id, title, short fields and the returned activity that gives it) goes to
//! a temporary file as it comes ([`Log`]), read back in order once the whole plan has.

use crate::model::{Activity, FIELDS, Fields, field};
use crate::spill::{Appender, Cursor, Spilled, put_bytes};
use std::io;

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

/// What is read of each plan activity once the whole plan has come, written to a temporary
/// file as it comes (through a buffer), in plan order.
pub(super) struct Log {
    file: Appender,
}

/// How many bytes of the log are gathered before they are written.
const LOG_WRITE: usize = 256 << 10;

impl Default for Log {
    fn default() -> Self {
        Log {
            file: Appender::new(LOG_WRITE),
        }
    }
}

/// One plan activity as the log gives it back.
pub(super) struct Logged<'a> {
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    /// Its short fields' set in the plan's [`Shorts`].
    pub(super) short: u32,
    /// The returned activity that gives it: its return and short fields' set there.
    pub(super) got: Option<(usize, u32)>,
}

impl Log {
    /// Logs the plan activity whose fields are `fields` (its short fields' set `short`), given
    /// by returned activity `got` (see [`Logged::got`]).
    pub(super) fn push(&mut self, fields: &Fields, short: u32, got: Option<(u32, u32)>) {
        let (r, short_there) = got.unwrap_or((u32::MAX, 0));
        self.file.push(|out| {
            put_bytes(out, fields[field::ID].as_bytes());
            put_bytes(out, fields[field::TITLE].as_bytes());
            for n in [short, r, short_there] {
                out.extend_from_slice(&n.to_le_bytes());
            }
        });
    }

    /// Every activity logged: the log to read back.
    ///
    /// # Errors
    /// When it could not be written.
    pub(super) fn finish(self) -> io::Result<Spilled> {
        self.file.finish()
    }
}

/// Calls `f` with every plan activity of the log `log`, in order.
///
/// # Errors
/// When it cannot be read back.
pub(super) fn each_logged(log: &Spilled, f: &mut dyn FnMut(Logged<'_>)) -> io::Result<()> {
    let mut cursor = Cursor::new(log, 0, log.len());
    let (mut id, mut title) = (String::new(), String::new());
    while !cursor.is_done() {
        for text in [&mut id, &mut title] {
            text.clear();
            text.push_str(std::str::from_utf8(cursor.bytes()?).unwrap_or_default());
        }
        let [short, r, short_there] = [cursor.u32()?, cursor.u32()?, cursor.u32()?];
        f(Logged {
            id: &id,
            title: &title,
            short,
            got: (r != u32::MAX).then_some((r as usize, short_there)),
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "aside_plan_tests.rs"]
mod tests;
