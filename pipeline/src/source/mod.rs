//! Sources of messages: replayed files and in-process producers. Kafka and HTTP push join
//! them here.

pub mod file;
pub mod http;
pub mod kafka;
pub mod kafka_security;
pub mod memory;
