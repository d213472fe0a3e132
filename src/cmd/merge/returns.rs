//! The returns of `katrack merge` read: laid out whole, or set aside as they are read (see
//! [`katrack::merge::set_aside`]).

use super::super::check::in_parallel;
use katrack::error::Error;
use katrack::layout::Parsed;
use katrack::merge::SetAside;

/// How the returns are read.
#[derive(Clone, Copy)]
pub(super) enum How<'a> {
    /// Laid out whole; with `ids`, the ids each gives are copied (for a plan read beside
    /// Appendix A, see master::merge_beside).
    Whole { ids: bool },
    /// Set aside into the spill as they are read.
    Aside(&'a katrack::merge::Spill),
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
        if let How::Aside(spill) = how {
            if let Some(read) = set_aside_streamed(input, profile, spill, jobs)? {
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
            How::Aside(spill) => match katrack::merge::set_aside(&input.name, p, profile, spill) {
                Ok(aside) => Read::Aside(aside),
                Err(_) => Read::Again,
            },
        })
    })
}

/// A return that is an xlsx workbook, set aside as it is read (on three threads, or one with
/// `jobs` 1, as `check` reads one); `None` when it is to be read whole.
fn set_aside_streamed(
    input: &crate::cmd::InputFile,
    profile: &katrack::profile::Profile,
    spill: &katrack::merge::Spill,
    jobs: usize,
) -> Result<Option<Read>, Error> {
    let streamed =
        katrack::merge::set_aside_streamed(&input.path, &input.name, profile, spill, jobs)
            .map_err(|e| e.with_path(&input.name))?;
    Ok(streamed.map(|aside| match aside {
        Ok(aside) => Read::Aside(aside),
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
