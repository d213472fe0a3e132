//! Samples: the shipped sample files, generated reproducibly from the seed report.
