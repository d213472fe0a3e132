//! katrack's integration tests, built as one test binary: they drive the real `katrack` binary
//! on real files (the shipped samples and fixtures in tests/data) and read its output back.

mod it;
