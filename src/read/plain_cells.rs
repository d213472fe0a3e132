//! A plain sheet's cells as they are found ([`Cells`]), while its shared strings are read.

use crate::spill::{Appender, Cursor, Spilled};

/// A [`Cells`] pair that begins a row: (`ROW`, its number). No column reaches it.
pub(crate) const ROW: u32 = u32::MAX;

/// A sheet's cells as pairs of numbers: the first [`CELLS_HELD`] bytes of them in memory, the
/// rest in a temporary file (as the sheet is read while the shared strings are, a large
/// sheet's cells wait for them), read back in order once [`finish`](Cells::finish)ed.
pub(crate) struct Cells {
    held: Vec<(u32, u32)>,
    /// The pairs after those held, then that file to read back.
    rest: Appender,
    spilled: Option<Spilled>,
    /// The greatest shared string number of any cell.
    pub(super) greatest: Option<u32>,
}

/// How many bytes of a sheet's cells are held in memory.
const CELLS_HELD: usize = 512 << 10;

/// How many bytes of cells go to the file at once.
const CELLS_WRITE: usize = 128 << 10;

impl Default for Cells {
    fn default() -> Self {
        Cells {
            held: Vec::new(),
            rest: Appender::new(CELLS_WRITE),
            spilled: None,
            greatest: None,
        }
    }
}

impl Cells {
    /// Adds a pair.
    pub(super) fn push(&mut self, pair: (u32, u32)) {
        if self.held.len() < CELLS_HELD / 8 {
            if self.held.capacity() == 0 {
                self.held.reserve_exact(CELLS_HELD / 8);
            }
            self.held.push(pair);
            return;
        }
        self.rest.push(|out| {
            out.extend_from_slice(&pair.0.to_le_bytes());
            out.extend_from_slice(&pair.1.to_le_bytes());
        });
    }

    /// Adds a cell: its column and shared string number.
    pub(super) fn cell(&mut self, col: u32, string: u32) {
        self.greatest = self.greatest.max(Some(string));
        self.push((col, string));
    }

    /// Every pair added: the file made ready to be read back. `None` when it could not be
    /// written (the workbook is then read by calamine).
    pub(super) fn finish(&mut self) -> Option<()> {
        let rest = std::mem::replace(&mut self.rest, Appender::new(0));
        self.spilled = Some(rest.finish().ok()?);
        Some(())
    }

    /// Calls `each` with every pair in order, until it gives `None` (as this then does, and
    /// when the file cannot be read back).
    pub(super) fn each(&self, each: &mut dyn FnMut(u32, u32) -> Option<()>) -> Option<()> {
        for &(a, b) in &self.held {
            each(a, b)?;
        }
        if let Some(spilled) = &self.spilled {
            let mut cursor = Cursor::new(spilled, 0, spilled.len());
            while !cursor.is_done() {
                let (a, b) = (cursor.u32().ok()?, cursor.u32().ok()?);
                each(a, b)?;
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_sheets_cells_come_back_in_order_from_memory_and_the_file() {
        // 300,000 cells in rows of 11: past what is held, so most go to the file.
        let mut cells = Cells::default();
        let mut pushed = Vec::new();
        for n in 0..300_000u32 {
            if n % 11 == 0 {
                cells.push((ROW, n / 11 + 1));
                pushed.push((ROW, n / 11 + 1));
            }
            let string = (n * 7919) % 1_000_003;
            cells.cell(n % 11, string);
            pushed.push((n % 11, string));
        }
        assert!(cells.rest.len() as usize > pushed.len() * 8 - CELLS_HELD - 8);
        cells.finish().unwrap();
        assert!(cells.held.capacity() * 8 <= CELLS_HELD);
        assert_eq!(
            cells.greatest,
            pushed.iter().filter(|p| p.0 != ROW).map(|p| p.1).max()
        );
        let mut got = Vec::new();
        cells
            .each(&mut |a, b| {
                got.push((a, b));
                Some(())
            })
            .unwrap();
        assert_eq!(got, pushed);
        // Stopped by the caller part way.
        let mut seen = 0;
        assert!(
            cells
                .each(&mut |_, _| (seen < 100_000).then(|| seen += 1))
                .is_none()
        );
        assert_eq!(seen, 100_000);
    }
}
