//! naap benchmarks live in the bench targets of this crate (`ingest.rs`, …); results are in `docs/performance.md`.
