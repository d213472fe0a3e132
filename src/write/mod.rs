//! Writing: the canonical tracker as JSON, CSV and a formatted tracker workbook, always through a
//! temporary file renamed into place so a failed write leaves nothing half-written.
//!
//! The writers build bytes in memory ([`to_json`], [`to_csv`], [`tracker_workbook`]); only
//! [`write_file`] touches the disk, so every output goes through the same safety checks (never over
//! an input, never half-written).

pub mod annotated;
pub mod atomic;
pub mod canonical;
mod deflate;
mod sheet_stream;
mod spliced;
mod style;
pub mod summary;
pub mod template;
mod tracker_rows;
pub mod tracker_xlsx;

pub use annotated::annotated_workbook;
pub use atomic::{write_file, write_file_with};
pub use canonical::{to_csv, to_json, write_csv, write_json};
pub use sheet_stream::deflate_on_at_most;
pub use summary::{
    AppendixRows, AppendixSheet, OtherSheets, SheetsInput, SummaryBook, SummaryInput,
    summary_workbook,
};
pub use template::{template_file_name, template_workbook};
pub use tracker_xlsx::{tracker_workbook, write_tracker_workbook};

/// The error for a workbook writer that panicked: rust_xlsxwriter's constant-memory mode does so
/// when it cannot write its temporary files (a full or read-only temporary folder).
pub(crate) fn writer_panic(why: String) -> crate::Error {
    crate::Error::Write(format!(
        "the workbook could not be built ({why}); is the temporary folder ({}) full or not writable?",
        std::env::temp_dir().display()
    ))
}

/// Saves `workbook` to `out`; a failed write is the disk's, said as such by the caller (see
/// [`write_file_with`]).
pub(crate) fn save_to(
    workbook: &mut rust_xlsxwriter::Workbook,
    out: impl std::io::Write + Send,
) -> crate::Result<()> {
    workbook.save_to_writer(out).map_err(|e| match e {
        rust_xlsxwriter::XlsxError::IoError(io)
        | rust_xlsxwriter::XlsxError::ZipError(zip::result::ZipError::Io(io)) => {
            crate::Error::Io(io)
        }
        other => other.into(),
    })
}
