//! A workbook's merged areas found before it is read. They follow the cells in a sheet's XML
//! but are needed before its first row is laid out, so a streamed workbook whose text is in its
//! sheets (katrack's own master writes it inline) waits while its sheet is inflated once for
//! them (0.3 s at 100,000 activities) — with one core idle when nothing else is left to do, as
//! when a merge reads last quarter's master as its plan once the returns are read. Found ahead,
//! on a thread of its own while the returns are read, the wait is gone. A plain workbook (its
//! text in its shared strings, see `src/read/plain.rs`) finds them while those are read and is
//! left alone.

use super::merges;
use calamine::Dimensions;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;

/// Each worksheet's merged areas by name, as [`merges::merged_areas`] gives them.
type Areas = HashMap<String, Vec<Dimensions>>;

/// The workbooks whose merged areas are being found, with the thread finding them (`None`:
/// the workbook is not one to find them for).
static AHEAD: Mutex<Vec<(PathBuf, JoinHandle<Option<Areas>>)>> = Mutex::new(Vec::new());

/// Starts finding the merged areas of the xlsx at `path` on a thread of its own, for a read of
/// it (with a second thread, see [`stream_xlsx`](super::stream::stream_xlsx)) that comes later:
/// that read takes them rather than finding them then. Nothing is done for another format, a
/// zip whose declared sizes would refuse it, or a workbook whose shared strings hold half as
/// much text as its sheets or more (a plain one finds them while it reads those).
pub fn find_merged_areas_ahead(path: &Path) {
    if !matches!(super::extension(path).as_str(), "xlsx" | "xlsm") {
        return;
    }
    let at = path.to_path_buf();
    let finding = std::thread::spawn(move || {
        let found = crate::error::guarded(
            || {
                let wanted = super::stream::zip_within_limits(&at)? && text_in_sheets(&at);
                Ok(wanted.then(|| merges::merged_areas(&at)))
            },
            |_| crate::error::Error::Empty(String::new()),
        );
        found.ok().flatten()
    });
    let mut ahead = AHEAD.lock().unwrap_or_else(PoisonError::into_inner);
    ahead.push((path.to_path_buf(), finding));
}

/// The merged areas found ahead for the workbook at `path`, once found; `None` when none were
/// being found for it (or finding them failed: the read finds them itself).
pub(super) fn taken(path: &Path) -> Option<Areas> {
    let finding = {
        let mut ahead = AHEAD.lock().unwrap_or_else(PoisonError::into_inner);
        let at = ahead.iter().position(|(p, _)| p == path)?;
        ahead.swap_remove(at).1
    };
    finding.join().ok().flatten()
}

/// Whether the workbook's worksheets hold more text, inflated, than twice its shared strings.
fn text_in_sheets(path: &Path) -> bool {
    let Some(mut zip) = merges::open_zip(path) else {
        return false;
    };
    let Some((dir, sheets)) = merges::workbook_sheets(&mut zip) else {
        return false;
    };
    let mut size = |part: &str| {
        merges::part_index(&zip, part)
            .and_then(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
            .unwrap_or(0)
    };
    let in_sheets: u64 = sheets
        .iter()
        .filter(|s| s.worksheet)
        .map(|s| size(&s.part))
        .sum();
    in_sheets > 2 * size(&format!("{dir}sharedStrings.xml"))
}
