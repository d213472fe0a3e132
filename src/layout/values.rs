//! Value helpers of the layout: the reporting period a title names, and the cleaning every
//! activity's fields go through once read.

use crate::clean;
use crate::model::Activity;
use crate::profile::Profile;
use regex::Regex;
use std::sync::LazyLock;

static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(Q[1-4])\s*(?:of\s+)?(20\d\d/\d\d)|(20\d\d/\d\d)\s*(Q[1-4]))\b")
        .expect("valid regex")
});

/// The reporting period a text names, as `2020/21 Q1` ("Q1 2020/21", "2020/21 Q1").
pub fn period_of(text: &str) -> Option<String> {
    let c = PERIOD.captures(text)?;
    let q = c
        .get(1)
        .or(c.get(4))
        .map_or("", |m| m.as_str())
        .to_uppercase();
    let y = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
    Some(format!("{y} {q}"))
}

/// Sets the period a tracker shows (`--period`): its `period`, and the period its title names,
/// if it names one ("Key Activities Q1 2020/21" shows the new quarter the same way, "Key
/// Activities Q2 2020/21", so that the title never contradicts the period under it).
///
/// ```
/// let mut t = katrack::Tracker::default();
/// t.title = "Corporate Plan 2020-2024: Key Activities Q1 2020/21".into();
/// katrack::layout::set_period(&mut t, "2020/21 Q2");
/// assert_eq!(t.title, "Corporate Plan 2020-2024: Key Activities Q2 2020/21");
/// assert_eq!(t.period, "2020/21 Q2");
/// ```
pub fn set_period(t: &mut crate::model::Tracker, period: &str) {
    if let Some(title) = title_for_period(&t.title, period) {
        t.title = title;
    }
    period.clone_into(&mut t.period);
}

/// `title` with the first period it names written as `period` in the title's own order
/// (quarter first or year first) and spacing; a `period` that is not one katrack reads takes
/// the place of the whole period text. `None` when the title names no period, or `period` is
/// blank.
fn title_for_period(title: &str, period: &str) -> Option<String> {
    if period.trim().is_empty() {
        // No period given: the title keeps the one it names.
        return None;
    }
    let c = PERIOD.captures(title)?;
    let whole = c.get(0)?;
    let Some(new) = period_of(period) else {
        return Some(format!(
            "{}{}{}",
            &title[..whole.start()],
            period.trim(),
            &title[whole.end()..]
        ));
    };
    let (year, quarter) = new.split_once(' ')?;
    // The quarter and the year where the title has them, whatever lies between.
    let (first, second) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
        (Some(q), Some(y), _, _) => ((q, quarter), (y, year)),
        (_, _, Some(y), Some(q)) => ((y, year), (q, quarter)),
        _ => return None,
    };
    Some(format!(
        "{}{}{}{}{}",
        &title[..first.0.start()],
        first.1,
        &title[first.0.end()..second.0.start()],
        second.1,
        &title[second.0.end()..]
    ))
}

/// Cleans every field of an activity: one-line values tidied and matched to the profile's
/// vocabulary (case and spaces ignored), multi-line text normalised, the id made canonical.
pub fn clean_activity(a: &mut Activity, profile: &Profile) {
    clean_one_line(a, profile);
    clean::multiline_in_place(&mut a.progress);
    clean::multiline_in_place(&mut a.next_steps);
}

/// Cleans an activity's multi-line text (progress, next steps) if it is not clean yet, keeping
/// the text as written in `cells` where cleaning changed it and nothing was kept before. The
/// layout leaves this to the end, or to another thread ([`Done`](super::feed::Done)): an
/// activity's text is cleaned once, where its words are read (cleaning is idempotent).
pub fn clean_multiline(a: &mut Activity, cells: &mut super::ActivityCells) {
    for (field, text) in [
        ("progress", &mut a.progress),
        ("next_steps", &mut a.next_steps),
    ] {
        let Some(cleaned) = clean::multiline_if_changed(text) else {
            continue;
        };
        let written = std::mem::replace(text, cleaned);
        cells.fields.keep_written(field, written);
    }
}

/// The one-line values [`clean_one_line`] replaced, as they were before (`None`: left as
/// they were), for reporting values whose meaning was tidied.
#[derive(Debug, Default)]
pub(crate) struct Replaced {
    pub status: Option<String>,
    pub lead: Option<String>,
    pub portfolio: Option<String>,
}

/// [`clean_activity`] but for the multi-line text: see [`clean_multiline`]. A value already
/// clean is left in place, not copied.
pub(crate) fn clean_one_line(a: &mut Activity, profile: &Profile) -> Replaced {
    for field in [
        &mut a.title,
        &mut a.objective_id,
        &mut a.objective_title,
        &mut a.theme,
        &mut a.theme_strapline,
        &mut a.id,
    ] {
        clean::tidy_inline_in_place(field);
    }
    let mut was = Replaced {
        status: clean::tidy_inline_replacing(&mut a.status),
        lead: clean::tidy_inline_replacing(&mut a.lead),
        portfolio: clean::tidy_inline_replacing(&mut a.portfolio),
    };
    // The first value replaced is the one read.
    let replace = |slot: &mut String, value: &str, was: &mut Option<String>| {
        if slot != value {
            let old = std::mem::replace(slot, value.to_string());
            was.get_or_insert(old);
        }
    };
    if let Some((def, tidy)) = profile.find_status(&a.status) {
        let value = tidy.as_deref().unwrap_or(&def.name);
        replace(&mut a.status, value, &mut was.status);
    }
    if let Some(v) = Profile::match_in(&profile.vocabulary.leads, &a.lead) {
        replace(&mut a.lead, v, &mut was.lead);
    }
    if let Some(v) = Profile::match_in(&profile.vocabulary.portfolios, &a.portfolio) {
        replace(&mut a.portfolio, v, &mut was.portfolio);
    }
    if !profile.is_canonical_id(&a.id) {
        if let Some(found) = profile.loose_id(&a.id).filter(|f| f.end == a.id.len()) {
            a.id = profile.format_id(found.objective, found.number);
        }
    }
    if let Some(rest) = a.objective_id.strip_prefix(&profile.objectives.prefix) {
        // Already "CO 4" (one space, the number as written by format_objective_id): as it is.
        let canonical = rest.strip_prefix(' ').is_some_and(|d| {
            !d.is_empty()
                && d.bytes().all(|b| b.is_ascii_digit())
                && (d == "0" || !d.starts_with('0'))
        });
        if let Some(n) = rest.trim().parse::<u32>().ok().filter(|_| !canonical) {
            a.objective_id = profile.format_objective_id(n);
        }
    }
    was
}

#[cfg(test)]
mod tests {
    use super::title_for_period;

    #[test]
    fn a_title_shows_the_new_period_as_it_showed_the_old() {
        let cases = [
            (
                "Key Activities Q1 2020/21",
                "2020/21 Q2",
                "Key Activities Q2 2020/21",
            ),
            (
                "Key Activities 2020/21 Q1",
                "2020/21 Q2",
                "Key Activities 2020/21 Q2",
            ),
            (
                "Key Activities q1 of 2020/21 (draft)",
                "Q3 2021/22",
                "Key Activities Q3 of 2021/22 (draft)",
            ),
            (
                "Key Activities Q1 2020/21",
                "Quarter 2",
                "Key Activities Quarter 2",
            ),
        ];
        for (title, period, want) in cases {
            assert_eq!(
                title_for_period(title, period).as_deref(),
                Some(want),
                "{title}"
            );
        }
        assert_eq!(
            title_for_period("Corporate Plan Key Activities", "2020/21 Q2"),
            None
        );
        assert_eq!(title_for_period("Key Activities Q1 2020/21", " "), None);
    }
}
