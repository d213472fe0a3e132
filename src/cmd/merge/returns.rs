//! The returns of `katrack merge` read: laid out whole, or set aside as they are read (see
//! [`katrack::merge::set_aside`]).

use super::super::check::in_parallel;
use katrack::error::Error;
use katrack::layout::Parsed;
use katrack::merge::SetAside;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Whether the spill could not be written: the returns set aside must then be merged
    /// whole, so those still to be read are read whole. (An id given twice, by two returns or
    /// twice by one, is found by katrack::merge::merge_set_aside, which then has them read
    /// whole again: nothing is held per id while they are read.)
    pub(super) whole: AtomicBool,
}

impl AsideReads {
    /// Returns to set aside into `spill`.
    pub(super) fn new(spill: katrack::merge::Spill) -> AsideReads {
        AsideReads {
            spill,
            whole: AtomicBool::new(false),
        }
    }

    /// Whether the returns must be merged whole.
    fn whole(&self) -> bool {
        self.whole.load(Ordering::SeqCst)
    }

    /// The return set aside; `None` when the spill could not be written (the returns must be
    /// merged whole).
    fn kept(&self, kept: std::io::Result<SetAside>) -> Option<SetAside> {
        if kept.is_err() {
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
