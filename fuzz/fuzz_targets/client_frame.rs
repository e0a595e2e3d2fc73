//! Fuzz target `client_frame`: see `paja_fuzz::client_frames`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paja_fuzz::client_frames(data));
