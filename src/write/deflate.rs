//! One deflate stream made on several threads, as pigz makes one: the text comes in pieces,
//! each is deflated on whichever thread is free, primed with the 32 KiB before it (so it
//! compresses as well as one stream would) and ended by a sync flush (so the pieces join
//! byte-aligned); a last thread writes them in order to a temporary file and joins their
//! CRC-32s. Used for a large sheet's rows (`src/write/sheet_stream.rs`), whose 190 MB at
//! 100,000 activities took 1.4 s to deflate on one thread.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// The deflate level of rust_xlsxwriter's zip (the zip crate's default).
pub(crate) const LEVEL: u32 = 6;
/// How much earlier text a piece may refer to (deflate's window).
const WINDOW: usize = 32 << 10;

/// The text deflated (a deflate stream ended by a sync flush, not final) into a temporary
/// file, with the text's length and CRC-32.
pub(crate) struct Deflated {
    pub(crate) file: std::fs::File,
    pub(crate) deflated_len: u64,
    pub(crate) len: u64,
    pub(crate) crc: crc32fast::Hasher,
}

/// A piece to deflate: its place, the text before it (up to [`WINDOW`]) and its text.
type Piece = (u64, Vec<u8>, Vec<u8>);
/// A piece deflated: its place, its bytes, its text's CRC-32 and length.
type Done = (u64, Vec<u8>, crc32fast::Hasher);

/// A deflate stream being made on `threads` threads (see the [module](self) docs).
pub(crate) struct Parallel {
    to_deflate: Option<SyncSender<Piece>>,
    deflating: Vec<JoinHandle<io::Result<()>>>,
    writing: Option<JoinHandle<io::Result<Deflated>>>,
    /// The end of the text given so far, the next piece's dictionary.
    tail: Vec<u8>,
    next: u64,
}

impl Parallel {
    /// Starts `threads` deflating threads and the writing one, which writes to `file`.
    pub(crate) fn new(threads: usize, file: std::fs::File) -> Parallel {
        let threads = threads.max(1);
        let (to_deflate, pieces) = sync_channel::<Piece>(threads);
        let (to_write, done) = sync_channel::<Done>(threads);
        let pieces = Arc::new(Mutex::new(pieces));
        let deflating = (0..threads)
            .map(|_| {
                let (pieces, to_write) = (Arc::clone(&pieces), to_write.clone());
                std::thread::spawn(move || deflate_pieces(&pieces, &to_write))
            })
            .collect();
        drop(to_write);
        let writing = std::thread::spawn(move || write_in_order(&done, file));
        Parallel {
            to_deflate: Some(to_deflate),
            deflating,
            writing: Some(writing),
            tail: Vec::new(),
            next: 0,
        }
    }

    /// Gives the next piece of text (waits while every thread is busy).
    pub(crate) fn push(&mut self, text: Vec<u8>) {
        if text.is_empty() {
            return;
        }
        let mut dictionary = std::mem::take(&mut self.tail);
        let keep = text.len().min(WINDOW);
        let mut tail = Vec::with_capacity(WINDOW);
        if keep < WINDOW {
            // A short piece: the dictionary carries on from the one before.
            let from = dictionary.len().saturating_sub(WINDOW - keep);
            tail.extend_from_slice(&dictionary[from..]);
        }
        tail.extend_from_slice(&text[text.len() - keep..]);
        self.tail = tail;
        if let Some(tx) = &self.to_deflate {
            // A closed channel means a thread failed: `finish` gives its error.
            let piece = (self.next, std::mem::take(&mut dictionary), text);
            let _ = tx.send(piece);
        }
        self.next += 1;
    }

    /// Every piece given: waits for the last to be written.
    ///
    /// # Errors
    /// When a piece could not be deflated or written.
    pub(crate) fn finish(mut self) -> io::Result<Deflated> {
        self.to_deflate = None;
        let stopped = || io::Error::other("a compressing thread stopped");
        let deflated: Vec<io::Result<()>> = std::mem::take(&mut self.deflating)
            .into_iter()
            .map(|thread| thread.join().unwrap_or_else(|_| Err(stopped())))
            .collect();
        let writing = self.writing.take().ok_or_else(stopped)?;
        // The writing thread's error first: a deflating thread stops when it does.
        let written = writing.join().unwrap_or_else(|_| Err(stopped()))?;
        deflated.into_iter().collect::<io::Result<()>>()?;
        Ok(written)
    }
}

impl Drop for Parallel {
    fn drop(&mut self) {
        self.to_deflate = None;
        for thread in self.deflating.drain(..) {
            let _ = thread.join();
        }
        if let Some(writing) = self.writing.take() {
            let _ = writing.join();
        }
    }
}

/// A deflating thread: each piece it takes, deflated and handed to the writing thread.
fn deflate_pieces(pieces: &Mutex<Receiver<Piece>>, to_write: &SyncSender<Done>) -> io::Result<()> {
    loop {
        let piece = pieces.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok((place, dictionary, text)) = piece else {
            return Ok(());
        };
        // A new compressor for each piece, not one reset: zlib-rs's output after a reset and a
        // dictionary depends on the pieces deflated before, so the bytes would depend on which
        // thread took which piece.
        let mut deflate = flate2::Compress::new(flate2::Compression::new(LEVEL), false);
        if !dictionary.is_empty() {
            deflate
                .set_dictionary(&dictionary)
                .map_err(io::Error::other)?;
        }
        let mut out = Vec::with_capacity(text.len() / 3 + 1024);
        deflate_into(&mut deflate, &text, flate2::FlushCompress::Sync, &mut out)?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&text);
        if to_write.send((place, out, crc)).is_err() {
            return Err(io::Error::other("the writing thread stopped"));
        }
    }
}

/// The writing thread: the pieces, in order, to `file`.
fn write_in_order(done: &Receiver<Done>, file: std::fs::File) -> io::Result<Deflated> {
    let mut out = io::BufWriter::with_capacity(1 << 20, file);
    let mut waiting = BTreeMap::new();
    let (mut next, mut deflated_len) = (0, 0);
    let mut crc = crc32fast::Hasher::new();
    for (place, bytes, piece_crc) in done {
        waiting.insert(place, (bytes, piece_crc));
        while let Some((bytes, piece_crc)) = waiting.remove(&next) {
            out.write_all(&bytes)?;
            deflated_len += bytes.len() as u64;
            crc.combine(&piece_crc);
            next += 1;
        }
    }
    if !waiting.is_empty() {
        return Err(io::Error::other("a piece was not deflated"));
    }
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    Ok(Deflated {
        file,
        deflated_len,
        len: crc.total_len(),
        crc,
    })
}

/// Deflates `input` with `flush` onto the end of `out`.
pub(crate) fn deflate_into(
    deflate: &mut flate2::Compress,
    mut input: &[u8],
    flush: flate2::FlushCompress,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    loop {
        if out.capacity() - out.len() < 4096 {
            out.reserve(out.capacity().max(64 << 10));
        }
        let before = deflate.total_in();
        let status = deflate
            .compress_vec(input, out, flush)
            .map_err(io::Error::other)?;
        input = &input[(deflate.total_in() - before) as usize..];
        let room_left = out.len() < out.capacity();
        match status {
            flate2::Status::StreamEnd => return Ok(()),
            _ if input.is_empty() && room_left && flush != flate2::FlushCompress::Finish => {
                return Ok(());
            }
            _ => {}
        }
    }
}

/// `data` deflated on its own: ended by a sync flush, or as the stream's last block.
pub(crate) fn deflated(data: &[u8], last: bool) -> io::Result<Vec<u8>> {
    let mut deflate = flate2::Compress::new(flate2::Compression::new(LEVEL), false);
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    let flush = if last {
        flate2::FlushCompress::Finish
    } else {
        flate2::FlushCompress::Sync
    };
    deflate_into(&mut deflate, data, flush, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek};

    /// Text that compresses, with long repeats across piece boundaries.
    fn text(len: usize, seed: u64) -> Vec<u8> {
        let words = [
            "progress ",
            "next steps ",
            "Green ",
            "KA.01.02 ",
            "<row r=\"",
            "\n",
        ];
        let mut out = Vec::with_capacity(len + 16);
        let mut x = seed;
        while out.len() < len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.extend_from_slice(words[(x % 6) as usize].as_bytes());
            out.extend_from_slice(format!("{}", x % 1000).as_bytes());
        }
        out.truncate(len);
        out
    }

    #[test]
    fn pieces_deflated_apart_inflate_to_the_whole_text_with_its_crc() {
        // Short pieces (under the window, so a dictionary spans several), an empty one, long
        // ones; on one thread and on three.
        let sizes = [10, 0, 5000, 40_000, 3, 300_000, 70_000, 1, 250_000];
        for threads in [1, 3] {
            let pieces: Vec<Vec<u8>> = (0..)
                .zip(sizes)
                .map(|(seed, n)| text(n, seed + 1))
                .collect();
            let whole = pieces.concat();
            let mut parallel = Parallel::new(threads, tempfile::tempfile().unwrap());
            for piece in pieces {
                parallel.push(piece);
            }
            let mut done = parallel.finish().unwrap();
            assert_eq!(done.len, whole.len() as u64);
            assert_eq!(done.crc.clone().finalize(), crc32fast::hash(&whole));
            let mut bytes = Vec::new();
            done.file.rewind().unwrap();
            done.file.read_to_end(&mut bytes).unwrap();
            assert_eq!(bytes.len() as u64, done.deflated_len);
            // Ended as the zip's last piece is, the stream inflates to the text.
            bytes.extend(deflated(b"", true).unwrap());
            let mut inflated = Vec::new();
            flate2::read::DeflateDecoder::new(&bytes[..])
                .read_to_end(&mut inflated)
                .unwrap();
            assert!(inflated == whole, "{threads} threads: the text differs");
            // Primed with the text before them, the pieces compress as one stream does.
            let one = deflated(&whole, true).unwrap().len() as f64;
            assert!(
                (bytes.len() as f64) < one * 1.01,
                "{} vs {one}",
                bytes.len()
            );
        }
    }

    #[test]
    fn a_file_that_cannot_be_written_is_the_error_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows");
        std::fs::write(&path, b"").unwrap();
        // Opened to read only: every write fails.
        let read_only = std::fs::File::open(&path).unwrap();
        let mut parallel = Parallel::new(2, read_only);
        for seed in 0..40 {
            parallel.push(text(256 << 10, seed + 1));
        }
        let Err(err) = parallel.finish() else {
            panic!("the rows were written to a file opened to read only");
        };
        let said = err.to_string();
        assert!(!said.contains("thread stopped"), "{said}");
        assert!(
            err.raw_os_error().is_some(),
            "not the system's error: {said}"
        );
    }

    #[test]
    fn the_bytes_do_not_depend_on_which_thread_deflated_which_piece() {
        // A synthetic tracker's text in 256 KiB pieces, as a sheet's rows are given: zlib-rs's
        // output for a piece after a reset depended on the pieces before it (1 piece in 39 of
        // the bench's Appendix A), so the same workbook came out in other bytes run to run.
        let t = crate::synth::Synthetic::generate(6000, 11).tracker;
        let text: Vec<u8> = t
            .activities
            .iter()
            .flat_map(|a| a.fields().map(|f| f.as_bytes().to_vec()).concat())
            .collect();
        let deflate = |threads: usize| {
            let mut parallel = Parallel::new(threads, tempfile::tempfile().unwrap());
            for piece in text.chunks(256 << 10) {
                parallel.push(piece.to_vec());
            }
            let mut done = parallel.finish().unwrap();
            let mut bytes = Vec::new();
            done.file.rewind().unwrap();
            done.file.read_to_end(&mut bytes).unwrap();
            bytes
        };
        let one = deflate(1);
        assert!(
            text.len() > 20 * (256 << 10),
            "{} bytes of text",
            text.len()
        );
        for threads in [2, 3, 4] {
            assert!(
                deflate(threads) == one,
                "{threads} threads: other bytes than one thread's"
            );
        }
    }
}
