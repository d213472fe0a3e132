//! A merge whose master is not yet put together: what [`merge_owned`](super::merge_owned) and
//! [`merge_streamed`](super::merge_streamed) give, so that the caller can save the workbook
//! while the master is put together (or only counted).

use super::{Choice, Merged};
use crate::finding::Finding;
use crate::layout::Parsed;
use crate::merge::LeadReturn;
use crate::model::{Activity, Tracker};

/// A merge whose master is not yet put together (see [`merge_owned`](super::merge_owned)):
/// everything it is made from, held until [`Pending::merged`] or [`Pending::counted`].
pub struct Pending {
    pub(super) plan: Tracker,
    pub(super) returns: Vec<(String, Parsed)>,
    pub(super) choice: Choice,
    pub(super) leads: Vec<LeadReturn>,
    pub(super) per_return: Vec<Vec<Finding>>,
}

impl Pending {
    /// The returns it was given (file name, laid-out return), by file name, for a caller that
    /// merges them again another way.
    pub fn into_returns(self) -> Vec<(String, Parsed)> {
        self.returns
    }

    /// How many activities the master holds: the plan's, then those no plan expected.
    pub fn master_len(&self) -> usize {
        self.choice.planned.len() + self.choice.unplanned.len()
    }

    /// [`merged`](Self::merged) without the master's activities (`master` has only the title
    /// lines): the lead table, the ids nobody returned and the findings, for a caller that has
    /// written the master already. Nothing is moved or copied; the rest is freed on a thread
    /// of its own.
    pub fn counted(self) -> Merged {
        let ids = self.plan.activities.iter().map(|p| p.id.as_str());
        let not_returned = self.choice.not_returned(ids);
        let master = self.plan.title_lines();
        free_aside((self.plan, self.returns));
        Merged {
            master,
            leads: self.leads,
            not_returned,
            findings: self.per_return.into_iter().flatten().collect(),
        }
    }

    /// The merge: the master moved out of the plan and the returns, what it does not keep freed
    /// on a thread of its own.
    pub fn merged(self) -> Merged {
        let Pending {
            plan,
            returns,
            choice,
            leads,
            per_return,
        } = self;
        // How many times each returned activity is taken: copied before its last use, then moved.
        let mut uses: Vec<Vec<u32>> = returns
            .iter()
            .map(|(_, p)| vec![0; p.tracker.activities.len()])
            .collect();
        for &(r, i) in choice.planned.iter().flatten().chain(&choice.unplanned) {
            uses[r][i] += 1;
        }
        // What the master does not keep is freed on a thread of its own, beside the writing.
        let mut rest = Vec::with_capacity(returns.len());
        let mut held: Vec<Vec<Activity>> = returns
            .into_iter()
            .map(|(_, mut p)| {
                let activities = std::mem::take(&mut p.tracker.activities);
                rest.push(p);
                activities
            })
            .collect();
        let mut take = |(r, i): (usize, usize)| {
            uses[r][i] -= 1;
            if uses[r][i] == 0 {
                std::mem::take(&mut held[r][i])
            } else {
                held[r][i].clone()
            }
        };
        let Tracker {
            title,
            organisation,
            period,
            activities,
            ..
        } = plan;
        let mut master = Tracker {
            title,
            organisation,
            period,
            activities: Vec::with_capacity(activities.len() + choice.unplanned.len()),
            ..Tracker::default()
        };
        let mut not_returned = Vec::new();
        let mut unused = Vec::new();
        for (p, pick) in activities.into_iter().zip(choice.planned) {
            match pick {
                Some(at) => master
                    .activities
                    .push(from_return(p, take(at), &mut unused)),
                None => {
                    not_returned.push(p.id.clone());
                    master.activities.push(Activity { source: None, ..p });
                }
            }
        }
        master
            .activities
            .extend(choice.unplanned.into_iter().map(&mut take));
        free_aside((rest, held, unused));
        Merged {
            master,
            leads,
            not_returned,
            findings: per_return.into_iter().flatten().collect(),
        }
    }
}

/// Frees `trash` on a thread of its own (here if none can be started): a large merge leaves a
/// million strings behind, and the master is written meanwhile.
pub(crate) fn free_aside<T: Send + 'static>(trash: T) {
    // A thread that cannot start drops its closure, and `trash` with it, here.
    let _ = std::thread::Builder::new().spawn(move || drop(trash));
}

/// The plan's activity updated with a return's content; the text it does not keep goes to
/// `unused`.
fn from_return(plan: Activity, got: Activity, unused: &mut Vec<String>) -> Activity {
    // The text not kept is set aside, to be freed elsewhere.
    let mut or_plan = |mine: String, theirs: String| {
        let (kept, left) = if mine.is_empty() {
            (theirs, mine)
        } else {
            (mine, theirs)
        };
        unused.push(left);
        kept
    };
    Activity {
        id: plan.id,
        title: or_plan(got.title, plan.title),
        status: got.status,
        progress: got.progress,
        next_steps: got.next_steps,
        lead: or_plan(got.lead, plan.lead),
        portfolio: or_plan(got.portfolio, plan.portfolio),
        objective_id: or_plan(plan.objective_id, got.objective_id),
        objective_title: or_plan(plan.objective_title, got.objective_title),
        theme: or_plan(plan.theme, got.theme),
        theme_strapline: or_plan(plan.theme_strapline, got.theme_strapline),
        source: got.source,
    }
}
