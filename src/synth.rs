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

use crate::error::{Error, Result};
use crate::model::{Activity, Tracker};
use crate::profile::{DEFAULT_PROFILE, Profile};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

/// Activities between two page breaks (each break repeats the page furniture and the header).
const PAGE: usize = 12;

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

    /// The tracker in the officer layout, one row of 6 cells at a time: title rows, then for
    /// each page a furniture line and the header (its lead column named "CMT Lead" or "Lead
    /// Officer"), theme banners and objective headings as rows of one text, activities with the
    /// id at the start of the title cell. `heading` marks rows a workbook merges across.
    fn officer_rows(&self, mut row: impl FnMut(&[String], bool) -> Result<()>) -> Result<()> {
        let t = &self.tracker;
        let one = |text: &str| vec![text.to_string()];
        row(&one(&t.organisation), false)?;
        row(&one(&t.title), false)?;
        let mut theme = "";
        let mut objective = "";
        let mut on_page = PAGE;
        let mut pages = 0;
        for (a, raw) in t.activities.iter().zip(&self.raw) {
            if on_page == PAGE {
                page_break(&mut row, &mut pages)?;
                on_page = 0;
            }
            if a.theme != theme {
                theme = &a.theme;
                row(&one(&format!("{}: {}", a.theme, a.theme_strapline)), true)?;
            }
            if a.objective_id != objective {
                objective = &a.objective_id;
                row(
                    &one(&format!("{}: {}", a.objective_id, a.objective_title)),
                    true,
                )?;
            }
            let mut cells = vec![
                format!("{} {}", a.id, a.title),
                a.status.clone(),
                written_progress(&a.progress, *raw),
                a.next_steps.clone(),
                a.lead.clone(),
                a.portfolio.clone(),
            ];
            if raw.defect == Some(Defect::StatusTypedByHand) {
                cells[1] = "green ".into();
            }
            on_page += 1;
            if raw.defect == Some(Defect::Continuation) {
                // A page break splits the title at a space and the progress at a bullet.
                let (title_head, title_tail) = split_at_space(&cells[0]);
                let (head, tail) = a.progress.split_once('\n').unwrap_or((&a.progress, ""));
                let mut first = cells.clone();
                first[0] = title_head.to_string();
                first[2] = head.to_string();
                row(&first, false)?;
                page_break(&mut row, &mut pages)?;
                on_page = 0;
                let mut rest = vec![String::new(); 6];
                rest[0] = title_tail.to_string();
                rest[2] = tail.to_string();
                row(&rest, false)?;
            } else {
                row(&cells, false)?;
            }
        }
        Ok(())
    }

    /// The officer workbook (.xlsx): sheet "Q1" in the officer layout, headings merged across
    /// the table, wrapped text, and a hidden "Lists" sheet of dropdown values. Rows are flushed
    /// as they are written (rust_xlsxwriter's low-memory mode keeps the shared strings, as Excel
    /// writes them).
    ///
    /// # Errors
    /// [`Error::Write`] if rust_xlsxwriter fails (e.g. no temporary folder).
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let profile = self.profile();
        let mut book = Workbook::new();
        book.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(&self.tracker.title));
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        let bold = Format::new().set_bold();
        let ws = book.add_worksheet_with_low_memory()?;
        ws.set_name("Q1")?;
        for (col, width) in [50.0, 16.0, 60.0, 45.0, 28.0, 12.0].into_iter().enumerate() {
            ws.set_column_width(col as u16, width)?;
        }
        let mut r = 0u32;
        self.officer_rows(|cells, heading| {
            if heading {
                ws.merge_range(r, 0, r, 5, &cells[0], &bold)?;
            } else {
                for (c, text) in (0u16..).zip(cells) {
                    if !text.is_empty() {
                        ws.write_string_with_format(r, c, text, &wrap)?;
                    }
                }
            }
            r += 1;
            Ok(())
        })?;
        let lists = book.add_worksheet();
        lists.set_name("Lists")?;
        lists.set_hidden(true);
        for (i, s) in (0u32..).zip(&profile.statuses) {
            lists.write_string(i, 0, &s.name)?;
        }
        for (i, l) in (0u32..).zip(&profile.vocabulary.leads) {
            lists.write_string(i, 1, l)?;
        }
        Ok(book.save_to_buffer()?)
    }

    /// The officer layout as UTF-8 CSV (headings in the first column).
    ///
    /// # Errors
    /// [`Error::Write`] if the CSV writer fails (it writes to memory).
    pub fn csv(&self) -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        self.officer_rows(|cells, _| {
            w.write_record(cells)
                .map_err(|e| Error::Write(format!("CSV: {e}")))
        })?;
        w.into_inner()
            .map_err(|e| Error::Write(format!("CSV: {e}")))
    }

    /// The tracker as canonical JSON.
    pub fn json(&self) -> String {
        crate::write::to_json(&self.tracker)
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

/// The page furniture and header after a page break; the lead column's name alternates.
fn page_break(
    row: &mut impl FnMut(&[String], bool) -> Result<()>,
    pages: &mut usize,
) -> Result<()> {
    if *pages > 0 {
        row(&["Key Activities in Detail".to_string()], false)?;
    }
    let lead = if *pages % 2 == 0 {
        "CMT Lead"
    } else {
        "Lead Officer"
    };
    let header = [
        "Key Activities",
        "Status",
        "Progress",
        "Next Steps",
        lead,
        "Portfolio",
    ];
    let header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
    row(&header, false)?;
    *pages += 1;
    Ok(())
}

/// Progress as the officer's tool left it: canonical, flattened onto one line, or HTML.
fn written_progress(progress: &str, raw: Raw) -> String {
    if raw.flattened {
        progress.replace("\n  • ", " • ").replace('\n', " ")
    } else if raw.html {
        progress
            .lines()
            .map(|l| format!("<p>{}</p>", l.trim_start()))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        progress.to_string()
    }
}

/// A text split at its middle space: the head, and the tail that a continuation row carries.
fn split_at_space(text: &str) -> (&str, &str) {
    let mid = text.len() / 2;
    let at = text[..mid]
        .rfind(' ')
        .or_else(|| text.find(' '))
        .unwrap_or(text.len());
    (&text[..at], text[at..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{layout, read};

    fn read_back(bytes: Vec<u8>, ext: &str, s: &Synthetic) -> layout::Parsed {
        let input = read::read_bytes(bytes, ext).unwrap();
        layout::parse(&input, &format!("synthetic.{ext}"), &s.profile(), None).unwrap()
    }

    fn content(t: &Tracker) -> Vec<Activity> {
        t.activities.iter().map(Activity::without_source).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_tracker() {
        let a = Synthetic::generate(60, 3);
        assert_eq!(a.tracker, Synthetic::generate(60, 3).tracker);
        assert_ne!(a.tracker, Synthetic::generate(60, 4).tracker);
    }

    #[test]
    fn text_has_realistic_lengths_and_ids_are_unique_and_canonical() {
        let s = Synthetic::generate(500, 1);
        let profile = s.profile();
        let mut ids: Vec<&str> = s.tracker.activities.iter().map(|a| a.id.as_str()).collect();
        assert!(
            ids.iter().all(|id| profile.id_strict.is_match(id)),
            "{ids:?}"
        );
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 500);
        for a in &s.tracker.activities {
            assert!((60..=180).contains(&a.title.len()), "{}", a.title);
            let bullets = a.progress.lines().filter(|l| l.starts_with("- ")).count();
            if a.status == "Green" && !a.progress.is_empty() {
                assert!((2..=6).contains(&bullets), "{}", a.progress);
            }
            assert_eq!(crate::clean::multiline(&a.progress), a.progress);
        }
        assert!(
            s.tracker
                .activities
                .iter()
                .any(|a| a.progress.contains("\n  • "))
        );
    }

    #[test]
    fn large_trackers_use_three_digit_ids() {
        let s = Synthetic::generate(10_000, 1);
        assert_eq!(s.tracker.activities[0].id, "KA.001.001");
        let last = &s.tracker.activities[9_999];
        assert!(s.profile().id_strict.is_match(&last.id), "{}", last.id);
    }

    #[test]
    fn xlsx_and_csv_read_back_to_the_tracker_with_every_defect_found() {
        let s = Synthetic::generate(150, 9);
        for (bytes, ext) in [(s.xlsx().unwrap(), "xlsx"), (s.csv().unwrap(), "csv")] {
            let parsed = read_back(bytes, ext, &s);
            assert_eq!(content(&parsed.tracker), content(&s.tracker), "{ext}");
            assert!(
                !parsed.findings.iter().any(|f| f.rule == "unrecognised-row"),
                "{ext}: {:?}",
                parsed.findings
            );
            let ret = crate::rules::Return {
                file: "synthetic",
                parsed: &parsed,
            };
            let profile = s.profile();
            let ctx = crate::rules::Context {
                profile: &profile,
                plan: None,
                previous: None,
            };
            let found = crate::rules::check(ret, &ctx);
            for (rule, defect) in [
                ("placeholder", Defect::PlaceholderLead),
                ("unknown-portfolio", Defect::MisspeltPortfolio),
                ("missing-progress", Defect::GreenWithoutProgress),
                ("normalised", Defect::StatusTypedByHand),
            ] {
                let want: Vec<&str> = s
                    .tracker
                    .activities
                    .iter()
                    .zip(s.defects())
                    .filter(|(_, d)| *d == Some(defect))
                    .map(|(a, _)| a.id.as_str())
                    .collect();
                assert!(!want.is_empty());
                for id in want {
                    assert!(
                        found
                            .iter()
                            .any(|f| f.rule == rule && f.activity.as_deref() == Some(id)),
                        "{ext}: {rule} on {id}"
                    );
                }
            }
        }
        let continued = s
            .defects()
            .iter()
            .filter(|d| **d == Some(Defect::Continuation))
            .count();
        assert!(continued > 0);
    }

    #[test]
    fn each_lead_returns_the_activities_of_its_objectives() {
        let s = Synthetic::generate(300, 5);
        let returns = s.returns_by_lead();
        assert_eq!(returns.len(), 4);
        assert_eq!(
            returns
                .iter()
                .map(|(_, r)| r.tracker.activities.len())
                .sum::<usize>(),
            300
        );
        for (lead, r) in &returns {
            let wrong = r
                .tracker
                .activities
                .iter()
                .filter(|a| &a.lead != lead)
                .count();
            let defects = r
                .defects()
                .iter()
                .filter(|d| **d == Some(Defect::PlaceholderLead))
                .count();
            assert_eq!(wrong, defects, "{lead}: only a placeholder hides the lead");
        }
    }

    #[test]
    fn json_reads_back_to_the_tracker() {
        let s = Synthetic::generate(30, 2);
        let parsed = read_back(s.json().into_bytes(), "json", &s);
        assert_eq!(content(&parsed.tracker), content(&s.tracker));
    }
}
