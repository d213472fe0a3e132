//! Diff: what moved between two quarters' trackers — status changes with their direction,
//! activities added and removed, lead and portfolio changes, progress copied unchanged.

use crate::model::{Activity, Tracker};
use crate::profile::{Profile, StatusKind};
use foldhash::HashMap;
use serde::Serialize;

/// Which way a status moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// To a better RAG status (Amber → Green), or from not started / deferred to Green.
    Improved,
    /// To a worse RAG status (Green → Red), or from not started / deferred to Amber or Red.
    Worsened,
    /// From not started or deferred to under way.
    Started,
    /// To complete.
    Completed,
    /// To deferred.
    Deferred,
    /// Any other change (e.g. to or from a status outside the vocabulary).
    Changed,
}

impl Direction {
    /// The word shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Improved => "improved",
            Direction::Worsened => "worsened",
            Direction::Started => "started",
            Direction::Completed => "completed",
            Direction::Deferred => "deferred",
            Direction::Changed => "changed",
        }
    }
}

/// One value that changed for an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The activity id.
    pub id: String,
    /// The activity title (as now).
    pub title: String,
    /// The field: `status`, `lead`, `portfolio`, or `progress` for copied progress.
    pub field: String,
    /// The old value.
    pub from: String,
    /// The new value.
    pub to: String,
    /// For status changes, which way it moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
}

/// Everything that moved between two trackers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Status changes, in the new tracker's order.
    pub status: Vec<Change>,
    /// Lead and portfolio changes.
    pub reassigned: Vec<Change>,
    /// Activities in the new tracker only.
    pub added: Vec<Activity>,
    /// Activities in the old tracker only.
    pub removed: Vec<Activity>,
    /// Activities under way whose progress is word for word last quarter's (`from` = `to`).
    pub unchanged_progress: Vec<Change>,
}

impl Changes {
    /// True when nothing moved.
    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
            && self.reassigned.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.unchanged_progress.is_empty()
    }
}

/// The direction of a status move, by the profile's kinds and order (best RAG status first).
pub fn direction(profile: &Profile, from: &str, to: &str) -> Direction {
    let (Some((f, _)), Some((t, _))) = (profile.match_status(from), profile.match_status(to))
    else {
        return Direction::Changed;
    };
    // A status's place in the profile's order, from the match already made.
    let rank = |name: &str| profile.statuses.iter().position(|d| d.name == name);
    match (f.kind, t.kind) {
        (_, StatusKind::Complete) => Direction::Completed,
        (_, StatusKind::Deferred) => Direction::Deferred,
        (StatusKind::Rag, StatusKind::Rag) => match (rank(&f.name), rank(&t.name)) {
            (Some(a), Some(b)) if b < a => Direction::Improved,
            (Some(a), Some(b)) if b > a => Direction::Worsened,
            _ => Direction::Changed,
        },
        (StatusKind::NotStarted | StatusKind::Deferred, StatusKind::Rag) => Direction::Started,
        _ => Direction::Changed,
    }
}

/// Compares last quarter's tracker with this quarter's.
pub fn diff(old: &Tracker, new: &Tracker, profile: &Profile) -> Changes {
    let before: HashMap<&str, &Activity> =
        old.activities.iter().map(|a| (a.id.as_str(), a)).collect();
    let now: HashMap<&str, &Activity> = new.activities.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut out = Changes::default();
    for a in &new.activities {
        let Some(b) = before.get(a.id.as_str()) else {
            out.added.push(a.clone());
            continue;
        };
        let change = |field: &str, from: &str, to: &str, direction| Change {
            id: a.id.clone(),
            title: a.title.clone(),
            field: field.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            direction,
        };
        if a.status != b.status {
            out.status.push(change(
                "status",
                &b.status,
                &a.status,
                Some(direction(profile, &b.status, &a.status)),
            ));
        }
        for field in ["lead", "portfolio"] {
            let (from, to) = (b.field(field).unwrap_or(""), a.field(field).unwrap_or(""));
            if from != to {
                out.reassigned.push(change(field, from, to, None));
            }
        }
        let under_way = profile.status_kind(&a.status) == Some(StatusKind::Rag);
        if under_way && !a.progress.is_empty() && a.progress == b.progress {
            out.unchanged_progress
                .push(change("progress", &b.progress, &a.progress, None));
        }
    }
    out.removed = old
        .activities
        .iter()
        .filter(|a| !now.contains_key(a.id.as_str()))
        .cloned()
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(rows: &[(&str, &str, &str)]) -> Tracker {
        Tracker::with_activities(
            rows.iter()
                .map(|(id, status, progress)| Activity {
                    id: id.to_string(),
                    title: format!("title {id}"),
                    status: status.to_string(),
                    progress: progress.to_string(),
                    lead: "Chief Officer - Governance".into(),
                    ..Activity::default()
                })
                .collect(),
        )
    }

    #[test]
    fn directions_follow_the_profile() {
        let p = Profile::default_profile();
        assert_eq!(direction(&p, "Amber", "Green"), Direction::Improved);
        assert_eq!(direction(&p, "Green", "Red"), Direction::Worsened);
        assert_eq!(
            direction(&p, "Start Later in Year", "Green"),
            Direction::Started
        );
        assert_eq!(direction(&p, "Green", "Complete"), Direction::Completed);
        assert_eq!(
            direction(&p, "Amber", "Deferred until the 2021/22 Year"),
            Direction::Deferred
        );
        assert_eq!(direction(&p, "Amber/Red", "Green"), Direction::Changed);
    }

    #[test]
    fn diff_finds_moves_additions_removals_and_copies() {
        let p = Profile::default_profile();
        let old = t(&[
            ("KA.01.01", "Amber", "- a"),
            ("KA.01.02", "Green", "- same"),
            ("KA.01.03", "Green", "- x"),
        ]);
        let mut new = t(&[
            ("KA.01.01", "Green", "- b"),
            ("KA.01.02", "Green", "- same"),
            ("KA.01.04", "Red", "- y"),
        ]);
        new.activities[0].lead = "Chief Officer - Finance and Assets".into();
        let d = diff(&old, &new, &p);
        assert_eq!(d.status.len(), 1);
        assert_eq!(d.status[0].direction, Some(Direction::Improved));
        assert_eq!(d.reassigned[0].to, "Chief Officer - Finance and Assets");
        assert_eq!(d.added[0].id, "KA.01.04");
        assert_eq!(d.removed[0].id, "KA.01.03");
        assert_eq!(
            d.unchanged_progress
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            ["KA.01.02"]
        );
        assert!(diff(&old, &old, &p).status.is_empty());
    }
}
