//! Rules: each one a small type with a code, a one-line doc and a check, listed in [`RULES`]
//! (STYLE.md habit 4). A rule looks at one return (its activities and the cells they came from)
//! and emits findings; rules across returns (conflicts) run in [`check_all`].
//!
//! Families: [`completeness`] (placeholders, missing values), [`vocabulary`] (unknown values
//! with the closest allowed one), [`identity`] (ids), [`history`] (plan, previous quarter, other
//! returns).

pub mod completeness;
pub mod history;
pub mod identity;
pub mod vocabulary;

use crate::finding::{Finding, Severity};
use crate::layout::Parsed;
use crate::model::{Activity, Tracker};
use crate::profile::Profile;
use foldhash::{HashMap, HashMapExt, HashSet};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// What the rules may consult besides the return itself.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The council's profile: vocabularies, placeholders, severities.
    pub profile: &'a Profile,
    /// The activities expected this quarter (`--plan`), enabling plan rules.
    pub plan: Option<&'a Tracker>,
    /// Last quarter's tracker (`--previous`), enabling `stale-progress`.
    pub previous: Option<&'a Tracker>,
}

/// One input as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Return<'a> {
    /// The file name used in findings.
    pub file: &'a str,
    /// The input laid out into activities, with their cells.
    pub parsed: &'a Parsed,
}

/// A check that looks at one return.
pub trait Rule: Sync {
    /// The rule code, e.g. `missing-lead`.
    fn code(&self) -> &'static str;
    /// One line saying what the rule reports.
    fn doc(&self) -> &'static str;
    /// The severity unless the profile overrides it.
    fn default_severity(&self) -> Severity;
    /// Adds the rule's findings for the activities of `ret` to `out`. `ret` is a whole return,
    /// or the next part of a large one checked as it is read; `memo` carries what the rule
    /// remembers of the parts before, so that the findings are the same either way.
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, memo: &mut Memo<'c>, out: &mut Emitter);
    /// Adds the findings about the return as a whole, once every part has been checked.
    fn finish(&self, _ctx: &Context, _memo: &Memo, _out: &mut Emitter) {}
}

/// What a rule remembers between the parts of one return (see [`Rule::check`]). Each rule
/// fills only what it needs; the plan's and last quarter's indexes are built once per return.
#[derive(Default)]
pub struct Memo<'c> {
    /// Ids given so far, with the 1-based row of the first activity of each (`duplicate-id`).
    pub first_rows: HashMap<String, Option<u32>>,
    /// Ids the return holds (`missing-activity`).
    pub held: HashSet<String>,
    /// Leads the return answers for (`missing-activity`, see [`history::return_leads`]).
    pub leads: BTreeSet<String>,
    /// The plan's first activity of each id: built by the first rule that asks, or lent by
    /// [`check_all`] and [`check_all_jobs`], which build it once for every return.
    pub planned: Option<Cow<'c, PlanIndex<'c>>>,
    /// Last quarter's activity of each id.
    pub before: Option<HashMap<&'c str, &'c Activity>>,
}

impl<'c> Memo<'c> {
    /// The plan's first activity of each id (empty without a plan), built on first use.
    pub fn planned(&mut self, ctx: &Context<'c>) -> &PlanIndex<'c> {
        self.planned
            .get_or_insert_with(|| Cow::Owned(plan_index(ctx)))
    }

    /// A memo that starts with `planned` (see [`Memo::planned`]).
    fn lent(planned: Option<&'c PlanIndex<'c>>) -> Memo<'c> {
        Memo {
            planned: planned.map(Cow::Borrowed),
            ..Memo::default()
        }
    }

    /// Last quarter's activity of each id (the last one given), built on first use.
    pub fn before(&mut self, ctx: &Context<'c>) -> &HashMap<&'c str, &'c Activity> {
        self.before.get_or_insert_with(|| {
            ctx.previous
                .iter()
                .flat_map(|p| &p.activities)
                .map(|a| (a.id.as_str(), a))
                .collect()
        })
    }
}

/// The plan's first activity of each id.
pub type PlanIndex<'c> = HashMap<&'c str, &'c Activity>;

/// The index of `ctx`'s plan (empty without one).
fn plan_index<'c>(ctx: &Context<'c>) -> PlanIndex<'c> {
    ctx.plan.map(index_of).unwrap_or_default()
}

/// The first activity of each id of `plan`.
pub(crate) fn index_of(plan: &Tracker) -> PlanIndex<'_> {
    let mut planned = HashMap::new();
    for p in &plan.activities {
        planned.entry(p.id.as_str()).or_insert(p);
    }
    planned
}

/// Every rule that looks at one return, in report order.
pub static RULES: &[&dyn Rule] = &[
    &completeness::Placeholder,
    &completeness::Missing("missing-status", "status", "Status"),
    &completeness::Missing("missing-lead", "lead", "Lead"),
    &completeness::Missing("missing-portfolio", "portfolio", "Portfolio"),
    &completeness::MissingProgress,
    &completeness::TbcNextSteps,
    &vocabulary::UnknownStatus,
    &vocabulary::Unknown("unknown-lead", "lead", "lead"),
    &vocabulary::Unknown("unknown-portfolio", "portfolio", "portfolio"),
    &identity::BadId,
    &identity::DuplicateId,
    &identity::IdObjectiveMismatch,
    &history::MissingActivity,
    &history::UnexpectedActivity,
    &history::StaleProgress,
];

/// Rules reported by other steps, listed so the README and `--help` can name every code.
pub static OTHER_RULES: &[(&str, Severity, &str)] = &[
    (
        "conflict",
        Severity::Error,
        "two returns give different content for one activity",
    ),
    (
        "unrecognised-row",
        Severity::Warning,
        "a non-empty row that is not an activity, continuation, heading or header",
    ),
    (
        "normalised",
        Severity::Info,
        "a value was cleaned (case, spaces, \"KA.1.4\" → \"KA.01.04\")",
    ),
    (
        "unreadable-file",
        Severity::Error,
        "the file cannot be read; the message says why",
    ),
];

/// Where a field of an activity is, for [`Emitter::at_place`].
#[derive(Debug, Clone, Default)]
pub struct Place<'a> {
    /// The activity's id (`""`: none).
    pub id: &'a str,
    /// The field's text as written (`None` or `""`: none shown).
    pub value: Option<&'a str>,
    /// The sheet (`""` for CSV and JSON).
    pub sheet: &'a str,
    /// The A1 reference of the cell (`""`: none).
    pub cell: String,
}

/// Collects one rule's findings for one return, filling in the location of each.
pub struct Emitter<'a> {
    rule: &'static str,
    severity: Option<Severity>,
    ret: Return<'a>,
    /// The findings so far.
    pub findings: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    /// An emitter for `rule` on `ret`, at the profile's severity (None: the rule is off).
    pub fn new(rule: &'static str, severity: Option<Severity>, ret: Return<'a>) -> Emitter<'a> {
        Emitter {
            rule,
            severity,
            ret,
            findings: Vec::new(),
        }
    }

    /// Reports a problem with `field` of the activity at `index`.
    pub fn at(&mut self, index: usize, field: &str, message: String, suggestion: Option<String>) {
        if self.severity.is_none() {
            return;
        }
        let a = &self.ret.parsed.tracker.activities[index];
        let cells = self.ret.parsed.cells.get(index);
        let place = Place {
            id: &a.id,
            value: cells.and_then(|c| c.raw(field)).or_else(|| a.field(field)),
            sheet: cells.map_or("", |c| &c.sheet),
            cell: cells.map(|c| c.cell(field)).unwrap_or_default(),
        };
        self.at_place(place, field, message, suggestion);
    }

    /// [`at`](Self::at) for an activity the return no longer holds: where `field` is.
    pub fn at_place(
        &mut self,
        place: Place,
        field: &str,
        message: String,
        suggestion: Option<String>,
    ) {
        let Some(severity) = self.severity else {
            return;
        };
        self.findings.push(Finding {
            rule: self.rule.to_string(),
            severity,
            activity: (!place.id.is_empty()).then(|| place.id.to_string()),
            field: Some(field.to_string()),
            file: self.ret.file.to_string(),
            sheet: place.sheet.to_string(),
            cell: place.cell,
            value: place.value.filter(|v| !v.is_empty()).map(str::to_string),
            message,
            suggestion,
        });
    }

    /// Reports a problem about the return as a whole (e.g. an activity it lacks).
    pub fn file(&mut self, activity: Option<&str>, message: String) {
        let Some(severity) = self.severity else {
            return;
        };
        self.findings.push(Finding {
            rule: self.rule.to_string(),
            severity,
            activity: activity.map(str::to_string),
            field: None,
            file: self.ret.file.to_string(),
            sheet: String::new(),
            cell: String::new(),
            value: None,
            message,
            suggestion: None,
        });
    }
}

/// Runs every rule on one return; the layout's own findings come first.
pub fn check(ret: Return, ctx: &Context) -> Vec<Finding> {
    check_lent(ret, ctx, None)
}

/// [`check`] with the plan's index lent, when it is built already.
fn check_lent<'c>(
    ret: Return,
    ctx: &Context<'c>,
    planned: Option<&'c PlanIndex<'c>>,
) -> Vec<Finding> {
    let mut checker = Checker::lent(ret.file, *ctx, planned);
    checker.part(ret.parsed);
    checker.finish(ret.parsed.findings.clone())
}

/// An emitter for `rule` on `ret`, at the profile's severity for it.
pub(crate) fn emitter<'a>(rule: &dyn Rule, ret: Return<'a>, ctx: &Context) -> Emitter<'a> {
    let severity = ctx
        .profile
        .rule_severity(rule.code(), rule.default_severity());
    Emitter::new(rule.code(), severity, ret)
}

/// One rule on one whole return, with the plan's index lent.
fn check_one<'c>(
    rule: &dyn Rule,
    ret: Return,
    ctx: &Context<'c>,
    planned: Option<&'c PlanIndex<'c>>,
) -> Vec<Finding> {
    let mut memo = Memo::lent(planned);
    let mut e = emitter(rule, ret, ctx);
    rule.check(&ret, ctx, &mut memo, &mut e);
    rule.finish(ctx, &memo, &mut e);
    e.findings
}

/// Checks one return part by part as it is read, with the same findings in the same order as
/// [`check`] on the whole: each rule's findings are kept apart until [`finish`](Self::finish).
pub struct Checker<'c> {
    file: String,
    ctx: Context<'c>,
    memos: Vec<Memo<'c>>,
    found: Vec<Vec<Finding>>,
    activities: usize,
    /// The rules not run, by their place in [`RULES`].
    skipped: Vec<bool>,
}

impl<'c> Checker<'c> {
    /// A checker for the return read from `file`.
    pub fn new(file: &str, ctx: Context<'c>) -> Self {
        Checker::lent(file, ctx, None)
    }

    /// [`Checker::new`] with the plan's index lent to every rule, when it is built already.
    fn lent(file: &str, ctx: Context<'c>, planned: Option<&'c PlanIndex<'c>>) -> Self {
        Checker {
            file: file.to_string(),
            ctx,
            memos: RULES.iter().map(|_| Memo::lent(planned)).collect(),
            found: vec![Vec::new(); RULES.len()],
            activities: 0,
            skipped: vec![false; RULES.len()],
        }
    }

    /// This checker without the rule whose code is `code`: for a merge of returns set aside,
    /// which finds an id given twice itself (then merging the returns read whole, with
    /// `duplicate-id`), so that nothing is kept per activity while a return is read.
    pub fn without(mut self, code: &str) -> Self {
        for (k, rule) in RULES.iter().enumerate() {
            self.skipped[k] |= rule.code() == code;
        }
        self
    }

    /// Runs every rule on the next part's activities (its layout findings are not taken here).
    pub fn part(&mut self, part: &Parsed) {
        let ret = Return {
            file: &self.file,
            parsed: part,
        };
        for (k, rule) in RULES.iter().enumerate() {
            if self.skipped[k] {
                continue;
            }
            let mut e = emitter(*rule, ret, &self.ctx);
            rule.check(&ret, &self.ctx, &mut self.memos[k], &mut e);
            self.found[k].append(&mut e.findings);
        }
        self.activities += part.tracker.activities.len();
    }

    /// How many activities the parts so far held.
    pub fn activities(&self) -> usize {
        self.activities
    }

    /// Every finding: the layout's (`layout`) first, then each rule's in [`RULES`] order.
    pub fn finish(mut self, layout: Vec<Finding>) -> Vec<Finding> {
        let empty = Parsed::default();
        let ret = Return {
            file: &self.file,
            parsed: &empty,
        };
        let mut out = layout;
        for (k, rule) in RULES.iter().enumerate() {
            let mut e = emitter(*rule, ret, &self.ctx);
            rule.finish(&self.ctx, &self.memos[k], &mut e);
            out.append(&mut self.found[k]);
            out.append(&mut e.findings);
        }
        out
    }
}

/// Runs every rule on every return, then the rules across returns (`conflict`).
/// Findings come grouped by return, in the order the returns were given.
pub fn check_all(returns: &[Return], ctx: &Context) -> Vec<Vec<Finding>> {
    // The plan's index, built once for every return rather than by each rule for each.
    let planned = ctx.plan.map(|_| plan_index(ctx));
    let mut out: Vec<Vec<Finding>> = returns
        .iter()
        .map(|r| check_lent(*r, ctx, planned.as_ref()))
        .collect();
    for (i, found) in history::conflicts(returns, ctx).into_iter().enumerate() {
        out[i].extend(found);
    }
    out
}

/// [`check_all`] on up to `jobs` threads, with the same findings in the same order: each
/// thread takes the next (return, rule) pair left, so a folder of returns and a single large
/// return both keep every thread busy.
pub fn check_all_jobs(returns: &[Return], ctx: &Context, jobs: usize) -> Vec<Vec<Finding>> {
    if jobs <= 1 {
        return check_all(returns, ctx);
    }
    let pairs: Vec<(usize, usize)> = (0..returns.len())
        .flat_map(|r| (0..RULES.len()).map(move |k| (r, k)))
        .collect();
    let planned = ctx.plan.map(|_| plan_index(ctx));
    let found = in_parallel(&pairs, jobs, |&(r, k)| {
        check_one(RULES[k], returns[r], ctx, planned.as_ref())
    });
    let mut out: Vec<Vec<Finding>> = returns.iter().map(|r| r.parsed.findings.clone()).collect();
    for ((r, _), f) in pairs.into_iter().zip(found) {
        out[r].extend(f);
    }
    for (i, found) in history::conflicts(returns, ctx).into_iter().enumerate() {
        out[i].extend(found);
    }
    out
}

/// `f` applied to every item on up to `jobs` threads (each takes the next item left), the
/// results in the order of `items`.
pub fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if jobs.min(items.len()) <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.min(items.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// A status's kind is under way (Green/Amber/Red): progress and next steps are required.
pub fn under_way(profile: &Profile, status: &str) -> bool {
    profile.status_kind(status) == Some(crate::profile::StatusKind::Rag)
}

/// Every rule code katrack reports.
pub fn codes() -> Vec<&'static str> {
    RULES
        .iter()
        .map(|r| r.code())
        .chain(OTHER_RULES.iter().map(|r| r.0))
        .collect()
}

/// True when `code` is one of katrack's rule codes.
pub fn is_rule(code: &str) -> bool {
    codes().contains(&code)
}

#[cfg(test)]
pub(crate) mod tests;
