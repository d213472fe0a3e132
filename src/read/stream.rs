//! An xlsx workbook streamed, for laying out a large return while it is read: each sheet's cells
//! are sent in batches as they are parsed ([`Event`]), and [`Rows`] makes them rows, merged areas
//! spread, where they are laid out; neither the file's bytes nor the sheet's cells are held. Only
//! what [`read_path`](super::read_path) would read the same way is streamed; anything else
//! (another format, rows out of order, merged areas too large to spread whole, any error)
//! answers "read it whole", so that errors and results are always those of the whole read.
//! A plain workbook is read by the plain reader (`src/read/plain.rs`) rather than calamine, with
//! a second thread its cells found while its shared strings are read; calamine reads any other.

use super::rows::{RowStream, value_text, whole_spread_fits};
use super::{Row, check_unzipped_size};
use crate::error::Result;
use calamine::{DataRef, Dimensions, Reader, SheetType, SheetVisible, Xlsx};
use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

/// How many bytes of text one [`Cells`] batch holds, about.
const BATCH_BYTES: usize = 64 * 1024;

/// What a streamed workbook sends, in order.
#[derive(Debug)]
pub enum Event {
    /// A sheet begins. A hidden sheet is announced, but its rows are sent only when the sheet
    /// was named (`--sheet`), as the layout reads it only then.
    Sheet {
        /// The sheet's name.
        name: String,
        /// Whether it is hidden.
        hidden: bool,
        /// Its merged areas, for [`Rows`] to spread.
        merges: Vec<Dimensions>,
    },
    /// The current sheet's next cells, in the order read ([`Rows`] makes them rows).
    Cells(Cells),
}

/// A batch of non-blank cells, their text in one buffer: the reading thread copies each cell's
/// text once, without an allocation per cell, and the rows are made where they are laid out.
#[derive(Debug, Default)]
pub struct Cells {
    text: String,
    /// (row, column, end of the cell's text in `text`).
    cells: Vec<(u32, u32, usize)>,
}

impl Cells {
    /// Adds a cell's value unless it is blank.
    fn push(&mut self, at: (u32, u32), value: &DataRef<'_>) {
        match value {
            DataRef::SharedString(s) => self.push_text(at, s),
            other => {
                if let Some(t) = value_text(other) {
                    self.push_text(at, &t);
                }
            }
        }
    }

    /// Adds a cell's text unless it is blank.
    fn push_text(&mut self, (row, col): (u32, u32), text: &str) {
        if !text.trim().is_empty() {
            self.text.push_str(text);
            self.cells.push((row, col, self.text.len()));
        }
    }
}

/// Makes rows of a streamed workbook's [`Cells`], with each sheet's merged areas spread; a row
/// is handed on once a cell of a later row comes.
#[derive(Default)]
pub struct Rows {
    stream: Option<RowStream>,
    /// Cells came out of row order: the file must be read whole instead.
    pub disordered: bool,
}

impl Rows {
    /// A sheet with these merged areas begins (call [`finish`](Self::finish) for the one
    /// before first).
    pub fn sheet(&mut self, merges: &[Dimensions]) {
        self.stream = Some(RowStream::new(merges));
    }

    /// The next cells of the current sheet; the rows they complete go to `emit`.
    pub fn cells(&mut self, batch: &Cells, emit: &mut impl FnMut(Row)) {
        let Some(stream) = &mut self.stream else {
            return;
        };
        let mut start = 0;
        for &(row, col, end) in &batch.cells {
            stream.push((row, col), batch.text[start..end].to_string(), emit);
            start = end;
        }
        self.disordered |= stream.disordered;
    }

    /// The current sheet is read: its last rows go to `emit`.
    pub fn finish(&mut self, emit: &mut impl FnMut(Row)) {
        if let Some(stream) = self.stream.take() {
            stream.finish(emit);
        }
    }
}

/// The workbook's document properties.
#[derive(Debug, Default)]
pub struct Properties {
    /// The document title, if any.
    pub title: Option<String>,
    /// The document subject, if any.
    pub subject: Option<String>,
}

impl Properties {
    /// The title and subject calamine read, where they hold text.
    pub(super) fn of(props: Option<calamine::WorkbookProperties>) -> Properties {
        match props {
            Some(p) => Properties::new(p.title, p.subject),
            None => Properties::default(),
        }
    }

    /// The title and subject given, where they hold text.
    pub(super) fn new(title: Option<String>, subject: Option<String>) -> Properties {
        let text = |t: Option<String>| t.filter(|t| !t.trim().is_empty());
        Properties {
            title: text(title),
            subject: text(subject),
        }
    }
}

/// Streams an .xlsx/.xlsm file's chosen sheets (`sheet`: the one named, else every worksheet)
/// to `send`; `threads`: with a second thread (a plain workbook's cells found while its shared
/// strings are read, another's merged areas while calamine opens it); `spare` gives a batch
/// already sent, to be filled again (`None`: a new one is made). `Ok(None)`: the file is not
/// streamed (see the [module](self) docs) and whatever was sent must be discarded; read it
/// whole instead.
///
/// # Errors
/// I/O errors opening the file, and a zip declaring more than
/// [`MAX_UNZIPPED_BYTES`](super::MAX_UNZIPPED_BYTES) once inflated.
pub fn stream_xlsx(
    path: &Path,
    sheet: Option<&str>,
    threads: bool,
    send: &mut dyn FnMut(Event),
    spare: &mut dyn FnMut() -> Option<Cells>,
) -> Result<Option<Properties>> {
    if !matches!(super::extension(path).as_str(), "xlsx" | "xlsm") {
        return Ok(None);
    }
    if !zip_within_limits(path)? {
        return Ok(None);
    }
    let streamed = crate::error::guarded(
        || Ok(stream_open(path, sheet, threads, send, spare)),
        |_| crate::error::Error::Empty(String::new()),
    );
    Ok(streamed.ok().flatten())
}

/// Whether the file is a zip whose directory passes [`check_unzipped_size`], reading only the
/// file's first bytes and its end (where the directory is): the file is never held whole.
/// `Ok(false)`: not a zip, or a directory too large for the end read here.
pub(super) fn zip_within_limits(path: &Path) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let mut magic = [0u8; 4];
    if file.read_exact(&mut magic).is_err() || &magic != b"PK\x03\x04" {
        return Ok(false);
    }
    // The directory and its end records: 66 KiB holds them for any workbook of a few dozen parts.
    let len = file.metadata()?.len();
    let from = len.saturating_sub(66 * 1024);
    file.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)?;
    match check_unzipped_size(&tail) {
        Ok(()) => Ok(true),
        // Refused on its declared sizes: so it would be read whole.
        Err(e @ crate::error::Error::Unsupported(_)) => Err(e),
        // The directory reaches further back (or is damaged): the whole read decides.
        Err(_) => Ok(false),
    }
}

fn stream_open(
    path: &Path,
    sheet: Option<&str>,
    threads: bool,
    send: &mut dyn FnMut(Event),
    spare: &mut dyn FnMut() -> Option<Cells>,
) -> Option<Properties> {
    let spill_after = super::strings::SPILL_AFTER;
    if let Some(plain) = super::plain::read_plain_on(path, sheet, spill_after, threads) {
        return send_plain(plain, send, spare);
    }
    let own_merges = || {
        if let Some(found) = super::prefetch::taken(path) {
            return found;
        }
        crate::error::guarded(
            || Ok(super::merges::merged_areas(path)),
            |_| crate::error::Error::Empty(String::new()),
        )
        .unwrap_or_default()
    };
    let (book, mut merges) = if threads {
        std::thread::scope(|scope| {
            let merges = scope.spawn(own_merges);
            let book = open_book(path);
            (book, merges.join().unwrap_or_default())
        })
    } else {
        // On one thread calamine's own pass is the quicker way to the merged areas.
        (open_book(path), HashMap::new())
    };
    let mut book = book?;
    let props = book.workbook_properties().ok();
    let metas: Vec<calamine::Sheet> = book
        .sheets_metadata()
        .iter()
        .filter(|m| m.typ == SheetType::WorkSheet)
        .cloned()
        .collect();
    let names: Vec<&str> = metas.iter().map(|m| m.name.as_str()).collect();
    let chosen = crate::layout::choose_sheets(&names, sheet).ok()?;
    for i in chosen {
        let meta = &metas[i];
        let hidden = meta.visible != SheetVisible::Visible;
        if !crate::layout::reads_sheet(hidden, sheet.is_some()) {
            send(Event::Sheet {
                name: meta.name.clone(),
                hidden,
                merges: Vec::new(),
            });
            continue;
        }
        stream_sheet(
            &mut book,
            &meta.name,
            hidden,
            merges.remove(&meta.name),
            send,
            spare,
        )?;
    }
    Some(Properties::of(props))
}

fn open_book(path: &Path) -> Option<Xlsx<BufReader<std::fs::File>>> {
    Xlsx::new(BufReader::new(std::fs::File::open(path).ok()?)).ok()
}

/// One sheet's cells to `send`; `None` when it cannot be streamed.
fn stream_sheet<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    name: &str,
    hidden: bool,
    merges: Option<Vec<Dimensions>>,
    send: &mut dyn FnMut(Event),
    spare: &mut dyn FnMut() -> Option<Cells>,
) -> Option<()> {
    // The merged areas follow the cells in the sheet's XML, but are needed before the first row
    // is made: read from the zip beforehand, or else by calamine in a pass of their own.
    let merges = merges.unwrap_or_else(|| book.merge_cells_by_sheet_name(name).unwrap_or_default());
    if !whole_spread_fits(&merges) {
        return None;
    }
    send(Event::Sheet {
        name: name.to_string(),
        hidden,
        merges,
    });
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // A chart or dialog sheet listed as a worksheet holds no cells.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Some(()),
        Err(_) => return None,
    };
    let mut batch = new_batch(spare);
    while let Some(cell) = reader.next_cell().ok()? {
        batch.push(cell.get_position(), cell.get_value());
        send_if_full(&mut batch, send, spare);
    }
    send_last(batch, send);
    Some(())
}

/// Sends the batch once it holds [`BATCH_BYTES`] of text, going on with an empty one.
fn send_if_full(
    batch: &mut Cells,
    send: &mut dyn FnMut(Event),
    spare: &mut dyn FnMut() -> Option<Cells>,
) {
    if batch.text.len() >= BATCH_BYTES {
        send(Event::Cells(std::mem::replace(batch, new_batch(spare))));
    }
}

/// Sends the sheet's last batch, unless it is empty.
fn send_last(batch: Cells, send: &mut dyn FnMut(Event)) {
    if !batch.cells.is_empty() {
        send(Event::Cells(batch));
    }
}

/// An empty batch: one already sent, to be filled again, or a new one.
fn new_batch(spare: &mut dyn FnMut() -> Option<Cells>) -> Cells {
    match spare() {
        Some(mut batch) => {
            batch.text.clear();
            batch.cells.clear();
            batch
        }
        None => Cells {
            text: String::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
            cells: Vec::with_capacity(BATCH_BYTES / 64),
        },
    }
}

/// Sends a plain workbook's sheet ([`plain`](super::plain)) as [`stream_sheet`] sends one read
/// by calamine.
fn send_plain(
    mut plain: super::plain::Plain,
    send: &mut dyn FnMut(Event),
    spare: &mut dyn FnMut() -> Option<Cells>,
) -> Option<Properties> {
    if !whole_spread_fits(&plain.merges) {
        return None;
    }
    for (i, (name, hidden)) in std::mem::take(&mut plain.sheets).into_iter().enumerate() {
        let read = i == plain.read;
        let merges = if read {
            std::mem::take(&mut plain.merges)
        } else {
            Vec::new()
        };
        send(Event::Sheet {
            name,
            hidden,
            merges,
        });
        if read {
            send_plain_cells(&plain, send, spare)?;
        }
    }
    Some(plain.props)
}

/// The plain sheet's cells, in batches; `None` when its shared strings spilled cannot be read
/// back.
fn send_plain_cells(
    plain: &super::plain::Plain,
    send: &mut dyn FnMut(Event),
    spare: &mut dyn FnMut() -> Option<Cells>,
) -> Option<()> {
    let mut batch = new_batch(spare);
    plain.each_text(&mut |row, col, text| {
        batch.push_text((row, col), text);
        send_if_full(&mut batch, send, spare);
    })?;
    send_last(batch, send);
    Some(())
}
