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
use crate::model::Tracker;
use crate::profile::Profile;

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
    /// Adds the rule's findings for `ret` to `out`.
    fn check(&self, ret: &Return, ctx: &Context, out: &mut Emitter);
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
        let Some(severity) = self.severity else {
            return;
        };
        let a = &self.ret.parsed.tracker.activities[index];
        let cells = self.ret.parsed.cells.get(index);
        let value = cells
            .and_then(|c| c.raw(field))
            .map(str::to_string)
            .or_else(|| a.field(field).map(str::to_string));
        let sheet = cells.map(|c| c.sheet.clone()).unwrap_or_default();
        let cell = cells.map(|c| c.cell(field)).unwrap_or_default();
        self.findings.push(Finding {
            rule: self.rule.to_string(),
            severity,
            activity: (!a.id.is_empty()).then(|| a.id.clone()),
            field: Some(field.to_string()),
            file: self.ret.file.to_string(),
            sheet,
            cell,
            value: value.filter(|v| !v.is_empty()),
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
    let mut out = ret.parsed.findings.clone();
    for rule in RULES {
        let severity = ctx
            .profile
            .rule_severity(rule.code(), rule.default_severity());
        let mut e = Emitter::new(rule.code(), severity, ret);
        rule.check(&ret, ctx, &mut e);
        out.extend(e.findings);
    }
    out
}

/// Runs every rule on every return, then the rules across returns (`conflict`).
/// Findings come grouped by return, in the order the returns were given.
pub fn check_all(returns: &[Return], ctx: &Context) -> Vec<Vec<Finding>> {
    let mut out: Vec<Vec<Finding>> = returns.iter().map(|r| check(*r, ctx)).collect();
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
    let found = in_parallel(&pairs, jobs, |&(r, k)| {
        let (ret, rule) = (returns[r], RULES[k]);
        let severity = ctx
            .profile
            .rule_severity(rule.code(), rule.default_severity());
        let mut e = Emitter::new(rule.code(), severity, ret);
        rule.check(&ret, ctx, &mut e);
        e.findings
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
pub(crate) mod tests {
    //! Helpers for the rules' own tests.
    use super::*;
    use crate::model::Activity;

    /// A complete, valid Green activity of the default profile.
    pub fn activity(id: &str) -> Activity {
        Activity {
            id: id.into(),
            title: "An activity".into(),
            status: "Green".into(),
            progress: "- Work done".into(),
            next_steps: "- Work to do".into(),
            lead: "Chief Officer - Planning and Regeneration".into(),
            portfolio: "Strategy".into(),
            ..Activity::default()
        }
    }

    /// A return holding these activities.
    pub fn parsed(activities: Vec<Activity>) -> Parsed {
        let n = activities.len();
        Parsed {
            tracker: Tracker::with_activities(activities),
            cells: vec![Default::default(); n],
            ..Parsed::default()
        }
    }

    /// One rule's findings on a return, with a plan and previous quarter.
    pub fn run_with(
        rule: &dyn Rule,
        activities: Vec<Activity>,
        plan: Option<&Tracker>,
        previous: Option<&Tracker>,
    ) -> Vec<Finding> {
        let profile = Profile::default_profile();
        let ctx = Context {
            profile: &profile,
            plan,
            previous,
        };
        let p = parsed(activities);
        let ret = Return {
            file: "t.xlsx",
            parsed: &p,
        };
        let mut e = Emitter::new(rule.code(), Some(rule.default_severity()), ret);
        rule.check(&ret, &ctx, &mut e);
        e.findings
    }

    /// One rule's findings on a return.
    pub fn run(rule: &dyn Rule, activities: Vec<Activity>) -> Vec<Finding> {
        run_with(rule, activities, None, None)
    }

    #[test]
    fn checking_on_several_threads_gives_the_same_findings() {
        let profile = Profile::default_profile();
        let plan = Tracker::with_activities(vec![activity("KA.01.01"), activity("KA.02.01")]);
        let ctx = Context {
            profile: &profile,
            plan: Some(&plan),
            previous: Some(&plan),
        };
        let mut odd = activity("KA.01.01");
        odd.lead = "Choose an item.".into();
        odd.status = "Amber/Red".into();
        let returns = [
            parsed(vec![
                odd.clone(),
                activity("KA.09.09"),
                activity("KA.09.09"),
            ]),
            parsed(vec![activity("KA.02.01"), Activity::default()]),
            parsed(vec![odd]),
        ];
        let returns: Vec<Return> = returns
            .iter()
            .map(|p| Return {
                file: "r.xlsx",
                parsed: p,
            })
            .collect();
        let one = check_all(&returns, &ctx);
        assert!(one.iter().map(Vec::len).sum::<usize>() > 6, "{one:?}");
        for jobs in [2, 3, 64] {
            assert_eq!(check_all_jobs(&returns, &ctx, jobs), one, "{jobs} jobs");
        }
    }

    #[test]
    fn every_rule_code_is_unique_and_documented() {
        let codes = codes();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), codes.len());
        assert!(RULES.iter().all(|r| !r.doc().is_empty()));
        for code in [
            "placeholder",
            "missing-lead",
            "unknown-status",
            "bad-id",
            "conflict",
            "stale-progress",
            "unreadable-file",
        ] {
            assert!(is_rule(code), "{code}");
        }
    }

    #[test]
    fn a_profile_can_turn_a_rule_off_or_change_its_severity() {
        let text = crate::profile::DEFAULT_PROFILE.replace(
            "[severities]",
            "[severities]\ntbc-next-steps = \"off\"\nmissing-lead = \"warning\"",
        );
        let profile = Profile::from_toml(&text).unwrap();
        assert_eq!(
            profile.rule_severity("tbc-next-steps", Severity::Warning),
            None
        );
        assert_eq!(
            profile.rule_severity("missing-lead", Severity::Error),
            Some(Severity::Warning)
        );
        let bad = crate::profile::DEFAULT_PROFILE
            .replace("[severities]", "[severities]\nno-such-rule = \"off\"");
        assert!(
            Profile::from_toml(&bad)
                .unwrap_err()
                .to_string()
                .contains("no-such-rule")
        );
    }
}
