//! Activity ids read without the regex engine where they are written plainly: every activity's
//! id is read, cleaned and checked, so the common case (`KA.01.06`, as the profile writes it)
//! is told by looking at its bytes. Anything else goes to [`Profile::id_loose`], whose answer
//! the quick reading always equals (a property test holds the two together).

use super::Profile;

/// An activity id found at the start of a text by [`Profile::loose_id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LooseId {
    /// The objective number (`4` in `KA.04.03`).
    pub objective: u32,
    /// The activity number within the objective (`3` in `KA.04.03`).
    pub number: u32,
    /// Where the id ends in the text (bytes).
    pub end: usize,
}

impl Profile {
    /// The activity id at the start of `text`, written loosely (`KA 4.3`, `ka.04.03`): what
    /// [`id_loose`](Profile::id_loose) matches, with its numbers; `None` when it matches nothing
    /// or its numbers are not plain digits.
    pub fn loose_id(&self, text: &str) -> Option<LooseId> {
        if let Some(found) = self.plain_id(text) {
            return Some(found);
        }
        let caps = self.id_loose.captures(text)?;
        Some(LooseId {
            objective: caps["objective"].parse().ok()?,
            number: caps["number"].parse().ok()?,
            end: caps.get(0)?.end(),
        })
    }

    /// Whether `id` is written exactly as [`format_id`](Profile::format_id) writes ids: then
    /// cleaning leaves it as it is.
    pub fn is_canonical_id(&self, id: &str) -> bool {
        let (prefix, sep) = (self.ids.prefix.as_bytes(), self.ids.separator.as_bytes());
        let digits = |b: &[u8], n: usize| b.len() >= n && b[..n].iter().all(u8::is_ascii_digit);
        let Some(rest) = id.as_bytes().strip_prefix(prefix) else {
            return false;
        };
        let Some(rest) = rest.strip_prefix(sep) else {
            return false;
        };
        let (o, n) = (self.ids.objective_digits, self.ids.number_digits);
        if !digits(rest, o) {
            return false;
        }
        match rest[o..].strip_prefix(sep) {
            Some(rest) => rest.len() == n && digits(rest, n),
            None => false,
        }
    }

    /// [`loose_id`](Profile::loose_id) of a text that starts with the profile's prefix and
    /// separator exactly, then one to three ASCII digits, the separator, one to three ASCII
    /// digits and the end or an ASCII character that is not a letter, digit or `_`: there the
    /// regex, which tries the longest run of digits first, takes exactly these. `None`: the
    /// text is not written so (the regex decides).
    fn plain_id(&self, text: &str) -> Option<LooseId> {
        let (prefix, sep) = (self.ids.prefix.as_str(), self.ids.separator.as_str());
        let odd = |s: &str| s.chars().any(|c| c.is_whitespace() || c.is_numeric());
        if prefix.is_empty() || sep.is_empty() || odd(prefix) || odd(sep) {
            return None;
        }
        let b = text.as_bytes();
        let mut at = prefix.len() + sep.len();
        if !text.starts_with(prefix) || !text[prefix.len()..].starts_with(sep) {
            return None;
        }
        let run = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let number_at = |from: usize, len: usize| {
            b[from..from + len]
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
        };
        let o_len = run(at);
        if !(1..=3).contains(&o_len) || !text[at + o_len..].starts_with(sep) {
            return None;
        }
        let objective = number_at(at, o_len);
        at += o_len + sep.len();
        let n_len = run(at);
        if !(1..=3).contains(&n_len) {
            return None;
        }
        let number = number_at(at, n_len);
        let end = at + n_len;
        match b.get(end) {
            None => {}
            Some(c) if c.is_ascii() && !c.is_ascii_alphanumeric() && *c != b'_' => {}
            Some(_) => return None,
        }
        Some(LooseId {
            objective,
            number,
            end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition: what the regex gives.
    fn by_regex(p: &Profile, text: &str) -> Option<LooseId> {
        let caps = p.id_loose.captures(text)?;
        Some(LooseId {
            objective: caps["objective"].parse().ok()?,
            number: caps["number"].parse().ok()?,
            end: caps.get(0)?.end(),
        })
    }

    fn profiles() -> Vec<Profile> {
        let three = super::super::DEFAULT_PROFILE
            .replace("objective_digits = 2", "objective_digits = 3")
            .replace("number_digits = 2", "number_digits = 3");
        let three = Profile::from_toml(&three).expect("a profile");
        assert_eq!(three.format_id(4, 3), "KA.004.003");
        vec![Profile::default_profile(), three]
    }

    #[test]
    fn plain_ids_are_read_without_the_regex_and_others_by_it() {
        let p = Profile::default_profile();
        assert_eq!(
            p.plain_id("KA.04.03 Local Plan"),
            Some(LooseId {
                objective: 4,
                number: 3,
                end: 8
            })
        );
        // Not plain: the regex decides, and reads them the same.
        for text in ["ka.4.3", " KA.04.03", "KA 04.03", "KA.04.03x", "KA.0004.03"] {
            assert_eq!(p.plain_id(text), None, "{text}");
        }
        assert_eq!(p.loose_id("ka 4 . 3: Plan").map(|i| i.number), Some(3));
        assert!(p.is_canonical_id("KA.04.03"));
        for id in ["KA.4.03", "KA.04.003", "KA.04.03 ", "ka.04.03", "KA.٠٤.03"] {
            assert!(!p.is_canonical_id(id), "{id}");
        }
    }

    proptest! {
        #[test]
        fn loose_id_is_the_regex(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("KA"), Just("ka"), Just("K"), Just("."), Just(" "), Just("0"),
                    Just("4"), Just("12"), Just("123"), Just("٣"), Just("_"), Just("x"),
                    Just("é"), Just(":"), Just("-"), Just("\u{a0}"), Just("KA.04.03"),
                ],
                0..8,
            )
        ) {
            let text: String = parts.concat();
            for p in profiles() {
                prop_assert_eq!(p.loose_id(&text), by_regex(&p, &text), "{:?}", text);
                let canonical = p.is_canonical_id(&text);
                if canonical {
                    let id = by_regex(&p, &text).map(|i| p.format_id(i.objective, i.number));
                    prop_assert_eq!(id.as_deref(), Some(text.as_str()));
                    prop_assert!(p.id_strict.is_match(&text));
                }
            }
        }
    }
}
