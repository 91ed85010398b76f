//! Fuzzes message decoding: any bytes must give a bronze row that keeps them, and a dead letter
//! unless accepted whole, never a panic.
//!
//! `cargo install cargo-fuzz && cd pipeline && cargo +nightly fuzz run decode`
//! (cargo-fuzz needs a nightly toolchain; on stable, `RUSTC_BOOTSTRAP=1 cargo fuzz run decode`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use pipeline::{IngestOptions, SourcePosition, decode_message};

fuzz_target!(|data: &[u8]| {
    let position = SourcePosition { offset: 0, ingested_at: 0 };
    let options = IngestOptions { max_message_bytes: 64 * 1024, ..IngestOptions::default() };
    let decoded = decode_message(data, position, &options);
    if decoded.bronze.accepted() {
        assert!(decoded.bronze.event_id().is_some_and(|id| !id.is_empty()));
    } else {
        assert!(decoded.dead_letter.as_ref().is_some_and(|dead| !dead.detail().is_empty()));
    }
});
