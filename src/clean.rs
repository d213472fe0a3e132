//! Text cleaning: HTML removed, bullets normalised, spaces tidied. Cleaning never invents or
//! drops words, and cleaning clean text changes nothing.
//!
//! Progress and next steps arrive as whatever the officer's tool produced: HTML from a web form,
//! bullet lists flattened onto one line by a document export, Word's "•" and "o" bullets,
//! non-breaking spaces. The canonical form (DESIGN.md §3) is one bullet per line, `- ` for a
//! bullet and `  • ` for a sub-bullet, no HTML and no trailing spaces, so that two returns saying
//! the same thing compare equal and a workbook shows one bullet per line.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

mod scan;

/// The prefix of a bullet line in clean text.
pub const BULLET: &str = "- ";

/// The prefix of a sub-bullet line in clean text.
pub const SUB_BULLET: &str = "  • ";

/// A tag (`<p>`, `</li>`, `<ul style="…">`, `<br/>`, `<o:p>`) or an entity (`&amp;`, `&#163;`).
static MARKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"<(/?)([A-Za-z][A-Za-z0-9]*(?::[A-Za-z][A-Za-z0-9]*)?)(?:\s[^<>]*)?/?>",
        r"|&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    ))
    .expect("the markup pattern is valid")
});

/// Tags that end a line: paragraphs, list items, line breaks and other blocks.
const BLOCK_TAGS: &str = "address article blockquote body br caption dd div dl dt footer h1 h2 h3 \
    h4 h5 h6 head header hr html li main ol p pre section table tbody tfoot thead title tr ul";

/// Tags that separate words like a space (table cells).
const SPACE_TAGS: &str = "td th";

/// Tags removed without a trace: they only style the words between them.
const INLINE_TAGS: &str = "a abbr b big cite code col colgroup del em font i img ins kbd label \
    link mark meta q s small span strike strong style sub sup tt u wbr";

/// Named entities decoded; any other `&name;` is left as written.
#[rustfmt::skip]
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'), ("lt", '<'), ("gt", '>'), ("quot", '"'), ("apos", '\''), ("nbsp", '\u{a0}'),
    ("pound", '£'), ("euro", '€'), ("cent", '¢'), ("yen", '¥'), ("copy", '©'), ("reg", '®'),
    ("trade", '™'), ("deg", '°'), ("sect", '§'), ("para", '¶'), ("plusmn", '±'), ("times", '×'),
    ("divide", '÷'), ("minus", '−'), ("frac12", '½'), ("frac14", '¼'), ("frac34", '¾'),
    ("ndash", '–'), ("mdash", '—'), ("lsquo", '‘'), ("rsquo", '’'), ("sbquo", '‚'), ("ldquo", '“'),
    ("rdquo", '”'), ("bdquo", '„'), ("laquo", '«'), ("raquo", '»'), ("hellip", '…'), ("bull", '•'),
    ("middot", '·'), ("rarr", '→'), ("larr", '←'), ("ensp", '\u{2002}'), ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
];

/// Line-start markers of a bullet (`- `).
const DASH_MARKERS: [char; 4] = ['-', '–', '—', '*'];

/// Line-start markers of a sub-bullet (`  • `): Word's and web forms' dots, Wingdings' private
/// characters as pasted from Word.
const DOT_MARKERS: [char; 8] = ['•', '·', '◦', '▪', '●', '‣', '\u{F0B7}', '\u{F0A7}'];

/// Tidies a one-line value: non-breaking and repeated spaces collapsed, ends trimmed.
///
/// Line breaks, tabs, non-breaking spaces (U+00A0, U+2007, U+202F), zero-width spaces and
/// control characters (`\u{1}`, `\u{1b}`, …) all count as one space.
///
/// # Examples
/// ```
/// assert_eq!(katrack::clean::tidy_inline("  green\u{a0} \n"), "green");
/// assert_eq!(katrack::clean::tidy_inline("Chief Officer -\u{200b}Governance"), "Chief Officer - Governance");
/// ```
pub fn tidy_inline(text: &str) -> String {
    scan::tidy(text)
}

/// Normalises multi-line free text (progress, next steps) to the canonical form.
///
/// HTML tags are removed (paragraphs, list items and `<br>` end a line) and entities decoded;
/// a line starting with `-`, `–`, `*` becomes a bullet `- `, one starting with `•`, `·`, `◦` or
/// `o ` a sub-bullet `  • `. A flattened list is split again: before every ` • `, and, in a line
/// that starts with a bullet, before ` - ` followed by a capital, a digit, a quote or `£`.
/// Other lines are kept as paragraphs. Spaces are tidied and empty lines dropped.
///
/// # Examples
/// ```
/// use katrack::clean::multiline;
/// assert_eq!(multiline("<p>- A.</p> <p>- B.</p>"), "- A.\n- B.");
/// assert_eq!(multiline("- Done. - Next: • one • two"), "- Done.\n- Next:\n  • one\n  • two");
/// assert_eq!(multiline("Chief Officer - Planning"), "Chief Officer - Planning");
/// ```
pub fn multiline(text: &str) -> String {
    if is_canonical(text) {
        // Most text is read back from katrack's own files, or was typed as plain bullets:
        // cleaning it would give it back as it is, after several passes over every character.
        return text.to_string();
    }
    multiline_slow(text)
}

/// [`multiline`] in place: text already in the canonical form is left as it is, not copied.
pub fn multiline_in_place(text: &mut String) {
    if !is_canonical(text) {
        *text = multiline_slow(text);
    }
}

/// [`multiline`] of `text` when it differs from `text` (`None`: the text is clean as it is).
pub fn multiline_if_changed(text: &str) -> Option<String> {
    if is_canonical(text) {
        return None;
    }
    Some(multiline_slow(text)).filter(|cleaned| cleaned != text)
}

/// [`tidy_inline`] in place: a value already tidy is left as it is, not copied.
pub fn tidy_inline_in_place(text: &mut String) {
    tidy_inline_replacing(text);
}

/// [`tidy_inline_in_place`], giving back the text it replaced (`None`: left as it was).
pub fn tidy_inline_replacing(text: &mut String) -> Option<String> {
    if scan::is_tidy(text) {
        return None;
    }
    let tidy = tidy_inline(text);
    Some(std::mem::replace(text, tidy))
}

/// [`multiline`] without the fast path for text already in the canonical form.
fn multiline_slow(text: &str) -> String {
    let spaced = plain_spaces(text);
    if !scan::has_markup_char(&spaced) {
        // Nothing to decode, and nothing for `layout` to make plain or defuse either.
        return layout_lines(&spaced);
    }
    let plain = replace_markup(&spaced, markup_meaning);
    layout(&plain)
}

/// True when `text` is certainly in the canonical form, so that [`multiline_slow`] would give it
/// back unchanged (a property test holds the two together). Conservative: it answers false for
/// some canonical text, which then takes the slow path.
///
/// Canonical here: no markup character (`<`, `&`), no space but `' '` and no line break but
/// `'\n'`; every line non-empty and tidy (no space at its ends, none doubled); a line is a bullet
/// (`- ` + text), a sub-bullet (`  • ` + text) or a paragraph that does not start like either;
/// the text of a line starts with no marker and holds no `•` that would start a sub-bullet, and
/// the text of a bullet no ` - `/` – ` that would start another.
fn is_canonical(text: &str) -> bool {
    scan::is_canonical(text)
}

/// Lays out text that holds no markup (or only markup to keep as text) as canonical lines.
fn layout(text: &str) -> String {
    let spaced = plain_spaces(text);
    layout_lines(&defuse_markup(&spaced))
}

/// [`layout`] of text with no space but `' '` and line breaks, and no markup to defuse.
fn layout_lines(text: &str) -> String {
    let mut lines = Lines {
        text: String::with_capacity(text.len()),
        any: false,
    };
    for raw in scan::lines(text) {
        if scan::is_tidy(raw) {
            clean_line(raw, &mut lines);
        } else {
            clean_line(&tidy_inline(raw), &mut lines);
        }
    }
    // Room was made for the whole text; what markup, bullets and spaces took is given back, as
    // the text is kept with the activity.
    lines.text.shrink_to_fit();
    lines.text
}

/// Clean lines as they are made, joined by `'\n'`.
struct Lines {
    text: String,
    /// A line has been written (the next one needs a line break before it).
    any: bool,
}

impl Lines {
    /// Writes one line, `prefix` then `text`.
    fn push(&mut self, prefix: &str, text: &str) {
        if self.any {
            self.text.push('\n');
        }
        self.any = true;
        self.text.push_str(prefix);
        self.text.push_str(text);
    }
}

/// Joins a continuation's text to the text above it.
///
/// A page break can split one activity over two rows. When the continuation starts with a
/// bullet it adds lines; otherwise its first line is the rest of the last line above, and the
/// two are joined with a space. Both parts are cleaned first, and so is the result.
///
/// # Examples
/// ```
/// use katrack::clean::join_continuation;
/// assert_eq!(
///     join_continuation("- Weekly meeting with County", "Partnership leads.\n- Next"),
///     "- Weekly meeting with County Partnership leads.\n- Next"
/// );
/// assert_eq!(join_continuation("- A.", "- B."), "- A.\n- B.");
/// ```
pub fn join_continuation(above: &str, more: &str) -> String {
    let above = multiline(above);
    let more = multiline(more);
    if more.is_empty() {
        return above;
    }
    if above.is_empty() {
        return more;
    }
    // Joining must not turn text into markup ("<A" + ">"), so the result is laid out again
    // without decoding anything.
    if more.starts_with(BULLET) || more.starts_with(SUB_BULLET) {
        layout(&format!("{above}\n{more}"))
    } else {
        layout(&format!("{above} {more}"))
    }
}

/// The words of a text: its maximal runs of letters and digits, in order.
///
/// # Examples
/// ```
/// assert_eq!(katrack::clean::words("- £11,000 per-annum."), ["11", "000", "per", "annum"]);
/// ```
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whitespace, including the zero-width spaces that `char::is_whitespace` does not count, and
/// control characters: they have no place in a tracker, XML 1.0 cannot hold most of them, and an
/// escape character (`\u{1b}`) would drive the terminal of whoever prints the text. Read as a
/// space, a control character still separates the words on either side of it.
fn is_space(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{180E}')
}

/// Every kind of space as `' '`, so that `<p\u{200b}>` is read the same now and after tidying.
/// Text with no space but `' '` and line breaks is given back as it is.
fn plain_spaces(text: &str) -> Cow<'_, str> {
    if !scan::has_odd_spaces(text) {
        return Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if is_space(c) && !is_line_break(c) {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .into()
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// What a `MARKUP` match stands for, or None when it is ordinary text ("<5 people", "&foo;").
fn markup_meaning(caps: &regex::Captures<'_>) -> Option<String> {
    if let Some(name) = caps.get(2) {
        let name = name.as_str().to_ascii_lowercase();
        let is = |list: &str| list.split_whitespace().any(|t| t == name);
        return if is(BLOCK_TAGS) {
            Some("\n".into())
        } else if is(SPACE_TAGS) {
            Some(" ".into())
        } else if is(INLINE_TAGS) || name.contains(':') {
            // `<o:p>` and other namespaced tags come from Word's HTML.
            Some(String::new())
        } else {
            None
        };
    }
    let entity = caps.get(3)?.as_str();
    let c = if let Some(hex) = entity
        .strip_prefix("#x")
        .or_else(|| entity.strip_prefix("#X"))
    {
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
    } else if let Some(dec) = entity.strip_prefix('#') {
        char::from_u32(dec.parse().ok()?)?
    } else {
        ENTITIES.iter().find(|(n, _)| *n == entity)?.1
    };
    (c != '\0').then(|| c.to_string())
}

/// Keeps text that looks like markup as text. Decoding can produce it (`&lt;p&gt;` gives `<p>`),
/// and so can joining two texts; a space is put after its `<` or `&` so that cleaning the result
/// again changes nothing and no word is lost.
fn defuse_markup(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for _ in 0..text.len() {
        let mut changed = false;
        let next = replace_markup(&out, |caps| {
            markup_meaning(caps)?;
            changed = true;
            let m = caps.get(0).map_or("", |m| m.as_str());
            Some(format!("{} {}", &m[..1], &m[1..]))
        });
        if !changed {
            break;
        }
        out = Cow::Owned(next.into_owned());
    }
    out
}

/// Replaces each `MARKUP` match by what `f` returns, leaving it as written when `f` gives None.
/// Text kept as written is searched again from its second character, so that the entity in
/// `<custom &amp;>` is still decoded. Text with nothing replaced is given back as it is.
fn replace_markup(
    text: &str,
    mut f: impl FnMut(&regex::Captures<'_>) -> Option<String>,
) -> Cow<'_, str> {
    if !scan::has_markup_char(text) {
        // Every match starts with `<` or `&`.
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let (mut last, mut at) = (0, 0);
    while let Some(caps) = MARKUP.captures_at(text, at) {
        let Some(m) = caps.get(0) else { break };
        if let Some(replacement) = f(&caps) {
            out.push_str(&text[last..m.start()]);
            out.push_str(&replacement);
            (last, at) = (m.end(), m.end());
        } else {
            // Every match starts with the one-byte `<` or `&`.
            at = m.start() + 1;
        }
    }
    if last == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// The kind of bullet a line starts with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bullet {
    Dash,
    Dot,
}

/// The bullet a tidied line starts with and the text after its marker.
fn strip_marker(line: &str) -> Option<(Bullet, &str)> {
    let mut chars = line.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    let next = rest.chars().next();
    if DOT_MARKERS.contains(&first) {
        return Some((Bullet::Dot, rest.trim_start()));
    }
    if first == 'o' && next == Some(' ') {
        return Some((Bullet::Dot, rest.trim_start()));
    }
    if DASH_MARKERS.contains(&first) {
        // "-Text" is a bullet typed without its space; "-5", "--" and "*Note" are not bullets.
        let typed_bullet = first != '*' && next.is_some_and(char::is_alphabetic);
        if next.is_none() || next == Some(' ') || typed_bullet {
            return Some((Bullet::Dash, rest.trim_start()));
        }
    }
    None
}

/// Cleans one tidied line (single spaces, trimmed) into zero or more output lines.
fn clean_line(line: &str, out: &mut Lines) {
    for piece in split_before(line, starts_sub_bullet) {
        clean_piece(piece, out);
    }
}

fn clean_piece(mut piece: &str, out: &mut Lines) {
    let (bullet, rest) = loop {
        match strip_marker(piece) {
            None => {
                if !piece.is_empty() {
                    out.push("", piece);
                }
                return;
            }
            // "•• x" or "• - Next": the first marker is an empty bullet; the second one counts.
            Some((_, rest)) if starts_sub_bullet(rest) || starts_dash_bullet(rest) => piece = rest,
            Some(found) => break found,
        }
    };
    let mut parts = split_before(rest, starts_dash_bullet);
    push_bullet(out, bullet, parts.next().unwrap_or(""));
    for part in parts {
        let rest = strip_marker(part).map_or(part, |(_, rest)| rest);
        push_bullet(out, Bullet::Dash, rest);
    }
}

fn push_bullet(out: &mut Lines, bullet: Bullet, text: &str) {
    if text.is_empty() {
        return;
    }
    let prefix = match bullet {
        Bullet::Dash => BULLET,
        Bullet::Dot => SUB_BULLET,
    };
    out.push(prefix, text);
}

/// Splits a tidied line before each space where `starts` holds for the text after the space;
/// the pieces are trimmed. `starts` is only asked about text that starts with `-` or with a
/// char whose first byte is `0xe2` (`•`, `–`): both callers' bullets start so.
fn split_before(line: &str, starts: fn(&str) -> bool) -> impl Iterator<Item = &str> {
    let mut from = 0;
    let bytes = line.as_bytes();
    let mut spaces = (0..bytes.len())
        .filter(move |&i| bytes[i] == b' ' && matches!(bytes.get(i + 1), Some(b'-' | 0xe2)));
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        for i in spaces.by_ref() {
            if starts(&line[i + 1..]) {
                let piece = line[from..i].trim();
                from = i + 1;
                return Some(piece);
            }
        }
        done = true;
        Some(line[from..].trim())
    })
}

/// `• …` inside a line always starts a sub-bullet (but `••` is left alone).
fn starts_sub_bullet(after: &str) -> bool {
    after
        .strip_prefix('•')
        .is_some_and(|rest| !rest.starts_with('•'))
}

/// `- Text` inside a bullet line starts a new bullet when the text looks like a sentence start.
fn starts_dash_bullet(after: &str) -> bool {
    let Some(rest) = after.strip_prefix('-').or_else(|| after.strip_prefix('–')) else {
        return false;
    };
    rest.strip_prefix(' ')
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| {
            c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '\'' | '‘' | '“' | '£')
        })
}

#[cfg(test)]
#[path = "clean_tests.rs"]
mod tests;
