//! The canonical tracker: the one shape every reader produces and every writer consumes
//! (DESIGN.md §3). Keeping it plain data lets JSON, CSV and workbooks round-trip through it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The schema identifier written in every canonical tracker document.
pub const SCHEMA_ID: &str = "katrack/tracker/v1";

/// The canonical field names, in the order CSV columns and workbook columns use them.
pub const FIELDS: [&str; 11] = [
    "id",
    "title",
    "status",
    "progress",
    "next_steps",
    "lead",
    "portfolio",
    "objective_id",
    "objective_title",
    "theme",
    "theme_strapline",
];

/// An activity's canonical fields, borrowed, in [`FIELDS`] order.
pub type Fields<'a> = [&'a str; FIELDS.len()];

/// A tracker's rows as [`Fields`], to be gone through once or more, in order: a list of them,
/// or rows made again each time from where their text is kept (a merge's master is made from
/// its plan and its returns rather than listed a second time, or read back from a temporary
/// file). Each row's fields are lent for the call alone: what is kept of them is copied.
pub trait Rows: Sync {
    /// Calls `f` with every row, in order.
    fn each(&self, f: &mut dyn FnMut(Fields<'_>));
}

impl Rows for [Fields<'_>] {
    fn each(&self, f: &mut dyn FnMut(Fields<'_>)) {
        self.iter().for_each(|row| f(*row));
    }
}

impl Rows for Vec<Fields<'_>> {
    fn each(&self, f: &mut dyn FnMut(Fields<'_>)) {
        self.as_slice().each(f);
    }
}

/// Where each field is in [`Fields`] (the order of [`FIELDS`]).
pub mod field {
    /// `id`.
    pub const ID: usize = 0;
    /// `title`.
    pub const TITLE: usize = 1;
    /// `status`.
    pub const STATUS: usize = 2;
    /// `progress`.
    pub const PROGRESS: usize = 3;
    /// `next_steps`.
    pub const NEXT_STEPS: usize = 4;
    /// `lead`.
    pub const LEAD: usize = 5;
    /// `portfolio`.
    pub const PORTFOLIO: usize = 6;
    /// `objective_id`.
    pub const OBJECTIVE_ID: usize = 7;
    /// `objective_title`.
    pub const OBJECTIVE_TITLE: usize = 8;
    /// `theme`.
    pub const THEME: usize = 9;
    /// `theme_strapline`.
    pub const THEME_STRAPLINE: usize = 10;
}

/// Anything that gives an activity's canonical fields: an [`Activity`], or its [`Fields`].
pub trait AsFields {
    /// The canonical fields, in [`FIELDS`] order.
    fn as_fields(&self) -> Fields<'_>;
}

impl AsFields for Fields<'_> {
    fn as_fields(&self) -> Fields<'_> {
        *self
    }
}

impl AsFields for Activity {
    fn as_fields(&self) -> Fields<'_> {
        self.fields()
    }
}

impl<T: AsFields + ?Sized> AsFields for &T {
    fn as_fields(&self) -> Fields<'_> {
        (**self).as_fields()
    }
}

/// A whole tracker: document metadata and the activities in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "katrack canonical tracker")]
pub struct Tracker {
    /// Always `katrack/tracker/v1`.
    pub schema: String,
    /// The document title, e.g. "Corporate Plan Key Activities".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The council, e.g. "Harborough District Council".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation: String,
    /// The reporting period, e.g. "2020/21 Q1".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub period: String,
    /// The key activities, in the order they were read.
    pub activities: Vec<Activity>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            schema: SCHEMA_ID.to_string(),
            title: String::new(),
            organisation: String::new(),
            period: String::new(),
            activities: Vec::new(),
        }
    }
}

/// One key activity. Every field is a string; a missing value is `""`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// The activity id, `KA.<objective>.<number>` (e.g. `KA.04.03`).
    #[serde(default)]
    pub id: String,
    /// The activity title, without the id.
    #[serde(default)]
    pub title: String,
    /// The status, a value of the profile's status vocabulary (e.g. `Green`).
    #[serde(default)]
    pub status: String,
    /// Progress: one bullet per line, `- ` for a bullet, `  • ` for a sub-bullet.
    #[serde(default)]
    pub progress: String,
    /// Next steps, normalised like progress.
    #[serde(default)]
    pub next_steps: String,
    /// The lead officer (e.g. `Chief Officer - Governance`).
    #[serde(default)]
    pub lead: String,
    /// The portfolio (e.g. `Finance`).
    #[serde(default)]
    pub portfolio: String,
    /// The corporate objective id (e.g. `CO 4`).
    #[serde(default)]
    pub objective_id: String,
    /// The corporate objective title.
    #[serde(default)]
    pub objective_title: String,
    /// The theme name (e.g. `THE PLACE`).
    #[serde(default)]
    pub theme: String,
    /// The theme strapline (e.g. `a safe, enterprising and vibrant place`).
    #[serde(default)]
    pub theme_strapline: String,
    /// Where the activity was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// The physical place an activity was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The file name as given on the command line.
    pub file: String,
    /// The sheet name (`""` for CSV and JSON).
    #[serde(default)]
    pub sheet: String,
    /// The 1-based physical row, as shown by a spreadsheet program.
    pub row: u32,
}

impl Activity {
    /// The value of a canonical field by name (one of [`FIELDS`]).
    pub fn field(&self, name: &str) -> Option<&str> {
        Some(match name {
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
            _ => return None,
        })
    }

    /// The canonical fields, borrowed, in [`FIELDS`] order.
    pub fn fields(&self) -> Fields<'_> {
        [
            &self.id,
            &self.title,
            &self.status,
            &self.progress,
            &self.next_steps,
            &self.lead,
            &self.portfolio,
            &self.objective_id,
            &self.objective_title,
            &self.theme,
            &self.theme_strapline,
        ]
    }

    /// A mutable reference to a canonical field by name (one of [`FIELDS`]).
    pub fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "id" => &mut self.id,
            "title" => &mut self.title,
            "status" => &mut self.status,
            "progress" => &mut self.progress,
            "next_steps" => &mut self.next_steps,
            "lead" => &mut self.lead,
            "portfolio" => &mut self.portfolio,
            "objective_id" => &mut self.objective_id,
            "objective_title" => &mut self.objective_title,
            "theme" => &mut self.theme,
            "theme_strapline" => &mut self.theme_strapline,
            _ => return None,
        })
    }

    /// The activity without its provenance, for comparing content across files.
    pub fn without_source(&self) -> Activity {
        Activity {
            source: None,
            ..self.clone()
        }
    }
}

impl Tracker {
    /// A tracker holding these activities and no metadata.
    pub fn with_activities(activities: Vec<Activity>) -> Self {
        Tracker {
            activities,
            ..Tracker::default()
        }
    }

    /// Its title lines (title, organisation, period), without activities.
    pub fn title_lines(&self) -> Tracker {
        Tracker {
            title: self.title.clone(),
            organisation: self.organisation.clone(),
            period: self.period.clone(),
            ..Tracker::default()
        }
    }

    /// The JSON Schema of the canonical tracker document, pretty-printed.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Tracker);
        let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serialises");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_positions_name_their_fields() {
        let positions = [
            (field::ID, "id"),
            (field::TITLE, "title"),
            (field::STATUS, "status"),
            (field::PROGRESS, "progress"),
            (field::NEXT_STEPS, "next_steps"),
            (field::LEAD, "lead"),
            (field::PORTFOLIO, "portfolio"),
            (field::OBJECTIVE_ID, "objective_id"),
            (field::OBJECTIVE_TITLE, "objective_title"),
            (field::THEME, "theme"),
            (field::THEME_STRAPLINE, "theme_strapline"),
        ];
        assert_eq!(positions.len(), FIELDS.len());
        let mut a = Activity::default();
        for (i, name) in FIELDS.iter().enumerate() {
            *a.field_mut(name).unwrap() = format!("value {i}");
        }
        for (at, name) in positions {
            assert_eq!(FIELDS[at], name);
            assert_eq!(a.fields()[at], a.field(name).unwrap());
        }
    }
}
