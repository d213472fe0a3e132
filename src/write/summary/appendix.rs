//! Appendix A of the summary workbook ([`AppendixSheet`]): the master's activities in the
//! council's layout, written once, whole or an activity at a time ([`AppendixRows`]), on the
//! sheet or as XML by katrack (`src/write/sheet_stream.rs`).

use super::StreamedRows;
use crate::error::Result;
use crate::model::{Fields, Tracker};
use crate::profile::Profile;
use crate::write::sheet_stream::Xfs;
use crate::write::tracker_xlsx::TrackerRows;
use rust_xlsxwriter::Worksheet;

/// Appendix A of a [`SummaryBook`](super::SummaryBook), to be written once.
pub struct AppendixSheet<'a> {
    pub(super) ws: &'a mut Worksheet,
    pub(super) xfs: Option<&'a Xfs>,
    pub(super) rows_out: &'a mut Option<StreamedRows>,
}

impl<'a> AppendixSheet<'a> {
    /// Writes the master's activities, their fields in the order of
    /// [`FIELDS`](crate::model::FIELDS), under the title lines of `t` (whose activities are
    /// not read).
    ///
    /// # Errors
    ///
    /// As [`summary_workbook`](super::summary_workbook).
    pub fn write<'f>(
        self,
        t: &'a Tracker,
        activities: impl IntoIterator<Item = Fields<'f>>,
        profile: &'a Profile,
    ) -> Result<()> {
        let mut rows = self.rows(t, profile);
        for activity in activities {
            rows.row(&activity);
        }
        rows.finish()
    }

    /// [`write`](Self::write) for a caller that has the activities one at a time: the title
    /// lines of `t` and the header now, each activity by [`AppendixRows::row`], the print
    /// settings by [`AppendixRows::finish`]. The sheet is the same.
    pub fn rows(self, t: &'a Tracker, profile: &'a Profile) -> AppendixRows<'a> {
        let started = crate::error::guarded(
            || match self.xfs {
                Some(xfs) => TrackerRows::streamed(self.ws, t, xfs),
                None => TrackerRows::new(self.ws, t),
            },
            crate::write::writer_panic,
        );
        let (rows, result) = match started {
            Ok(rows) => (Some(rows), Ok(())),
            Err(e) => (None, Err(e)),
        };
        AppendixRows {
            ws: self.ws,
            rows_out: self.rows_out,
            t,
            profile,
            rows,
            result,
        }
    }
}

/// Appendix A being written an activity at a time (see [`AppendixSheet::rows`]). After an
/// error the rows that follow are not written, and [`finish`](Self::finish) gives the error.
pub struct AppendixRows<'a> {
    ws: &'a mut Worksheet,
    rows_out: &'a mut Option<StreamedRows>,
    t: &'a Tracker,
    profile: &'a Profile,
    rows: Option<TrackerRows>,
    result: Result<()>,
}

impl AppendixRows<'_> {
    /// Writes one activity, its fields in the order of [`FIELDS`](crate::model::FIELDS).
    pub fn row(&mut self, activity: &Fields) {
        if let (Some(rows), Ok(())) = (&mut self.rows, &self.result) {
            let (ws, profile) = (&mut *self.ws, self.profile);
            let written = crate::error::guarded(
                || rows.write(ws, activity, profile),
                crate::write::writer_panic,
            );
            if let Err(e) = written {
                self.result = Err(e);
            }
        }
    }

    /// Ends the sheet: the first error met, or the print settings' result.
    ///
    /// # Errors
    ///
    /// As [`summary_workbook`](super::summary_workbook).
    pub fn finish(self) -> Result<()> {
        self.result?;
        let (ws, t) = (self.ws, self.t);
        let Some(rows) = self.rows else {
            return Ok(());
        };
        *self.rows_out =
            crate::error::guarded(|| rows.finish_rows(ws, t), crate::write::writer_panic)?;
        Ok(())
    }
}

impl crate::merge::RowSink for AppendixRows<'_> {
    type Out = Result<()>;

    fn row(&mut self, fields: &Fields) {
        AppendixRows::row(self, fields);
    }

    fn finish(self) -> Result<()> {
        AppendixRows::finish(self)
    }
}
