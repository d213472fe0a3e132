//! The shipped samples are exactly what the generator makes from the seed.

use super::{content, data, import, root, sample};

#[test]
fn samples_are_not_stale() {
    let files = katrack::samples::generate().expect("samples generate");
    assert!(files.len() >= 8);
    for f in files {
        let on_disk = std::fs::read(sample(&f.path)).unwrap_or_else(|_| {
            panic!(
                "samples/{} is missing: run `cargo run --bin make-samples`",
                f.path
            )
        });
        assert!(
            on_disk == f.bytes,
            "samples/{} is stale: run `cargo run --bin make-samples`",
            f.path
        );
    }
}

#[test]
fn libreoffice_fixtures_match_the_sample() {
    // tests/data/libreoffice_seed.* are made by scripts/convert-fixtures.sh from the sample.
    let xlsx = content(&import(&sample("harborough_q1_2020_21.xlsx")));
    for f in ["libreoffice_seed.ods", "libreoffice_seed.xls"] {
        assert_eq!(
            content(&import(&data(f))),
            xlsx,
            "{f} is stale: run scripts/convert-fixtures.sh"
        );
    }
}

#[test]
fn the_seed_copy_is_the_seed() {
    let shared = root().join("../shared/seeds/000_7be4ab006a088c03.txt");
    if let Ok(seed) = std::fs::read_to_string(shared) {
        assert_eq!(seed, katrack::samples::SEED);
    }
}

#[test]
fn a_status_typed_by_hand_is_normalised_and_reported_at_its_cell() {
    let path = sample("returns/return_communities.xlsx");
    let input = katrack::read::read_path(&path).unwrap();
    let profile = katrack::profile::Profile::default_profile();
    let parsed = katrack::layout::parse(&input, "return_communities.xlsx", &profile, None).unwrap();
    let i = parsed
        .tracker
        .activities
        .iter()
        .position(|a| a.id == "KA.04.02")
        .unwrap();
    let row = parsed.tracker.activities[i].source.as_ref().unwrap().row;
    assert_eq!(parsed.tracker.activities[i].status, "Green");
    let f = parsed
        .findings
        .iter()
        .find(|f| f.rule == "normalised" && f.field.as_deref() == Some("status"))
        .expect("a normalised finding");
    assert_eq!(
        f.cell,
        format!("F{row}"),
        "status is column F of the table starting at B3"
    );
    assert_eq!(f.value.as_deref(), Some("green"));
    assert_eq!(f.suggestion.as_deref(), Some("Green"));
    assert_eq!(
        f.location(),
        format!("return_communities.xlsx:Return!F{row}")
    );
}
