//! The Kafka envelope go-livepeer publishes (`monitor/kafka.go`).

use serde_json::Value;

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
        envelope_json(&self.id, self.family, self.timestamp_ms, &self.gateway, &self.data)
    }
}

/// The JSON text of an envelope as go-livepeer writes it.
/// Keys in sorted order, as Go marshals a map; written directly rather than through a
/// `Value` so the payload is not copied.
pub(crate) fn envelope_json(id: &str, family: &str, timestamp_ms: i64, gateway: &str, data: &Value) -> String {
    format!(
        r#"{{"data":{data},"gateway":{},"id":{},"timestamp":"{timestamp_ms}","type":{}}}"#,
        Value::from(gateway),
        Value::from(id),
        Value::from(family)
    )
}
