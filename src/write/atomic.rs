//! Safe file output: every writer hands its bytes to [`write_file`], which refuses to overwrite an
//! input and replaces the target in one rename, so an interrupted or failed run never leaves a
//! truncated workbook where the committee papers expect a good one.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically, refusing to overwrite any of `inputs`.
///
/// The bytes go to a temporary file in the target's folder, which is flushed to disk and then
/// renamed over `path`; on failure the temporary file is removed and `path` is left as it was.
/// A file that is replaced keeps its permissions; a new file gets the usual ones (umask).
///
/// # Errors
///
/// - [`Error::Usage`] when `path` is one of `inputs` (also through a symlink or hard link), is a
///   folder, or is in a folder that does not exist or is a file (folders are not created);
/// - [`Error::Write`] when the temporary file cannot be created, written or renamed (no
///   permission, a read-only or full disk…), saying why; nothing is left behind.
///
/// Every error is wrapped with `path`.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let out = dir.path().join("tracker.json");
/// katrack::write::write_file(&out, b"{}\n", &[]).unwrap();
/// assert_eq!(std::fs::read(&out).unwrap(), b"{}\n");
/// ```
pub fn write_file(path: &Path, bytes: &[u8], inputs: &[PathBuf]) -> Result<()> {
    write_file_with(path, inputs, |file| {
        let mut out = std::io::BufWriter::new(file);
        out.write_all(bytes)?;
        Ok(out.flush()?)
    })
}

/// Checks, without writing, that [`write_file`] may write `path`: not over an input, and into a
/// folder that exists. A command writing several files checks them all before writing the first.
///
/// # Errors
/// The same refusals as [`write_file`], naming the path.
pub fn check_target(path: &Path, inputs: &[PathBuf]) -> Result<()> {
    target_folder(path, inputs)
        .map(|_| ())
        .map_err(|e| e.with_path(path))
}

/// The folder `path` will be written in, after the refusals.
fn target_folder<'a>(path: &'a Path, inputs: &[PathBuf]) -> Result<&'a Path> {
    if let Some(input) = inputs.iter().find(|input| same_file(path, input)) {
        return Err(Error::Usage(format!(
            "refusing to overwrite the input file {}; choose another output path",
            input.display()
        )));
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        let why = if folder.exists() {
            "is a file, not a folder;"
        } else {
            "does not exist; create it first or"
        };
        return Err(Error::Usage(format!(
            "the folder {} {why} choose another output path",
            folder.display()
        )));
    }
    Ok(folder)
}

/// [`write_file`] for output made as it is written: `write` fills the temporary file, which
/// replaces `path` only if it succeeds (its error is returned, and nothing is left behind).
///
/// # Errors
///
/// As [`write_file`], and `write`'s own.
pub fn write_file_with(
    path: &Path,
    inputs: &[PathBuf],
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    write_inner(path, inputs, write).map_err(|e| e.with_path(path))
}

fn write_inner(
    path: &Path,
    inputs: &[PathBuf],
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let folder = target_folder(path, inputs)?;
    let failed = |e: std::io::Error| io_failure(e, folder);
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // NamedTempFile defaults to 0600; ask for 0666 so the umask decides, as for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // From here on, an early return drops `tmp`, which deletes the temporary file.
    let mut tmp = builder.tempfile_in(folder).map_err(failed)?;
    write(tmp.as_file_mut()).map_err(|e| match e {
        Error::Io(io) => failed(io),
        other => other,
    })?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(failed)?;
    }
    tmp.as_file().sync_all().map_err(failed)?;
    // On failure the PersistError owns the temporary file, and dropping it deletes it.
    tmp.persist(path).map_err(|e| {
        if path.is_dir() {
            Error::Usage("this is a folder; give a file name for the output".into())
        } else {
            failed(e.error)
        }
    })?;
    Ok(())
}

/// An operating-system error while writing, said the way an officer can act on it. The
/// temporary file is gone by the time the error is shown, so nothing was written.
fn io_failure(e: std::io::Error, folder: &Path) -> Error {
    use std::io::ErrorKind;
    let why = match e.kind() {
        ErrorKind::StorageFull => "the disk is full".to_string(),
        ErrorKind::FileTooLarge => "the file is larger than this system allows".to_string(),
        ErrorKind::PermissionDenied => {
            format!("no permission to create files in {}", folder.display())
        }
        ErrorKind::ReadOnlyFilesystem => format!("{} is on a read-only disk", folder.display()),
        _ => "the system refused".to_string(),
    };
    Error::Write(format!(
        "{why} ({e}); nothing was written, and a file already there is unchanged"
    ))
}

/// True when `a` and `b` name the same file, even if one does not exist yet.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
    }
    resolve(a) == resolve(b)
}

/// The canonical form of a path; for a file that does not exist, its canonical folder joined with
/// its name, so `out/../x.csv` and `x.csv` still compare equal.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .unwrap_or_else(|_| parent.to_path_buf())
            .join(name),
        _ => absolute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn refuses_to_overwrite_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("returns.xlsx");
        std::fs::write(&input, b"original").unwrap();
        let sneaky = dir.path().join(".").join("returns.xlsx");
        let err = write_file(&sneaky, b"new", std::slice::from_ref(&input)).unwrap_err();
        assert!(err.is_usage());
        let msg = err.to_string();
        assert!(
            msg.contains("refusing to overwrite the input file"),
            "{msg}"
        );
        assert!(msg.contains("returns.xlsx"), "{msg}");
        assert_eq!(std::fs::read(&input).unwrap(), b"original");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_an_input_reached_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("plan.json");
        std::fs::write(&input, b"plan").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        assert!(write_file(&link, b"x", std::slice::from_ref(&input)).is_err());
        assert_eq!(std::fs::read(&input).unwrap(), b"plan");
    }

    #[test]
    fn a_new_output_is_not_an_existing_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, b"in").unwrap();
        let out = dir.path().join("out.csv");
        write_file(&out, b"out", &[input]).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"out");
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("master.xlsx");
        write_file(&out, b"first version", &[]).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"first version");
        write_file(&out, b"second", &[]).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"second");
    }

    #[test]
    fn leaves_no_temp_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        write_file(&dir.path().join("a.json"), b"{}", &[]).unwrap();
        assert!(leftovers(dir.path()).is_empty());
        // A failed rename (the target is a non-empty folder) must not leave one either.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), b"x").unwrap();
        let msg = write_file(&blocked, b"data", &[]).unwrap_err().to_string();
        assert!(msg.contains("is a folder"), "{msg}");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_folder_that_is_a_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("out.xlsx"), b"a file").unwrap();
        let out = dir.path().join("out.xlsx").join("inner.xlsx");
        let err = write_file(&out, b"x", &[]).unwrap_err();
        assert!(err.is_usage());
        let msg = err.to_string();
        assert!(msg.contains("out.xlsx is a file, not a folder"), "{msg}");
        assert_eq!(
            std::fs::read(dir.path().join("out.xlsx")).unwrap(),
            b"a file"
        );
    }

    #[test]
    fn io_failures_say_what_to_do() {
        use std::io::{Error as IoError, ErrorKind};
        let folder = Path::new("/srv/reports");
        let full = io_failure(IoError::from(ErrorKind::StorageFull), folder).to_string();
        assert!(
            full.starts_with("could not write: the disk is full ("),
            "{full}"
        );
        assert!(full.ends_with("nothing was written, and a file already there is unchanged"));
        let denied = io_failure(IoError::from(ErrorKind::PermissionDenied), folder).to_string();
        assert!(
            denied.contains("no permission to create files in /srv/reports"),
            "{denied}"
        );
    }

    #[test]
    fn a_missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("no-such-folder").join("out.csv");
        let msg = write_file(&out, b"x", &[]).unwrap_err().to_string();
        assert!(msg.contains("no-such-folder"), "{msg}");
        assert!(msg.contains("does not exist"), "{msg}");
        assert!(!dir.path().join("no-such-folder").exists());
    }
}
