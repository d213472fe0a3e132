//! Cells into sparse rows, and merged areas spread over the cells they cover — row by row, so
//! that a workbook can be laid out while it is read ([`RowStream`]), or all at once
//! ([`RowBuilder`] then [`spread_merges`]); both spread merged areas with one [`Spreader`].

use super::{Cell, Row};
use crate::error::{Error, Result};
use calamine::{DataRef, Dimensions};

/// The most copies of merged cells spread over one sheet: 10 million. A sheet that would need
/// more (a merge over most of a huge sheet) is refused, naming the area.
pub const MAX_MERGED_COPIES: u64 = 10_000_000;

/// The text of a streamed cell value, or `None` when it is blank.
pub(super) fn value_text(value: &DataRef<'_>) -> Option<String> {
    let text = match value {
        DataRef::Empty => return None,
        DataRef::SharedString(s) if s.trim().is_empty() => return None,
        DataRef::String(s) if s.trim().is_empty() => return None,
        DataRef::SharedString(s) => (*s).to_string(),
        other => super::workbook::cell_text_ref(other),
    };
    (!text.trim().is_empty()).then_some(text)
}

/// Collects cells into sparse rows as they stream in; cells out of order (calamine does not
/// promise row order) are sorted once at the end.
#[derive(Default)]
pub(super) struct RowBuilder {
    rows: Vec<Row>,
    unordered: bool,
}

impl RowBuilder {
    /// Adds a cell's text at a 0-based (row, column).
    pub(super) fn push_text(&mut self, row: u32, col: u32, text: String) {
        let cell = Cell {
            col,
            text,
            merged: false,
        };
        match self.rows.last_mut() {
            Some(last) if last.row == row => {
                if last.cells.last().is_some_and(|c| c.col >= col) {
                    self.unordered = true;
                }
                last.cells.push(cell);
            }
            last => {
                if last.is_some_and(|l| l.row > row) {
                    self.unordered = true;
                }
                self.rows.push(Row {
                    row,
                    cells: vec![cell],
                });
            }
        }
    }

    /// The rows top to bottom, each one's cells left to right (stable: a position given twice
    /// keeps both cells, in the order read).
    pub(super) fn finish(self) -> Vec<Row> {
        if !self.unordered {
            return self.rows;
        }
        let mut cells: Vec<(u32, Cell)> = self
            .rows
            .into_iter()
            .flat_map(|r| r.cells.into_iter().map(move |c| (r.row, c)))
            .collect();
        cells.sort_by_key(|(r, c)| (*r, c.col));
        let mut out = RowBuilder::default();
        for (row, cell) in cells {
            out.push_text(row, cell.col, cell.text);
        }
        out.rows
    }
}

/// Rows handed on as soon as they are complete (when a cell of a later row arrives), with the
/// merged areas spread. Rows must come top to bottom; a cell of an earlier row sets
/// [`disordered`](Self::disordered), and the caller reads the sheet whole instead.
pub(super) struct RowStream {
    current: Option<Row>,
    spreader: Spreader,
    /// A cell came for a row above one already handed on.
    pub(super) disordered: bool,
    /// How many cells the last row handed on had.
    width: usize,
}

impl RowStream {
    /// A stream for a sheet with these merged areas (see [`whole_spread_fits`]).
    pub(super) fn new(merges: &[Dimensions]) -> Self {
        RowStream {
            current: None,
            spreader: Spreader::new(merges),
            disordered: false,
            width: 0,
        }
    }

    /// Adds a cell's text; rows completed by it go to `emit`.
    pub(super) fn push(
        &mut self,
        (row, col): (u32, u32),
        text: String,
        emit: &mut impl FnMut(Row),
    ) {
        let cell = Cell {
            col,
            text,
            merged: false,
        };
        match &mut self.current {
            Some(r) if r.row == row => r.cells.push(cell),
            Some(r) if r.row > row => self.disordered = true,
            current => {
                // Room for as many cells as the row before had: rows grow without copying.
                let mut cells = Vec::with_capacity(self.width.clamp(1, 256));
                cells.push(cell);
                if let Some(done) = current.replace(Row { row, cells }) {
                    self.width = done.cells.len();
                    self.spreader.push(sorted(done), emit);
                }
            }
        }
    }

    /// The sheet is read: the last row, and the rows below it merged areas fill, go to `emit`.
    pub(super) fn finish(mut self, emit: &mut impl FnMut(Row)) {
        if let Some(done) = self.current.take() {
            self.spreader.push(sorted(done), emit);
        }
        self.spreader.finish(emit);
    }
}

/// A row's cells left to right (stable: a position given twice keeps both, in the order read).
fn sorted(mut row: Row) -> Row {
    if !row.cells.is_sorted_by_key(|c| c.col) {
        row.cells.sort_by_key(|c| c.col);
    }
    row
}

/// Whether the merged areas can be spread whole (within [`MAX_MERGED_COPIES`]); otherwise
/// they are spread only over the rows and columns the sheet uses, which needs the whole sheet.
pub(super) fn whole_spread_fits(merges: &[Dimensions]) -> bool {
    merges.iter().map(|a| size(a.start, a.end)).sum::<u64>() <= MAX_MERGED_COPIES
}

fn size(s: (u32, u32), e: (u32, u32)) -> u64 {
    if s.0 <= e.0 && s.1 <= e.1 {
        (e.0 - s.0 + 1) as u64 * (e.1 - s.1 + 1) as u64
    } else {
        0
    }
}

/// Copies the text of each merged area's top-left cell into the other cells it covers (marked
/// `merged`), where those are empty. When the areas would make more than [`MAX_MERGED_COPIES`]
/// copies, each is spread only over the rows and columns the sheet uses (a merge reaching row
/// 1,048,576 of a 40-row sheet stops at row 40).
pub(super) fn spread_merges(
    rows: Vec<Row>,
    merges: &[Dimensions],
    sheet: &str,
) -> Result<Vec<Row>> {
    if merges.is_empty() || rows.is_empty() {
        return Ok(rows);
    }
    let areas: Vec<Dimensions> = if whole_spread_fits(merges) {
        merges.to_vec()
    } else {
        let last_row = rows.last().map_or(0, |r| r.row);
        let last_col = rows
            .iter()
            .filter_map(|r| r.cells.last().map(|c| c.col))
            .max()
            .unwrap_or(0);
        merges
            .iter()
            .map(|a| Dimensions {
                start: a.start,
                end: (a.end.0.min(last_row), a.end.1.min(last_col)),
            })
            .collect()
    };
    let copies: u64 = areas.iter().map(|a| size(a.start, a.end)).sum();
    if copies > MAX_MERGED_COPIES {
        return Err(Error::Unsupported(format!(
            "sheet '{sheet}' has merged areas covering {copies} cells, more than katrack spreads \
             over one sheet ({MAX_MERGED_COPIES}); unmerge the large areas and try again"
        )));
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut emit = |r: Row| out.push(r);
    let mut spreader = Spreader::new(&areas);
    for row in rows {
        spreader.push(row, &mut emit);
    }
    spreader.finish(&mut emit);
    Ok(out)
}

/// Spreads merged areas over rows given top to bottom. An area is anchored by the cell read at
/// its top-left corner (no cell there: nothing to spread); its text is copied into every other
/// position of the area that holds no cell of its own, and where areas overlap (invalid, but
/// seen) the first area listed gives the copy. Rows that hold nothing but copies are made.
pub(super) struct Spreader {
    /// The areas by first row, each with its place in the sheet's list.
    areas: Vec<(usize, Dimensions)>,
    next: usize,
    /// Anchored areas still to reach below, in list order, with the anchor's text.
    active: Vec<(usize, Dimensions, String)>,
    /// The next row not yet handed on.
    below: u32,
}

impl Spreader {
    fn new(merges: &[Dimensions]) -> Self {
        let mut areas: Vec<(usize, Dimensions)> = merges.iter().copied().enumerate().collect();
        areas.sort_by_key(|(i, a)| (a.start.0, *i));
        Spreader {
            areas,
            next: 0,
            active: Vec::new(),
            below: 0,
        }
    }

    fn push(&mut self, mut row: Row, emit: &mut impl FnMut(Row)) {
        if self.areas.is_empty() {
            return emit(row);
        }
        self.fill_until(row.row, emit);
        // Areas starting above this row began on a row with no cells: no anchor.
        while self
            .areas
            .get(self.next)
            .is_some_and(|(_, a)| a.start.0 < row.row)
        {
            self.next += 1;
        }
        while let Some(&(i, area)) = self
            .areas
            .get(self.next)
            .filter(|(_, a)| a.start.0 == row.row)
        {
            self.next += 1;
            if let Some(anchor) = row.cells.iter().find(|c| c.col == area.start.1) {
                let at = self.active.partition_point(|(j, _, _)| *j < i);
                self.active.insert(at, (i, area, anchor.text.clone()));
            }
        }
        let mut copies: Vec<Cell> = Vec::new();
        for (_, area, text) in &self.active {
            if area.start.0 > row.row || area.end.0 < row.row {
                continue;
            }
            for col in area.start.1..=area.end.1 {
                let own = (row.row, col) == area.start
                    || row.cells.binary_search_by_key(&col, |c| c.col).is_ok();
                if !own {
                    copies.push(Cell {
                        col,
                        text: text.clone(),
                        merged: true,
                    });
                }
            }
        }
        if !copies.is_empty() {
            // Where areas overlap, the first listed gives the copy (a stable sort keeps it first).
            copies.sort_by_key(|c| c.col);
            copies.dedup_by_key(|c| c.col);
            row.cells.extend(copies);
            row.cells.sort_by_key(|c| c.col);
        }
        self.below = row.row + 1;
        self.active.retain(|(_, a, _)| a.end.0 > row.row);
        emit(row);
    }

    /// Hands on the rows above `end` (from the next one not yet handed on) that only merged
    /// copies fill.
    fn fill_until(&mut self, end: u32, emit: &mut impl FnMut(Row)) {
        let mut copies: Vec<(u32, u32, usize, &str)> = Vec::new();
        for (i, area, text) in &self.active {
            let (from, to) = (
                self.below.max(area.start.0),
                area.end.0.min(end.saturating_sub(1)),
            );
            if from > to || end == 0 {
                continue;
            }
            for r in from..=to {
                for col in area.start.1..=area.end.1 {
                    copies.push((r, col, *i, text));
                }
            }
        }
        if copies.is_empty() {
            return;
        }
        copies.sort_unstable_by_key(|&(r, c, i, _)| (r, c, i));
        copies.dedup_by_key(|&mut (r, c, _, _)| (r, c));
        let mut rows: Vec<Row> = Vec::new();
        for (r, col, _, text) in copies {
            let cell = Cell {
                col,
                text: text.to_string(),
                merged: true,
            };
            match rows.last_mut() {
                Some(last) if last.row == r => last.cells.push(cell),
                _ => rows.push(Row {
                    row: r,
                    cells: vec![cell],
                }),
            }
        }
        self.active.retain(|(_, a, _)| a.end.0 >= end);
        for row in rows {
            emit(row);
        }
    }

    /// The rows below the last one read that merged areas still fill.
    fn finish(&mut self, emit: &mut impl FnMut(Row)) {
        let end = self.active.iter().map(|(_, a, _)| a.end.0).max();
        if let Some(end) = end {
            self.fill_until(end.saturating_add(1), emit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, position by position: each area anchored by a cell at its top-left
    /// copies that text into its other empty positions, the first area listed winning.
    fn reference(rows: &[Row], merges: &[Dimensions]) -> Vec<Row> {
        let real = |r: u32, c: u32| {
            rows.iter()
                .find(|x| x.row == r)
                .and_then(|x| x.cells.iter().find(|y| y.col == c))
        };
        let mut cells: std::collections::BTreeMap<(u32, u32), Cell> = rows
            .iter()
            .flat_map(|r| r.cells.iter().map(move |c| ((r.row, c.col), c.clone())))
            .collect();
        let mut copied = std::collections::BTreeSet::new();
        for a in merges {
            let Some(anchor) = real(a.start.0, a.start.1) else {
                continue;
            };
            for r in a.start.0..=a.end.0 {
                for c in a.start.1..=a.end.1 {
                    if (r, c) != a.start && real(r, c).is_none() && copied.insert((r, c)) {
                        let text = anchor.text.clone();
                        cells.insert(
                            (r, c),
                            Cell {
                                col: c,
                                text,
                                merged: true,
                            },
                        );
                    }
                }
            }
        }
        let mut out: Vec<Row> = Vec::new();
        for ((r, _), cell) in cells {
            match out.last_mut() {
                Some(last) if last.row == r => last.cells.push(cell),
                _ => out.push(Row {
                    row: r,
                    cells: vec![cell],
                }),
            }
        }
        out
    }

    fn sheet() -> impl Strategy<Value = (Vec<Row>, Vec<Dimensions>)> {
        let cells = proptest::collection::btree_set((0u32..12, 0u32..6), 0..30);
        let area = (0u32..12, 0u32..6, 0u32..4, 0u32..3)
            .prop_map(|(r, c, h, w)| Dimensions::new((r, c), (r + h, c + w)));
        (cells, proptest::collection::vec(area, 0..6)).prop_map(|(cells, merges)| {
            let mut b = RowBuilder::default();
            for (r, c) in cells {
                b.push_text(r, c, format!("r{r}c{c}"));
            }
            (b.finish(), merges)
        })
    }

    proptest! {
        #[test]
        fn merged_areas_spread_as_defined((rows, merges) in sheet()) {
            let expected = reference(&rows, &merges);
            prop_assert_eq!(spread_merges(rows.clone(), &merges, "s").unwrap(), expected.clone());
            // Streamed cell by cell, the same rows come out.
            let mut stream = RowStream::new(&merges);
            let mut out = Vec::new();
            for r in &rows {
                for c in &r.cells {
                    stream.push((r.row, c.col), c.text.clone(), &mut |x| out.push(x));
                }
            }
            stream.finish(&mut |x| out.push(x));
            prop_assert!(!stream_disordered(&rows));
            prop_assert_eq!(out, expected);
        }
    }

    fn stream_disordered(rows: &[Row]) -> bool {
        rows.windows(2).any(|w| w[0].row >= w[1].row)
    }
}
