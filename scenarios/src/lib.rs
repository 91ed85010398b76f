//! # scenarios
//!
//! A faithful network simulator with ground truth. A scenario file (TOML, [`spec`]) describes
//! a network (orchestrators, gateways), its workload and its behaviour; [`simulate`] turns it
//! and a seed into go-livepeer's Kafka envelopes, in delivery order, plus the
//! [`GroundTruth`]: the true behaviour of every orchestrator and the exact counts naap must
//! report. Same scenario and seed, same bytes.
//!
//! [`demo::DemoNetwork`] is the earlier fixed generator the ingest benchmarks and pipeline
//! tests still use.

pub mod demo;
mod envelope;
mod error;
pub mod library;
pub mod network;
pub mod nodes;
pub mod output;
mod random;
pub mod simulate;
pub mod spec;
pub mod testload;
pub mod truth;

pub use envelope::Envelope;
pub use error::ScenarioError;
pub use simulate::{SimulateOptions, simulate, simulate_to_vec};
pub use spec::Scenario;
pub use truth::GroundTruth;
