//! Benchmarks live in this crate; see docs/performance.md.
