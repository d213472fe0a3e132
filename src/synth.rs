//! Synthetic trackers: N key activities that look like the seed council's (its themes, leads,
//! portfolios and statuses, its words, titles of 60–180 characters, progress of 2–6 bullets with
//! some sub-bullets, the officer layout with banners, headings and a header repeated after every
//! page break), with a few of the defects real returns carry. The benchmarks use them to measure
//! katrack at sizes no council file reaches; the same seed always gives the same tracker.
//!
//! [`Synthetic::tracker`] is what katrack must read back from the generated files (with the
//! profile [`Synthetic::profile_toml`]): every defect is in it as read (a placeholder lead, a
//! misspelt portfolio, a Green activity with no progress) except the ones cleaning repairs (a
//! status typed `green `, an activity split over two rows by a page break, bullets flattened onto
//! one line or wrapped in HTML).
//!
//! ```
//! let s = katrack::synth::Synthetic::generate(40, 7);
//! assert_eq!(s.tracker.activities.len(), 40);
//! assert_eq!(s.tracker.activities[0].id, "KA.01.01");
//! let json = katrack::write::to_json(&s.tracker);
//! assert!(json.contains("\"schema\": \"katrack/tracker/v1\""));
//! ```

mod write;

use crate::model::{Activity, Tracker};
use crate::profile::{DEFAULT_PROFILE, Profile};

/// The defects put into a synthetic tracker, each at every `stride`-th activity from its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// "Choose an item." left in Lead (`placeholder`).
    PlaceholderLead,
    /// Portfolio misspelt "Finanse" (`unknown-portfolio`).
    MisspeltPortfolio,
    /// A Green activity with its progress left empty (`missing-progress`).
    GreenWithoutProgress,
    /// Status typed "green " by hand (`normalised`); read back as "Green".
    StatusTypedByHand,
    /// The activity split over two rows by a page break (a continuation row); read back whole.
    Continuation,
}

/// Every defect kind, in the order of their offsets.
pub const DEFECTS: [Defect; 5] = [
    Defect::PlaceholderLead,
    Defect::MisspeltPortfolio,
    Defect::GreenWithoutProgress,
    Defect::StatusTypedByHand,
    Defect::Continuation,
];

/// How one activity is written in the officer layout besides its canonical content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Raw {
    defect: Option<Defect>,
    /// Progress bullets written on one line ("- A. - B.").
    flattened: bool,
    /// Progress written as HTML paragraphs, as a web form leaves it.
    html: bool,
    /// The lead who returns the activity (its objective's), whatever its Lead cell says.
    owner: usize,
}

/// A generated tracker and how to write it.
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// The tracker katrack must read back from the generated files.
    pub tracker: Tracker,
    /// The profile to read the files with: the default profile, with 3-digit ids
    /// (`KA.001.001`) when N is over 99 × 99.
    pub profile_toml: String,
    raw: Vec<Raw>,
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }
}

/// The words of the seed report (letters only, two or more), for realistic text.
fn vocabulary() -> Vec<&'static str> {
    let mut words: Vec<&'static str> = crate::samples::SEED
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2 && w.chars().any(|c| c.is_ascii_lowercase()))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// A sentence of `lo..=hi` characters: seed words, the first capitalised, ending in a full stop.
fn sentence(rng: &mut Rng, words: &[&str], lo: usize, hi: usize) -> String {
    let target = rng.range(lo, hi);
    let mut s = String::with_capacity(target + 16);
    while s.len() + 1 < target {
        let w = *rng.pick(words);
        if s.is_empty() {
            let mut chars = w.chars();
            s.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            s.push_str(chars.as_str());
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    if s.len() >= hi {
        let cut = s[..hi - 1].rfind(' ').unwrap_or(hi - 1);
        s.truncate(cut);
    }
    s.push('.');
    s
}

/// Canonical bullets: `count` bullets of 80–250 characters, some followed by sub-bullets.
fn bullets(rng: &mut Rng, words: &[&str], count: usize) -> String {
    let mut lines = Vec::new();
    for _ in 0..count {
        lines.push(format!("- {}", sentence(rng, words, 80, 250)));
        if rng.range(0, 5) == 0 {
            for _ in 0..rng.range(1, 3) {
                lines.push(format!("  • {}", sentence(rng, words, 30, 90)));
            }
        }
    }
    lines.join("\n")
}

/// The seed's three themes.
const THEMES: [(&str, &str); 3] = [
    ("THE PLACE", "a safe, enterprising and vibrant place"),
    ("THE PEOPLE", "a healthy, inclusive and empowered community"),
    ("YOUR COUNCIL", "creative, proactive and efficient"),
];

impl Synthetic {
    /// Generates `activities` activities from `seed`.
    ///
    /// Objectives hold about √N activities each (at least 9 objectives, as in the seed), spread
    /// over the three themes; the ids are `KA.<objective>.<number>` with 2 digits each, or 3 when
    /// N is over 9,801.
    ///
    /// # Panics
    /// When `activities` is over 998,001 (999 objectives of 999 activities).
    pub fn generate(activities: usize, seed: u64) -> Synthetic {
        assert!(activities <= 999 * 999, "at most 998,001 activities");
        let n = activities;
        let wide = n > 99 * 99;
        let digits = if wide { 3 } else { 2 };
        let profile_toml = DEFAULT_PROFILE.replace(
            "objective_digits = 2\nnumber_digits = 2",
            &format!("objective_digits = {digits}\nnumber_digits = {digits}"),
        );
        let profile = Profile::from_toml(&profile_toml).expect("the synthetic profile is valid");
        let objectives = n.isqrt().max(n.min(9)).max(1);
        let per_objective = n.div_ceil(objectives).max(1);
        let objectives = n.div_ceil(per_objective).max(1);
        let words = vocabulary();
        let mut rng = Rng::new(seed);
        let objective_titles: Vec<String> = (0..objectives)
            .map(|_| {
                sentence(&mut rng, &words, 30, 70)
                    .trim_end_matches('.')
                    .to_string()
            })
            .collect();
        let stride = (n / 20).max(35);
        let mut activities = Vec::with_capacity(n);
        let mut raw = Vec::with_capacity(n);
        for i in 0..n {
            let o = i / per_objective;
            let number = i % per_objective + 1;
            let theme = THEMES[o * THEMES.len() / objectives];
            let status = match rng.range(0, 99) {
                0..=44 => "Green",
                45..=64 => "Amber",
                65..=69 => "Red",
                70..=84 => "Start Later in Year",
                85..=89 => "Deferred until the 2021/22 Year",
                _ => "Complete",
            };
            let under_way = matches!(status, "Green" | "Amber" | "Red" | "Complete");
            let (progress, next_steps) = if under_way {
                let count = rng.range(2, 6);
                let next = rng.range(1, 3);
                (
                    bullets(&mut rng, &words, count),
                    bullets(&mut rng, &words, next),
                )
            } else {
                (
                    "- This work is scheduled to start later in the year.".to_string(),
                    "- TBC.".to_string(),
                )
            };
            let leads = &profile.vocabulary.leads;
            let mut a = Activity {
                id: profile.format_id(o as u32 + 1, number as u32),
                title: sentence(&mut rng, &words, 60, 180)
                    .trim_end_matches('.')
                    .to_string(),
                status: status.to_string(),
                progress,
                next_steps,
                lead: leads[o % leads.len()].clone(),
                portfolio: rng.pick(&profile.vocabulary.portfolios).clone(),
                objective_id: profile.format_objective_id(o as u32 + 1),
                objective_title: objective_titles[o].clone(),
                theme: theme.0.to_string(),
                theme_strapline: theme.1.to_string(),
                source: None,
            };
            let mut r = Raw {
                defect: defect_at(i, stride),
                flattened: rng.range(0, 9) == 0,
                html: false,
                owner: o % profile.vocabulary.leads.len(),
            };
            r.html = !r.flattened && rng.range(0, 39) == 0;
            match r.defect {
                Some(Defect::PlaceholderLead) => a.lead = "Choose an item.".into(),
                Some(Defect::MisspeltPortfolio) => a.portfolio = "Finanse".into(),
                Some(Defect::GreenWithoutProgress) => {
                    if !under_way {
                        a.next_steps = bullets(&mut rng, &words, 1);
                    }
                    a.status = "Green".into();
                    a.progress.clear();
                }
                Some(Defect::StatusTypedByHand) => {
                    if !under_way {
                        a.progress = bullets(&mut rng, &words, 2);
                        a.next_steps = bullets(&mut rng, &words, 1);
                    }
                    a.status = "Green".into();
                }
                Some(Defect::Continuation) if !a.progress.contains('\n') => {
                    a.progress = bullets(&mut rng, &words, 3);
                }
                _ => {}
            }
            activities.push(a);
            raw.push(r);
        }
        Synthetic {
            tracker: Tracker {
                title: "Corporate Plan 2020-2024: Key Activities Q1 2020/21".into(),
                organisation: profile.organisation.clone(),
                period: "2020/21 Q1".into(),
                activities,
                ..Tracker::default()
            },
            profile_toml,
            raw,
        }
    }

    /// The profile the files are read with.
    pub fn profile(&self) -> Profile {
        Profile::from_toml(&self.profile_toml).expect("the synthetic profile is valid")
    }

    /// The defect put into each activity, if any, parallel to `tracker.activities`.
    pub fn defects(&self) -> Vec<Option<Defect>> {
        self.raw.iter().map(|r| r.defect).collect()
    }

    /// The activities from `range` as a tracker of their own (a return holding some of them).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Synthetic {
        self.select(range)
    }

    /// One return per lead, as a quarter's returns come back: each lead's activities (those of
    /// the objectives the lead answers for, defects included), in tracker order, with the lead.
    pub fn returns_by_lead(&self) -> Vec<(String, Synthetic)> {
        let leads = self.profile().vocabulary.leads;
        (0..leads.len())
            .map(|l| {
                let mine = (0..self.raw.len()).filter(|&i| self.raw[i].owner == l);
                (leads[l].clone(), self.select(mine))
            })
            .filter(|(_, s)| !s.raw.is_empty())
            .collect()
    }

    /// The activities at `indices` as a tracker of their own.
    fn select(&self, indices: impl Iterator<Item = usize>) -> Synthetic {
        let (activities, raw) = indices
            .map(|i| (self.tracker.activities[i].clone(), self.raw[i]))
            .unzip();
        Synthetic {
            tracker: Tracker {
                activities,
                title: self.tracker.title.clone(),
                organisation: self.tracker.organisation.clone(),
                period: self.tracker.period.clone(),
                ..Tracker::default()
            },
            profile_toml: self.profile_toml.clone(),
            raw,
        }
    }
}

/// The defect of the activity at `i`: each kind once in every `stride` activities, spaced out.
fn defect_at(i: usize, stride: usize) -> Option<Defect> {
    let spacing = stride / DEFECTS.len();
    let pos = (i % stride).checked_sub(1)?;
    (pos % spacing == 0)
        .then(|| DEFECTS.get(pos / spacing).copied())
        .flatten()
}

#[cfg(test)]
mod tests;
