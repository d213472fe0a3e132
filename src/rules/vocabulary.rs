//! Vocabulary: statuses, leads and portfolios that are not in the profile's lists, each with the
//! closest allowed value as the suggestion when one is clearly meant, and none when it is not.

use super::{Context, Emitter, Memo, Return, Rule};
use crate::finding::Severity;
use crate::profile::Profile;

/// Letters and digits only, lower case: "Chief Officer – Governance" ~ "chiefofficergovernance".
fn key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The allowed value `value` clearly means, if any: the same letters with other punctuation, one
/// allowed value containing it or contained in it as whole words, or the one nearest by edit
/// distance when it is close and no other value is as close. A value naming two allowed values
/// ("Amber/Red") means neither.
pub fn closest<'a>(value: &str, allowed: &'a [String]) -> Option<&'a str> {
    let k = key(value);
    if k.is_empty() {
        return None;
    }
    if let Some(a) = allowed.iter().find(|a| key(a) == k) {
        return Some(a);
    }
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let vw = words(value);
    let named: Vec<&String> = allowed
        .iter()
        .filter(|a| {
            let aw = words(a);
            !aw.is_empty() && aw.iter().all(|w| vw.contains(w))
        })
        .collect();
    if named.len() > 1 {
        return None;
    }
    if let [one] = named.as_slice() {
        return Some(one);
    }
    let within: Vec<&String> = allowed
        .iter()
        .filter(|a| {
            let aw = words(a);
            !vw.is_empty()
                && vw.iter().all(|w| aw.contains(w))
                && vw.iter().map(String::len).sum::<usize>() >= 4
        })
        .collect();
    if let [one] = within.as_slice() {
        return Some(one);
    }
    let mut scored: Vec<(usize, &String)> = allowed
        .iter()
        .map(|a| (strsim::damerau_levenshtein(&k, &key(a)), a))
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    let (best, value_best) = *scored.first()?;
    let unique = scored.get(1).is_none_or(|(d, _)| *d > best);
    let limit = (k.chars().count() / 4).clamp(1, 3);
    (best <= limit && unique).then_some(value_best.as_str())
}

/// `unknown-status`: a status not in the profile's vocabulary.
pub struct UnknownStatus;

impl Rule for UnknownStatus {
    fn code(&self) -> &'static str {
        "unknown-status"
    }
    fn doc(&self) -> &'static str {
        "a status not in the profile's vocabulary; the suggestion is the closest allowed status"
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, _memo: &mut Memo<'c>, out: &mut Emitter) {
        let names: Vec<String> = ctx
            .profile
            .statuses
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let mut spellings = names.clone();
        spellings.extend(
            ctx.profile
                .statuses
                .iter()
                .flat_map(|s| s.aliases.iter().cloned()),
        );
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            if a.status.is_empty()
                || ctx.profile.is_placeholder(&a.status)
                || ctx.profile.match_status(&a.status).is_some()
            {
                continue;
            }
            let suggestion = closest(&a.status, &spellings)
                .and_then(|s| ctx.profile.match_status(s))
                .map(|(_, canonical)| canonical);
            let message = match &suggestion {
                Some(s) => format!("'{}' is not a status; did you mean '{s}'?", a.status),
                None => format!(
                    "'{}' is not a status; use one of: {}",
                    a.status,
                    names.join(", ")
                ),
            };
            out.at(i, "status", message, suggestion);
        }
    }
}

/// `unknown-lead`, `unknown-portfolio`: a lead or portfolio not in the profile's lists.
pub struct Unknown(pub &'static str, pub &'static str, pub &'static str);

impl Rule for Unknown {
    fn code(&self) -> &'static str {
        self.0
    }
    fn doc(&self) -> &'static str {
        if self.1 == "lead" {
            "a lead officer not in the profile's list; the suggestion is the closest allowed lead"
        } else {
            "a portfolio not in the profile's list; the suggestion is the closest allowed portfolio"
        }
    }
    fn default_severity(&self) -> Severity {
        Severity::Error
    }
    fn check<'c>(&self, ret: &Return, ctx: &Context<'c>, _memo: &mut Memo<'c>, out: &mut Emitter) {
        let allowed = match self.1 {
            "lead" => &ctx.profile.vocabulary.leads,
            _ => &ctx.profile.vocabulary.portfolios,
        };
        if allowed.is_empty() {
            return;
        }
        for (i, a) in ret.parsed.tracker.activities.iter().enumerate() {
            let value = a.field(self.1).unwrap_or("");
            if value.is_empty()
                || ctx.profile.is_placeholder(value)
                || Profile::match_in(allowed, value).is_some()
            {
                continue;
            }
            let suggestion = closest(value, allowed).map(str::to_string);
            let message = match &suggestion {
                Some(s) => format!("'{value}' is not a {}; did you mean '{s}'?", self.2),
                None => format!(
                    "'{value}' is not a {}; use one of: {}",
                    self.2,
                    allowed.join(", ")
                ),
            };
            out.at(i, self.1, message, suggestion);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{activity, run};
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn closest_is_sure_or_silent() {
        let portfolios = list(&["Strategy", "Wellbeing", "Planning", "Finance", "Corporate"]);
        assert_eq!(closest("Finanse", &portfolios), Some("Finance"));
        assert_eq!(closest("wellbeing.", &portfolios), Some("Wellbeing"));
        assert_eq!(closest("Parks", &portfolios), None);
        let statuses = list(&["Green", "Amber", "Red", "Start Later in Year", "Complete"]);
        assert_eq!(
            closest("Amber/Red", &statuses),
            None,
            "two statuses named: no certainty"
        );
        assert_eq!(closest("Gren", &statuses), Some("Green"));
        assert_eq!(
            closest("Start later", &statuses),
            Some("Start Later in Year")
        );
        let leads = list(&[
            "Chief Officer - Governance",
            "Chief Officer - Finance and Assets",
        ]);
        assert_eq!(
            closest("Chief Officer Governance", &leads),
            Some("Chief Officer - Governance")
        );
        assert_eq!(
            closest("Governance", &leads),
            Some("Chief Officer - Governance")
        );
        assert_eq!(
            closest("Chief Officer", &leads),
            None,
            "both leads contain it"
        );
    }

    #[test]
    fn unknown_status_suggests_or_lists() {
        let mut a = activity("KA.08.02");
        a.status = "Amber/Red".into();
        let f = run(&UnknownStatus, vec![a]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].suggestion, None);
        assert!(
            f[0].message.contains("Green, Amber, Red"),
            "{}",
            f[0].message
        );
        let mut b = activity("KA.08.02");
        b.status = "Ambr".into();
        assert_eq!(
            run(&UnknownStatus, vec![b])[0].suggestion.as_deref(),
            Some("Amber")
        );
        assert!(run(&UnknownStatus, vec![activity("KA.08.02")]).is_empty());
    }

    #[test]
    fn unknown_portfolio_and_lead() {
        let mut a = activity("KA.08.03");
        a.portfolio = "Finanse".into();
        let f = run(
            &Unknown("unknown-portfolio", "portfolio", "portfolio"),
            vec![a],
        );
        assert_eq!(f[0].suggestion.as_deref(), Some("Finance"));
        let mut b = activity("KA.08.03");
        b.lead = "Head of Parks".into();
        let f = run(&Unknown("unknown-lead", "lead", "lead"), vec![b]);
        assert_eq!((f.len(), f[0].suggestion.clone()), (1, None));
        assert!(
            run(
                &Unknown("unknown-lead", "lead", "lead"),
                vec![activity("KA.08.03")]
            )
            .is_empty()
        );
    }
}
