//! Fuzz target `journal`: see `paja_fuzz::load_journal`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paja_fuzz::load_journal(data));
