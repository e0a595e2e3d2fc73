//! Fuzz target `import`: see `paja_fuzz::import`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paja_fuzz::import(data));
