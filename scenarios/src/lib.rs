//! # scenarios
//!
//! Seeded generators of go-livepeer-shaped events. Same configuration and seed, same
//! events, byte for byte.
//!
//! Today this crate holds the small built-in generator that feeds `naap demo`
//! ([`demo::DemoNetwork`]); the full network simulator with ground truth builds on it.

pub mod demo;
mod envelope;

pub use envelope::Envelope;
