//! Safe writes: every output goes to a temporary file in the target folder, renamed into place
//! only when complete; an output that is one of the inputs is refused; an unwritable folder, a
//! file size limit or a full disk gives a clear error (exit 2) and leaves no file behind, and a
//! file already at the output path unchanged.

use super::run;
use crate::it::{Workdir, sample};
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn export(wd: &Workdir, output: &Path) -> super::Run {
    let tracker = sample("harborough_q1_2020_21.json");
    run(
        wd,
        &[
            "export".as_ref(),
            tracker.as_os_str(),
            OsStr::new("-o"),
            output.as_os_str(),
        ],
    )
}

#[test]
fn output_is_renamed_into_place_leaving_no_temporary_file() {
    let wd = Workdir::new();
    let dir = wd.path("out");
    std::fs::create_dir(&dir).unwrap();
    for name in ["t.xlsx", "t.csv", "t.json", "t.xlsx"] {
        assert_eq!(export(&wd, &dir.join(name)).code, 0);
    }
    assert_eq!(names(&dir), ["t.csv", "t.json", "t.xlsx"]);
}

#[test]
fn an_output_that_is_an_input_is_refused_however_it_is_written() {
    let wd = Workdir::new();
    let original = std::fs::read(sample("harborough_q1_2020_21.json")).unwrap();
    let input = wd.write("t.json", &original);
    std::fs::create_dir(wd.path("sub")).unwrap();
    std::os::unix::fs::symlink(&input, wd.path("link.json")).unwrap();
    std::fs::hard_link(&input, wd.path("hard.json")).unwrap();
    for output in [
        "t.json",
        "./t.json",
        "sub/../t.json",
        "link.json",
        "hard.json",
    ] {
        let out = run(
            &wd,
            &[
                OsStr::new("export"),
                OsStr::new("t.json"),
                OsStr::new("-o"),
                OsStr::new(output),
            ],
        );
        assert_eq!(out.code, 2, "{output}");
        assert!(
            out.stderr.contains("refusing to overwrite the input file"),
            "{output}: {}",
            out.stderr
        );
        assert_eq!(std::fs::read(&input).unwrap(), original, "{output}");
    }
}

#[test]
fn an_output_under_a_file_is_refused() {
    // Fails for every user, root included (unlike a read-only folder).
    let wd = Workdir::new();
    let file = wd.write("out.xlsx", b"not a folder");
    let out = export(&wd, &file.join("inner.xlsx"));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("out.xlsx is a file, not a folder; choose another output path"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");
    assert_eq!(names(&wd.path("")), ["out.xlsx"]);
}

#[test]
fn an_unwritable_folder_gives_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    let dir = wd.path("locked");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("t.xlsx"), b"last quarter").unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root (as in CI containers) writes through a read-only mode: nothing to test there.
    if std::fs::write(dir.join("probe"), b"").is_ok() {
        std::fs::remove_file(dir.join("probe")).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: this user can write into a read-only folder (root?)");
        return;
    }
    let out = export(&wd, &dir.join("t.xlsx"));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("could not write: no permission to create files in"),
        "{}",
        out.stderr
    );
    assert_eq!(names(&dir), ["t.xlsx"]);
    assert_eq!(std::fs::read(dir.join("t.xlsx")).unwrap(), b"last quarter");
}

/// `katrack export <the sample tracker> -o OUTPUT` under `ulimit -f 4` (2 KiB): writing fails
/// part-way with EFBIG (SIGXFSZ is ignored so the process lives to report it), as on a full disk,
/// for any user. Returns the exit code and stderr.
fn export_under_a_size_limit(wd: &Workdir, output: &str) -> (Option<i32>, String) {
    let katrack = assert_cmd::cargo::cargo_bin("katrack");
    let tracker = sample("harborough_q1_2020_21.json");
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 4 && exec "$0" export "$1" -o "$2""#)
        .arg(&katrack)
        .arg(&tracker)
        .arg(output)
        .current_dir(wd.path(""))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), stderr)
}

#[test]
fn a_file_size_limit_gives_a_clear_error() {
    let wd = Workdir::new();
    std::fs::write(wd.path("t.json"), b"last quarter").unwrap();
    let (code, stderr) = export_under_a_size_limit(&wd, "t.json");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "t.json: could not write: the file is larger than this system allows (File too large"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written, and a file already there is unchanged"));
    assert_eq!(names(&wd.path("")), ["t.json"]);
    assert_eq!(std::fs::read(wd.path("t.json")).unwrap(), b"last quarter");
}

#[test]
fn a_workbook_under_a_file_size_limit_gives_a_clear_error() {
    let wd = Workdir::new();
    let (code, stderr) = export_under_a_size_limit(&wd, "t.xlsx");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(names(&wd.path("")).is_empty());
}

/// A 64 KiB tmpfs mounted for one test (root only), unmounted when dropped.
struct TinyDisk {
    dir: tempfile::TempDir,
}

impl TinyDisk {
    fn mount() -> Option<TinyDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then_some(TinyDisk { dir })
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_gives_a_clear_error() {
    let Some(disk) = TinyDisk::mount() else {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root); see a_file_size_limit…");
        return;
    };
    let wd = Workdir::new();
    let dir = disk.dir.path();
    std::fs::write(dir.join("t.xlsx"), b"last quarter").unwrap();
    // Fill the disk but for a few kilobytes: the workbook (tens of kilobytes) cannot fit.
    std::fs::write(dir.join("filler"), vec![0u8; 56 * 1024]).unwrap();
    let out = export(&wd, &dir.join("t.xlsx"));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("t.xlsx: could not write: the disk is full (No space left on device"),
        "{}",
        out.stderr
    );
    assert_eq!(names(dir), ["filler", "t.xlsx"]);
    assert_eq!(std::fs::read(dir.join("t.xlsx")).unwrap(), b"last quarter");
}
