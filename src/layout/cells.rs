//! Where an activity's values were read: a cell per field, kept compact (one is held for every
//! activity of a large merge), and the text as written where cleaning changed it.

use super::SOURCE_FIELDS;
use crate::model::FIELDS;

/// The fields a layout records cells for: the canonical fields, then the source columns of
/// katrack's own CSV.
const NAMES: [&str; FIELDS.len() + SOURCE_FIELDS.len()] = {
    let mut names = [""; FIELDS.len() + SOURCE_FIELDS.len()];
    let mut i = 0;
    while i < FIELDS.len() {
        names[i] = FIELDS[i];
        i += 1;
    }
    while i < names.len() {
        names[i] = SOURCE_FIELDS[i - FIELDS.len()];
        i += 1;
    }
    names
};

/// No cell recorded.
const NONE: (u32, u32) = (u32::MAX, u32::MAX);

/// Field → the (0-based row, 0-based column) it was read from, and the text as written where
/// it is not the activity's value word for word. Without a map or a string per field, so that
/// an activity's cells cost no allocation unless cleaning changed a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCells {
    at: [(u32, u32); NAMES.len()],
    /// (field's place in `NAMES`, the text as written), by place; never an empty text.
    written: Vec<(u8, String)>,
}

impl Default for FieldCells {
    fn default() -> Self {
        FieldCells {
            at: [NONE; NAMES.len()],
            written: Vec::new(),
        }
    }
}

/// A field's place in [`NAMES`].
fn place(field: &str) -> Option<usize> {
    NAMES.iter().position(|n| *n == field)
}

impl FieldCells {
    /// The (row, column) `field` was read from.
    pub fn get(&self, field: &str) -> Option<(u32, u32)> {
        Some(self.at[place(field)?]).filter(|at| *at != NONE)
    }

    /// Records that `field` was read from (`row`, `col`), forgetting any text as written.
    ///
    /// # Panics
    /// If `field` is neither a canonical field nor a source column (a layout bug).
    pub fn insert(&mut self, field: &str, row: u32, col: u32) {
        let i = place(field).expect("a canonical field or source column");
        self.at[i] = (row, col);
        if let Ok(k) = self.slot(i) {
            self.written.remove(k);
        }
    }

    /// Where field `i`'s text as written is in `written` (`Err`: where it would go).
    fn slot(&self, i: usize) -> Result<usize, usize> {
        self.written
            .binary_search_by_key(&i, |(p, _)| usize::from(*p))
    }

    /// The text as written in `field`'s cell, when it is not the activity's value as it stands.
    pub fn written(&self, field: &str) -> Option<&str> {
        let k = self.slot(place(field)?).ok()?;
        Some(&self.written[k].1)
    }

    /// Keeps `text` as what `field`'s cell held, unless the field has no cell, a text as
    /// written is kept already, or `text` is empty. Whether it was kept.
    pub fn keep_written(&mut self, field: &str, text: impl Into<String>) -> bool {
        match place(field).filter(|i| self.at[*i] != NONE) {
            Some(i) => self.keep_at(i, text.into()),
            None => false,
        }
    }

    /// [`keep_written`](Self::keep_written) for the field at `i`, which has a cell.
    fn keep_at(&mut self, i: usize, text: String) -> bool {
        let Err(at) = self.slot(i) else { return false };
        if text.is_empty() {
            return false;
        }
        self.written
            .insert(at, (u8::try_from(i).expect("few fields"), text));
        true
    }

    /// Offers each field that has a cell and no text as written to `written`, keeping the text
    /// it gives.
    pub fn fill_written(
        &mut self,
        mut written: impl FnMut(&'static str, (u32, u32)) -> Option<String>,
    ) {
        for (i, name) in NAMES.iter().enumerate() {
            if self.at[i] == NONE || self.slot(i).is_ok() {
                continue;
            }
            if let Some(text) = written(name, self.at[i]) {
                self.keep_at(i, text);
            }
        }
    }

    /// The fields with a cell, with it, in [`FIELDS`] order (then the source columns).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, (u32, u32))> + '_ {
        NAMES
            .iter()
            .zip(&self.at)
            .filter(|(_, at)| **at != NONE)
            .map(|(n, at)| (*n, *at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_is_kept_per_field_and_the_text_as_written_once() {
        let mut c = FieldCells::default();
        assert_eq!(c.get("progress"), None);
        assert!(
            !c.keep_written("progress", "no cell yet"),
            "no cell, no text"
        );
        c.insert("progress", 4, 3);
        c.insert("id", 4, 0);
        c.insert("source_row", 4, 12);
        assert_eq!(c.get("progress"), Some((4, 3)));
        assert_eq!(c.get("source_row"), Some((4, 12)));
        assert_eq!(c.get("not a field"), None);
        assert!(
            !c.keep_written("progress", ""),
            "an empty text is the value"
        );
        assert!(c.keep_written("progress", "  as written"));
        assert!(!c.keep_written("progress", "later"), "the first text stays");
        assert!(c.keep_written("id", "ka 1.1"));
        assert_eq!(c.written("progress"), Some("  as written"));
        assert_eq!(c.written("id"), Some("ka 1.1"));
        assert_eq!(c.written("title"), None);
        let fields: Vec<&str> = c.iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["id", "progress", "source_row"]);
        // Read again from another cell: the text as written there is not known.
        c.insert("progress", 5, 3);
        assert_eq!(c.get("progress"), Some((5, 3)));
        assert_eq!(c.written("progress"), None);
        assert_eq!(c.written("id"), Some("ka 1.1"));
    }

    #[test]
    fn equal_whatever_order_the_texts_were_kept_in() {
        let mut a = FieldCells::default();
        let mut b = FieldCells::default();
        for c in [&mut a, &mut b] {
            c.insert("title", 1, 1);
            c.insert("lead", 1, 5);
        }
        a.keep_written("title", "T");
        a.keep_written("lead", "L");
        b.keep_written("lead", "L");
        b.keep_written("title", "T");
        assert_eq!(a, b);
    }
}
