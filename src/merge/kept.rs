//! What a merge set aside keeps in memory of many activities: each distinct set of an
//! activity's short fields once ([`Shorts`]), their values each once ([`Interned`]).

use super::aside::{SHORT, short_index};
use crate::interned::Interned;
use crate::model::Fields;
use foldhash::HashMap;

/// The [`SHORT`] fields of many activities, each distinct set of them kept once: the
/// activities of a return or a plan share a few hundred sets (statuses by objectives), so each
/// keeps one number rather than seven.
#[derive(Default)]
pub(super) struct Shorts {
    values: Interned,
    sets: Vec<[u32; SHORT.len()]>,
    index: HashMap<[u32; SHORT.len()], u32>,
}

impl Shorts {
    /// The number of the set of short fields of `fields`, kept if it is new.
    pub(super) fn of(&mut self, fields: &Fields) -> u32 {
        let set = SHORT.map(|f| self.values.of(fields[f]));
        if let Some(&n) = self.index.get(&set) {
            return n;
        }
        let n = self.sets.len() as u32;
        self.sets.push(set);
        self.index.insert(set, n);
        n
    }

    /// Puts the short fields of set `n` into `fields`.
    pub(super) fn fill<'a>(&'a self, n: u32, fields: &mut Fields<'a>) {
        for (f, &v) in SHORT.iter().zip(&self.sets[n as usize]) {
            fields[*f] = self.values.get(v);
        }
    }

    /// Set `n`'s value of `field` (one of [`SHORT`]).
    pub(super) fn field(&self, n: u32, field: usize) -> &str {
        self.values.get(self.sets[n as usize][short_index(field)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_set_of_short_fields_is_kept_once_and_given_back() {
        use crate::model::{Activity, field};
        let activity = |i: usize| Activity {
            id: format!("KA.{i}"),
            status: ["Green", "Amber", ""][i % 3].into(),
            lead: format!("Lead {}", i % 4),
            objective_id: format!("CO {}", i % 5),
            theme_strapline: "é — strapline".into(),
            ..Activity::default()
        };
        let mut shorts = Shorts::default();
        let numbers: Vec<u32> = (0..600).map(|i| shorts.of(&activity(i).fields())).collect();
        // 3 statuses × 4 leads × 5 objectives: 60 sets, whichever the order met.
        assert_eq!(shorts.sets.len(), 60);
        for (i, &n) in numbers.iter().enumerate() {
            let a = activity(i);
            let mut fields = [""; crate::model::FIELDS.len()];
            shorts.fill(n, &mut fields);
            for f in SHORT {
                assert_eq!(fields[f], a.fields()[f], "activity {i}, field {f}");
            }
            assert_eq!(fields[field::ID], "", "only the short fields are filled");
            assert_eq!(shorts.field(n, field::LEAD), a.lead);
        }
    }
}
