//! Tests of `profile`.
use super::fold::first_folded;
use super::*;

#[test]
fn default_profile_loads_and_formats_ids() {
    let p = Profile::default_profile();
    assert_eq!(p.format_id(4, 3), "KA.04.03");
    assert!(p.id_strict.is_match("KA.04.03"));
    assert!(!p.id_strict.is_match("KA.4.3"));
    let caps = p.id_loose.captures("KA.1.4 Develop").unwrap();
    assert_eq!(&caps["objective"], "1");
    assert_eq!(&caps["number"], "4");
}

#[test]
fn statuses_match_ignoring_case_and_spaces() {
    let p = Profile::default_profile();
    assert_eq!(p.match_status("green ").unwrap().1, "Green");
    let (def, value) = p.match_status("Deferred until the 2022/23  Year").unwrap();
    assert_eq!(def.kind, StatusKind::Deferred);
    assert_eq!(value, "Deferred until the 2022/23 Year");
    assert!(p.match_status("Amber/Red").is_none());
    assert!(p.match_status("").is_none());
}

#[test]
fn unknown_key_is_named() {
    let text = DEFAULT_PROFILE.replace("[severities]", "colour_scheme = 1\n[severities]");
    let err = Profile::from_toml(&text).unwrap_err().to_string();
    assert!(err.contains("colour_scheme"), "{err}");
}

#[test]
fn headings_and_furniture() {
    let p = Profile::default_profile();
    let c = p
        .objective_heading
        .captures("CO 3 Enable delivery of quality homes")
        .unwrap();
    assert_eq!(&c["number"], "3");
    assert_eq!(&c["title"], "Enable delivery of quality homes");
    let c = p.theme_banner.captures("THE PLACE: a safe place").unwrap();
    assert_eq!(&c["name"], "THE PLACE");
    assert!(p.is_furniture("Appendix A"));
    assert!(p.is_furniture("Key Activities in Detail"));
    assert!(!p.is_furniture("KA.01.01 Something"));
}

#[test]
fn same_fold_agrees_with_fold() {
    let texts = [
        "",
        "  \t ",
        "Choose an item.",
        "  choose   AN\u{a0}item. ",
        "Choose an item",
        "Chief Officer -\nGovernance",
        "chief officer - governance",
        "Straße",
        "STRASSE",
        "İstanbul",
    ];
    for a in texts {
        for b in texts {
            assert_eq!(same_fold(a, b), fold(a) == fold(b), "{a:?} {b:?}");
        }
    }
}

/// Texts that start alike, differ at once or only in case and spaces.
fn near(seed: &'static [&'static str]) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        prop::sample::select(seed).prop_map(str::to_string),
        (
            prop::sample::select(seed),
            "[ \t\u{a0}\u{2028}]{0,2}",
            "[ .a-zA-Z\u{130}ßK\u{212a}-]{0,3}"
        )
            .prop_map(|(s, pad, tail)| format!("{pad}{}{tail}", s.to_uppercase())),
        "[ \t\u{a0}.cCa-zA-Z\u{130}\u{212a}ß-]{0,12}",
        "\\PC{0,8}",
    ]
}

/// The default profile, parsed once for the property tests.
static DEFAULT: std::sync::LazyLock<Profile> = std::sync::LazyLock::new(Profile::default_profile);

const VALUES: &[&str] = &[
    "Chief Officer - Planning and Regeneration",
    "Chief Officer - Governance",
    "chief officer  - governance",
    "Chief Officer -\tGovernance",
    "1234567 89abcdef",
    "1234567\t89",
    "12345678 9",
    "abcdefgh\u{b}ijklmnop ",
    "",
    " ",
    "Choose an item.",
    "choose an  item.",
    "-- Select --",
    "Select...",
    "Select…",
    "Green",
    "G",
    "green ",
    "On Track",
    "Deferred until the 2022/23 Year",
    "Finance",
    "Chief Officer - Governance",
    "- Progress.",
    "İ",
    "i\u{307}",
    "K",
    "\u{212a}",
    "ß",
    "ss",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    #[test]
    fn cheap_exits_agree_with_fold(a in near(VALUES), b in near(VALUES)) {
        proptest::prop_assert_eq!(first_folded(&a), fold(&a).chars().next());
        proptest::prop_assert_eq!(same_fold(&a, &b), fold(&a) == fold(&b));
        let mut p = DEFAULT.clone();
        p.placeholders.push(a.clone());
        p.placeholders.push(" ".into());
        let placeholder = p.placeholders.iter().any(|x| !fold(x).is_empty() && fold(x) == fold(&b));
        proptest::prop_assert_eq!(p.is_placeholder(&b), placeholder);
        let list = vec![a.clone(), "Finance".to_string(), String::new()];
        let found = list.iter().find(|v| fold(v) == fold(&b)).map(String::as_str);
        proptest::prop_assert_eq!(Profile::match_in(&list, &b), found);
        p.statuses[1].aliases.push(a.clone());
        let status = if fold(&b).is_empty() {
            None
        } else {
            p.statuses
                .iter()
                .find(|d| fold(&d.name) == fold(&b) || d.aliases.iter().any(|x| fold(x) == fold(&b)))
                .map(|d| d.name.clone())
        };
        if status.is_some() {
            proptest::prop_assert_eq!(p.match_status(&b).map(|(_, v)| v), status);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    #[test]
    fn texts_that_begin_alike_fold_alike_only_when_fold_says_so(
        (base, a, b) in (
            near(VALUES),
            "[ \t\u{b}\u{a0}aAsSkK\u{212a}ß.-]{0,4}",
            "[ \t\u{b}\u{a0}aAsSkK\u{212a}ß.-]{0,4}",
        ),
        upper in proptest::bool::ANY,
    ) {
        let other = if upper { base.to_uppercase() } else { base.clone() };
        let (a, b) = (format!("{base}{a}"), format!("{other}{b}"));
        proptest::prop_assert_eq!(same_fold(&a, &b), fold(&a) == fold(&b), "{:?} {:?}", a, b);
        proptest::prop_assert_eq!(same_fold(&b, &a), fold(&a) == fold(&b));
    }
}

proptest::proptest! {
    #[test]
    fn ids_are_formatted_as_format_would(
        o in proptest::prop_oneof![0u32..200, proptest::num::u32::ANY],
        n in proptest::prop_oneof![0u32..200, proptest::num::u32::ANY],
        ow in 0usize..13,
        nw in 0usize..13,
        sep in proptest::sample::select(vec![".", "", " - ", "·"]),
    ) {
        let mut p = DEFAULT.clone();
        (p.ids.objective_digits, p.ids.number_digits) = (ow, nw);
        p.ids.separator = sep.to_string();
        let expected = format!("KA{sep}{o:0ow$}{sep}{n:0nw$}");
        proptest::prop_assert_eq!(p.format_id(o, n), expected);
    }
}
