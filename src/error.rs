//! The library's one error type. Findings (a bad cell) are data, not errors; an `Error` means
//! a file or a profile could not be used at all, and it always names the file and the reason.

use std::fmt;
use std::path::PathBuf;

/// Everything that can stop katrack from reading or writing a file.
#[derive(Debug)]
pub enum Error {
    /// An operating-system error on a file.
    Io(std::io::Error),
    /// The file is not a spreadsheet, CSV or canonical tracker katrack can read.
    Unsupported(String),
    /// The spreadsheet is damaged (truncated zip, bad XML, bad records).
    Corrupt(String),
    /// The workbook is password-protected.
    Encrypted,
    /// The file holds nothing to read (zero bytes, no sheets, no rows).
    Empty(String),
    /// The canonical JSON does not match `katrack/tracker/v1`.
    Json(String),
    /// A profile could not be loaded; the message names the key.
    Profile(String),
    /// Writing a workbook failed.
    Write(String),
    /// The command asked for something impossible (e.g. output over an input).
    Usage(String),
    /// Context: the error happened while handling this path.
    WithPath {
        /// The file being read or written.
        path: PathBuf,
        /// What went wrong.
        source: Box<Error>,
    },
}

impl Error {
    /// Wraps the error with the path of the file it concerns.
    pub fn with_path(self, path: impl Into<PathBuf>) -> Error {
        match self {
            Error::WithPath { .. } => self,
            other => Error::WithPath {
                path: path.into(),
                source: Box::new(other),
            },
        }
    }

    /// The innermost error, past any path context.
    pub fn root(&self) -> &Error {
        match self {
            Error::WithPath { source, .. } => source.root(),
            other => other,
        }
    }

    /// True when the error is the user's request rather than an input (exit code 2 either way).
    pub fn is_usage(&self) -> bool {
        matches!(self.root(), Error::Usage(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::Unsupported(m) => write!(f, "not a spreadsheet katrack can read: {m}"),
            Error::Corrupt(m) => write!(f, "the file is damaged: {m}"),
            Error::Encrypted => write!(
                f,
                "the workbook is password-protected; save an unprotected copy and try again"
            ),
            Error::Empty(m) => write!(f, "nothing to read: {m}"),
            Error::Json(m) => write!(f, "not a katrack/tracker/v1 document: {m}"),
            Error::Profile(m) => write!(f, "bad profile: {m}"),
            Error::Write(m) => write!(f, "could not write: {m}"),
            Error::Usage(m) => write!(f, "{m}"),
            Error::WithPath { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::WithPath { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<rust_xlsxwriter::XlsxError> for Error {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Error::Write(e.to_string())
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
