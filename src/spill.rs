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

impl Spilled {
    /// How many bytes were written.
    pub(crate) fn len(&self) -> u64 {
        match &self.from {
            Backing::File { len, .. } => *len,
            Backing::Memory(all) => all.len() as u64,
        }
    }
}

/// Reads the records of a part of a [`Spilled`] one after another, a window at a time.
pub(crate) struct Cursor<'s> {
    from: &'s Spilled,
    /// Where the next bytes to read into `window` are, and where the part ends.
    next: u64,
    end: u64,
    /// Bytes read and not yet taken: `window[taken..]`.
    window: Vec<u8>,
    taken: usize,
}

/// How much a [`Cursor`] reads at once.
const CURSOR_WINDOW: usize = 64 << 10;

impl<'s> Cursor<'s> {
    /// A cursor over the bytes `start..end` of `from`.
    pub(crate) fn new(from: &'s Spilled, start: u64, end: u64) -> Self {
        Cursor {
            from,
            next: start,
            end,
            window: Vec::new(),
            taken: 0,
        }
    }

    /// Whether every byte has been taken.
    pub(crate) fn is_done(&self) -> bool {
        self.taken == self.window.len() && self.next >= self.end
    }

    /// The next `n` bytes.
    ///
    /// # Errors
    /// When they cannot be read (or the part ends before them).
    pub(crate) fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.window.len() - self.taken < n {
            self.window.drain(..self.taken);
            self.taken = 0;
            let want = (n - self.window.len()).max(CURSOR_WINDOW) as u64;
            let more = want.min(self.end.saturating_sub(self.next)) as usize;
            if self.window.len() + more < n {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let have = self.window.len();
            self.window.resize(have + more, 0);
            self.from.read_at(&mut self.window[have..], self.next)?;
            self.next += more as u64;
        }
        let bytes = &self.window[self.taken..self.taken + n];
        self.taken += n;
        Ok(bytes)
    }

    /// The next record written by [`put_bytes`]: its length, then its bytes.
    ///
    /// # Errors
    /// As [`take`](Self::take).
    pub(crate) fn bytes(&mut self) -> io::Result<&[u8]> {
        let n = u32::from_le_bytes(self.array()?) as usize;
        self.take(n)
    }

    /// The next `N` bytes.
    ///
    /// # Errors
    /// As [`take`](Self::take).
    pub(crate) fn array<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let bytes = self.take(N)?;
        Ok(bytes.try_into().unwrap_or([0; N]))
    }

    /// The next `u32`.
    ///
    /// # Errors
    /// As [`take`](Self::take).
    pub(crate) fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
}

/// Bytes appended to a [`Spill`] through a buffer, a piece at a time: the spill is made at the
/// first piece written (bytes that never fill a piece stay in memory), the first error is
/// kept for [`finish`](Self::finish) and later bytes are dropped.
pub(crate) struct Appender {
    file: Option<Spill>,
    out: Vec<u8>,
    written: u64,
    piece: usize,
    error: Option<io::Error>,
}

impl Appender {
    /// An appender writing `piece` bytes at a time.
    pub(crate) fn new(piece: usize) -> Appender {
        Appender {
            file: None,
            out: Vec::new(),
            written: 0,
            piece,
            error: None,
        }
    }

    /// An appender to `file` (for tests: a file that cannot be written).
    #[cfg(test)]
    pub(crate) fn to(file: Spill, piece: usize) -> Appender {
        Appender {
            file: Some(file),
            ..Appender::new(piece)
        }
    }

    /// How many bytes were appended.
    pub(crate) fn len(&self) -> u64 {
        self.written + self.out.len() as u64
    }

    /// Appends what `write` adds to the buffer.
    pub(crate) fn push(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.out);
        if self.out.len() >= self.piece {
            self.write_out();
        }
    }

    /// Appends `bytes` (written at once, not copied into the buffer, when they fill a piece).
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        if self.out.len() + bytes.len() < self.piece {
            self.out.extend_from_slice(bytes);
            return;
        }
        self.write_out();
        self.write(bytes);
    }

    /// Writes the buffer.
    fn write_out(&mut self) {
        let out = std::mem::take(&mut self.out);
        self.write(&out);
        self.out = out;
        self.out.clear();
    }

    fn write(&mut self, bytes: &[u8]) {
        if bytes.is_empty() || self.error.is_some() {
            return;
        }
        let file = self.file.get_or_insert_with(Spill::new);
        match file.append(bytes) {
            Ok(_) => self.written += bytes.len() as u64,
            Err(e) => self.error = Some(e),
        }
    }

    /// Every byte appended: the spill to read back.
    ///
    /// # Errors
    /// The first error writing it.
    pub(crate) fn finish(mut self) -> io::Result<Spilled> {
        if self.file.is_none() {
            self.file = Some(Spill::in_memory());
        }
        self.write_out();
        match (self.error, self.file) {
            (Some(e), _) => Err(e),
            (None, file) => Ok(file.unwrap_or_else(Spill::in_memory).finish()),
        }
    }
}

/// Writes `bytes` as a record a [`Cursor`] or [`Record`] reads: its length (at most
/// `u32::MAX`: longer is cut, which the callers' limits on a cell's text never reach), then
/// its bytes.
pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len().min(u32::MAX as usize);
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out.extend_from_slice(&bytes[..n]);
}

/// Reads the values of one record held in memory, as [`Cursor`] reads them from a file; a
/// record cut short reads as empty values.
pub(crate) struct Record<'a>(pub(crate) &'a [u8]);

impl<'a> Record<'a> {
    /// The next `N` bytes.
    pub(crate) fn array<const N: usize>(&mut self) -> [u8; N] {
        match self.0.split_first_chunk::<N>() {
            Some((head, rest)) => {
                self.0 = rest;
                *head
            }
            None => [0; N],
        }
    }

    /// The next `u32`.
    pub(crate) fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    /// The next `u64`.
    pub(crate) fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    /// The next record of [`put_bytes`].
    pub(crate) fn bytes(&mut self) -> &'a [u8] {
        let n = self.u32() as usize;
        let (head, rest) = self.0.split_at_checked(n).unwrap_or((self.0, &[]));
        self.0 = rest;
        head
    }

    /// The next record of [`put_bytes`] as text (empty if it is not UTF-8).
    pub(crate) fn str(&mut self) -> &'a str {
        std::str::from_utf8(self.bytes()).unwrap_or_default()
    }
}
