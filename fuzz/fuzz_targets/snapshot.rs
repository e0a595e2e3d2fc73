//! Fuzz target `snapshot`: see `paja_fuzz::snapshot`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paja_fuzz::snapshot(data));
