//! A sheet's XML passed over quickly to its `mergeCells`, which follows the cells: the merged
//! areas are needed before the first row is streamed, and parsing every cell's tags to reach
//! them (as [`merges`](super::merges) did) took as long again as inflating the part. Here the
//! bytes are only split into text, tags, quoted attribute values, comments, CDATA and
//! processing instructions, as quick-xml splits them; anything else (a `<!DOCTYPE`, a name too
//! long) is left to the full parse.

use std::io::BufRead;

/// What [`to_merge_cells`] found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// The start of the first `mergeCells` element (any prefix): its `<` and name, consumed
    /// from the reader, which is left just after them.
    MergeCells(Vec<u8>),
    /// The end of the part, with no `mergeCells` element.
    End,
    /// Something this pass does not follow: parse the part in full.
    Unsure,
}

/// The longest element name followed (a prefix and `mergeCells`).
const LONGEST_NAME: usize = 256;

/// Where the bytes read are, between two `<`…`>`.
#[derive(Clone, Copy)]
enum State {
    Text,
    /// Just after `<`.
    Open,
    /// In a start tag's name.
    Name,
    /// In a start or end tag, past its name.
    Tag,
    /// In a quoted attribute value.
    Quoted(u8),
    /// In something that ends with `end` (`-->`, `]]>`, `?>`): how much of `end` was seen.
    Until(&'static [u8], usize),
    /// After `<!`: what follows decides.
    Bang,
}

/// Reads `xml` up to the first `mergeCells` start tag (see [`Found`]).
pub(super) fn to_merge_cells(xml: &mut impl BufRead) -> Found {
    let mut state = State::Text;
    let mut name: Vec<u8> = Vec::new();
    loop {
        let Ok(buf) = xml.fill_buf() else {
            return Found::Unsure;
        };
        if buf.is_empty() {
            return match state {
                State::Text => Found::End,
                _ => Found::Unsure,
            };
        }
        let mut at = 0;
        while at < buf.len() {
            match state {
                State::Text => match memchr::memchr(b'<', &buf[at..]) {
                    Some(i) => (at, state) = (at + i + 1, State::Open),
                    None => at = buf.len(),
                },
                State::Open => {
                    // Only `/` and `!` are consumed here: the `?` of `<?>` also ends it (as for
                    // quick-xml), and a name is read in full below.
                    name.clear();
                    state = match buf[at] {
                        b'/' => State::Tag,
                        b'?' => State::Until(b"?>", 0),
                        b'!' => State::Bang,
                        _ => State::Name,
                    };
                    if matches!(state, State::Tag | State::Bang) {
                        at += 1;
                    }
                }
                State::Bang => {
                    name.push(buf[at]);
                    at += 1;
                    if name == b"--" {
                        state = State::Until(b"-->", 0);
                    } else if name == b"[CDATA[" {
                        state = State::Until(b"]]>", 0);
                    } else if !b"[CDATA[".starts_with(&name) && !b"--".starts_with(&name) {
                        return Found::Unsure;
                    }
                }
                State::Name => {
                    let b = buf[at];
                    if b == b'"' || b == b'\'' {
                        // quick-xml would read a quoted value from here on.
                        return Found::Unsure;
                    }
                    if b.is_ascii_whitespace() || b == b'>' || b == b'/' {
                        let local = match name.iter().rposition(|&c| c == b':') {
                            Some(i) => &name[i + 1..],
                            None => &name[..],
                        };
                        if local == b"mergeCells" {
                            let mut start = vec![b'<'];
                            start.extend_from_slice(&name);
                            xml.consume(at);
                            return Found::MergeCells(start);
                        }
                        state = State::Tag;
                    } else {
                        if name.len() >= LONGEST_NAME {
                            return Found::Unsure;
                        }
                        name.push(b);
                        at += 1;
                    }
                }
                State::Tag => match memchr::memchr3(b'"', b'\'', b'>', &buf[at..]) {
                    Some(i) => {
                        let b = buf[at + i];
                        at += i + 1;
                        state = if b == b'>' {
                            State::Text
                        } else {
                            State::Quoted(b)
                        };
                    }
                    None => at = buf.len(),
                },
                State::Quoted(q) => match memchr::memchr(q, &buf[at..]) {
                    Some(i) => (at, state) = (at + i + 1, State::Tag),
                    None => at = buf.len(),
                },
                State::Until(end, seen) => {
                    let b = buf[at];
                    at += 1;
                    // Each end's bytes before its last are one byte repeated (`--`, `]]`, `?`):
                    // a mismatch keeps as much of them as the bytes seen still give ("--->").
                    let mut k = seen;
                    while k > 0 && end[k] != b {
                        k -= 1;
                    }
                    let k = if end[k] == b { k + 1 } else { 0 };
                    state = if k == end.len() {
                        State::Text
                    } else {
                        State::Until(end, k)
                    };
                }
            }
        }
        let n = buf.len();
        xml.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What follows the `mergeCells` tag found, as text.
    fn skipped(xml: &str, capacity: usize) -> (Found, String) {
        let mut r = std::io::BufReader::with_capacity(capacity, xml.as_bytes());
        let found = to_merge_cells(&mut r);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut r, &mut rest).unwrap();
        (found, rest)
    }

    #[test]
    fn the_first_merge_cells_tag_is_found_past_cells_comments_and_quotes_in_any_chunks() {
        let sheet = r#"<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr" x='a>b<mergeCells'><is><t>1 &lt; 2 &gt; 0</t></is></c></row></sheetData><!-- <mergeCells count="9"> --><!-- a ---><![CDATA[<mergeCells>]]]><?pi ??><?><mergeCellsNot/><mergeCellsNot/><x:mergeCells count="1"><mergeCell ref="A1:B1"/></x:mergeCells></worksheet>"#;
        for capacity in [1, 2, 3, 7, 64, 4096] {
            let (found, rest) = skipped(sheet, capacity);
            assert_eq!(
                found,
                Found::MergeCells(b"<x:mergeCells".to_vec()),
                "{capacity}"
            );
            assert!(
                rest.starts_with(r#" count="1"><mergeCell ref="A1:B1"/>"#),
                "{rest}"
            );
        }
    }

    #[test]
    fn a_sheet_without_merged_areas_ends_and_odd_ones_are_left_to_the_full_parse() {
        assert_eq!(
            skipped("<worksheet><sheetData/></worksheet>", 5).0,
            Found::End
        );
        assert_eq!(
            skipped("<mergeCells/>", 5).0,
            Found::MergeCells(b"<mergeCells".to_vec())
        );
        for odd in [
            "<!DOCTYPE x><mergeCells/>",
            "<worksheet><c a=\"unclosed></worksheet>",
            "<!-- never closed",
            "<a\"b><mergeCells/>",
            &format!("<{}/>", "n".repeat(300)),
        ] {
            assert_eq!(skipped(odd, 4).0, Found::Unsure, "{odd}");
        }
    }
}
