//! Fuzzes message decoding: any bytes must give a bronze row or a dead letter, never a panic.
//!
//! `cargo install cargo-fuzz && cd pipeline && cargo +nightly fuzz run decode`
//! (cargo-fuzz needs a nightly toolchain; on stable, `RUSTC_BOOTSTRAP=1 cargo fuzz run decode`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use pipeline::{IngestOptions, SourcePosition, decode_message};

fuzz_target!(|data: &[u8]| {
    let position = SourcePosition { offset: 0, ingested_at: 0 };
    let options = IngestOptions { max_message_bytes: 64 * 1024, dead_letter_raw_cap: 1024, ..IngestOptions::default() };
    match decode_message(data, position, &options) {
        Ok((bronze, _silver)) => assert!(!bronze.event_id().is_empty()),
        Err(dead) => assert!(!dead.detail().is_empty()),
    }
});
