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
    /// Set aside as they are read until they must be merged whole ([`AsideReads::whole`]); whole
    /// after that (`ids` as for `Whole`).
    Aside(&'a AsideReads, bool),
}

/// The returns set aside as they are read, and whether they must be merged whole after all.
pub(super) struct AsideReads {
    /// Where their long text goes.
    pub(super) spill: katrack::merge::Spill,
    /// A hash of every id set aside so far.
    seen: Mutex<HashSet<u64>>,
    /// Whether an id was given twice (by two returns, or twice by one) or the spill could not
    /// be written: the returns set aside must then be merged whole (see
    /// katrack::merge::merge_set_aside), so those still to be read are read whole.
    pub(super) whole: AtomicBool,
}

impl AsideReads {
    /// Returns to set aside into `spill`.
    pub(super) fn new(spill: katrack::merge::Spill) -> AsideReads {
        AsideReads {
            spill,
            seen: Mutex::new(HashSet::default()),
            whole: AtomicBool::new(false),
        }
    }

    /// Whether the returns must be merged whole.
    fn whole(&self) -> bool {
        self.whole.load(Ordering::SeqCst)
    }

    /// The return set aside, its ids noted (equal hashes count as the same id: at worst the
    /// returns are merged whole, with the same result); `None` when the spill could not be
    /// written (the returns must be merged whole).
    fn kept(&self, kept: std::io::Result<SetAside>) -> Option<SetAside> {
        let hasher = foldhash::fast::FixedState::default();
        let twice = match &kept {
            Ok(kept) => {
                let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
                kept.ids()
                    .filter(|id| !id.is_empty())
                    .any(|id| !seen.insert(hasher.hash_one(id)))
            }
            Err(_) => true,
        };
        if twice {
            self.whole.store(true, Ordering::SeqCst);
        }
        kept.ok()
    }
}

/// One return as read.
pub(super) enum Read {
    /// Laid out whole, with its ids when asked.
    Whole(Parsed, Vec<String>),
    /// Set aside.
    Aside(SetAside),
}

/// Reads the returns `inputs`, `jobs` at a time.
pub(super) fn read_returns(
    inputs: &[crate::cmd::InputFile],
    profile: &katrack::profile::Profile,
    jobs: usize,
    how: How,
) -> Vec<Result<Read, Error>> {
    in_parallel(inputs, jobs, |input| {
        let ids = match how {
            How::Aside(aside, ids) => {
                if !aside.whole() {
                    if let Some(kept) = set_aside(input, profile, aside, jobs)? {
                        return Ok(Read::Aside(kept));
                    }
                }
                ids
            }
            How::Whole { ids } => ids,
        };
        crate::cmd::lay_out_input(input, profile, None, false).map(|p| {
            let ids = match ids {
                true => p.tracker.activities.iter().map(|a| a.id.clone()).collect(),
                false => Vec::new(),
            };
            Read::Whole(p, ids)
        })
    })
}

/// The return `input` set aside: an xlsx workbook as it is read (on three threads, or one
/// with `jobs` 1, as `check` reads one), anything else once laid out. `None` when the spill
/// could not be written: read it whole (it will be merged whole).
fn set_aside(
    input: &crate::cmd::InputFile,
    profile: &katrack::profile::Profile,
    aside: &AsideReads,
    jobs: usize,
) -> Result<Option<SetAside>, Error> {
    let spill = &aside.spill;
    let streamed =
        katrack::merge::set_aside_streamed(&input.path, &input.name, profile, spill, jobs)
            .map_err(|e| e.with_path(&input.name))?;
    let kept = match streamed {
        Some(kept) => kept,
        None => {
            let p = crate::cmd::lay_out_input(input, profile, None, false)?;
            katrack::merge::set_aside(&input.name, p, profile, spill)
        }
    };
    Ok(aside.kept(kept))
}

/// The returns read, as the merge takes them.
#[derive(Default)]
pub(super) struct Returns {
    /// Laid out whole (file name, layout), with the ids each gives when asked.
    pub(super) whole: Vec<(String, Parsed)>,
    pub(super) ids: Vec<Vec<String>>,
    /// Set aside, with the input each came from.
    pub(super) aside: Vec<(SetAside, crate::cmd::InputFile)>,
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
        }
    }
}
