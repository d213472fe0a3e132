//! Test modules and the small helpers they share.

mod check;
mod cli;
mod cycle;
mod formats;
mod hostile;
mod jobs;
mod libreoffice;
mod plan_beside;
mod roundtrip;
mod samples;
mod set_aside;
mod streamed;
mod summary;
mod workbooks;

use assert_cmd::Command;
use katrack::Tracker;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under `samples/`.
pub fn sample(rel: &str) -> PathBuf {
    root().join("samples").join(rel)
}

/// A path under `tests/data/`.
pub fn data(rel: &str) -> PathBuf {
    root().join("tests/data").join(rel)
}

/// A scratch folder for one test, removed when dropped (the `Workdir` of xsv's tests).
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// A new empty folder.
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("a temp dir"),
        }
    }

    /// A path inside the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the folder and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write a test file");
        p
    }

    /// LibreOffice converts `file` into this folder (`to`: "pdf", "xlsx", or a filter string),
    /// with a profile of its own so tests do not share LibreOffice's user settings.
    pub fn soffice_convert(&self, soffice: &Path, to: &str, file: &Path) -> std::process::Output {
        self.soffice_convert_with(soffice, &[], to, file)
    }

    /// As [`Workdir::soffice_convert`], with more LibreOffice options (such as `--infilter=…`).
    pub fn soffice_convert_with(
        &self,
        soffice: &Path,
        options: &[&str],
        to: &str,
        file: &Path,
    ) -> std::process::Output {
        let profile = format!(
            "-env:UserInstallation=file://{}",
            self.path("lo-profile").display()
        );
        std::process::Command::new(soffice)
            .args(["--headless", &profile])
            .args(options)
            .args(["--convert-to", to, "--outdir"])
            .arg(self.path(""))
            .arg(file)
            .output()
            .expect("soffice runs")
    }

    /// The katrack binary, run in this folder.
    pub fn katrack(&self) -> Command {
        let mut c = Command::cargo_bin("katrack").expect("the katrack binary");
        c.current_dir(self.dir.path()).env("NO_COLOR", "1");
        c
    }
}

/// The usual tracker header, in its usual order.
pub use katrack::samples::HEADER;

/// Writes [`HEADER`] into `row` of a test worksheet, from column A.
pub fn write_header(ws: &mut rust_xlsxwriter::Worksheet, row: u32) {
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(row, c as u16, *h).unwrap();
    }
}

/// Reads any tracker file through the library, with the default profile.
pub fn import(path: &Path) -> Tracker {
    let profile = katrack::profile::Profile::default_profile();
    let input =
        katrack::read::read_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    katrack::layout::parse(&input, &name, &profile, None)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .tracker
}

/// Reads tracker bytes written as `ext` ("xlsx", "csv", "json") through the library, with
/// the default profile, as a file named `t.{ext}`.
pub fn import_bytes(bytes: Vec<u8>, ext: &str) -> Tracker {
    let profile = katrack::profile::Profile::default_profile();
    let input = katrack::read::read_bytes(bytes, ext).unwrap();
    katrack::layout::parse(&input, &format!("t.{ext}"), &profile, None)
        .unwrap()
        .tracker
}

/// The activities without provenance, for comparing content across formats.
pub fn content(t: &Tracker) -> Vec<katrack::Activity> {
    t.activities.iter().map(|a| a.without_source()).collect()
}

/// A tracker of these activities in canonical form: cleaning a canonical tracker changes
/// nothing, so a round trip through any writer must give it back exactly.
pub fn canonical(activities: Vec<katrack::Activity>) -> Tracker {
    let profile = katrack::profile::Profile::default_profile();
    let mut t = Tracker::with_activities(activities);
    for a in &mut t.activities {
        katrack::layout::clean_activity(a, &profile);
    }
    t
}

/// True when LibreOffice can be run here (.ci/run installs it).
pub fn soffice() -> Option<PathBuf> {
    [
        "/usr/bin/soffice",
        "/usr/local/bin/soffice",
        "/usr/bin/libreoffice",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}
