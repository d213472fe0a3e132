//! Writes the shipped samples (`samples/`) from the seed report. Run from the repository root:
//! `cargo run --bin make-samples`. A test fails when the committed samples are stale.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let files = match katrack::samples::generate() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("make-samples: {e}");
            return ExitCode::from(2);
        }
    };
    for f in files {
        let path = root.join(&f.path);
        let write = std::fs::create_dir_all(path.parent().expect("a sample has a folder"))
            .and_then(|_| std::fs::write(&path, &f.bytes));
        if let Err(e) = write {
            eprintln!("make-samples: {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("wrote samples/{}", f.path);
    }
    ExitCode::SUCCESS
}
