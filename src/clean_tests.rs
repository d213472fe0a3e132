//! Tests of `clean`.
use super::*;
use proptest::prelude::*;

#[test]
fn seed_lists_flattened_by_html() {
    let text = "<ul style=\"list-style-type: none\"> - The intention was X. - Instead the team \
                have been working on: <ul style=\"list-style-type: none\"> • Supporting the \
                Business Rates team. • Create online workshops. ";
    assert_eq!(
        multiline(text),
        "- The intention was X.\n- Instead the team have been working on:\n  \
         • Supporting the Business Rates team.\n  • Create online workshops."
    );
    assert_eq!(multiline("<p>- A.</p> <p>- B.</p>"), "- A.\n- B.");
    let text = "<p>Local Business engagement has been focused on Covid-19 recovery, \
                including:</p> <ul style=\"list-style-type: none\"> • Grant distribution • \
                online webinars <p>- There has been demand.</p>";
    assert_eq!(
        multiline(text),
        "Local Business engagement has been focused on Covid-19 recovery, including:\n  \
         • Grant distribution\n  • online webinars\n- There has been demand."
    );
}

#[test]
#[rustfmt::skip]
fn examples() {
    let cases = [
        // Seed values that are already clean.
        ("- TBC.", "- TBC."),
        ("TBC", "TBC"),
        ("this will save at least £11,000 per annum", "this will save at least £11,000 per annum"),
        ("- 16 Warning Notices were issued.", "- 16 Warning Notices were issued."),
        ("Chief Officer - Planning and Regeneration", "Chief Officer - Planning and Regeneration"),
        ("1. First\n2. Second", "1. First\n2. Second"),
        ("- Built a relationship with providers -beacon.", "- Built a relationship with providers -beacon."),
        // Flattened bullets are split only before a sentence.
        ("- This work is scheduled. - Awaiting Government", "- This work is scheduled.\n- Awaiting Government"),
        ("- Budget - 2020 plan - £5k - 'x' - rest", "- Budget\n- 2020 plan\n- £5k\n- 'x' - rest"),
        ("Officer - Planning • One", "Officer - Planning\n  • One"),
        ("• A - B", "  • A\n- B"),
        // Bullet markers.
        ("* a\n– b\n-c\n· d\n◦ e\no f\n\u{F0B7}\tg", "- a\n- b\n- c\n  • d\n  • e\n  • f\n  • g"),
        ("-5 degrees\n*Note\n--\noak", "-5 degrees\n*Note\n--\noak"),
        ("-\n•\n- \u{a0}\n•• x\n• - Next", "  • x\n- Next"),
        // Tags and entities.
        ("a<br>b<br/>c<br />d", "a\nb\nc\nd"),
        ("<li>one</li><li>two</li>", "one\ntwo"),
        ("<span style=\"x\">Im</span><strong>port</strong>ant<o:p></o:p>", "Important"),
        ("<td>a</td><td>b</td>", "a b"),
        ("A &amp; B &lt;5&gt; &quot;q&quot; &#39;s&apos; &pound;1 &#163;2 &#x2022; x", "A & B <5> \"q\" 's' £1 £2\n  • x"),
        ("a&nbsp;&nbsp;b &ndash; c&mdash;d &rsquo;&lsquo;&ldquo;&rdquo;&hellip;", "a b – c—d ’‘“”…"),
        ("&bull; sub", "  • sub"),
        ("a < b > c\n<5 people\n&unknown; &#0;", "a < b > c\n<5 people\n&unknown; &#0;"),
        ("<section>x</section>", "x"),
        ("<custom>x", "<custom>x"),
        ("a <custom &amp; <b>b</b>> c", "a <custom & b> c"),
        // Decoded markup is not decoded twice.
        ("&lt;p&gt;x", "< p>x"),
        ("&amp;amp;", "& amp;"),
        ("<<b>p>", "< p>"),
        // Spaces; the sub-bullet indent is kept.
        ("  •  a\u{a0}\u{2007}b\u{202f}c\u{200b}d  \r\n\r\n  x  ", "  • a b c d\nx"),
    ];
    for (text, expected) in cases {
        assert_eq!(multiline(text), expected, "{text:?}");
    }
    assert_eq!(tidy_inline(" Green\u{a0}\u{200b} "), "Green");
    assert_eq!(tidy_inline("a\n\tb"), "a b");
}

#[test]
fn continuations() {
    let above = "- Monthly updates.\n- Weekly meeting with County Community Safety";
    let more = "Partnership leads on recovery.\n- Next";
    let joined = join_continuation(above, more);
    assert_eq!(
        joined,
        "- Monthly updates.\n- Weekly meeting with County Community Safety Partnership leads on recovery.\n- Next"
    );
    assert_eq!(multiline(&joined), joined);
    assert_eq!(join_continuation("- A.", "  • b"), "- A.\n  • b");
    assert_eq!(join_continuation("", "- B."), "- B.");
    assert_eq!(join_continuation("- A.", ""), "- A.");
    assert_eq!(join_continuation("- A and", "B - Cee"), "- A and B\n- Cee");
}

#[test]
fn control_characters_are_read_as_spaces() {
    // An escape sequence loses its escape (the terminal printing it would obey it); words stay.
    assert_eq!(
        tidy_inline("Deliver\u{1} the\u{7} plan\u{1b}[31m now"),
        "Deliver the plan [31m now"
    );
    assert_eq!(tidy_inline("ab\u{0}cd"), "ab cd");
    assert_eq!(multiline("- A\u{b}- B\u{9b}C"), "- A\n- B C");
    assert_eq!(words("ab\u{0}cd"), ["ab", "cd"]);
}

#[test]
fn words_are_alphanumeric_runs() {
    assert_eq!(words("- KA.01.02 £11,000"), ["KA", "01", "02", "11", "000"]);
}

/// Text built from the pieces real returns are made of.
fn messy() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => "[a-zA-Z][a-zA-Z0-9]{1,7}",
        1 => "[A-Z0-9]",
        1 => "[£€éßя0-9]{1,3}",
        3 => prop::sample::select(vec![
            "-", "–", "—", "*", "•", "·", "◦", "o", " - ", " • ", "=", "+", "@", "\"", "'",
            ".", ",", ":", ";", "&", "#", "<", ">", "<5", "a < b > c", "•• x",
            "<p>", "</p>", "<ul style=\"list-style-type: none\">", "</ul>", "<li>", "</li>",
            "<br/>", "<br>", "<span class=\"x\">", "</span>", "<strong>", "</strong>",
            "<td>", "<o:p>", "<custom>", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&nbsp;",
            "&#163;", "&#x2022;", "&pound;", "&ndash;", "&rsquo;", "&hellip;", "&bull;",
            "&unknown;", "&#10;", "\u{F0B7}", "<custom ", "<A0", "<x &amp;>",
        ])
        .prop_map(str::to_string),
    ];
    let sep = prop::sample::select(vec![
        " ", " ", " ", "", "\n", "\r\n", "\r", "\u{a0}", "\u{200b}", "\t", "  ", "\u{0}", "\u{1b}",
        "\u{7f}", "\u{9b}",
    ]);
    prop::collection::vec((token, sep), 0..60)
        .prop_map(|parts| parts.into_iter().map(|(t, s)| format!("{t}{s}")).collect())
}

/// Words, leaving out "o", which is a bullet marker at the start of a line.
fn real_words(text: &str) -> Vec<String> {
    words(text).into_iter().filter(|w| w != "o").collect()
}

proptest! {
    #[test]
    fn no_word_is_invented_or_dropped(text in messy()) {
        let expected = real_words(&replace_markup(&plain_spaces(&text), markup_meaning));
        prop_assert_eq!(real_words(&multiline(&text)), expected);
    }

    #[test]
    fn cleaning_is_idempotent(text in messy()) {
        let once = multiline(&text);
        prop_assert_eq!(multiline(&once), once.clone());
        prop_assert!(once.lines().all(|l| l == l.trim_end() && !l.trim().is_empty()));
    }

    #[test]
    fn cleaning_awkward_text_is_idempotent(text in prop_oneof![
        "[-=+@\"' \n\r\t•·◦–*o<>&;#/a-zA-Z0-9é£\u{a0}\u{200b}\u{feff}\u{2028}]{0,400}",
        "\\PC{0,300}",
        ".{0,100}",
    ]) {
        let once = multiline(&text);
        prop_assert_eq!(multiline(&once), once.clone());
        let inline = tidy_inline(&text);
        prop_assert_eq!(tidy_inline(&inline), inline);
    }

    #[test]
    fn text_taken_as_canonical_is_what_cleaning_gives_back(text in prop_oneof![
        "[-=+@\"' \n\r\t•·◦–—*o<>&;#/a-zA-Z0-9é£\u{a0}\u{200b}\u{2028}]{0,200}",
        "((- |  • |o |• |)[-– •oAa1.]{0,12}\n?){0,8}",
        messy(),
    ]) {
        if is_canonical(&text) {
            prop_assert_eq!(multiline_slow(&text), text);
        }
    }

    #[test]
    fn cleaning_in_place_is_cleaning(text in prop_oneof![
        "[-=+@\"' \n\r\t•·◦–*o<>&;a-zA-Z0-9£\u{a0}\u{200b}]{0,120}",
        messy(),
    ]) {
        let mut lines = text.clone();
        multiline_in_place(&mut lines);
        prop_assert_eq!(lines, multiline(&text));
        let mut inline = text.clone();
        tidy_inline_in_place(&mut inline);
        prop_assert_eq!(inline, tidy_inline(&text));
    }

    #[test]
    fn cleaned_text_mostly_takes_the_fast_path(text in messy()) {
        let once = multiline_slow(&text);
        prop_assert_eq!(multiline(&once), once.clone());
    }

    #[test]
    fn continuations_are_clean(above in messy(), more in messy()) {
        let joined = join_continuation(&above, &more);
        prop_assert_eq!(multiline(&joined), joined.clone());
        let mut expected = real_words(&multiline(&above));
        expected.extend(real_words(&multiline(&more)));
        prop_assert_eq!(real_words(&joined), expected);
    }
}

#[test]
fn plain_bullets_take_the_fast_path() {
    for text in [
        "",
        "- Consultation closed.\n  • 450 responses\n- Report to Cabinet in July.",
        "Local Business engagement has been focused on recovery, including:\n  • Grants",
        "Chief Officer - Planning",
    ] {
        assert!(is_canonical(text), "{text:?}");
        assert_eq!(multiline_slow(text), text);
    }
    for text in [
        "- A. - B.",
        "- ",
        "<p>- A.</p>",
        "- A.\n\n- B.",
        "• A",
        "  • - A",
        "- A •  B",
    ] {
        assert!(!is_canonical(text), "{text:?}");
    }
}

/// Lines that are canonical, or nearly: the text the fast paths answer for.
fn nearly_canonical() -> impl Strategy<Value = String> {
    let odd = |items: Vec<&'static str>| prop::sample::select(items).prop_map(str::to_string);
    let prefix = prop_oneof![
        6 => odd(vec!["", "- ", "  • "]),
        1 => odd(vec!["-", " ", "o ", "• ", "  ", "–", "o", "*"]),
    ];
    let word = prop_oneof![
        12 => "[a-zA-Z0-9£é.,]{1,6}",
        1 => odd(vec![
            " ", "  ", " - ", " – ", " — ", " • ", "•", "–", " -", "- ", "o ", "\r",
            "\u{a0}", "\u{2028}", "\u{85}", "\u{feff}", "<", "&", "\u{7f}", "\u{1b}",
            "\t", " A", " - A", " – 1", "-", "·",
        ]),
    ];
    let end = prop_oneof![8 => Just(String::new()), 1 => odd(vec![" ", "\n", "  "])];
    let line = (prefix, prop::collection::vec(word, 1..12), end)
        .prop_map(|(prefix, words, end)| format!("{prefix}{}{end}", words.join(" ")));
    prop::collection::vec(line, 0..6).prop_map(|lines| lines.join("\n"))
}

/// [`is_canonical`] as first written, a few passes over the text: the statement that the
/// one-pass scan is held to.
fn is_canonical_plain(text: &str) -> bool {
    if text.is_empty() {
        return true;
    }
    let plain_ascii = |b: u8| b == b'\n' || (b >= 0x20 && !matches!(b, 0x7f | b'<' | b'&'));
    text.bytes().all(|b| b >= 0x80 || plain_ascii(b))
        && text.chars().all(|c| c.is_ascii() || !is_space(c))
        && text.split('\n').all(canonical_line)
}

/// One line of `is_canonical_plain` text.
fn canonical_line(line: &str) -> bool {
    let (bullet, text) = match line
        .strip_prefix(SUB_BULLET)
        .or_else(|| line.strip_prefix(BULLET))
    {
        Some(text) => (true, text),
        None => (false, line),
    };
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let marker = DOT_MARKERS.contains(&first)
        || DASH_MARKERS.contains(&first)
        || (first == 'o' && chars.next() == Some(' '));
    first != ' '
        && !marker
        && !text.ends_with(' ')
        && !text.contains("  ")
        && !text.contains('•')
        && !(bullet && (text.contains(" - ") || text.contains(" – ")))
}

/// Any text: the awkward characters cleaning cares about, messy returns, nearly canonical text.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-=+@\"' \n\r\t•·◦–—*o<>&;#/a-zA-Z0-9é£\u{a0}\u{200b}\u{2028}\u{85}\u{7f}\u{0}]{0,200}",
        "\\PC{0,100}",
        ".{0,60}",
        messy(),
        nearly_canonical(),
    ]
}

/// [`tidy_inline`] as first written, char by char.
fn tidy_inline_plain(text: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in text.chars() {
        if is_space(c) {
            gap = true;
        } else {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        }
    }
    out
}

/// [`split_before`] as first written, into a `Vec`.
fn split_before_plain(line: &str, starts: fn(&str) -> bool) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut from = 0;
    for (i, _) in line.match_indices(' ') {
        if starts(&line[i + 1..]) {
            pieces.push(line[from..i].trim());
            from = i + 1;
        }
    }
    pieces.push(line[from..].trim());
    pieces
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_canonical_scan_agrees_with_its_plain_statement(text in any_text()) {
        prop_assert_eq!(scan::is_canonical(&text), is_canonical_plain(&text), "{:?}", text);
        if is_canonical(&text) {
            prop_assert_eq!(multiline_slow(&text), text);
        }
    }

    #[test]
    fn the_tidy_scan_agrees_with_its_plain_statement(text in any_text()) {
        let tidy = !text.starts_with(' ')
            && !text.ends_with(' ')
            && !text.contains("  ")
            && text.chars().all(|c| c == ' ' || !is_space(c));
        prop_assert_eq!(scan::is_tidy(&text), tidy, "{:?}", text);
        prop_assert_eq!(tidy_inline(&text), tidy_inline_plain(&text));
        if tidy {
            prop_assert_eq!(tidy_inline(&text), text);
        }
    }

    #[test]
    fn spaces_and_markup_are_left_alone_only_when_absent(text in any_text()) {
        let spaced: String = text
            .chars()
            .map(|c| if is_space(c) && !is_line_break(c) { ' ' } else { c })
            .collect();
        prop_assert_eq!(scan::has_odd_spaces(&text), spaced != text);
        prop_assert_eq!(plain_spaces(&text), spaced);
        prop_assert_eq!(scan::has_markup_char(&text), text.contains(['<', '&']));
        if let Cow::Borrowed(same) = replace_markup(&text, markup_meaning) {
            prop_assert_eq!(same, &text);
        }
    }

    #[test]
    fn cleaning_without_markup_skips_only_what_would_change_nothing(text in any_text()) {
        let first_written = layout(&replace_markup(&plain_spaces(&text), markup_meaning));
        prop_assert_eq!(multiline_slow(&text), first_written);
    }

    #[test]
    fn lines_are_split_as_by_is_line_break(text in any_text()) {
        let lines: Vec<&str> = scan::lines(&text).collect();
        prop_assert_eq!(lines, text.split(is_line_break).collect::<Vec<_>>());
    }

    #[test]
    fn splitting_before_bullets_is_as_first_written(text in any_text()) {
        let line = tidy_inline(&text);
        for starts in [starts_sub_bullet as fn(&str) -> bool, starts_dash_bullet] {
            let pieces: Vec<&str> = split_before(&line, starts).collect();
            prop_assert_eq!(pieces, split_before_plain(&line, starts));
        }
    }
}

#[test]
fn the_canonical_scan_on_edges() {
    for text in [
        "",
        "\n",
        "a\n",
        "\na",
        "- ",
        "-  a",
        "- a ",
        "- a  b",
        "- a - B",
        "- a – B",
        "a - B",
        "  • a",
        "  •  a",
        "  • a • b",
        "a • b",
        "•",
        "o a",
        "oa",
        "- o a",
        "a\tb",
        "a\u{a0}b",
        "a\u{85}b",
        "a<b",
        "a&b",
        "a\u{7f}",
        "- a\n  • b\nc",
        "- a\n\n- b",
        "a\r\nb",
        "é",
        "a é",
        "a  é",
        "é ",
        " é",
    ] {
        assert_eq!(
            scan::is_canonical(text),
            is_canonical_plain(text),
            "{text:?}"
        );
        assert_eq!(
            scan::is_tidy(text),
            !text.starts_with(' ')
                && !text.ends_with(' ')
                && !text.contains("  ")
                && text.chars().all(|c| c == ' ' || !is_space(c)),
            "{text:?}"
        );
    }
}

#[test]
fn bullets_inside_a_line_start_as_split_before_expects() {
    // split_before asks only about text starting with `-` or a char whose first byte is 0xe2.
    for c in (0..=0x10ffff).filter_map(char::from_u32) {
        for rest in [" A", " 1", "", "x", " "] {
            let after = format!("{c}{rest}");
            if starts_sub_bullet(&after) || starts_dash_bullet(&after) {
                assert!(matches!(after.as_bytes()[0], b'-' | 0xe2), "{after:?}");
            }
        }
    }
}

#[test]
fn the_scans_see_every_byte_of_a_word() {
    // Eight bytes are checked at once: a character that needs a look is put at every place.
    for base in [
        "- Abcdefgh ijklmnop qrstuvwx yz012345 6789.",
        "Abc d efghijklmnopq r stuvwxyz 0123 45678",
        "Abcdefg hijklmno pqrstuv wxyz0123 4",
    ] {
        assert!(is_canonical(base));
        for at in 0..=base.len() {
            for put in [
                " ",
                "-",
                "<",
                "&",
                "\u{7f}",
                "\t",
                "•",
                "é",
                "\n",
                " -",
                " - A",
                " – A",
                "\u{a0}",
                "\u{0}",
                "\n\n",
                " \n",
                " é",
                " \u{1}",
                "  ",
                " <",
                "\u{1f}",
                "\u{20}\u{21}",
            ] {
                let text = format!("{}{put}{}", &base[..at], &base[at..]);
                assert_eq!(
                    scan::is_canonical(&text),
                    is_canonical_plain(&text),
                    "{text:?}"
                );
                let tidy = !text.starts_with(' ')
                    && !text.ends_with(' ')
                    && !text.contains("  ")
                    && text.chars().all(|c| c == ' ' || !is_space(c));
                assert_eq!(scan::is_tidy(&text), tidy, "{text:?}");
            }
        }
    }
}
