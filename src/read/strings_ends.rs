//! Where each string of a shared strings table ends ([`Ends`]): the first [`HELD`] of them in
//! memory, the rest in a temporary file in blocks, read back through a few blocks kept by each
//! reader ([`Cached`]), so that a table of millions of strings is indexed in bounded memory.

use crate::spill::{Spill, Spilled};

/// How many ends are held in memory (512 KiB of them); a table spilling nothing holds all.
const HELD: usize = 64 << 10;

/// How many ends a block of the file holds (32 KiB).
const BLOCK: usize = 4 << 10;

/// How many blocks a reader keeps.
const CACHED: usize = 4;

/// One string's end: where the text held ends, and where the text spilled ends.
pub(super) type End = (u32, u32);

/// The ends of a table's strings, in order.
#[derive(Default)]
pub(super) struct Ends {
    held: Vec<End>,
    /// The ends after those held: the full blocks in the file, then the last ones.
    file: Option<Spill>,
    blocks: usize,
    tail: Vec<End>,
    /// The file once every end is in.
    spilled: Option<Spilled>,
    last: Option<End>,
}

impl Ends {
    /// How many strings.
    pub(super) fn len(&self) -> usize {
        self.held.len() + self.blocks * BLOCK + self.tail.len()
    }

    /// The last string's end.
    pub(super) fn last(&self) -> Option<End> {
        self.last
    }

    /// Adds a string's end; past [`HELD`] of them, if `spill` (the table spills), to the file.
    /// `None` when the file cannot be written.
    pub(super) fn push(&mut self, end: End, spill: bool) -> Option<()> {
        self.last = Some(end);
        if !spill || self.held.len() < HELD {
            self.held.push(end);
            return Some(());
        }
        self.tail.push(end);
        if self.tail.len() == BLOCK {
            let file = match &mut self.file {
                Some(file) => file,
                None => self.file.insert(Spill::temporary().ok()?),
            };
            file.append(&encode(&self.tail)).ok()?;
            self.tail.clear();
            self.blocks += 1;
        }
        Some(())
    }

    /// Every end added: the file made ready to be read back.
    pub(super) fn finish(&mut self) {
        self.spilled = self.file.take().map(Spill::finish);
    }
}

/// The bytes of `ends` in the file.
fn encode(ends: &[End]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(ends.len() * 8);
    for &(held, spilled) in ends {
        bytes.extend_from_slice(&held.to_le_bytes());
        bytes.extend_from_slice(&spilled.to_le_bytes());
    }
    bytes
}

/// Reads [`Ends`] back, keeping the last [`CACHED`] blocks read.
pub(super) struct Cached<'e> {
    ends: &'e Ends,
    /// (block, its ends), the last used first.
    blocks: Vec<(usize, Vec<End>)>,
}

impl<'e> Cached<'e> {
    pub(super) fn new(ends: &'e Ends) -> Self {
        Cached {
            ends,
            blocks: Vec::new(),
        }
    }

    /// String `i`'s end; `None` when the file cannot be read back (or `i` is past the last).
    pub(super) fn get(&mut self, i: usize) -> Option<End> {
        let ends = self.ends;
        if let Some(&end) = ends.held.get(i) {
            return Some(end);
        }
        let at = i - ends.held.len();
        let (block, within) = (at / BLOCK, at % BLOCK);
        if block == ends.blocks {
            return ends.tail.get(within).copied();
        }
        if block > ends.blocks {
            return None;
        }
        let found = match self.blocks.iter().position(|(b, _)| *b == block) {
            Some(k) => k,
            None => {
                let mut bytes = vec![0; BLOCK * 8];
                ends.spilled
                    .as_ref()?
                    .read_at(&mut bytes, (block * BLOCK * 8) as u64)
                    .ok()?;
                let read: Vec<End> = bytes
                    .chunks_exact(8)
                    .map(|e| {
                        let (held, spilled) = e.split_at(4);
                        let number =
                            |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap_or_default());
                        (number(held), number(spilled))
                    })
                    .collect();
                if self.blocks.len() == CACHED {
                    self.blocks.pop();
                }
                self.blocks.push((block, read));
                self.blocks.len() - 1
            }
        };
        // The block used last first: found again at once for the next string.
        if found != 0 {
            let used = self.blocks.remove(found);
            self.blocks.insert(0, used);
        }
        self.blocks[0].1.get(within).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_end_reads_back_held_in_the_file_or_last_in_any_order() {
        let end = |i: usize| ((i * 3) as u32, (i * 7 + 1) as u32);
        let n = HELD + 5 * BLOCK + 123;
        for spill in [true, false] {
            let mut ends = Ends::default();
            for i in 0..n {
                ends.push(end(i), spill).unwrap();
            }
            ends.finish();
            assert_eq!(ends.len(), n);
            assert_eq!(ends.last(), Some(end(n - 1)));
            assert_eq!(ends.held.len(), if spill { HELD } else { n });
            let mut cached = Cached::new(&ends);
            // Forwards, backwards, and jumping between blocks more than are kept.
            let order = (0..n)
                .chain((0..n).rev())
                .chain((0..n).map(|i| (i * 7919) % n));
            for i in order {
                assert_eq!(cached.get(i), Some(end(i)), "end {i}");
                assert!(cached.blocks.len() <= CACHED);
            }
            assert_eq!(cached.get(n), None);
        }
    }
}
