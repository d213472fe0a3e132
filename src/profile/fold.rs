//! Comparing texts ignoring case and white space, as the profile's vocabularies are matched.

/// `fold(a) == fold(b)`, compared char by char without allocating: the vocabulary is matched
/// against every field of every activity, most of them long texts that differ at once.
pub fn same_fold(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // Vocabularies share long beginnings ("Chief Officer - …"): the common ASCII beginning is
    // compared byte by byte (eight at a time while they are equal). Both folds give the same
    // chars for it and are then in the same state, so when two letters, digits or marks
    // follow it that differ even in lower case, the folds differ there. Otherwise only the
    // rests need folding, from the beginning's last char that is not white space on.
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut skip, mut at) = (0, 0);
    while let (Some(p), Some(q)) = (x.get(at..at + 8), y.get(at..at + 8)) {
        if p != q || !p.is_ascii() {
            break;
        }
        if let Some(last) = p.iter().rposition(|&b| !is_ascii_white(b)) {
            skip = at + last + 1;
        }
        at += 8;
    }
    for (i, (&p, &q)) in x.iter().zip(y).enumerate().skip(at) {
        if !p.is_ascii() || !p.eq_ignore_ascii_case(&q) {
            if p.is_ascii_graphic() && q.is_ascii_graphic() {
                return false;
            }
            break;
        }
        if !is_ascii_white(p) {
            skip = i + 1;
        }
    }
    let (mut a, mut b) = (Folded::new(&a[skip..]), Folded::new(&b[skip..]));
    a.started = skip > 0;
    b.started = skip > 0;
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (x, y) if x == y => {}
            _ => return false,
        }
    }
}

/// An ASCII byte that `char::is_whitespace` counts (it counts the vertical tab, `0x0b`, which
/// `u8::is_ascii_whitespace` does not).
fn is_ascii_white(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// The first char of [`fold`]'s result (None for a blank text): a cheap test that two texts
/// cannot fold alike, since `fold(a) == fold(b)` needs `first_folded(a) == first_folded(b)`.
pub(super) fn first_folded(text: &str) -> Option<char> {
    let bytes = text.as_bytes();
    // The common case: the text starts with an ASCII char that is not white space.
    if let Some(&b) = bytes.first() {
        if b.is_ascii_graphic() {
            return Some(b.to_ascii_lowercase() as char);
        }
    }
    let c = text.chars().find(|c| !c.is_whitespace())?;
    c.to_lowercase().next()
}

/// The chars of [`fold`]'s result, one at a time.
struct Folded<'a> {
    chars: std::str::Chars<'a>,
    /// The rest of a char that lower-cases to several.
    lower: Option<std::char::ToLowercase>,
    /// A char read after a run of white space, given after the one space it stands for.
    held: Option<char>,
    started: bool,
}

impl<'a> Folded<'a> {
    fn new(text: &'a str) -> Self {
        Folded {
            chars: text.chars(),
            lower: None,
            held: None,
            started: false,
        }
    }
}

impl Iterator for Folded<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.lower.as_mut().and_then(Iterator::next) {
            return Some(c);
        }
        let c = match self.held.take() {
            Some(c) => c,
            None => {
                let mut gap = false;
                let c = loop {
                    let c = self.chars.next()?;
                    if c.is_whitespace() {
                        gap = true;
                    } else {
                        break c;
                    }
                };
                if gap && self.started {
                    self.held = Some(c);
                    return Some(' ');
                }
                c
            }
        };
        self.started = true;
        if c.is_ascii() {
            return Some(c.to_ascii_lowercase());
        }
        let mut lower = c.to_lowercase();
        let first = lower.next();
        self.lower = Some(lower);
        first
    }
}

/// A comparison key: lower case, inner white space collapsed, outer space trimmed.
pub fn fold(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
