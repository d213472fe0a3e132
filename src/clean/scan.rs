//! Byte scans that tell, in one pass and without allocating, whether a text needs cleaning at
//! all. Most text is already clean (read back from katrack's own files, or typed as plain
//! bullets), so these answer for nearly every field; each one is held to a slower, plainer
//! statement of the same question by the property tests in `clean_tests.rs`.

use super::{BULLET, DASH_MARKERS, DOT_MARKERS, SUB_BULLET, is_line_break, is_space};

/// A control character (`0x00`–`0x1f`, `0x7f`), line breaks included: a space to [`is_space`].
const CONTROL: u8 = 1;
/// `<` or `&`, which may start markup.
const MARKUP: u8 = 2;
/// `' '`.
const SPACE: u8 = 4;
/// The first byte of a char that is not ASCII.
const HIGH: u8 = 8;
/// `'\n'` (also a [`CONTROL`]).
const NEWLINE: u8 = 16;

/// What each byte may be, as the flags above; 0 for the bytes that need no look (letters,
/// digits, punctuation), which are nearly all of them.
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = if b < 0x20 || b == 0x7f {
            if b == b'\n' as usize {
                CONTROL | NEWLINE
            } else {
                CONTROL
            }
        } else if b == b'<' as usize || b == b'&' as usize {
            MARKUP
        } else if b == b' ' as usize {
            SPACE
        } else if b >= 0x80 {
            HIGH
        } else {
            0
        };
        b += 1;
    }
    class
};

/// The char that starts at byte `i` of `text` (a char boundary).
fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or('\0')
}

/// True when [`super::tidy_inline`] would give `text` back unchanged: no space at its ends, none
/// doubled, and no space but `' '` (no control character, no other kind of space).
pub(super) fn is_tidy(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        while let Some(window) = bytes.get(i..i + 9) {
            if !tidy8(window) {
                break;
            }
            i += 8;
        }
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let class = CLASS[b as usize];
        if class & (CONTROL | SPACE | HIGH) == 0 {
            i += 1;
        } else if class & CONTROL != 0 {
            return false;
        } else if class & SPACE != 0 {
            // A space at the start, at the end or before another space.
            if i == 0 || matches!(bytes.get(i + 1), None | Some(b' ')) {
                return false;
            }
            i += 1;
        } else {
            let c = char_at(text, i);
            if is_space(c) {
                return false;
            }
            i += c.len_utf8();
        }
    }
    true
}

/// True when [`super::plain_spaces`] would change `text`: it holds a space other than `' '`
/// that is not a line break (a tab, a non-breaking space, a control character, …).
pub(super) fn has_odd_spaces(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let class = CLASS[b as usize];
        if class & (CONTROL | HIGH) == 0 {
            i += 1;
        } else if class & CONTROL != 0 {
            if !is_line_break(b as char) {
                return true;
            }
            i += 1;
        } else {
            let c = char_at(text, i);
            if is_space(c) && !is_line_break(c) {
                return true;
            }
            i += c.len_utf8();
        }
    }
    false
}

/// True when `text` holds a `<` or a `&`, without which it holds no markup.
pub(super) fn has_markup_char(text: &str) -> bool {
    text.bytes().any(|b| CLASS[b as usize] & MARKUP != 0)
}

/// Each byte of a `u64` set to `b`.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The top bit of each byte of `v` that is zero is set (and maybe of bytes above one that is):
/// non-zero exactly when some byte of `v` is zero.
fn zeros(v: u64) -> u64 {
    v.wrapping_sub(splat(1)) & !v & splat(0x80)
}

/// A nine-byte window as two overlapping little-endian words: its first eight bytes, and the
/// eight after the first (`None` unless it is nine bytes long).
fn words(window: &[u8]) -> Option<(u64, u64)> {
    if window.len() != 9 {
        return None;
    }
    let now = <[u8; 8]>::try_from(&window[..8]).ok()?;
    let next = <[u8; 8]>::try_from(&window[1..]).ok()?;
    Some((u64::from_le_bytes(now), u64::from_le_bytes(next)))
}

/// True when the first eight of `window`'s nine bytes need no look from [`is_canonical`],
/// tested as one word, without a branch: all ASCII, no control character, `<`, `&` or DEL, and
/// no space followed by a space, a `-`, a control character or a byte over 0x7f (the ninth
/// byte is the eighth's follower). A test may fire for a byte above one that fires rightly,
/// never miss one: the bytes are then looked at one by one.
fn plain8(window: &[u8]) -> bool {
    let Some((x, y)) = words(window) else {
        return false;
    };
    let high = splat(0x80);
    // Below `n`: `x - n` borrows into the byte's top bit; a byte over 0x7f is caught already.
    let below = |v: u64, n: u8| v.wrapping_sub(splat(n)) & !v & high;
    let odd_follower = y & high | below(y, 0x21) | zeros(y ^ splat(b'-'));
    let odd = x & high
        | below(x, 0x20)
        | zeros(x ^ splat(0x7f))
        | zeros(x ^ splat(b'<'))
        | zeros(x ^ splat(b'&'))
        | zeros(x ^ splat(b' ')) & odd_follower;
    odd == 0
}

/// True when the first eight of `window`'s nine bytes need no look from [`is_tidy`]: all
/// ASCII, no control character, no space followed by a space (the ninth byte follows the
/// eighth). As [`plain8`], a test may fire wrongly, never miss.
fn tidy8(window: &[u8]) -> bool {
    let Some((x, y)) = words(window) else {
        return false;
    };
    let high = splat(0x80);
    let odd = x & high
        | x.wrapping_sub(splat(0x20)) & !x & high
        | zeros(x ^ splat(0x7f))
        | zeros(x ^ splat(b' ')) & zeros(y ^ splat(b' '));
    odd == 0
}

/// [`super::is_canonical`] in one pass over the bytes: every line is checked as it is reached,
/// and a letter, digit or punctuation byte costs one table look-up.
pub(super) fn is_canonical(text: &str) -> bool {
    if text.is_empty() {
        return true;
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        let line = &text[start..];
        let (bullet, body) = if line.starts_with(SUB_BULLET) {
            (true, start + SUB_BULLET.len())
        } else if line.starts_with(BULLET) {
            (true, start + BULLET.len())
        } else {
            (false, start)
        };
        // The line's text starts with no marker and no space, and is not empty.
        let mut chars = text[body..].chars();
        let first = match chars.next() {
            None | Some('\n' | ' ') => return false,
            Some(c) => c,
        };
        if DOT_MARKERS.contains(&first)
            || DASH_MARKERS.contains(&first)
            || (first == 'o' && chars.next() == Some(' '))
        {
            return false;
        }
        let mut i = body;
        loop {
            while let Some(window) = bytes.get(i..i + 9) {
                if !plain8(window) {
                    break;
                }
                i += 8;
            }
            let Some(&b) = bytes.get(i) else {
                return true;
            };
            let class = CLASS[b as usize];
            if class == 0 {
                i += 1;
            } else if class & NEWLINE != 0 {
                break;
            } else if class & (CONTROL | MARKUP) != 0 {
                return false;
            } else if class & SPACE != 0 {
                let rest = &bytes[i + 1..];
                // A space at the end of the line, a doubled one, or one before another bullet.
                if matches!(rest.first(), None | Some(b' ' | b'\n'))
                    || (bullet && (rest.starts_with(b"- ") || rest.starts_with("– ".as_bytes())))
                {
                    return false;
                }
                i += 1;
            } else {
                let c = char_at(text, i);
                if c == '•' || is_space(c) {
                    return false;
                }
                i += c.len_utf8();
            }
        }
        start = i + 1;
    }
}

/// [`super::tidy_inline`]: the runs of chars that are not spaces, joined by one `' '`. A run of
/// letters, digits and punctuation is found one byte (one table look-up) at a time and copied
/// whole.
pub(super) fn tidy(text: &str) -> String {
    if is_tidy(text) {
        // Most values are tidy already: a copy.
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // The start of the run being read, when one is.
    let mut run: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let class = CLASS[bytes[i] as usize];
        let (space, width) = if class & (CONTROL | SPACE | HIGH) == 0 {
            (false, 1)
        } else if class & HIGH == 0 {
            (true, 1)
        } else {
            let c = char_at(text, i);
            (is_space(c), c.len_utf8())
        };
        if !space {
            run.get_or_insert(i);
        } else if let Some(from) = run.take() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&text[from..i]);
        }
        i += width;
    }
    if let Some(from) = run {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text[from..]);
    }
    out
}

/// `text.split(is_line_break)`, found byte by byte: a line break is a control character
/// (`\n`, `\r`, `\u{b}`, `\u{c}`) or one of three chars that are not ASCII (`\u{85}`,
/// `\u{2028}`, `\u{2029}`).
pub(super) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut from = Some(0);
    std::iter::from_fn(move || {
        let start = from?;
        let mut i = start;
        while i < bytes.len() {
            let class = CLASS[bytes[i] as usize];
            if class & (CONTROL | HIGH) == 0 {
                i += 1;
                continue;
            }
            let c = char_at(text, i);
            if is_line_break(c) {
                from = Some(i + c.len_utf8());
                return Some(&text[start..i]);
            }
            i += c.len_utf8();
        }
        from = None;
        Some(&text[start..])
    })
}
