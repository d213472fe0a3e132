//! Identity: every activity needs a well-formed id, once per return, under its own objective.

use super::{Context, Emitter, Memo, Return, Rule};
use crate::finding::Severity;

/// `bad-id`: an activity whose id is missing or not of the profile's form.
pub struct BadId;

impl Rule for BadId {
    fn code(&self) -> &'static str {
        "bad-id"
    }
    fn doc(&self) -> &'static str {
        "an activity id that is missing or malformed (expected e.g. KA.04.03)"
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, _memo: &mut Memo<'c>, out: &mut Emitter) {
        let example = ctx.profile.format_id(4, 3);
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if a.id.is_empty() {
                out.at(
                    i,
                    "id",
                    format!(
                        "the activity '{}' has no id (expected e.g. {example})",
                        short(&a.title)
                    ),
                    None,
                );
            } else if !ctx.profile.id_strict.is_match(&a.id) {
                out.at(
                    i,
                    "id",
                    format!("'{}' is not an activity id (expected e.g. {example})", a.id),
                    None,
                );
            }
        }
    }
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(50).collect();
    if t.len() < text.len() {
        format!("{t}…")
    } else {
        t
    }
}

/// `duplicate-id`: the same id given twice in one return.
pub struct DuplicateId;

impl Rule for DuplicateId {
    fn code(&self) -> &'static str {
        "duplicate-id"
    }
    fn doc(&self) -> &'static str {
        "the same activity id appears twice in one return"
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, _ctx: &Context<'c>, memo: &mut Memo<'c>, out: &mut Emitter) {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if a.id.is_empty() {
                continue;
            }
            let row = a.source.as_ref().map(|s| s.row);
            match memo.first_rows.get(a.id.as_str()) {
                Some(first) => {
                    let other = first.map(|r| format!(" (row {r})")).unwrap_or_default();
                    out.at(
                        i,
                        "id",
                        format!("{} is given again; it was first given above{other}", a.id),
                        None,
                    );
                }
                None => {
                    memo.first_rows.insert(a.id.clone(), row);
                }
            }
        }
    }
}

/// `id-objective-mismatch`: an activity under a heading of another objective than its id says.
pub struct IdObjectiveMismatch;

impl Rule for IdObjectiveMismatch {
    fn code(&self) -> &'static str {
        "id-objective-mismatch"
    }
    fn doc(&self) -> &'static str {
        "an activity id under the wrong objective (KA.04.03 belongs to CO 4)"
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, _memo: &mut Memo<'c>, out: &mut Emitter) {
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            let objective = match ctx.profile.loose_id(&a.id) {
                Some(found) => found.objective,
                // The activity number is not plain digits: the objective's may still be.
                None => match ctx.profile.id_loose.captures(&a.id) {
                    Some(caps) => match caps["objective"].parse::<u32>() {
                        Ok(n) => n,
                        Err(_) => continue,
                    },
                    None => continue,
                },
            };
            let expected = ctx.profile.format_objective_id(objective);
            if !a.objective_id.is_empty()
                && ctx.profile.id_strict.is_match(&a.id)
                && a.objective_id != expected
            {
                out.at(
                    i,
                    "id",
                    format!(
                        "{} is listed under {} but its id says it belongs to {expected}",
                        a.id, a.objective_id
                    ),
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
    fn bad_id_fires_on_empty_and_malformed() {
        let mut a = activity("");
        a.title = "Untitled".into();
        let mut b = activity("KA.4.3.1");
        b.title = "x".into();
        let f = run(&BadId, vec![a, b, activity("KA.04.03")]);
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("no id"));
    }

    #[test]
    fn duplicate_id_fires_on_the_second() {
        let f = run(
            &DuplicateId,
            vec![
                activity("KA.01.01"),
                activity("KA.01.02"),
                activity("KA.01.01"),
            ],
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].activity.as_deref(), Some("KA.01.01"));
        assert!(
            run(
                &DuplicateId,
                vec![activity("KA.01.01"), activity("KA.01.02")]
            )
            .is_empty()
        );
    }

    #[test]
    fn objective_mismatch() {
        let mut a = activity("KA.04.03");
        a.objective_id = "CO 5".into();
        assert_eq!(run(&IdObjectiveMismatch, vec![a]).len(), 1);
        let mut b = activity("KA.04.03");
        b.objective_id = "CO 4".into();
        let mut c = activity("KA.04.03");
        c.objective_id.clear();
        assert!(run(&IdObjectiveMismatch, vec![b, c]).is_empty());
    }
}
