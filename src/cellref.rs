//! A1 cell references: findings and explanations name the physical cell an officer opens.

/// The column letters of a 0-based column index (`0` → `A`, `27` → `AB`).
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// The A1 reference of a 0-based row and column (`(11, 4)` → `E12`).
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row as u64 + 1)
}

/// Parses an A1 reference (`E12`, `$E$12`, case-insensitive) into a 0-based (row, column).
pub fn parse_a1(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut col: u64 = 0;
    for c in letters.chars() {
        col = col * 26 + (c.to_ascii_uppercase() as u8 - b'A' + 1) as u64;
    }
    let row: u64 = digits.parse().ok()?;
    if row == 0 || row > u32::MAX as u64 {
        return None;
    }
    Some(((row - 1) as u32, (col - 1) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn letters_at_the_boundaries() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16383), "XFD");
        assert_eq!(a1(11, 4), "E12");
    }

    #[test]
    fn parses_absolute_and_lower_case() {
        assert_eq!(parse_a1("$e$12"), Some((11, 4)));
        assert_eq!(parse_a1("A0"), None);
        assert_eq!(parse_a1("12"), None);
        assert_eq!(parse_a1("E"), None);
    }

    proptest! {
        #[test]
        fn a1_round_trips(row in 0u32..1_048_576, col in 0u32..16_384) {
            prop_assert_eq!(parse_a1(&a1(row, col)), Some((row, col)));
        }
    }
}
