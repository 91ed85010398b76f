//! Test load: the reference load-test gateway role. [`runner`] sends a scenario's test jobs
//! to a gateway's AI API and measures each request; [`bundle`] writes and verifies the result
//! bundle; [`mock_gateway`] stands in for a gateway in tests and the demo.
//!
//! Each result is also an event of naap's own family `naap_test_result`, so test-load and
//! organic numbers sit side by side in the lake (silver `test_results`).

pub mod bundle;
pub mod mock_gateway;
pub mod runner;

/// naap's family for test-load results.
pub const TEST_RESULT_FAMILY: &str = "naap_test_result";
