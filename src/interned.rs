//! Distinct values each kept once and known by a number, in the order first met
//! ([`Interned`]): a tracker of 100,000 activities holds a handful of distinct statuses, leads
//! and objectives.

use foldhash::HashMap;

/// Distinct values, each kept once and numbered in the order first met.
#[derive(Default)]
pub(crate) struct Interned {
    values: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interned {
    /// The number of `value`, kept if it is new.
    pub(crate) fn of(&mut self, value: &str) -> u32 {
        if let Some(&v) = self.index.get(value) {
            return v;
        }
        let v = self.values.len() as u32;
        self.values.push(value.into());
        self.index.insert(value.into(), v);
        v
    }

    /// The value numbered `v`.
    pub(crate) fn get(&self, v: u32) -> &str {
        &self.values[v as usize]
    }

    /// Every value, in the order first met.
    pub(crate) fn values(&self) -> &[Box<str>] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_given_back_as_kept() {
        let strings: Vec<String> = (0..2_000)
            .map(|i| match i % 3 {
                0 => String::new(),
                1 => format!("KA.{i:05}"),
                _ => "é title — ".repeat(i % 50),
            })
            .collect();
        let mut values = Interned::default();
        let indices: Vec<u32> = strings.iter().map(|s| values.of(s)).collect();
        for (i, s) in strings.iter().enumerate() {
            assert_eq!(values.get(indices[i]), s.as_str());
        }
        // Each distinct value once, in the order first met.
        let mut first: Vec<&str> = Vec::new();
        for s in &strings {
            if !first.contains(&s.as_str()) {
                first.push(s);
            }
        }
        let kept: Vec<&str> = values.values().iter().map(|v| &**v).collect();
        assert_eq!(kept, first);
    }
}
