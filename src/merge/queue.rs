//! A first-in first-out queue of records that holds a bounded number of bytes in memory and the
//! rest in a temporary file: what a merge keeps of the plan's activities whose rows are not yet
//! written (a plan is read faster than Appendix A is written).

use crate::spill::Spill;
use std::io;

/// Records (each a run of bytes) taken out in the order they were put in. Up to `limit`
/// bytes are held in memory; once more are waiting, the later ones go to a file (through a
/// buffer) until the file has been read out, when the queue is held in memory again.
pub(super) struct Queue {
    /// Records held: `held[taken..]`, each its length then its bytes.
    held: Vec<u8>,
    taken: usize,
    /// The file (made when first needed), what of it was written and read, and the records
    /// still to be written to it (after those in it).
    spill: Option<Spill>,
    written: u64,
    read: u64,
    out: Vec<u8>,
    limit: usize,
    /// The first error writing or reading the file (records are then lost: the merge fails).
    pub(super) error: Option<io::Error>,
}

/// How many bytes go to the file or are read from it at once.
const PIECE: usize = 256 << 10;

impl Queue {
    /// A queue holding up to `limit` bytes in memory.
    pub(super) fn holding(limit: usize) -> Queue {
        Queue {
            held: Vec::new(),
            taken: 0,
            spill: None,
            written: 0,
            read: 0,
            out: Vec::new(),
            limit,
            error: None,
        }
    }

    /// Whether some of its records are in the file or on their way to it.
    fn spilling(&self) -> bool {
        self.read < self.written || !self.out.is_empty()
    }

    /// Puts the record `bytes` at the back.
    pub(super) fn push(&mut self, bytes: &[u8]) {
        let waiting = self.held.len() - self.taken;
        if !self.spilling() && waiting + bytes.len() <= self.limit {
            if self.held.len() + bytes.len() > self.limit {
                // What was taken is given up, so that the records held never pass the limit.
                self.held.drain(..self.taken);
                self.taken = 0;
            }
            crate::spill::put_bytes(&mut self.held, bytes);
            return;
        }
        crate::spill::put_bytes(&mut self.out, bytes);
        if self.out.len() >= PIECE {
            self.write_out();
        }
    }

    /// Writes the records waiting for the file to it.
    fn write_out(&mut self) {
        if self.error.is_some() {
            self.out.clear();
            return;
        }
        let spill = self.spill.get_or_insert_with(Spill::new);
        match spill.append(&self.out) {
            Ok(_) => self.written += self.out.len() as u64,
            Err(e) => self.error = Some(e),
        }
        self.out.clear();
    }

    /// Takes the record at the front (`None` when there is none).
    pub(super) fn pop(&mut self) -> Option<&[u8]> {
        if self.taken == self.held.len() {
            self.refill();
        }
        let at = self.taken;
        let mut record = crate::spill::Record(self.held.get(at..)?);
        if record.0.is_empty() {
            return None;
        }
        let len = record.bytes().len();
        self.taken = self.held.len() - record.0.len();
        self.held.get(at + 4..at + 4 + len)
    }

    /// Holds the next records: from the file while it has some, then those on their way to it.
    fn refill(&mut self) {
        self.held.clear();
        self.taken = 0;
        if self.read < self.written {
            if let Err(e) = self.read_piece() {
                self.error.get_or_insert(e);
                self.read = self.written;
            }
            return;
        }
        std::mem::swap(&mut self.held, &mut self.out);
        if let Some(spill) = &self.spill {
            // Read out: the file starts afresh.
            spill.clear();
        }
        (self.written, self.read) = (0, 0);
    }

    /// Reads whole records from the file: a piece, less the record it cuts (all of the first
    /// record if it is longer).
    fn read_piece(&mut self) -> io::Result<()> {
        let Some(spill) = &self.spill else {
            return Err(io::ErrorKind::UnexpectedEof.into());
        };
        let want = (self.written - self.read).min(PIECE as u64) as usize;
        self.held.resize(want, 0);
        spill.read_at(&mut self.held, self.read)?;
        let record_len = |held: &[u8], at: usize| {
            let len = held.get(at..at + 4)?;
            Some(4 + u32::from_le_bytes(len.try_into().ok()?) as usize)
        };
        let mut end = 0;
        while let Some(len) = record_len(&self.held, end).filter(|len| end + len <= want) {
            end += len;
        }
        if end == 0 {
            let len = record_len(&self.held, 0).ok_or(io::ErrorKind::UnexpectedEof)?;
            self.held.resize(len, 0);
            spill.read_at(&mut self.held, self.read)?;
            end = len;
        }
        self.held.truncate(end);
        self.read += end as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_out_in_order_whatever_was_held_or_written_to_the_file() {
        // Some longer than a piece read back at once.
        let record = |i: usize| match i % 997 {
            5 => format!("{i}:{}", "x".repeat(PIECE + i % 5000)).into_bytes(),
            _ => format!("{i}:{}", "é".repeat(i % 300)).into_bytes(),
        };
        for limit in [0, 10, 1000, 100_000, 1 << 20] {
            let mut queue = Queue::holding(limit);
            // A piece read back, and a record longer than a piece.
            let bound = limit.max(2 * PIECE + 6000) + 1000;
            let (mut pushed, mut popped) = (0, 0);
            // Bursts of pushes and fewer pops, then the rest out: the queue goes to the file
            // and back to memory more than once.
            for round in 0..40 {
                for _ in 0..(round % 7) * 300 {
                    queue.push(&record(pushed));
                    pushed += 1;
                    // Records taken are given up, not kept in front of those waiting.
                    assert!(queue.held.len() <= bound, "{} held", queue.held.len());
                }
                for _ in 0..(round % 5) * 250 {
                    match queue.pop() {
                        Some(got) => {
                            assert_eq!(got, record(popped), "limit {limit}, record {popped}");
                            popped += 1;
                        }
                        None => {
                            assert_eq!(popped, pushed);
                            break;
                        }
                    }
                }
            }
            while let Some(got) = queue.pop() {
                assert_eq!(got, record(popped), "limit {limit}, record {popped}");
                popped += 1;
            }
            assert_eq!(popped, pushed);
            assert!(queue.error.is_none());
            assert!(queue.held.len() <= bound);
        }
    }
}
