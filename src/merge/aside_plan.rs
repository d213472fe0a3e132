//! The plan of a merge of returns set aside ([`merge_set_aside`](super::merge_set_aside)): its
//! activities arrive as [`PlanRow`]s (each one allocation, not eleven), and once a row is
//! written only what the plan rules, the lead table and the other sheets read is kept
//! ([`KeptPlan`]): the id, the title and the short fields, each distinct value once.

use super::aside::{Interned, SHORT};
use crate::model::{Activity, FIELDS, Fields, field};

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

/// What is kept of the plan once its rows are written.
#[derive(Default)]
pub(super) struct KeptPlan {
    ids: Vec<Box<str>>,
    titles: Vec<Box<str>>,
    short: Vec<[u32; SHORT.len()]>,
    values: Interned,
}

impl KeptPlan {
    /// Keeps what is read of the activity whose fields are `fields`.
    pub(super) fn push(&mut self, fields: Fields) {
        self.ids.push(fields[field::ID].into());
        self.titles.push(fields[field::TITLE].into());
        self.short.push(SHORT.map(|f| self.values.of(fields[f])));
    }

    /// How many activities it holds.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Activity `i`'s id.
    pub(super) fn id(&self, i: usize) -> &str {
        &self.ids[i]
    }

    /// Activity `i`'s fields, its progress and next steps empty (the sheets beside Appendix A
    /// do not read them).
    pub(super) fn fields(&self, i: usize) -> Fields<'_> {
        let mut fields: Fields = [""; FIELDS.len()];
        fields[field::ID] = &self.ids[i];
        fields[field::TITLE] = &self.titles[i];
        for (f, &v) in SHORT.iter().zip(&self.short[i]) {
            fields[*f] = self.values.get(v);
        }
        fields
    }

    /// Every activity's (id, lead), in order.
    pub(super) fn leads(&self) -> Vec<(&str, &str)> {
        (0..self.len())
            .map(|i| (self.id(i), self.fields(i)[field::LEAD]))
            .collect()
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
}
