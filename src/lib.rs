//! katrack reads a council's corporate-plan Key Activities tracker from the spreadsheets officers
//! submit, cleans it into one canonical form, flags what is invalid, and writes it back out as
//! canonical JSON/CSV and formatted workbooks.
//!
//! The modules follow the data's journey: [`read`] (files into cells) → [`layout`] (cells into
//! activities) → [`clean`] (text) → [`model`] (the canonical tracker) → [`write`](mod@write).
//!
//! ```
//! use katrack::{layout, profile::Profile, read};
//! let csv = "Key Activities,Status,Progress,Next Steps,Lead Officer,Portfolio\n\
//!            KA.08.02 Develop a MTFS,Amber,- Initial meetings held,- Finalise MTFS,Chief Officer - Finance and Assets,Finance\n";
//! let input = read::read_bytes(csv.as_bytes().to_vec(), "csv").unwrap();
//! let parsed = layout::parse(&input, "returns.csv", &Profile::default_profile(), None).unwrap();
//! assert_eq!(parsed.tracker.activities[0].id, "KA.08.02");
//! assert_eq!(parsed.tracker.activities[0].title, "Develop a MTFS");
//! ```
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cellref;
pub mod check;
pub mod clean;
pub mod diff;
pub mod error;
pub mod finding;
pub(crate) mod interned;
pub mod layout;
pub mod merge;
pub mod model;
pub mod profile;
pub mod read;
pub mod rules;
pub mod samples;
pub(crate) mod spill;
pub mod synth;
pub mod write;

pub use error::{Error, Result};
pub use model::{Activity, Source, Tracker};
