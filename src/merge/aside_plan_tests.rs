//! Tests of what is kept of a set-aside merge's plan (`aside_plan.rs`).

use super::*;
use crate::spill::Spill;

#[test]
fn a_plan_row_gives_the_fields_of_its_activity() {
    let a = Activity {
        id: "KA.01.01".into(),
        title: "Étape — one".into(),
        progress: "line\nline".into(),
        theme_strapline: "last".into(),
        ..Activity::default()
    };
    assert_eq!(PlanRow::from(&a).fields(), a.fields());
}

#[test]
fn the_log_gives_back_every_activity_in_order() {
    // 30,000 activities of up to 140 bytes of title: several writes' worth; non-ASCII, empty
    // and repeated titles and ids among them, some given by a return.
    let title = |i: usize| match i % 7 {
        0 => String::new(),
        1 => "Étape — the same".to_string(),
        _ => format!("{i} {}", "Develop a plan é ".repeat(i % 8)),
    };
    let id = |i: usize| match i % 11 {
        0 => String::new(),
        _ => format!("KA.{i}"),
    };
    let got = |i: usize| (i % 3 == 0).then_some(((i % 5) as u32, (i % 13) as u32));
    let mut log = Log::default();
    for i in 0..30_000 {
        let a = Activity {
            id: id(i),
            title: title(i),
            progress: "not logged".into(),
            ..Activity::default()
        };
        log.push(&a.fields(), (i % 17) as u32, got(i));
    }
    let log = log.finish().unwrap();
    assert!(log.len() > 2 * LOG_WRITE as u64);
    let mut i = 0;
    each_logged(&log, &mut |row| {
        assert_eq!(row.id, id(i), "activity {i}");
        assert_eq!(row.title, title(i), "activity {i}");
        assert_eq!(row.short, (i % 17) as u32);
        assert_eq!(row.got, got(i).map(|(r, s)| (r as usize, s)));
        i += 1;
    })
    .unwrap();
    assert_eq!(i, 30_000);
}

#[test]
fn a_log_that_cannot_be_written_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    std::fs::write(&path, b"").unwrap();
    let mut log = Log {
        file: Appender::to(
            Spill::to_file(std::fs::File::open(&path).unwrap()),
            LOG_WRITE,
        ),
    };
    log.push(&Activity::default().fields(), 0, None);
    assert!(log.finish().is_err());
}
