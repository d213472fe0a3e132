//! Profiles: one council's tracker layout and vocabularies, as data (STYLE.md habit 9).
//! The default profile is `schemas/harborough.toml`, embedded in the binary.

use crate::error::{Error, Result};
use crate::finding::Severity;
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

mod fold;
mod ids;

use fold::first_folded;
pub use fold::{fold, same_fold};
pub use ids::LooseId;

/// The text of the default profile.
pub const DEFAULT_PROFILE: &str = include_str!("../schemas/harborough.toml");

/// What a status means for the rules and the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusKind {
    /// Under way, rated Green/Amber/Red.
    Rag,
    /// Not started yet.
    NotStarted,
    /// Deferred to a later year.
    Deferred,
    /// Finished.
    Complete,
}

/// One status of the vocabulary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusDef {
    /// The canonical spelling.
    pub name: String,
    /// What the status means.
    pub kind: StatusKind,
    /// The fill colour used in workbooks, `#RRGGBB`.
    #[serde(default = "default_colour")]
    pub colour: String,
    /// Other spellings that mean this status.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A regular expression for values whose wording varies; the value is then kept as written.
    #[serde(default)]
    pub pattern: Option<String>,
}

fn default_colour() -> String {
    "#D9D9D9".to_string()
}

/// Header synonyms for each canonical field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// The activity id column.
    #[serde(default)]
    pub id: Vec<String>,
    /// The title column (may also hold the id at its start).
    pub title: Vec<String>,
    /// Status.
    #[serde(default)]
    pub status: Vec<String>,
    /// Progress.
    #[serde(default)]
    pub progress: Vec<String>,
    /// Next steps.
    #[serde(default)]
    pub next_steps: Vec<String>,
    /// Lead officer.
    #[serde(default)]
    pub lead: Vec<String>,
    /// Portfolio.
    #[serde(default)]
    pub portfolio: Vec<String>,
    /// Objective id.
    #[serde(default)]
    pub objective_id: Vec<String>,
    /// Objective title.
    #[serde(default)]
    pub objective_title: Vec<String>,
    /// Theme name.
    #[serde(default)]
    pub theme: Vec<String>,
    /// Theme strapline.
    #[serde(default)]
    pub theme_strapline: Vec<String>,
}

impl Columns {
    /// The synonyms of a canonical field.
    pub fn synonyms(&self, field: &str) -> &[String] {
        match field {
            "id" => &self.id,
            "title" => &self.title,
            "status" => &self.status,
            "progress" => &self.progress,
            "next_steps" => &self.next_steps,
            "lead" => &self.lead,
            "portfolio" => &self.portfolio,
            "objective_id" => &self.objective_id,
            "objective_title" => &self.objective_title,
            "theme" => &self.theme,
            "theme_strapline" => &self.theme_strapline,
            _ => &[],
        }
    }
}

/// How activity ids are written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdFormat {
    /// Letters before the numbers, e.g. `KA`.
    pub prefix: String,
    /// Between prefix and numbers, e.g. `.`.
    #[serde(default = "default_separator")]
    pub separator: String,
    /// Digits of the objective number in a canonical id.
    #[serde(default = "two")]
    pub objective_digits: usize,
    /// Digits of the activity number in a canonical id.
    #[serde(default = "two")]
    pub number_digits: usize,
}

fn default_separator() -> String {
    ".".to_string()
}
fn two() -> usize {
    2
}

/// How objective headings are written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objectives {
    /// Letters before the number, e.g. `CO`.
    pub prefix: String,
    /// The council's objectives, when the profile lists them: the Summary shows each one, even
    /// one that no activity belongs to this quarter.
    #[serde(default)]
    pub list: Vec<ObjectiveDef>,
}

/// One corporate objective of the council, as the profile lists it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveDef {
    /// The objective id, e.g. `CO 2`.
    pub id: String,
    /// The objective title.
    pub title: String,
    /// The theme it belongs to, as a banner writes it: `THE PLACE: a safe, …`.
    #[serde(default)]
    pub theme: String,
}

/// How theme banners are written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Themes {
    /// A regular expression with `name` and `strapline` groups.
    pub pattern: String,
}

/// Lead and portfolio vocabularies.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Allowed lead officers.
    #[serde(default)]
    pub leads: Vec<String>,
    /// Allowed portfolios.
    #[serde(default)]
    pub portfolios: Vec<String>,
}

/// The profile as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    title: String,
    columns: Columns,
    ids: IdFormat,
    objectives: Objectives,
    themes: Themes,
    statuses: Vec<StatusDef>,
    #[serde(default)]
    vocabulary: Vocabulary,
    #[serde(default)]
    placeholders: Vec<String>,
    #[serde(default)]
    furniture: Vec<String>,
    #[serde(default)]
    severities: BTreeMap<String, Level>,
}

/// A rule's level in a profile: a severity, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Report as an error.
    Error,
    /// Report as a warning.
    Warning,
    /// Report as information.
    Info,
    /// Do not report.
    Off,
}

/// A loaded, checked profile with its patterns compiled.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The profile's short name.
    pub name: String,
    /// The council's name, used when a tracker does not say.
    pub organisation: String,
    /// The tracker's usual title.
    pub title: String,
    /// Header synonyms.
    pub columns: Columns,
    /// Id format.
    pub ids: IdFormat,
    /// Objective heading format.
    pub objectives: Objectives,
    /// Status vocabulary, in the order used for reports (best first).
    pub statuses: Vec<StatusDef>,
    /// Lead and portfolio vocabularies.
    pub vocabulary: Vocabulary,
    /// Placeholder strings left by dropdowns.
    pub placeholders: Vec<String>,
    /// Severity overrides by rule code.
    pub severities: BTreeMap<String, Level>,
    /// `^PREFIX SEP dd SEP dd$`.
    pub id_strict: Regex,
    /// An id written loosely at the start of a cell (`KA.1.4`, `KA 01.04`).
    pub id_loose: Regex,
    /// An objective heading.
    pub objective_heading: Regex,
    /// A theme banner.
    pub theme_banner: Regex,
    /// Page furniture.
    pub furniture: Vec<Regex>,
    status_patterns: Vec<Option<Regex>>,
    /// Header names as comparison keys, built on first use by the layout's header detection
    /// (every row of a sheet is tried as a header). Built from `columns`, which is not changed
    /// once the profile is loaded.
    pub(crate) header_keys: std::sync::OnceLock<crate::layout::HeaderKeys>,
}

/// Writes `n` in decimal, with zeros before it up to `width` digits (`format!("{n:0width$}")`).
fn push_padded(out: &mut String, n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] += (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let written = digits.len() - at;
    out.extend(std::iter::repeat_n('0', width.saturating_sub(written)));
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

fn compile(key: &str, pattern: &str) -> Result<Regex> {
    Regex::new(pattern)
        .map_err(|e| Error::Profile(format!("`{key}` is not a valid regular expression: {e}")))
}

impl Profile {
    /// The embedded default profile.
    pub fn default_profile() -> Profile {
        Profile::from_toml(DEFAULT_PROFILE).expect("the embedded profile is valid")
    }

    /// Loads a profile file; errors name the file and the key.
    pub fn load(path: &Path) -> Result<Profile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::from(e).with_path(path))?;
        Profile::from_toml(&text).map_err(|e| e.with_path(path))
    }

    /// Parses a profile from TOML text.
    pub fn from_toml(text: &str) -> Result<Profile> {
        let file: ProfileFile = toml::from_str(text).map_err(|e| Error::Profile(e.to_string()))?;
        if file.statuses.is_empty() {
            return Err(Error::Profile("`statuses` lists no status".into()));
        }
        if file.columns.title.is_empty() {
            return Err(Error::Profile(
                "`columns.title` lists no header name".into(),
            ));
        }
        if let Some(unknown) = file.severities.keys().find(|k| !crate::rules::is_rule(k)) {
            return Err(Error::Profile(format!(
                "`severities.{unknown}` is not a rule; the rules are {}",
                crate::rules::codes().join(", ")
            )));
        }
        let prefix = regex::escape(&file.ids.prefix);
        let sep = regex::escape(&file.ids.separator);
        let id_strict = compile(
            "ids",
            &format!(
                r"^{prefix}{sep}\d{{{}}}{sep}\d{{{}}}$",
                file.ids.objective_digits, file.ids.number_digits
            ),
        )?;
        let id_loose = compile(
            "ids",
            &format!(
                r"(?i)^\s*{prefix}\s*{sep}?\s*(?P<objective>\d{{1,3}})\s*{sep}\s*(?P<number>\d{{1,3}})(?:\b|$)"
            ),
        )?;
        let objective_heading = compile(
            "objectives.prefix",
            &format!(
                r"^{}\s*(?P<number>\d{{1,3}})\s*[:.\-–]?\s+(?P<title>\S.*)$",
                regex::escape(&file.objectives.prefix)
            ),
        )?;
        let theme_banner = compile("themes.pattern", &file.themes.pattern)?;
        let furniture = file
            .furniture
            .iter()
            .map(|p| compile("furniture", &format!("(?i){p}")))
            .collect::<Result<Vec<_>>>()?;
        let status_patterns = file
            .statuses
            .iter()
            .map(|s| {
                s.pattern
                    .as_deref()
                    .map(|p| compile("statuses.pattern", &format!("(?i){p}")))
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Profile {
            name: file.name,
            organisation: file.organisation,
            title: file.title,
            columns: file.columns,
            ids: file.ids,
            objectives: file.objectives,
            statuses: file.statuses,
            vocabulary: file.vocabulary,
            placeholders: file.placeholders,
            severities: file.severities,
            id_strict,
            id_loose,
            objective_heading,
            theme_banner,
            furniture,
            status_patterns,
            header_keys: std::sync::OnceLock::new(),
        })
    }

    /// The canonical id for an objective number and activity number (`4, 3` → `KA.04.03`).
    pub fn format_id(&self, objective: u32, number: u32) -> String {
        // As `format!("{prefix}{sep}{objective:0w$}{sep}{number:0w$}")`, without the
        // formatting machinery: every activity's id is made again when it is read.
        let (prefix, sep) = (&self.ids.prefix, &self.ids.separator);
        let digits =
            |n: u32, width: usize| width.max(n.checked_ilog10().map_or(1, |l| l as usize + 1));
        let mut id = String::with_capacity(
            prefix.len()
                + 2 * sep.len()
                + digits(objective, self.ids.objective_digits)
                + digits(number, self.ids.number_digits),
        );
        id.push_str(prefix);
        id.push_str(sep);
        push_padded(&mut id, objective, self.ids.objective_digits);
        id.push_str(sep);
        push_padded(&mut id, number, self.ids.number_digits);
        id
    }

    /// The canonical objective id for a number (`4` → `CO 4`).
    pub fn format_objective_id(&self, number: u32) -> String {
        format!("{} {number}", self.objectives.prefix)
    }

    /// The status definition a value means, matched ignoring case and spaces.
    /// Returns the definition and the canonical value to store.
    pub fn match_status(&self, value: &str) -> Option<(&StatusDef, String)> {
        self.find_status(value)
            .map(|(def, v)| (def, v.unwrap_or_else(|| def.name.clone())))
    }

    /// [`match_status`](Self::match_status) without copying the definition's name: the value
    /// to store is `None` when it is the name, else the value tidied (matched by a pattern).
    pub(crate) fn find_status(&self, value: &str) -> Option<(&StatusDef, Option<String>)> {
        // A blank value (nothing but white space) has no first folded char.
        let first = first_folded(value)?;
        let same = |name: &String| first_folded(name) == Some(first) && same_fold(name, value);
        for def in &self.statuses {
            if same(&def.name) || def.aliases.iter().any(same) {
                return Some((def, None));
            }
        }
        let tidy = crate::clean::tidy_inline(value);
        for (def, pattern) in self.statuses.iter().zip(&self.status_patterns) {
            if pattern.as_ref().is_some_and(|p| p.is_match(&tidy)) {
                return Some((def, Some(tidy)));
            }
        }
        None
    }

    /// The kind of a status value, when it is in the vocabulary.
    pub fn status_kind(&self, value: &str) -> Option<StatusKind> {
        self.find_status(value).map(|(def, _)| def.kind)
    }

    /// The fill colour of a status value, when it is in the vocabulary.
    pub fn status_colour(&self, value: &str) -> Option<&str> {
        self.find_status(value).map(|(def, _)| def.colour.as_str())
    }

    /// True when the value is one of the profile's placeholders.
    pub fn is_placeholder(&self, value: &str) -> bool {
        // A blank value folds to "", which only a blank placeholder would match, and those do
        // not count. Otherwise only a placeholder whose fold starts with the same char can
        // match: nearly every field differs from every placeholder at its first char.
        let Some(first) = first_folded(value) else {
            return false;
        };
        self.placeholders
            .iter()
            .any(|p| first_folded(p) == Some(first) && same_fold(p, value))
    }

    /// The canonical spelling of a value in a list, matched ignoring case and spaces.
    pub fn match_in<'a>(list: &'a [String], value: &str) -> Option<&'a str> {
        // Two texts whose folds start differently (or only one of them blank) cannot match.
        let first = first_folded(value);
        list.iter()
            .find(|v| first_folded(v) == first && same_fold(v, value))
            .map(String::as_str)
    }

    /// True when a row's only text is page furniture ("Appendix A").
    pub fn is_furniture(&self, text: &str) -> bool {
        let text = text.trim();
        self.furniture.iter().any(|r| r.is_match(text))
    }

    /// The severity of a rule after the profile's overrides; `None` when the profile turns it off.
    pub fn rule_severity(&self, rule: &str, default: Severity) -> Option<Severity> {
        match self.severities.get(rule) {
            None => Some(default),
            Some(Level::Error) => Some(Severity::Error),
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Info) => Some(Severity::Info),
            Some(Level::Off) => None,
        }
    }
}

#[cfg(test)]
mod tests;
