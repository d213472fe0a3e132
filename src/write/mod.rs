//! Writing: the canonical tracker as JSON, CSV and a formatted tracker workbook, always through a
//! temporary file renamed into place so a failed write leaves nothing half-written.
