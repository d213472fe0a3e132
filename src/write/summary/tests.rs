//! Tests of the summary workbook.
