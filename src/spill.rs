//! Where text too long to hold goes: a merge's returns set aside keep their long text there
//! ([`set_aside`](crate::merge::set_aside)), and a large workbook's shared strings their long
//! strings (`src/read/strings.rs`); appended while read, read back from any thread by position.

use std::io::{self, Seek, SeekFrom, Write};
use std::sync::{Mutex, PoisonError};

/// Where long text is written while it is read: a temporary file (removed by the system once
/// closed), or memory when no temporary file can be made.
pub struct Spill {
    to: Mutex<Backing>,
}

/// A [`Spill`]'s storage.
enum Backing {
    File { file: std::fs::File, len: u64 },
    Memory(Vec<u8>),
}

impl Default for Spill {
    fn default() -> Self {
        Spill::new()
    }
}

impl Spill {
    /// A spill to a new temporary file (in memory if none can be made).
    pub fn new() -> Spill {
        let to = match tempfile::tempfile() {
            Ok(file) => Backing::File { file, len: 0 },
            Err(_) => Backing::Memory(Vec::new()),
        };
        Spill { to: Mutex::new(to) }
    }

    /// A spill to a new temporary file; an error when none can be made.
    pub(crate) fn temporary() -> io::Result<Spill> {
        let file = tempfile::tempfile()?;
        Ok(Spill {
            to: Mutex::new(Backing::File { file, len: 0 }),
        })
    }

    /// A spill to `file` (for tests: a file opened to read only makes every write fail).
    #[cfg(test)]
    pub(crate) fn to_file(file: std::fs::File) -> Spill {
        Spill {
            to: Mutex::new(Backing::File { file, len: 0 }),
        }
    }

    /// A spill kept in memory (for tests, and where no file should be written).
    pub fn in_memory() -> Spill {
        Spill {
            to: Mutex::new(Backing::Memory(Vec::new())),
        }
    }

    /// Appends `bytes`, giving where they start.
    pub(crate) fn append(&self, bytes: &[u8]) -> io::Result<u64> {
        let mut to = self.to.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *to {
            Backing::File { file, len } => {
                // At its end, wherever a read or a failed write left the cursor.
                file.seek(SeekFrom::Start(*len))?;
                file.write_all(bytes)?;
                let at = *len;
                *len += bytes.len() as u64;
                Ok(at)
            }
            Backing::Memory(all) => {
                all.extend_from_slice(bytes);
                Ok((all.len() - bytes.len()) as u64)
            }
        }
    }

    /// Fills `buf` with the bytes from `at`, while it is still appended to.
    pub(crate) fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        let to = self.to.lock().unwrap_or_else(PoisonError::into_inner);
        to.read_at(buf, at)
    }

    /// Empties it, when nothing appended is to be read again: the next append is at 0.
    pub(crate) fn clear(&self) {
        let mut to = self.to.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *to {
            Backing::File { file, len } => {
                if *len > 0 && file.set_len(0).is_ok() {
                    *len = 0;
                }
            }
            Backing::Memory(all) => all.clear(),
        }
    }

    /// Every record written: the spill to read back.
    pub fn finish(self) -> Spilled {
        Spilled {
            from: self.to.into_inner().unwrap_or_else(PoisonError::into_inner),
        }
    }
}

/// A [`Spill`] once written, read back record by record (from any thread).
pub struct Spilled {
    from: Backing,
}

impl Spilled {
    /// Fills `buf` with the bytes from `at`.
    pub(crate) fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        self.from.read_at(buf, at)
    }
}

impl Backing {
    /// Fills `buf` with the bytes from `at`.
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        match self {
            Backing::File { file, .. } => read_exact_at(file, buf, at),
            Backing::Memory(all) => {
                let start = usize::try_from(at).unwrap_or(usize::MAX);
                let bytes = all
                    .get(start..start.saturating_add(buf.len()))
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
                buf.copy_from_slice(bytes);
                Ok(())
            }
        }
    }
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut std::mem::take(&mut buf)[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// Elsewhere the spill is read back with a lock around a seek and a read.
#[cfg(not(any(unix, windows)))]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> io::Result<()> {
    use std::io::{Read, Seek};
    static LOCK: Mutex<()> = Mutex::new(());
    let _held = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    let mut file = file;
    file.seek(io::SeekFrom::Start(at))?;
    file.read_exact(buf)
}
