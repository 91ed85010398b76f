//! Integration tests of the ingestion pipeline: real captures, a real Kafka protocol
//! (rdkafka's in-process mock cluster), a failing object store, malformed input.

mod capture;
mod collect;
mod faults;
mod kafka;
mod malformed;
mod push;
mod support;
