//! The returned activities by id, for a merge of returns set aside: their keys are sorted in
//! runs of a bounded size, the runs merged into one file sorted by id, and only each block's
//! first id is held, so that a plan activity's returned activity is found by reading one
//! block of the file, whatever the number of activities. Sorting also finds an id given twice.

use super::aside::{At, SetAside};
use crate::spill::{Appender, Cursor, Record, Spilled, put_bytes};
use std::io;

/// How many bytes of keys are sorted in memory at once.
const RUN: usize = 2 << 20;

/// How many bytes of the sorted file a block holds (about).
const BLOCK: usize = 8 << 10;

/// How many bytes are gathered before they are written.
const WRITE: usize = 256 << 10;

/// Each block's first id and where the block starts.
type Blocks = Vec<(Box<str>, u64)>;

/// The returned activities (with an id), sorted by id.
pub(super) struct Returned {
    sorted: Spilled,
    /// Each block's first id and where it starts in `sorted`.
    blocks: Blocks,
    /// Each return's first activity's number among all returned activities.
    base: Vec<usize>,
    /// How many activities the returns hold (with an id or not).
    pub(super) total: usize,
}

/// One sorted record: the id, then the return, the activity's number in it and where its
/// text is.
fn put(out: &mut Vec<u8>, id: &str, i: usize, at: At) {
    put_bytes(out, id.as_bytes());
    for n in [at.r, i as u32] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    out.extend_from_slice(&at.at.to_le_bytes());
    for n in [at.len, at.short] {
        out.extend_from_slice(&n.to_le_bytes());
    }
}

/// The bytes of a record after its id.
const AFTER_ID: usize = 4 + 4 + 8 + 4 + 4;

/// What follows the id in a record: (activity's number in its return, where it is).
fn after_id(mut rest: Record) -> (usize, At) {
    let r = rest.u32();
    let i = rest.u32() as usize;
    let at = At {
        r,
        at: rest.u64(),
        len: rest.u32(),
        short: rest.u32(),
    };
    (i, at)
}

/// Sorts the keys of `returns` (set aside into `spilled`) by id. `Ok(None)` when an id is
/// given twice (by two returns, or twice by one).
///
/// # Errors
/// When the spill cannot be read or a temporary file written.
pub(super) fn sorted(returns: &[SetAside], spilled: &Spilled) -> io::Result<Option<Returned>> {
    let mut runs = Runs::default();
    let mut base = Vec::with_capacity(returns.len());
    let mut total = 0;
    for (r, aside) in returns.iter().enumerate() {
        base.push(total);
        total += aside.len();
        aside.each_key(spilled, &mut |i, key| {
            if !key.id.is_empty() {
                let at = At {
                    r: r as u32,
                    at: key.at,
                    len: key.len,
                    short: key.short,
                };
                runs.push(key.id, i, at);
            }
        })?;
    }
    let Some((sorted, blocks)) = runs.finish()? else {
        return Ok(None);
    };
    Ok(Some(Returned {
        sorted,
        blocks,
        base,
        total,
    }))
}

/// Keys sorted a run at a time.
struct Runs {
    /// The run being gathered: its records, and where each starts.
    records: Vec<u8>,
    starts: Vec<u32>,
    /// The runs written, and where each lies among them.
    file: Appender,
    written: Vec<(u64, u64)>,
}

impl Default for Runs {
    fn default() -> Self {
        Runs {
            records: Vec::new(),
            starts: Vec::new(),
            file: Appender::new(WRITE),
            written: Vec::new(),
        }
    }
}

impl Runs {
    /// Adds a key; a full run is sorted and written.
    fn push(&mut self, id: &str, i: usize, at: At) {
        if self.records.capacity() == 0 {
            // Not doubled when the run fills.
            self.records.reserve_exact(RUN + (64 << 10));
        }
        self.starts.push(self.records.len() as u32);
        put(&mut self.records, id, i, at);
        if self.records.len() >= RUN {
            self.write_run();
        }
    }

    /// Sorts the run gathered by id and writes it after the others.
    fn write_run(&mut self) {
        let records = &self.records;
        let id = |start: u32| Record(&records[start as usize..]).bytes();
        self.starts.sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
        let mut run = Vec::with_capacity(records.len());
        for &start in &self.starts {
            let len = 4 + id(start).len() + AFTER_ID;
            run.extend_from_slice(&records[start as usize..start as usize + len]);
        }
        let at = self.file.len();
        self.file.extend(&run);
        self.written.push((at, self.file.len()));
        self.records.clear();
        self.starts.clear();
    }

    /// The keys sorted into one file, with each block's first id; `None` when an id was met
    /// twice.
    fn finish(mut self) -> io::Result<Option<(Spilled, Blocks)>> {
        if !self.records.is_empty() {
            self.write_run();
        }
        let runs = self.file.finish()?;
        let mut out = Sorted::default();
        merge_runs(&runs, &self.written, &mut out)?;
        if out.twice {
            return Ok(None);
        }
        let sorted = out.file.finish()?;
        Ok(Some((sorted, out.blocks)))
    }
}

/// Merges the sorted runs `written` of `runs` into `out` (one run is copied).
fn merge_runs(runs: &Spilled, written: &[(u64, u64)], out: &mut Sorted) -> io::Result<()> {
    let mut cursors: Vec<Cursor> = written
        .iter()
        .map(|&(start, end)| Cursor::new(runs, start, end))
        .collect();
    // Each run's next record, and whether it has one (not once it is read out).
    let mut heads: Vec<(Vec<u8>, bool)> = vec![(Vec::new(), false); cursors.len()];
    let next = |cursor: &mut Cursor, (record, live): &mut (Vec<u8>, bool)| -> io::Result<()> {
        *live = !cursor.is_done();
        if *live {
            record.clear();
            put_bytes(record, cursor.bytes()?);
            record.extend_from_slice(cursor.take(AFTER_ID)?);
        }
        Ok(())
    };
    for (cursor, head) in cursors.iter_mut().zip(&mut heads) {
        next(cursor, head)?;
    }
    fn id_of(record: &[u8]) -> &[u8] {
        Record(record).bytes()
    }
    loop {
        let least = (heads.iter().enumerate())
            .filter(|(_, (_, live))| *live)
            .min_by(|a, b| id_of(&a.1.0).cmp(id_of(&b.1.0)));
        let Some((k, (record, _))) = least else {
            return Ok(());
        };
        let id = std::str::from_utf8(id_of(record)).unwrap_or_default();
        out.add(id, record);
        next(&mut cursors[k], &mut heads[k])?;
    }
}

/// The sorted file being written.
struct Sorted {
    file: Appender,
    blocks: Blocks,
    /// Where the last block starts, and the last id added.
    block_at: u64,
    last: Option<String>,
    /// An id was added twice.
    twice: bool,
}

impl Default for Sorted {
    fn default() -> Self {
        Sorted {
            file: Appender::new(WRITE),
            blocks: Vec::new(),
            block_at: 0,
            last: None,
            twice: false,
        }
    }
}

impl Sorted {
    /// Adds the record `record`, whose id is `id`, after the others (in order of id).
    fn add(&mut self, id: &str, record: &[u8]) {
        if self.last.as_deref() == Some(id) {
            self.twice = true;
        }
        let at = self.file.len();
        if self.blocks.is_empty() || at - self.block_at >= BLOCK as u64 {
            self.blocks.push((id.into(), at));
            self.block_at = at;
        }
        self.file.extend(record);
        let last = self.last.get_or_insert_with(String::new);
        last.clear();
        last.push_str(id);
    }
}

impl Returned {
    /// The number among all returned activities of activity `i` of the return where `at` is.
    pub(super) fn number(&self, at: At, i: usize) -> usize {
        self.base(at.r as usize) + i
    }

    /// The number among all returned activities of return `r`'s first.
    pub(super) fn base(&self, r: usize) -> usize {
        self.base[r]
    }

    /// Calls `f` with each returned activity with an id, by id: its id, number (see
    /// [`number`](Self::number)) and where it is.
    ///
    /// # Errors
    /// When the sorted file cannot be read.
    pub(super) fn each(&self, f: &mut dyn FnMut(&str, usize, At)) -> io::Result<()> {
        let mut cursor = Cursor::new(&self.sorted, 0, self.sorted.len());
        let mut id = String::new();
        while !cursor.is_done() {
            id.clear();
            id.push_str(std::str::from_utf8(cursor.bytes()?).unwrap_or_default());
            let (i, at) = after_id(Record(cursor.take(AFTER_ID)?));
            f(&id, self.number(at, i), at);
        }
        Ok(())
    }

    /// A finder of returned activities by id.
    pub(super) fn finder(&self) -> Finder<'_> {
        Finder {
            index: self,
            block: usize::MAX,
            bytes: Vec::new(),
        }
    }
}

/// Finds returned activities by id ([`Returned::finder`]), the block last read kept.
pub(super) struct Finder<'x> {
    index: &'x Returned,
    block: usize,
    bytes: Vec<u8>,
}

impl Finder<'_> {
    /// The returned activity whose id is `id`: its number and where it is.
    ///
    /// # Errors
    /// When the sorted file cannot be read.
    pub(super) fn find(&mut self, id: &str) -> io::Result<Option<(usize, At)>> {
        let blocks = &self.index.blocks;
        let block = blocks.partition_point(|(first, _)| **first <= *id);
        let Some(block) = block.checked_sub(1) else {
            return Ok(None);
        };
        if block != self.block {
            let start = blocks[block].1;
            let end = blocks
                .get(block + 1)
                .map_or(self.index.sorted.len(), |b| b.1);
            self.bytes.resize((end - start) as usize, 0);
            self.block = usize::MAX;
            self.index.sorted.read_at(&mut self.bytes, start)?;
            self.block = block;
        }
        let mut rest = Record(&self.bytes);
        while !rest.0.is_empty() {
            let here = rest.bytes();
            let (after, more) = rest.0.split_at_checked(AFTER_ID).unwrap_or((&[], &[]));
            rest.0 = more;
            match here.cmp(id.as_bytes()) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => {
                    let (i, at) = after_id(Record(after));
                    return Ok(Some((self.index.number(at, i), at)));
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Parsed;
    use crate::model::{Activity, Tracker};
    use crate::profile::Profile;
    use crate::spill::Spill;

    /// Returns set aside into `spill`, each of the ids `ids` gives (with its position as the
    /// title).
    fn returns(spill: &Spill, ids: &[Vec<String>]) -> Vec<SetAside> {
        let profile = Profile::default_profile();
        ids.iter()
            .enumerate()
            .map(|(r, ids)| {
                let activities = ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| Activity {
                        id: id.clone(),
                        title: format!("{r}/{i}"),
                        ..Activity::default()
                    })
                    .collect();
                let parsed = Parsed {
                    tracker: Tracker::with_activities(activities),
                    ..Parsed::default()
                };
                let file = format!("r{r}.csv");
                super::super::set_aside(&file, parsed, &profile, spill).unwrap()
            })
            .collect()
    }

    /// An id of any length and order of letters (long ones make several runs).
    fn id(n: usize) -> String {
        let long = "x".repeat(n % 97);
        format!("{}-{n}-é{long}", (n * 7919) % 1000)
    }

    #[test]
    fn every_returned_id_is_found_and_listed_by_id_over_several_runs() {
        for per in [3, 2_000, 30_000] {
            let spill = Spill::new();
            let ids: Vec<Vec<String>> = (0..3)
                .map(|r| {
                    let mut ids: Vec<String> = (0..per).map(|i| id(i * 3 + r)).collect();
                    // An activity with no id is not listed.
                    ids.push(String::new());
                    ids
                })
                .collect();
            let returns = returns(&spill, &ids);
            let spilled = spill.finish();
            let index = sorted(&returns, &spilled).unwrap().expect("no id twice");
            assert_eq!(index.total, 3 * (per + 1));
            let bytes: usize = ids.iter().flatten().map(|id| 4 + id.len() + AFTER_ID).sum();
            assert!(per < 30_000 || bytes > 2 * RUN, "{bytes} bytes: one run");
            // Listed by id, each where it is.
            let mut listed = Vec::new();
            let mut reader = super::super::aside::Reader::new(&spilled, 3);
            index
                .each(&mut |id, n, at| {
                    let r = at.r as usize;
                    let i = n - index.base(r);
                    assert_eq!(ids[r][i], id);
                    let fields = reader.fields(&returns, id, at);
                    assert_eq!(fields[crate::model::field::TITLE], format!("{r}/{i}"));
                    listed.push(id.to_string());
                })
                .unwrap();
            let mut want: Vec<String> = ids
                .iter()
                .flatten()
                .filter(|i| !i.is_empty())
                .cloned()
                .collect();
            want.sort_unstable();
            assert_eq!(listed, want);
            // Each found, in any order; others not.
            let mut finder = index.finder();
            for (r, ids) in ids.iter().enumerate().rev() {
                for (i, id) in ids.iter().enumerate().filter(|(_, id)| !id.is_empty()) {
                    let (n, at) = finder.find(id).unwrap().expect(id);
                    assert_eq!((at.r as usize, n), (r, index.base(r) + i), "{id}");
                }
            }
            for absent in ["", " ", "0", "zzz", "999-x", &format!("{}x", id(5))] {
                assert_eq!(finder.find(absent).unwrap(), None, "{absent}");
            }
        }
    }

    #[test]
    fn an_id_given_twice_is_found_whichever_run_holds_it() {
        for (per, twice) in [
            (10, (0, 3, 1, 7)),
            (20_000, (0, 5, 2, 19_999)),
            (20_000, (1, 2, 1, 3)),
        ] {
            let spill = Spill::new();
            let mut ids: Vec<Vec<String>> = (0..3)
                .map(|r| (0..per).map(|i| id(i * 3 + r)).collect())
                .collect();
            let (r1, i1, r2, i2) = twice;
            ids[r2][i2] = ids[r1][i1].clone();
            let returns = returns(&spill, &ids);
            let spilled = spill.finish();
            assert!(sorted(&returns, &spilled).unwrap().is_none(), "{twice:?}");
        }
    }
}
