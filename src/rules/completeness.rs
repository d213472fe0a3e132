//! Completeness: placeholders left by dropdowns, required values left empty, Green/Amber/Red
//! activities without progress or with only "TBC" as next steps.

use super::{Context, Emitter, Memo, Return, Rule, under_way};
use crate::finding::Severity;

/// Fields an officer fills in, in the order findings name them.
const FILLED: [(&str, &str); 6] = [
    ("title", "Title"),
    ("status", "Status"),
    ("progress", "Progress"),
    ("next_steps", "Next Steps"),
    ("lead", "Lead"),
    ("portfolio", "Portfolio"),
];

/// `placeholder`: a dropdown placeholder ("Choose an item.") left in a field.
pub struct Placeholder;

impl Rule for Placeholder {
    fn code(&self) -> &'static str {
        "placeholder"
    }
    fn doc(&self) -> &'static str {
        "a dropdown placeholder such as \"Choose an item.\" left in a field"
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, _memo: &mut Memo<'c>, out: &mut Emitter) {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            for (field, label) in FILLED {
                let value = a.field(field).unwrap_or("");
                if ctx.profile.is_placeholder(value) {
                    out.at(
                        i,
                        field,
                        format!("{label} still shows the placeholder '{value}'; choose a value"),
                        None,
                    );
                }
            }
        }
    }
}

/// `missing-status`, `missing-lead`, `missing-portfolio`: a required value left empty.
/// (A placeholder in these fields is reported once, as `placeholder`.)
pub struct Missing(pub &'static str, pub &'static str, pub &'static str);

impl Rule for Missing {
    fn code(&self) -> &'static str {
        self.0
    }
    fn doc(&self) -> &'static str {
        match self.1 {
            "status" => "the Status of an activity is empty",
            "lead" => "the Lead of an activity is empty",
            _ => "the Portfolio of an activity is empty",
        }
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, _ctx: &Context<'c>, _memo: &mut Memo<'c>, out: &mut Emitter) {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if a.field(self.1).unwrap_or("").is_empty() {
                out.at(i, self.1, format!("{} is empty", self.2), None);
            }
        }
    }
}

/// `missing-progress`: a Green/Amber/Red activity with no progress text.
pub struct MissingProgress;

impl Rule for MissingProgress {
    fn code(&self) -> &'static str {
        "missing-progress"
    }
    fn doc(&self) -> &'static str {
        "a Green/Amber/Red activity with no progress text"
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, _memo: &mut Memo<'c>, out: &mut Emitter) {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if under_way(ctx.profile, &a.status) && a.progress.is_empty() {
                out.at(
                    i,
                    "progress",
                    format!("the activity is {} but no progress is given", a.status),
                    None,
                );
            }
        }
    }
}

/// True when next steps say nothing: empty, or only "TBC" / "to be confirmed" as a bullet or not.
pub fn only_tbc(text: &str) -> bool {
    let core = text
        .trim()
        .trim_start_matches(['-', '•', '*'])
        .trim()
        .trim_end_matches(['.', '!']);
    // Lower case never has fewer chars, so longer text cannot be one of the words below: most
    // next steps are, and need not be copied to tell.
    if core.len() > "to be confirmed".len() * 4 {
        return false;
    }
    matches!(
        core.to_lowercase().as_str(),
        "" | "tbc" | "tba" | "to be confirmed" | "to be agreed" | "tbd"
    )
}

/// `tbc-next-steps`: a Green/Amber/Red activity whose next steps are only "TBC" or empty.
pub struct TbcNextSteps;

impl Rule for TbcNextSteps {
    fn code(&self) -> &'static str {
        "tbc-next-steps"
    }
    fn doc(&self) -> &'static str {
        "a Green/Amber/Red activity whose next steps are only \"TBC\" or empty"
    }
    fn default_severity(&self) -> Severity {
        Severity::Warning
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, _memo: &mut Memo<'c>, out: &mut Emitter) {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if under_way(ctx.profile, &a.status) && only_tbc(&a.next_steps) {
                let what = if a.next_steps.is_empty() {
                    "empty".to_string()
                } else {
                    format!("only '{}'", a.next_steps)
                };
                out.at(
                    i,
                    "next_steps",
                    format!("the activity is {} but its next steps are {what}", a.status),
                    None,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{activity, run};
    use super::*;

    #[test]
    fn placeholder_fires_on_choose_an_item_and_not_on_real_values() {
        let mut a = activity("KA.01.06");
        a.lead = "Choose an item.".into();
        a.portfolio = "choose an item. ".into();
        let f = run(&Placeholder, vec![a]);
        assert_eq!(
            f.iter()
                .map(|f| f.field.as_deref().unwrap())
                .collect::<Vec<_>>(),
            ["lead", "portfolio"]
        );
        assert!(run(&Placeholder, vec![activity("KA.01.01")]).is_empty());
    }

    #[test]
    fn missing_fires_only_when_empty() {
        let mut a = activity("KA.01.01");
        a.lead.clear();
        assert_eq!(
            run(&Missing("missing-lead", "lead", "Lead"), vec![a]).len(),
            1
        );
        let mut b = activity("KA.01.01");
        b.lead = "Choose an item.".into();
        assert!(
            run(&Missing("missing-lead", "lead", "Lead"), vec![b]).is_empty(),
            "placeholders are reported once, by `placeholder`"
        );
    }

    #[test]
    fn missing_progress_only_for_rag_statuses() {
        let mut green = activity("KA.09.03");
        green.progress.clear();
        assert_eq!(run(&MissingProgress, vec![green.clone()]).len(), 1);
        green.status = "Start Later in Year".into();
        assert!(run(&MissingProgress, vec![green]).is_empty());
    }

    #[test]
    fn tbc_next_steps() {
        for tbc in ["TBC", "- TBC.", "", "to be confirmed"] {
            let mut a = activity("KA.01.01");
            a.next_steps = tbc.into();
            assert_eq!(run(&TbcNextSteps, vec![a.clone()]).len(), 1, "{tbc:?}");
            a.status = "Deferred until the 2021/22 Year".into();
            assert!(run(&TbcNextSteps, vec![a]).is_empty());
        }
        let mut a = activity("KA.01.01");
        a.next_steps = "- TBC with the steering group in August".into();
        assert!(run(&TbcNextSteps, vec![a]).is_empty());
    }
}
