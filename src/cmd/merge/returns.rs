//! The returns of `katrack merge` read: laid out whole, or set aside as they are read (see
//! [`katrack::merge::set_aside`]).

use super::super::check::in_parallel;
use foldhash::HashSet;
use katrack::error::Error;
use katrack::layout::Parsed;
use katrack::merge::SetAside;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// How the returns are read.
#[derive(Clone, Copy)]
pub(super) enum How<'a> {
    /// Laid out whole; with `ids`, the ids each gives are copied (for a plan read beside
    /// Appendix A, see master::merge_beside).
    Whole { ids: bool },
    /// Set aside as they are read, until an id is given twice; whole after that (`ids` as for
    /// `Whole`).
    Aside(&'a Aside, bool),
}

/// The returns set aside as they are read, and whether some id was given twice.
pub(super) struct Aside {
    /// Where their long text goes.
    pub(super) spill: katrack::merge::Spill,
    /// A hash of every id set aside so far.
    seen: Mutex<HashSet<u64>>,
    /// Whether an id was given twice (by two returns, or twice by one): the returns set aside
    /// must then be merged whole (see katrack::merge::merge_set_aside), so those still to be
    /// read are read whole.
    pub(super) twice: AtomicBool,
}

impl Aside {
    /// Returns to set aside into `spill`.
    pub(super) fn new(spill: katrack::merge::Spill) -> Aside {
        Aside {
            spill,
            seen: Mutex::new(HashSet::default()),
            twice: AtomicBool::new(false),
        }
    }

    /// Notes the ids of a return set aside (equal hashes count as the same id: at worst the
    /// returns are merged whole, with the same result).
    fn note(&self, aside: &SetAside) {
        let hasher = foldhash::fast::FixedState::default();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let twice = aside
            .ids()
            .filter(|id| !id.is_empty())
            .any(|id| !seen.insert(hasher.hash_one(id)));
        if twice {
            self.twice.store(true, Ordering::SeqCst);
        }
    }
}

/// One return as read.
pub(super) enum Read {
    /// Laid out whole, with its ids when asked.
    Whole(Parsed, Vec<String>),
    /// Set aside.
    Aside(SetAside),
    /// It could not be set aside (the spill could not be written): every return is read again
    /// whole.
    Again,
}

/// Reads the returns `inputs`, `jobs` at a time.
pub(super) fn read_returns(
    inputs: &[crate::cmd::InputFile],
    profile: &katrack::profile::Profile,
    jobs: usize,
    how: How,
) -> Vec<Result<Read, Error>> {
    in_parallel(inputs, jobs, |input| {
        let how = match how {
            How::Aside(aside, ids) if aside.twice.load(Ordering::SeqCst) => How::Whole { ids },
            how => how,
        };
        if let How::Aside(aside, _) = how {
            if let Some(read) = set_aside_streamed(input, profile, aside, jobs)? {
                return Ok(read);
            }
        }
        crate::cmd::lay_out_input(input, profile, None, false).map(|p| match how {
            How::Whole { ids } => {
                let ids = match ids {
                    true => p.tracker.activities.iter().map(|a| a.id.clone()).collect(),
                    false => Vec::new(),
                };
                Read::Whole(p, ids)
            }
            How::Aside(aside, _) => {
                match katrack::merge::set_aside(&input.name, p, profile, &aside.spill) {
                    Ok(kept) => {
                        aside.note(&kept);
                        Read::Aside(kept)
                    }
                    Err(_) => Read::Again,
                }
            }
        })
    })
}

/// A return that is an xlsx workbook, set aside as it is read (on three threads, or one with
/// `jobs` 1, as `check` reads one); `None` when it is to be read whole.
fn set_aside_streamed(
    input: &crate::cmd::InputFile,
    profile: &katrack::profile::Profile,
    aside: &Aside,
    jobs: usize,
) -> Result<Option<Read>, Error> {
    let spill = &aside.spill;
    let streamed =
        katrack::merge::set_aside_streamed(&input.path, &input.name, profile, spill, jobs)
            .map_err(|e| e.with_path(&input.name))?;
    Ok(streamed.map(|kept| match kept {
        Ok(kept) => {
            aside.note(&kept);
            Read::Aside(kept)
        }
        Err(_) => Read::Again,
    }))
}

/// The returns read, as the merge takes them.
#[derive(Default)]
pub(super) struct Returns {
    /// Laid out whole (file name, layout), with the ids each gives when asked.
    pub(super) whole: Vec<(String, Parsed)>,
    pub(super) ids: Vec<Vec<String>>,
    /// Set aside, with the input each came from.
    pub(super) aside: Vec<(SetAside, crate::cmd::InputFile)>,
    /// Whether some return could not be set aside.
    pub(super) again: bool,
    /// How many activities they hold.
    pub(super) activities: usize,
}

impl Returns {
    /// Adds the return read from `input`.
    pub(super) fn add(&mut self, input: &crate::cmd::InputFile, read: Read) {
        match read {
            Read::Whole(parsed, ids) => {
                self.activities += parsed.tracker.activities.len();
                self.whole.push((input.name.clone(), parsed));
                self.ids.push(ids);
            }
            Read::Aside(aside) => {
                self.activities += aside.len();
                self.aside.push((aside, input.clone()));
            }
            Read::Again => {
                self.aside.push((SetAside::default(), input.clone()));
                self.again = true;
            }
        }
    }
}
