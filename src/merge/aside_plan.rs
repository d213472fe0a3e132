//! The plan of a merge of returns set aside ([`merge_set_aside`](super::merge_set_aside)): its
//! activities arrive as [`PlanRow`]s (each one allocation, not eleven, freed on the writing
//! thread) and are not held as such: what the plan rules, the lead table and the other sheets
//! read is kept ([`KeptPlan`]: the id, the title and the short fields, each distinct value
//! once), and the progress and next steps only until the activity's row is written
//! ([`Unwritten`]).

use super::aside::{Interned, SHORT, Texts, short_index};
use crate::model::{Activity, FIELDS, Fields, field};
use std::collections::VecDeque;

/// One plan activity's fields in one allocation.
pub struct PlanRow {
    text: Box<str>,
    /// Where each field ends in `text`, in [`FIELDS`] order.
    ends: [u32; FIELDS.len()],
}

impl From<&Activity> for PlanRow {
    fn from(a: &Activity) -> PlanRow {
        let fields = a.fields();
        let mut text = String::with_capacity(fields.iter().map(|f| f.len()).sum());
        let ends = fields.map(|f| {
            text.push_str(f);
            text.len() as u32
        });
        PlanRow {
            text: text.into_boxed_str(),
            ends,
        }
    }
}

impl PlanRow {
    /// Its fields, in [`FIELDS`] order.
    pub fn fields(&self) -> Fields<'_> {
        let mut start = 0;
        self.ends.map(|end| {
            let field = self.text.get(start..end as usize).unwrap_or_default();
            start = end as usize;
            field
        })
    }
}

/// What is kept of the plan: what is read of it once its rows are written.
#[derive(Default)]
pub(super) struct KeptPlan {
    ids: Texts,
    titles: Texts,
    short: Vec<[u32; SHORT.len()]>,
    values: Interned,
}

impl KeptPlan {
    /// Keeps what is read of the activity whose fields are `fields`.
    pub(super) fn push(&mut self, fields: Fields) {
        self.ids.push(fields[field::ID]);
        self.titles.push(fields[field::TITLE]);
        self.short.push(SHORT.map(|f| self.values.of(fields[f])));
    }

    /// How many activities it holds.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Activity `i`'s id.
    pub(super) fn id(&self, i: usize) -> &str {
        self.ids.get(i)
    }

    /// Activity `i`'s title.
    pub(super) fn title(&self, i: usize) -> &str {
        self.titles.get(i)
    }

    /// Activity `i`'s lead.
    pub(super) fn lead(&self, i: usize) -> &str {
        self.values.get(self.short[i][short_index(field::LEAD)])
    }

    /// Activity `i`'s fields, its progress and next steps empty (the sheets beside Appendix A
    /// do not read them).
    pub(super) fn fields(&self, i: usize) -> Fields<'_> {
        let mut fields: Fields = [""; FIELDS.len()];
        fields[field::ID] = self.id(i);
        fields[field::TITLE] = self.title(i);
        for (f, &v) in SHORT.iter().zip(&self.short[i]) {
            fields[*f] = self.values.get(v);
        }
        fields
    }

    /// Every activity's (id, lead), in order.
    pub(super) fn leads(&self) -> Vec<(&str, &str)> {
        (0..self.len())
            .map(|i| (self.id(i), self.lead(i)))
            .collect()
    }
}

/// The progress and next steps of the plan activities whose rows are not yet written, where
/// either is not empty (an activity a return gives has neither: they were dropped as the plan
/// was read). With [`KeptPlan`], what a row is written from.
#[derive(Default)]
pub(super) struct Unwritten {
    /// (activity, its progress then its next steps, where the progress ends), in order.
    texts: VecDeque<(usize, Box<str>, usize)>,
    /// Those of the row being written.
    current: Option<(Box<str>, usize)>,
}

impl Unwritten {
    /// Keeps the progress and next steps of activity `i`, whose fields are `fields`.
    pub(super) fn push(&mut self, i: usize, fields: Fields) {
        let (progress, next) = (fields[field::PROGRESS], fields[field::NEXT_STEPS]);
        if !progress.is_empty() || !next.is_empty() {
            let text = [progress, next].concat().into_boxed_str();
            self.texts.push_back((i, text, progress.len()));
        }
    }

    /// Activity `i`'s fields for its row (`plan`'s, with its progress and next steps): rows are
    /// written in order, so the texts of those before it are given up.
    pub(super) fn row<'a>(&'a mut self, plan: &'a KeptPlan, i: usize) -> Fields<'a> {
        while self.texts.front().is_some_and(|&(at, ..)| at < i) {
            self.texts.pop_front();
        }
        self.current = match self.texts.front() {
            Some(&(at, ..)) if at == i => self.texts.pop_front().map(|(_, t, end)| (t, end)),
            _ => None,
        };
        let mut fields = plan.fields(i);
        if let Some((text, end)) = &self.current {
            fields[field::PROGRESS] = &text[..*end];
            fields[field::NEXT_STEPS] = &text[*end..];
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_row_gives_the_fields_of_its_activity() {
        let a = Activity {
            id: "KA.01.01".into(),
            title: "Étape — one".into(),
            progress: "line\nline".into(),
            theme_strapline: "last".into(),
            ..Activity::default()
        };
        assert_eq!(PlanRow::from(&a).fields(), a.fields());
        let mut kept = KeptPlan::default();
        kept.push(a.fields());
        let fields = kept.fields(0);
        assert_eq!(fields[field::TITLE], "Étape — one");
        assert_eq!(fields[field::THEME_STRAPLINE], "last");
        assert_eq!(fields[field::PROGRESS], "");
    }

    #[test]
    fn a_row_is_written_from_what_is_kept_with_its_own_progress_and_next_steps() {
        let activity = |id: &str, progress: &str, next: &str| Activity {
            id: id.into(),
            title: format!("{id} title"),
            lead: "Lead".into(),
            progress: progress.into(),
            next_steps: next.into(),
            ..Activity::default()
        };
        let plan = [
            activity("KA.01", "", ""),
            activity("KA.02", "done", ""),
            activity("", "", "next"),
            activity("KA.04", "", ""),
            activity("KA.05", "é\nmore", "then"),
        ];
        let (mut kept, mut unwritten) = (KeptPlan::default(), Unwritten::default());
        for (i, a) in plan.iter().enumerate() {
            let row = PlanRow::from(a);
            unwritten.push(i, row.fields());
            kept.push(row.fields());
        }
        assert_eq!(kept.len(), plan.len());
        for (i, a) in plan.iter().enumerate() {
            assert_eq!(unwritten.row(&kept, i), a.fields(), "row {i}");
            assert_eq!(kept.id(i), a.id);
        }
        // A row skipped gives its texts up with the next.
        let (mut kept, mut unwritten) = (KeptPlan::default(), Unwritten::default());
        for (i, a) in plan.iter().enumerate() {
            unwritten.push(i, a.fields());
            kept.push(a.fields());
        }
        assert_eq!(unwritten.row(&kept, 4), plan[4].fields());
        assert!(unwritten.texts.is_empty());
    }
}
