//! The merge of returns set aside as they were read ([`set_aside`](super::set_aside)), with the
//! plan arriving while the master is written (as for [`merge_streamed`](super::merge_streamed)).
//! Nothing is held per activity: the returned activities are sorted by id into a temporary
//! file ([`index`](super::index)) where each plan activity finds its own as it comes; the plan's
//! rows wait in a bounded queue ([`Queue`]) and are logged to a file ([`Log`]) from which the
//! plan rules, the lead table and the other sheets are made once the whole plan has come; one
//! bit per returned activity says whether the plan has it. The master, findings and sheets are
//! those of [`merge_streamed`](super::merge_streamed), which holds every return whole.

use super::aside::{At, Reader, SetAside, Shorts, Spilled};
use super::aside_plan::{Log, Logged, PlanRow, each_logged};
use super::index::{self, Returned};
use super::leads::LeadTable;
use super::queue::Queue;
use super::streamed::as_they_come;
use super::{LeadReturn, Merged, RowSink, errors_by_activity, master_fields};
use crate::finding::Finding;
use crate::layout::Parsed;
use crate::model::{FIELDS, Fields, Rows, Tracker, field};
use crate::profile::Profile;
use crate::rules::{self, Context, Return, history};
use crate::spill::{Record, put_bytes};
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeSet;
use std::io;
use std::sync::Mutex;
use std::sync::mpsc::Receiver;

/// What [`merge_set_aside`] gives.
pub struct SetAsideMerge<O, S> {
    /// The merge without the master's activities (as
    /// [`Pending::counted`](super::Pending::counted) gives it).
    pub merged: Merged,
    /// How many activities the master holds.
    pub master_len: usize,
    /// What the sink gave.
    pub written: O,
    /// What `beside` gave.
    pub beside: S,
}

/// How many bytes of the plan's rows not yet written are held before they go to a temporary
/// file: a plan is read faster than Appendix A is written.
const QUEUE_HELD: usize = 1 << 20;

/// Merges `returns` (set aside into `spilled`, sorted by file name) into the master for the
/// plan whose title lines are `meta` and whose activities arrive from `plan` in order (the
/// sender dropped after the last): the master's rows go to the sink `start` gives, on this
/// thread, as they come; once the whole plan has come, the plan rules run on another thread,
/// which then calls `beside` with the master's rows (the progress and next steps of every
/// activity empty, a returned activity's title the plan's), every return's findings and the
/// lead table.
///
/// `Ok(None)` when some id is given twice (by two returns, or twice by one): nothing was
/// written, and the returns must be merged whole (their conflicts and duplicates need every
/// field).
///
/// # Errors
/// When the spill cannot be read back or a temporary file written (what was written must be
/// discarded).
pub fn merge_set_aside<W: RowSink, S: Send>(
    meta: &Tracker,
    plan: Receiver<Vec<PlanRow>>,
    returns: &[SetAside],
    spilled: &Spilled,
    profile: &Profile,
    start: impl FnOnce() -> W,
    beside: impl FnOnce(&dyn Rows, &[Vec<Finding>], &[LeadReturn]) -> S + Send,
) -> io::Result<Option<SetAsideMerge<W::Out, S>>> {
    debug_assert!(returns.is_sorted_by(|a, b| a.file <= b.file));
    let Some(index) = index::sorted(returns, spilled)? else {
        return Ok(None);
    };
    let mut sink = start();
    let mut writer = Writer {
        reader: Reader::new(spilled, returns.len()),
        returns,
    };
    let mut came = Came {
        finder: index.finder(),
        matched: vec![0; index.total.div_ceil(64)],
        planned_leads: vec![BTreeSet::new(); returns.len()],
        shorts: Shorts::default(),
        log: Log::default(),
        queue: Queue::holding(QUEUE_HELD),
        record: Vec::new(),
        came: 0,
        error: None,
    };
    // The plan's rows are taken as they come (so that the plan rules can start as soon as the
    // whole plan has) and each is written as soon as this thread can.
    let mut written = 0;
    as_they_come(&plan, &mut |batch| match batch {
        Some(batch) => {
            batch.iter().for_each(|p| came.take(&p.fields()));
            true
        }
        None if written < came.came => {
            writer.write_next(&mut sink, &mut came.queue, &came.shorts);
            written += 1;
            true
        }
        None => false,
    });
    let Came {
        matched,
        planned_leads,
        shorts,
        log,
        mut queue,
        came,
        error,
        ..
    } = came;
    let log = log.finish()?;
    if let Some(e) = error {
        return Err(e);
    }
    let kept = Kept {
        returns,
        spilled,
        index: &index,
        matched: &matched,
        shorts: &shorts,
        log: &log,
        error: Mutex::new(None),
    };
    let (checked, unplanned, out) = std::thread::scope(|scope| {
        let checked = scope.spawn(|| {
            let per_return = kept.plan_rules(&planned_leads, profile)?;
            let errors = errors_by_activity(&per_return);
            let leads = kept.lead_table(&errors, profile)?;
            let beside = beside(&kept, &per_return, &leads);
            kept.read_back()?;
            // Listed once the sheets are written, so as not to be held while they are.
            let not_returned = kept.not_returned()?;
            Ok::<_, io::Error>((per_return, leads, not_returned, beside))
        });
        for _ in written..came {
            writer.write_next(&mut sink, &mut queue, &shorts);
        }
        let mut unplanned = 0;
        let rows = index.each(&mut |id, n, at| {
            if !is_set(&matched, n) {
                let fields = writer.reader.fields(returns, id, at);
                sink.row(&fields);
                unplanned += 1;
            }
        });
        let out = sink.finish();
        let checked = checked
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (checked, rows.map(|()| unplanned), out)
    });
    let (per_return, leads, not_returned, beside) = checked?;
    let unplanned = unplanned?;
    if let Some(e) = writer.reader.error.take().or(queue.error.take()) {
        return Err(e);
    }
    let merged = Merged {
        master: meta.title_lines(),
        leads,
        not_returned,
        findings: per_return.into_iter().flatten().collect(),
    };
    Ok(Some(SetAsideMerge {
        merged,
        master_len: came + unplanned,
        written: out,
        beside,
    }))
}

/// Whether bit `n` is set.
fn is_set(bits: &[u64], n: usize) -> bool {
    bits[n / 64] & (1 << (n % 64)) != 0
}

/// What is done with each plan activity as it comes.
struct Came<'x> {
    finder: index::Finder<'x>,
    /// One bit per returned activity: whether the plan has its id.
    matched: Vec<u64>,
    /// Per return, the plan's leads of its planned activities (`missing-activity` takes the
    /// return to answer for them too, see [`history::add_planned_leads`]).
    planned_leads: Vec<BTreeSet<String>>,
    shorts: Shorts,
    log: Log,
    /// The rows not yet written ([`Writer::write_next`] reads them).
    queue: Queue,
    record: Vec<u8>,
    /// How many have come.
    came: usize,
    error: Option<io::Error>,
}

impl Came<'_> {
    /// Finds the returned activity that gives the plan activity whose fields are `fields`,
    /// logs it, and queues its row.
    fn take(&mut self, fields: &Fields) {
        let id = fields[field::ID];
        let got = match id.is_empty() {
            true => None,
            false => self.finder.find(id).unwrap_or_else(|e| {
                self.error.get_or_insert(e);
                None
            }),
        };
        if let Some((n, at)) = got {
            let bit = &mut self.matched[n / 64];
            // The first plan activity of the id gives its lead.
            let lead = fields[field::LEAD];
            if *bit & (1 << (n % 64)) == 0 && !lead.is_empty() {
                history::add(&mut self.planned_leads[at.r as usize], lead);
            }
            *bit |= 1 << (n % 64);
        }
        let short = self.shorts.of(fields);
        self.log
            .push(fields, short, got.map(|(_, at)| (at.r, at.short)));
        // The row: the plan's id, title, progress and next steps (those two only when no
        // return gives it), its short fields, and where the returned activity is.
        self.record.clear();
        let texts = [field::ID, field::TITLE, field::PROGRESS, field::NEXT_STEPS];
        for (k, f) in texts.into_iter().enumerate() {
            let text = if k >= 2 && got.is_some() {
                ""
            } else {
                fields[f]
            };
            put_bytes(&mut self.record, text.as_bytes());
        }
        let at = got.map_or(
            At {
                r: u32::MAX,
                at: 0,
                len: 0,
                short: 0,
            },
            |(_, at)| at,
        );
        for n in [short, at.r, at.len, at.short] {
            self.record.extend_from_slice(&n.to_le_bytes());
        }
        self.record.extend_from_slice(&at.at.to_le_bytes());
        self.queue.push(&self.record);
        self.came += 1;
    }
}

/// Writes the master's rows.
struct Writer<'s> {
    reader: Reader<'s>,
    returns: &'s [SetAside],
}

impl Writer<'_> {
    /// Writes the next row queued by [`Came::take`] (an empty row if there is none: only when
    /// the queue's file could not be read back, which fails the merge).
    fn write_next<W: RowSink>(&mut self, sink: &mut W, queue: &mut Queue, shorts: &Shorts) {
        let mut record = Record(queue.pop().unwrap_or_default());
        let mut plan: Fields = [""; FIELDS.len()];
        for f in [field::ID, field::TITLE, field::PROGRESS, field::NEXT_STEPS] {
            plan[f] = record.str();
        }
        let [short, r, len, short_there] = [(); 4].map(|()| record.u32());
        shorts.fill(short, &mut plan);
        let at = At {
            r,
            at: record.u64(),
            len,
            short: short_there,
        };
        let got = (r != u32::MAX).then(|| self.reader.fields(self.returns, plan[field::ID], at));
        sink.row(&master_fields(plan, got));
    }
}

/// What the plan rules, the lead table and the other sheets are made from once the whole plan
/// has come.
struct Kept<'a> {
    returns: &'a [SetAside],
    /// Where they were set aside.
    spilled: &'a Spilled,
    index: &'a Returned,
    /// See [`Came::matched`].
    matched: &'a [u64],
    /// The plan's short fields, and its log.
    shorts: &'a Shorts,
    log: &'a Spilled,
    /// The first error reading back the rows given to the other sheets.
    error: Mutex<Option<io::Error>>,
}

impl Kept<'_> {
    /// Whether the rows given to the other sheets were read back whole.
    fn read_back(&self) -> io::Result<()> {
        match self.error.lock().map(|mut e| e.take()) {
            Ok(Some(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// The plan's lead of logged activity `row`.
    fn lead<'l>(&'l self, row: &Logged) -> &'l str {
        self.shorts.field(row.short, field::LEAD)
    }

    /// Every return's findings: those it was set aside with (the layout's and the rules' that
    /// need no plan), then `missing-activity`'s and `unexpected-activity`'s — as
    /// [`check_all`](rules::check_all) gives them when no id is given twice (so there is no
    /// conflict) and there is no previous quarter (so no `stale-progress`).
    fn plan_rules(
        &self,
        planned_leads: &[BTreeSet<String>],
        profile: &Profile,
    ) -> io::Result<Vec<Vec<Finding>>> {
        let ctx = Context {
            profile,
            plan: None,
            previous: None,
        };
        let empty = Parsed::default();
        fn ret<'r>(aside: &'r SetAside, empty: &'r Parsed) -> Return<'r> {
            Return {
                file: &aside.file,
                parsed: empty,
            }
        }
        // The returns that answer for each lead: those whose activities name it, or that
        // hold a planned activity of it.
        let mut answering: HashMap<&str, Vec<usize>> = HashMap::new();
        for (r, aside) in self.returns.iter().enumerate() {
            for lead in aside.leads.union(&planned_leads[r]) {
                answering.entry(lead).or_default().push(r);
            }
        }
        let mut missing: Vec<rules::Emitter> = (self.returns.iter())
            .map(|aside| rules::emitter(&history::MissingActivity, ret(aside, &empty), &ctx))
            .collect();
        each_logged(self.log, &mut |row| {
            let lead = self.lead(&row);
            for &r in answering.get(lead).map_or(&[][..], Vec::as_slice) {
                let held = match row.got {
                    Some((by, _)) => by == r,
                    None => row.id.is_empty() && self.returns[r].no_id,
                };
                if !held {
                    history::missing_one(row.id, row.title, lead, &mut missing[r]);
                }
            }
        })?;
        let mut per_return = Vec::with_capacity(self.returns.len());
        for ((r, aside), missing) in self.returns.iter().enumerate().zip(missing) {
            let mut found = aside.findings.clone();
            found.extend(missing.findings);
            let mut e = rules::emitter(&history::UnexpectedActivity, ret(aside, &empty), &ctx);
            let base = self.index.base(r);
            aside.each_key(self.spilled, &mut |i, key| {
                if !key.id.is_empty() && !is_set(self.matched, base + i) {
                    let message = history::not_in_plan(key.id);
                    e.at_place(aside.id_place(&key), "id", message, None);
                }
            })?;
            found.append(&mut e.findings);
            per_return.push(found);
        }
        Ok(per_return)
    }

    /// How complete each lead's return is (as [`lead_table`](super::lead_table) makes it).
    fn lead_table(
        &self,
        errors: &HashMap<(usize, &str), usize>,
        profile: &Profile,
    ) -> io::Result<Vec<LeadReturn>> {
        let mut table = LeadTable::default();
        let file = |r: usize| (r, self.returns[r].file.as_str());
        each_logged(self.log, &mut |row| {
            // The returns that hold its id: the one that gives it, or, for an activity with no
            // id, every return with such an activity.
            let holders: &mut dyn Iterator<Item = (usize, &str)> = match row.got {
                Some((r, _)) => &mut std::iter::once(file(r)),
                None if row.id.is_empty() => &mut (0..self.returns.len())
                    .filter(|&r| self.returns[r].no_id)
                    .map(file),
                None => &mut std::iter::empty(),
            };
            let lead = self.lead(&row);
            table.add(row.id, lead, row.got.is_some(), holders, errors, profile);
        })?;
        Ok(table.finish(profile))
    }

    /// The ids of the plan's activities no return gives, in plan order.
    fn not_returned(&self) -> io::Result<Vec<String>> {
        let mut ids = Vec::new();
        each_logged(self.log, &mut |row| {
            if row.got.is_none() {
                ids.push(row.id.to_string());
            }
        })?;
        Ok(ids)
    }
}

/// The master's rows for the sheets beside Appendix A, read back from the plan's log and the
/// returns' sorted ids: the progress and next steps empty, a returned activity's title the
/// plan's (the Summary, Issues and Returns sheets read no other).
impl Rows for Kept<'_> {
    fn each(&self, f: &mut dyn FnMut(Fields<'_>)) {
        let planned = each_logged(self.log, &mut |row| {
            let mut plan: Fields = [""; FIELDS.len()];
            plan[field::ID] = row.id;
            plan[field::TITLE] = row.title;
            self.shorts.fill(row.short, &mut plan);
            let got = row
                .got
                .map(|(r, short)| self.returns[r].short_fields(row.id, short));
            f(master_fields(plan, got));
        });
        let unplanned = planned.and_then(|()| {
            self.index.each(&mut |id, n, at| {
                if !is_set(self.matched, n) {
                    f(self.returns[at.r as usize].short_fields(id, at.short));
                }
            })
        });
        if let (Err(e), Ok(mut error)) = (unplanned, self.error.lock()) {
            error.get_or_insert(e);
        }
    }
}
