//! Status counts: how many activities hold each status, overall and by objective, portfolio and
//! lead. The Summary sheet writes these numbers and draws its charts from them; tests compare
//! the sheet with them.

use crate::interned::Interned;
use crate::model::{Activity, Fields, Rows, Tracker, field};
use crate::profile::{Profile, StatusKind};
use foldhash::{HashMap, HashMapExt};

/// The label of the column for statuses outside the profile's vocabulary, blanks included.
pub const OTHER: &str = "Other / blank";
/// The row label for activities with no objective.
pub const NO_OBJECTIVE: &str = "(no objective)";
/// The group label for objectives with no theme, when other objectives have one.
pub const NO_THEME: &str = "(no theme)";
/// The row label for a lead or portfolio that is empty or a dropdown placeholder.
pub const NOT_GIVEN: &str = "(not given)";

/// One status column of the count tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusColumn {
    /// The header: the profile's name for the status, or the one spelling the tracker uses for
    /// it when that differs (a deferral year matched by the status's pattern); [`OTHER`] for the
    /// column of statuses outside the vocabulary.
    pub label: String,
    /// What the status means; `None` for the [`OTHER`] column.
    pub kind: Option<StatusKind>,
    /// The fill colour, `#RRGGBB`.
    pub colour: String,
}

/// One row of a count table: a label and one count per [`StatusColumn`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    /// The objective ("CO 1 Keeping the District…"), portfolio or lead.
    pub label: String,
    /// Activities per status column.
    pub counts: Vec<usize>,
}

impl CountRow {
    /// The activities in this row.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// The objectives of one theme, in tracker order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeCounts {
    /// "THE PLACE: a safe, enterprising and vibrant place"; `""` when no activity has a theme.
    pub label: String,
    /// One row per objective.
    pub objectives: Vec<CountRow>,
}

/// Every count the Summary sheet shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCounts {
    /// Each status of the profile in report order (best first), then [`OTHER`] only when some
    /// activity has a status outside the vocabulary or none.
    pub columns: Vec<StatusColumn>,
    /// Activities per column, over the whole tracker.
    pub overall: Vec<usize>,
    /// Objectives grouped by theme, both in the order the tracker first mentions them.
    pub by_theme: Vec<ThemeCounts>,
    /// The profile's portfolios in its order, then any other by name, then [`NOT_GIVEN`].
    pub by_portfolio: Vec<CountRow>,
    /// The profile's leads in its order, then any other by name, then [`NOT_GIVEN`].
    pub by_lead: Vec<CountRow>,
}

impl StatusCounts {
    /// All activities.
    pub fn activities(&self) -> usize {
        self.overall.iter().sum()
    }

    /// Activities whose status is of this kind.
    pub fn of_kind(&self, kind: StatusKind) -> usize {
        self.columns
            .iter()
            .zip(&self.overall)
            .filter(|(c, _)| c.kind == Some(kind))
            .map(|(_, n)| n)
            .sum()
    }

    /// Activities whose status is outside the vocabulary or blank.
    pub fn other(&self) -> usize {
        self.columns
            .iter()
            .zip(&self.overall)
            .filter(|(c, _)| c.kind.is_none())
            .map(|(_, n)| n)
            .sum()
    }

    /// The index of the column with this label.
    pub fn column(&self, label: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.label == label)
    }
}

/// Counts the tracker's activities by status, matching statuses as the profile does (ignoring
/// case and spaces, aliases and patterns included).
///
/// # Examples
///
/// ```
/// use katrack::{profile::Profile, write::summary::status_counts, Activity, Tracker};
/// let a = |status: &str| Activity { status: status.into(), ..Activity::default() };
/// let t = Tracker::with_activities(vec![a("Green"), a("green "), a("Amber/Red")]);
/// let counts = status_counts(&t, &Profile::default_profile());
/// assert_eq!(counts.overall[counts.column("Green").unwrap()], 2);
/// assert_eq!(counts.other(), 1);
/// assert_eq!(counts.activities(), 3);
/// ```
pub fn status_counts(tracker: &Tracker, profile: &Profile) -> StatusCounts {
    let activities: Vec<Fields> = tracker.activities.iter().map(Activity::fields).collect();
    counts_of(&activities, profile)
}

/// [`status_counts`] of activities given as their fields, gone through once: each activity
/// is counted under its distinct (status, theme and objective as written, portfolio, lead),
/// and the tables are made from those counts, so nothing is kept per activity.
pub(super) fn counts_of(activities: &(impl Rows + ?Sized), profile: &Profile) -> StatusCounts {
    // A tracker of 100,000 activities holds a handful of distinct statuses, objectives, leads
    // and portfolios: each distinct value is numbered in the order first met, and matched and
    // labelled once.
    let mut statuses = Interned::default();
    let mut written = Distinct4::default();
    let mut portfolios = Interned::default();
    let mut leads = Interned::default();
    let mut tally: HashMap<[u32; 4], usize> = HashMap::new();
    activities.each(&mut |a| {
        let key = [
            statuses.of(a[field::STATUS]),
            written.of([
                a[field::THEME],
                a[field::THEME_STRAPLINE],
                a[field::OBJECTIVE_ID],
                a[field::OBJECTIVE_TITLE],
            ]),
            portfolios.of(a[field::PORTFOLIO]),
            leads.of(a[field::LEAD]),
        ];
        *tally.entry(key).or_default() += 1;
    });
    let known = profile.statuses.len();
    // Each status as written: its column and the value matched.
    let matched: Vec<(usize, Option<String>)> = statuses
        .values()
        .iter()
        .map(|status| match profile.match_status(status) {
            Some((def, value)) => {
                let column = profile.statuses.iter().position(|d| std::ptr::eq(d, def));
                (column.unwrap_or(known), Some(value))
            }
            None => (known, None),
        })
        .collect();
    let has_other = matched.iter().any(|(column, _)| *column == known);
    let mut columns: Vec<StatusColumn> = profile
        .statuses
        .iter()
        .enumerate()
        .map(|(i, def)| StatusColumn {
            label: spelling(&matched, i).unwrap_or_else(|| def.name.clone()),
            kind: Some(def.kind),
            colour: def.colour.clone(),
        })
        .collect();
    if has_other {
        columns.push(StatusColumn {
            label: OTHER.to_string(),
            kind: None,
            colour: "#BFBFBF".to_string(),
        });
    }
    let width = columns.len();
    // The counts of `n` groups, each activity's group given by `group` of its distinct key.
    let tally_by = |group: &dyn Fn(&[u32; 4]) -> usize, n: usize| {
        let mut counts = vec![vec![0; width]; n];
        for (key, &count) in &tally {
            counts[group(key)][matched[key[0] as usize].0] += count;
        }
        counts
    };
    let overall = tally_by(&|_| 0, 1).remove(0);

    // (theme, objective) in the order the tracker first mentions them.
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let group_of_written: Vec<usize> = written
        .values
        .iter()
        .map(|w| {
            let mut a: Fields = [""; crate::model::FIELDS.len()];
            [
                a[field::THEME],
                a[field::THEME_STRAPLINE],
                a[field::OBJECTIVE_ID],
                a[field::OBJECTIVE_TITLE],
            ] = [&*w[0], &*w[1], &*w[2], &*w[3]];
            let key = (theme_label(&a), objective_label(&a));
            *index.entry(key).or_insert_with_key(|key| {
                keys.push(key.clone());
                keys.len() - 1
            })
        })
        .collect();
    let any_theme = keys.iter().any(|(theme, _)| !theme.is_empty());
    let mut by_theme: Vec<ThemeCounts> = Vec::new();
    let by_objective = tally_by(&|key| group_of_written[key[1] as usize], index.len());
    for (key, counts) in keys.into_iter().zip(by_objective) {
        let objective = CountRow {
            label: key.1,
            counts,
        };
        let label = if key.0.is_empty() && any_theme {
            NO_THEME.to_string()
        } else {
            key.0
        };
        match by_theme.iter_mut().find(|t| t.label == label) {
            Some(theme) => theme.objectives.push(objective),
            None => by_theme.push(ThemeCounts {
                label,
                objectives: vec![objective],
            }),
        }
    }

    add_listed_objectives(&mut by_theme, profile, width);

    let grouped = |vocabulary: &[String], values: &Interned, at: usize| {
        // Each value as written → its name.
        let names: Vec<String> = values
            .values()
            .iter()
            .map(|value| canonical(profile, vocabulary, value))
            .collect();
        let mut labels: Vec<String> = vocabulary.to_vec();
        let mut others: Vec<String> = names
            .iter()
            .filter(|n| !labels.contains(n))
            .cloned()
            .collect();
        others.sort_by_key(|n| (n == NOT_GIVEN, n.clone()));
        others.dedup();
        labels.extend(others);
        let position: HashMap<&str, usize> = labels
            .iter()
            .enumerate()
            .rev()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let group_of: Vec<usize> = names.iter().map(|n| position[n.as_str()]).collect();
        let counts = tally_by(&|key| group_of[key[at] as usize], labels.len());
        labels
            .iter()
            .map(|label| CountRow {
                counts: counts[position[label.as_str()]].clone(),
                label: label.clone(),
            })
            .collect::<Vec<_>>()
    };
    let by_portfolio = grouped(&profile.vocabulary.portfolios, &portfolios, 2);
    let by_lead = grouped(&profile.vocabulary.leads, &leads, 3);

    StatusCounts {
        overall,
        columns,
        by_theme,
        by_portfolio,
        by_lead,
    }
}

/// Distinct sets of four values (a theme and an objective as written), each kept once and
/// numbered in the order first met.
#[derive(Default)]
struct Distinct4 {
    values: Vec<[Box<str>; 4]>,
    /// Each set as its values' lengths and bytes, one after another (no set can be read as
    /// another), and its number.
    number: HashMap<Box<[u8]>, u32>,
    key: Vec<u8>,
}

impl Distinct4 {
    /// The number of the four values `value`, kept if they are new.
    fn of(&mut self, value: [&str; 4]) -> u32 {
        self.key.clear();
        for v in value {
            self.key.extend_from_slice(&v.len().to_le_bytes());
            self.key.extend_from_slice(v.as_bytes());
        }
        if let Some(&n) = self.number.get(self.key.as_slice()) {
            return n;
        }
        let n = self.values.len() as u32;
        self.values.push(value.map(Box::from));
        self.number.insert(self.key.as_slice().into(), n);
        n
    }
}

/// The one spelling the tracker uses for status `index`, when it is not the profile's name
/// (e.g. "Deferred until the 2022/23 Year" matched by a pattern); `statuses` holds each status
/// as written with its column and the value matched.
fn spelling(statuses: &[(usize, Option<String>)], index: usize) -> Option<String> {
    let mut spellings: Vec<&str> = statuses
        .iter()
        .filter(|(column, _)| *column == index)
        .filter_map(|(_, value)| value.as_deref())
        .collect();
    spellings.sort_unstable();
    spellings.dedup();
    match spellings.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// A lead or portfolio as the vocabulary spells it; [`NOT_GIVEN`] when empty or a placeholder.
fn canonical(profile: &Profile, vocabulary: &[String], value: &str) -> String {
    let value = value.trim();
    if value.is_empty() || profile.is_placeholder(value) {
        return NOT_GIVEN.to_string();
    }
    Profile::match_in(vocabulary, value)
        .unwrap_or(value)
        .to_string()
}

/// Adds a row of zeros for each objective the profile lists that no activity belongs to, under
/// its theme (a new theme group at the end when no activity has that theme), in the profile's
/// order among the listed objectives.
fn add_listed_objectives(by_theme: &mut Vec<ThemeCounts>, profile: &Profile, columns: usize) {
    let listed = &profile.objectives.list;
    for (n, def) in listed.iter().enumerate() {
        let label = joined(&def.id, &def.title, " ");
        if by_theme
            .iter()
            .any(|t| t.objectives.iter().any(|o| o.label == label))
        {
            continue;
        }
        let row = CountRow {
            label,
            counts: vec![0; columns],
        };
        let theme = match by_theme.iter().position(|t| t.label == def.theme) {
            Some(i) => i,
            None => {
                by_theme.push(ThemeCounts {
                    label: def.theme.clone(),
                    objectives: Vec::new(),
                });
                by_theme.len() - 1
            }
        };
        // Before the first row of an objective the profile lists later.
        let later: Vec<String> = listed[n + 1..]
            .iter()
            .map(|d| joined(&d.id, &d.title, " "))
            .collect();
        let objectives = &mut by_theme[theme].objectives;
        let at = objectives
            .iter()
            .position(|o| later.contains(&o.label))
            .unwrap_or(objectives.len());
        objectives.insert(at, row);
    }
}

/// "THE PLACE: a safe, enterprising and vibrant place", or whichever part there is.
pub(super) fn theme_label(a: &Fields) -> String {
    joined(a[field::THEME], a[field::THEME_STRAPLINE], ": ")
}

/// "CO 1 Keeping the District a great place to live, work and visit".
pub(super) fn objective_label(a: &Fields) -> String {
    let label = joined(a[field::OBJECTIVE_ID], a[field::OBJECTIVE_TITLE], " ");
    if label.is_empty() {
        NO_OBJECTIVE.to_string()
    } else {
        label
    }
}

fn joined(name: &str, detail: &str, separator: &str) -> String {
    match (name.trim(), detail.trim()) {
        ("", detail) => detail.to_string(),
        (name, "") => name.to_string(),
        (name, detail) => format!("{name}{separator}{detail}"),
    }
}
