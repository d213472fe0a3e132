//! Fuzz target `json_stream`: see [`targets::json_stream`] (shared with the regression tests).
#![no_main]

#[allow(dead_code)] // each target uses one of the shared bodies
#[path = "targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::json_stream(data));
