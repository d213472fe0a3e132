//! Findings: problems in the data, reported with the physical cell they come from. A finding is
//! data handed to a reporter; the run goes on (STYLE.md habit 6).

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was cleaned or is worth knowing.
    Info,
    /// Probably wrong; worth a look.
    Warning,
    /// Must be fixed before the return is accepted.
    Error,
}

impl Severity {
    /// The lower-case name used in reports and profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, in the contract's shape (DESIGN.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule code, e.g. `placeholder`.
    pub rule: String,
    /// The severity after the profile's overrides.
    pub severity: Severity,
    /// The activity id, when the finding belongs to one.
    pub activity: Option<String>,
    /// The canonical field concerned, e.g. `lead`.
    pub field: Option<String>,
    /// The file name as given.
    pub file: String,
    /// The sheet name (`""` for CSV).
    pub sheet: String,
    /// The A1 reference of the physical cell (`E12`), `""` when the finding is about a file.
    pub cell: String,
    /// The value seen.
    pub value: Option<String>,
    /// What is wrong, in words an officer understands.
    pub message: String,
    /// The corrected value, when there is one.
    pub suggestion: Option<String>,
}

impl Finding {
    /// `file:Sheet!E12`, or `file:E12` without a sheet, or `file` alone.
    pub fn location(&self) -> String {
        match (self.sheet.is_empty(), self.cell.is_empty()) {
            (_, true) => self.file.clone(),
            (true, false) => format!("{}:{}", self.file, self.cell),
            (false, false) => format!("{}:{}!{}", self.file, self.sheet, self.cell),
        }
    }
}
