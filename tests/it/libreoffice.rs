//! Workbooks katrack writes open in a real spreadsheet program. Runs where LibreOffice is
//! installed (.ci/run installs it); elsewhere it says it was skipped.

use super::{Workdir, sample, soffice};

#[test]
fn exported_workbook_opens_in_libreoffice() {
    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice is not installed");
        return;
    };
    let wd = Workdir::new();
    wd.katrack()
        .arg("export")
        .arg(sample("harborough_q1_2020_21.json"))
        .args(["-o", "tracker.xlsx"])
        .assert()
        .success();
    for (to, out) in [
        ("csv:Text - txt - csv (StarCalc):44,34,76", "tracker.csv"),
        ("pdf", "tracker.pdf"),
    ] {
        let status = wd.soffice_convert(&soffice, to, &wd.path("tracker.xlsx"));
        assert!(
            status.status.success(),
            "soffice failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let bytes = std::fs::read(wd.path(out)).unwrap_or_else(|_| {
            panic!(
                "LibreOffice wrote no {out}: {}",
                String::from_utf8_lossy(&status.stderr)
            )
        });
        assert!(!bytes.is_empty());
    }
    // LibreOffice's own CSV of our workbook reads back to the same activities.
    let via_lo = super::import(&wd.path("tracker.csv"));
    let ours = super::import(&sample("harborough_q1_2020_21.json"));
    assert_eq!(via_lo.activities.len(), 34);
    for (a, b) in via_lo.activities.iter().zip(&ours.activities) {
        assert_eq!(
            (&a.id, &a.title, &a.status, &a.progress),
            (&b.id, &b.title, &b.status, &b.progress)
        );
    }
    let pdf = std::fs::read(wd.path("tracker.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn annotated_workbook_opens_in_libreoffice() {
    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice is not installed");
        return;
    };
    let wd = Workdir::new();
    wd.katrack()
        .arg("check")
        .arg(sample("returns/return_planning.xlsx"))
        .args(["--annotate", "out"])
        .assert()
        .code(1);
    let annotated = wd.path("out/return_planning.checked.xlsx");
    let out = wd.soffice_convert(&soffice, "pdf", &annotated);
    assert!(
        out.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf =
        std::fs::read(wd.path("return_planning.checked.pdf")).expect("LibreOffice wrote a PDF");
    assert!(pdf.starts_with(b"%PDF"));
    // The annotated copy still reads back to the officer's activities.
    assert_eq!(
        super::content(&super::import(&annotated)),
        super::content(&super::import(&sample("returns/return_planning.xlsx")))
    );
}
