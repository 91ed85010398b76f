//! The Kafka envelope go-livepeer publishes (`monitor/kafka.go`).

use serde_json::{Value, json};

/// One event as go-livepeer writes it to Kafka.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// Random UUIDv4 assigned at enqueue.
    pub id: String,
    /// Event family.
    pub family: &'static str,
    /// Gateway wall clock at enqueue, ms since the epoch (sent as a **string**).
    pub timestamp_ms: i64,
    /// `-gatewayHost`, or empty.
    pub gateway: String,
    /// The payload (object or array).
    pub data: Value,
}

impl Envelope {
    /// The JSON text of the envelope, exactly as go-livepeer encodes it: the timestamp is a
    /// decimal string and keys are sorted (Go marshals maps that way).
    pub fn to_json(&self) -> String {
        json!({
            "id": self.id,
            "type": self.family,
            "timestamp": self.timestamp_ms.to_string(),
            "gateway": self.gateway,
            "data": self.data,
        })
        .to_string()
    }
}
