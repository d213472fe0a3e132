//! What a merge set aside keeps in memory of many activities: strings one after another in
//! one buffer ([`Texts`]), and short values each kept once ([`Interned`]).

use foldhash::HashMap;

/// Strings kept one after another in one buffer (one allocation for all rather than one
/// each), known by their index.
#[derive(Default)]
pub(super) struct Texts {
    text: String,
    /// Where each ends in `text`.
    ends: Vec<usize>,
}

impl Texts {
    /// Keeps `s` as the next string.
    pub(super) fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    /// How many strings it holds.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`-th string.
    pub(super) fn get(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.text[start..self.ends[i]]
    }
}

/// Distinct short values, each kept once and known by its index.
#[derive(Default)]
pub(super) struct Interned {
    values: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interned {
    /// The index of `value`, kept if it is new.
    pub(super) fn of(&mut self, value: &str) -> u32 {
        if let Some(&v) = self.index.get(value) {
            return v;
        }
        let v = self.values.len() as u32;
        self.values.push(value.into());
        self.index.insert(value.into(), v);
        v
    }

    /// The value of index `v`.
    pub(super) fn get(&self, v: u32) -> &str {
        &self.values[v as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_and_value_is_given_back_as_kept() {
        let strings: Vec<String> = (0..2_000)
            .map(|i| match i % 3 {
                0 => String::new(),
                1 => format!("KA.{i:05}"),
                _ => "é title — ".repeat(i % 50),
            })
            .collect();
        let (mut texts, mut values) = (Texts::default(), Interned::default());
        let indices: Vec<u32> = strings
            .iter()
            .map(|s| {
                texts.push(s);
                values.of(s)
            })
            .collect();
        assert_eq!(texts.len(), strings.len());
        for (i, s) in strings.iter().enumerate() {
            assert_eq!(
                (texts.get(i), values.get(indices[i])),
                (s.as_str(), s.as_str())
            );
        }
        // Each distinct value once.
        let distinct: std::collections::HashSet<&String> = strings.iter().collect();
        assert_eq!(values.values.len(), distinct.len());
    }
}
