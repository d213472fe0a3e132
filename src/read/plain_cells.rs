//! A plain sheet's cells as they are found ([`Cells`]), while its shared strings are read.

/// A [`Cells`] pair that begins a row: (`ROW`, its number). No column reaches it.
pub(crate) const ROW: u32 = u32::MAX;

/// A sheet's cells as pairs of numbers: the first [`CELLS_HELD`] bytes of them in memory, the
/// rest in a temporary file (as the sheet is read while the shared strings are, a large
/// sheet's cells wait for them), read back in order.
#[derive(Default)]
pub(crate) struct Cells {
    held: Vec<(u32, u32)>,
    /// The pairs after those held: in the file, then those on their way to it.
    spill: Option<crate::spill::Spill>,
    written: u64,
    out: Vec<u8>,
    /// The greatest shared string number of any cell.
    pub(super) greatest: Option<u32>,
}

/// How many bytes of a sheet's cells are held in memory.
const CELLS_HELD: usize = 512 << 10;

/// How many bytes of cells go to the file at once.
const CELLS_WRITE: usize = 128 << 10;

impl Cells {
    /// Adds a pair; `None` when the file cannot be written (the workbook is then read by
    /// calamine).
    pub(super) fn push(&mut self, pair: (u32, u32)) -> Option<()> {
        if self.held.len() < CELLS_HELD / 8 {
            if self.held.capacity() == 0 {
                self.held.reserve_exact(CELLS_HELD / 8);
            }
            self.held.push(pair);
            return Some(());
        }
        self.out.extend_from_slice(&pair.0.to_le_bytes());
        self.out.extend_from_slice(&pair.1.to_le_bytes());
        if self.out.len() >= CELLS_WRITE {
            self.write()?;
        }
        Some(())
    }

    /// Adds a cell: its column and shared string number.
    pub(super) fn cell(&mut self, col: u32, string: u32) -> Option<()> {
        self.greatest = self.greatest.max(Some(string));
        self.push((col, string))
    }

    fn write(&mut self) -> Option<()> {
        let spill = self.spill.get_or_insert_with(crate::spill::Spill::new);
        spill.append(&self.out).ok()?;
        self.written += self.out.len() as u64;
        self.out.clear();
        Some(())
    }

    /// Calls `each` with every pair in order, until it gives `None` (as this then does, and
    /// when the file cannot be read back).
    pub(super) fn each(&self, each: &mut dyn FnMut(u32, u32) -> Option<()>) -> Option<()> {
        for &(a, b) in &self.held {
            each(a, b)?;
        }
        let mut read = |bytes: &[u8]| {
            bytes.chunks_exact(8).try_for_each(|pair| {
                let (a, b) = pair.split_at(4);
                each(
                    u32::from_le_bytes(a.try_into().ok()?),
                    u32::from_le_bytes(b.try_into().ok()?),
                )
            })
        };
        if let Some(spill) = &self.spill {
            let mut window = Vec::new();
            let mut at = 0;
            while at < self.written {
                // Whole pairs: every write is of whole pairs, and a window of them.
                let n = (self.written - at).min(CELLS_WRITE as u64) as usize;
                window.resize(n, 0);
                spill.read_at(&mut window, at).ok()?;
                read(&window)?;
                at += n as u64;
            }
        }
        read(&self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_sheets_cells_come_back_in_order_from_memory_and_the_file() {
        // 300,000 cells in rows of 11: past what is held, so most go to the file and some wait
        // on their way to it.
        let mut cells = Cells::default();
        let mut pushed = Vec::new();
        for n in 0..300_000u32 {
            if n % 11 == 0 {
                cells.push((ROW, n / 11 + 1)).unwrap();
                pushed.push((ROW, n / 11 + 1));
            }
            let string = (n * 7919) % 1_000_003;
            cells.cell(n % 11, string).unwrap();
            pushed.push((n % 11, string));
        }
        assert!(cells.written > 0 && !cells.out.is_empty());
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
