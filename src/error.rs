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
        match e {
            // Large sheets are written through temporary files (constant-memory mode).
            rust_xlsxwriter::XlsxError::TempFileError(dir, why) => Error::Write(format!(
                "the workbook could not be built: no temporary file can be made in {} ({why}); \
                 set TMPDIR to a folder katrack can write to",
                dir.display()
            )),
            e => Error::Write(e.to_string()),
        }
    }
}

thread_local! {
    /// How many [`guarded`] calls are running on this thread: their panics are not printed.
    static GUARDED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs `work`, turning a panic inside it into the error `describe` makes of the panic message.
///
/// For third-party code that panics where it should return an error (calamine on some damaged
/// .xls files; rust_xlsxwriter's constant-memory mode when its temporary folder is full). The
/// first call installs a panic hook that stays silent for panics caught here and hands every
/// other panic to the hook that was there before.
pub fn guarded<T>(
    work: impl FnOnce() -> Result<T>,
    describe: impl FnOnce(String) -> Error,
) -> Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(std::cell::Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(g.get() + 1));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    GUARDED.with(|g| g.set(g.get() - 1));
    outcome.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(describe(crate::clean::tidy_inline(&why)))
    })
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
