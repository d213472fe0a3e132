//! A plain workbook's shared strings table ([`plain`](super::plain)): every string's text in
//! one buffer, so that half a million strings are not half a million allocations (calamine
//! keeps a `Vec<String>`), except a large table's long strings and, past the first MiB of them,
//! its short ones: those go to a temporary file ([`Spill`]) as they are read and are read back
//! through a window as the cells ask for them. Where each string ends is kept in memory for
//! the first 65,536 strings and in another file after (`strings_ends.rs`), so that a table of
//! any size is read in bounded memory.
//! At 100,000 activities the bench's tracker has 100 MB of them (its progress and next steps):
//! `check` of it took 0.62–0.64 s and 31 MiB with them spilled, 0.66–0.67 s and 130 MiB held
//! (growing a buffer of 100 MB costs more than writing it to the system's file cache). A merge,
//! which reads two returns at once and then its plan beside Appendix A, holds about 90 MB less.

use crate::spill::{Spill, Spilled};
use ends::{Cached, Ends};

#[path = "strings_ends.rs"]
mod ends;

/// Strings at least this long (in bytes) may be spilled once [`Spilling::after`] bytes of them
/// are held; shorter ones once [`SHORT_HELD`] bytes of those are: statuses, leads and other
/// short strings used again and again come early in a table and stay in memory, so that
/// reading a sheet's cells in order reads the spilled text in order too.
const LONG: usize = 64;

/// How many bytes of short strings a table spilling holds in memory.
const SHORT_HELD: usize = 1 << 20;

/// The long strings of a table spilling are held in memory up to this many bytes, and only
/// those after go to the file: a return of a hundred activities makes no file (the merges of
/// `tests/it/set_aside.rs`, whose returns have 300, make one for each), and the long strings a
/// sheet uses again and again (a header repeated down the sheet) come first in its table, so
/// they are held and the file is still read in order.
pub(super) const SPILL_AFTER: usize = 256 << 10;

/// The window read from the file at most, and at least (unless the string is longer).
const MAX_WINDOW: usize = 1 << 20;
const MIN_WINDOW: usize = 16 << 10;

/// A shared strings table.
#[derive(Default)]
pub(crate) struct Strings {
    /// The text of the strings held in memory.
    pub(crate) text: String,
    /// After each string: where the text held ends, and where the text spilled ends.
    ends: Ends,
    /// Where long strings go, while the table is read.
    spilling: Option<Spilling>,
    /// The long strings spilled, once the table is read.
    spilled: Option<Spilled>,
}

/// The long strings of a table being read that go to a file.
struct Spilling {
    /// Bytes of long strings held in memory so far, and how many may be before any is spilled
    /// (`usize::MAX`: none is, nor any short string or end).
    held: usize,
    after: usize,
    /// Bytes of short strings held in memory so far.
    short: usize,
    /// The file, made when the first is spilled, and the bytes not yet written to it.
    spill: Option<Spill>,
    pending: Vec<u8>,
    /// Bytes spilled (written or pending).
    len: u32,
}

impl Strings {
    /// An empty table whose long strings, past the first `after` bytes of them, go to a
    /// temporary file.
    pub(crate) fn spilling(after: usize) -> Strings {
        Strings {
            spilling: Some(Spilling {
                held: 0,
                after,
                short: 0,
                spill: None,
                pending: Vec::new(),
                len: 0,
            }),
            ..Strings::default()
        }
    }

    /// How many strings the table holds.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// How many bytes of text were spilled.
    #[cfg(test)]
    pub(crate) fn spilled_len(&self) -> u32 {
        self.ends.last().map_or(0, |e| e.1)
    }

    /// Where the string being read begins in [`text`](Self::text).
    pub(super) fn start(&self) -> usize {
        self.ends.last().map_or(0, |e| e.0 as usize)
    }

    /// Ends the string whose text was appended to [`text`](Self::text) since
    /// [`start`](Self::start), spilling it if it is long. `None`: the table is too large for
    /// `u32` positions, or the spill could not be written.
    pub(crate) fn end_string(&mut self) -> Option<()> {
        let start = self.start();
        let mut spilled = 0;
        if let Some(spilling) = &mut self.spilling {
            if spilling.take(&self.text[start..])? {
                self.text.truncate(start);
            }
            spilled = spilling.len;
        }
        let end = u32::try_from(self.text.len()).ok()?;
        let spills = self
            .spilling
            .as_ref()
            .is_some_and(|s| s.after != usize::MAX);
        self.ends.push((end, spilled), spills)
    }

    /// The table once read: what is pending written to the file.
    pub(crate) fn finish(&mut self) -> Option<()> {
        if let Some(Spilling {
            spill: Some(spill),
            pending,
            ..
        }) = self.spilling.take()
        {
            spill.append(&pending).ok()?;
            self.spilled = Some(spill.finish());
        }
        self.ends.finish();
        Some(())
    }

    /// A reader of the table's strings (see [`Lookup::get`]).
    pub(crate) fn lookup(&self) -> Lookup<'_> {
        Lookup {
            strings: self,
            ends: Cached::new(&self.ends),
            window: String::new(),
            at: 0,
            used: MAX_WINDOW / 2,
        }
    }
}

impl Spilling {
    /// Takes `s`, a string just read: whether it was spilled (else it is held). `None` when
    /// the spill cannot be written.
    fn take(&mut self, s: &str) -> Option<bool> {
        if s.len() < LONG && (self.short < SHORT_HELD || self.after == usize::MAX) {
            self.short += s.len();
            return Some(false);
        }
        if s.len() >= LONG && self.held < self.after {
            self.held += s.len();
            return Some(false);
        }
        if self.spill.is_none() {
            self.spill = Some(Spill::temporary().ok()?);
        }
        self.pending.extend_from_slice(s.as_bytes());
        self.len = self.len.checked_add(u32::try_from(s.len()).ok()?)?;
        if self.pending.len() >= MAX_WINDOW {
            self.spill.as_ref()?.append(&self.pending).ok()?;
            self.pending.clear();
        }
        Some(true)
    }
}

/// Reads a table's strings by number, the spilled ones through a window of the file that grows
/// while the strings are asked for in order (up to [`MAX_WINDOW`]) and shrinks when they are
/// not, so that a sheet read in order reads its file once and one read out of order reads
/// little more than the strings it asks for.
pub(crate) struct Lookup<'s> {
    strings: &'s Strings,
    ends: Cached<'s>,
    /// The text of the file from `at`.
    window: String,
    at: u64,
    /// Bytes of the window asked for since it was read.
    used: usize,
}

impl Lookup<'_> {
    /// The `i`-th string; `None` when the spill cannot be read back.
    pub(crate) fn get(&mut self, i: usize) -> Option<&str> {
        let strings = self.strings;
        let (held_start, spilled_start) = match i {
            0 => (0, 0),
            _ => self.ends.get(i - 1)?,
        };
        let (held_end, spilled_end) = self.ends.get(i)?;
        // A string spilled ends further into the file than the one before it.
        if spilled_end == spilled_start {
            return Some(&strings.text[held_start as usize..held_end as usize]);
        }
        let (start, end) = (u64::from(spilled_start), u64::from(spilled_end));
        let window_end = self.at + self.window.len() as u64;
        if start < self.at || end > window_end {
            self.fill(i, start)?;
        }
        self.used += (end - start) as usize;
        let from = (start - self.at) as usize;
        Some(&self.window[from..from + (end - start) as usize])
    }

    /// Reads the window from `start`, where string `i` begins, up to the end of a string: twice
    /// what was asked of the last window, within the bounds.
    fn fill(&mut self, i: usize, start: u64) -> Option<()> {
        let spilled = self.strings.spilled.as_ref()?;
        let want = (2 * self.used).clamp(MIN_WINDOW, MAX_WINDOW) as u64;
        // The last string that ends within the window wanted, and at least string `i`.
        let mut end = u64::from(self.ends.get(i)?.1);
        // A window ends early rather than look far past strings held (whose ends do not move).
        for j in (i + 1..self.strings.len()).take(MAX_WINDOW / 16) {
            let next = u64::from(self.ends.get(j)?.1);
            if next > start + want {
                break;
            }
            end = next;
        }
        let mut bytes = std::mem::take(&mut self.window).into_bytes();
        bytes.clear();
        bytes.resize(usize::try_from(end - start).ok()?, 0);
        spilled.read_at(&mut bytes, start).ok()?;
        // Strings begin and end on characters: the window is text unless the file was changed.
        self.window = String::from_utf8(bytes).ok()?;
        (self.at, self.used) = (start, 0);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of `strings` read with long strings spilled after `after` bytes.
    fn table(strings: &[String], after: usize) -> Strings {
        let mut table = Strings::spilling(after);
        for s in strings {
            table.text.push_str(s);
            table.end_string().unwrap();
        }
        table.finish().unwrap();
        table
    }

    fn strings() -> Vec<String> {
        (0..3000)
            .map(|i| match i % 5 {
                0 => "Green".to_string(),
                1 => String::new(),
                2 => format!("Étape {i} — ").repeat(1 + i % 40),
                3 => "x".repeat(64 + i % 3),
                _ => format!("line {i}\n").repeat(1 + (i * 7) % 300),
            })
            .chain(["é".repeat(MAX_WINDOW), "after the longest".repeat(9)])
            .collect()
    }

    #[test]
    fn every_string_reads_back_in_any_order_spilled_or_held() {
        let strings = strings();
        let orders: [Box<dyn Fn(usize) -> usize>; 3] = [
            Box::new(|i| i),
            Box::new(|i| strings.len() - 1 - i),
            Box::new(|i| (i * 7919) % strings.len()),
        ];
        for after in [0, 5000, usize::MAX] {
            let table = table(&strings, after);
            assert_eq!(table.spilled.is_some(), after != usize::MAX);
            let held: usize = table.text.len();
            let total: usize = strings.iter().map(String::len).sum();
            if after == 0 {
                assert!(held < total / 50, "{held} of {total} held");
            }
            for order in &orders {
                let mut lookup = table.lookup();
                for n in 0..strings.len() {
                    let i = order(n);
                    assert_eq!(lookup.get(i), Some(strings[i].as_str()), "string {i}");
                }
            }
        }
    }

    #[test]
    fn a_large_tables_short_strings_and_ends_go_to_files_and_read_back() {
        // 300,000 strings, most short (ids), as a large tracker's table: past the first MiB of
        // short strings and the first 65,536 ends, they are in files.
        let strings: Vec<String> = (0..300_000)
            .map(|i| match i % 4 {
                0 => format!("KA.{i:06} (id {i})"),
                1 => format!("{i} {}", "long text ".repeat(1 + i % 12)),
                2 => format!("é{i}"),
                _ => String::new(),
            })
            .collect();
        let table = table(&strings, 0);
        let short: usize = strings
            .iter()
            .filter(|s| s.len() < LONG)
            .map(String::len)
            .sum();
        assert!(short > 2 * SHORT_HELD, "{short} bytes of short strings");
        assert!(
            table.text.len() <= SHORT_HELD + LONG,
            "{} held",
            table.text.len()
        );
        assert_eq!(table.len(), strings.len());
        let n = strings.len();
        // In order, then 5,000 out of order (each a window of its own).
        let order = (0..n).chain((0..5_000).map(|k| (k * 7919) % n));
        let mut lookup = table.lookup();
        for i in order {
            assert_eq!(lookup.get(i), Some(strings[i].as_str()), "string {i}");
        }
        // Held whole when told to spill nothing.
        let held = table_held(&strings);
        assert_eq!(
            held.text.len(),
            strings.iter().map(String::len).sum::<usize>()
        );
        assert_eq!(held.lookup().get(n - 1), Some(strings[n - 1].as_str()));
    }

    /// A table of `strings` spilling nothing.
    fn table_held(strings: &[String]) -> Strings {
        table(strings, usize::MAX)
    }

    #[test]
    fn strings_asked_for_in_order_read_the_file_in_windows_that_grow() {
        let strings = strings();
        let table = table(&strings, 0);
        let mut lookup = table.lookup();
        let (mut reads, mut last) = (0, None);
        for i in 0..strings.len() {
            lookup.get(i).unwrap();
            if last != Some(lookup.at) {
                (reads, last) = (reads + 1, Some(lookup.at));
            }
        }
        let spilled = u64::from(table.ends.last().unwrap().1);
        // Windows of a mebibyte at most, the longest string one of its own.
        assert!(
            reads <= 2 + spilled / (MAX_WINDOW as u64 / 2),
            "{reads} reads"
        );
    }
}
