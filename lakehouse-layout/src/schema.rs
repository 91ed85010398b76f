//! Arrow schemas of the datasets' files.
//!
//! Times are `Timestamp(Millisecond, "UTC")`; addresses are lowercase; "not sent" is NULL,
//! never an empty string or zero.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// The timestamp type used by every dataset: milliseconds, UTC.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

fn ts(name: &str, nullable: bool) -> Field {
    Field::new(name, timestamp_type(), nullable)
}

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

/// Columns that say where a message came from (bronze and dead letters).
fn source_fields() -> Vec<Field> {
    vec![
        utf8("source_kind", false),
        utf8("source_name", false),
        Field::new("source_partition", DataType::Int32, false),
        Field::new("source_offset", DataType::Int64, false),
        ts("ingested_at", false),
    ]
}

/// Bronze `events`.
pub static EVENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        utf8("event_id", false),
        utf8("event_type", false),
        utf8("event_subtype", true),
        ts("event_ts", false),
        utf8("envelope_timestamp", false),
        utf8("gateway", false),
        utf8("data", false),
    ];
    fields.extend(source_fields());
    Arc::new(Schema::new(fields))
});

/// `dead_letters`.
pub static DEAD_LETTERS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        utf8("reason", false),
        utf8("detail", false),
        Field::new("raw", DataType::Binary, false),
        Field::new("raw_size", DataType::Int64, false),
        Field::new("raw_truncated", DataType::Boolean, false),
        utf8("event_id", true),
        utf8("event_type", true),
    ];
    fields.extend(source_fields());
    Arc::new(Schema::new(fields))
});

/// Columns every silver table starts with.
fn silver_common() -> Vec<Field> {
    vec![
        utf8("event_id", false),
        ts("event_ts", false),
        ts("envelope_ts", false),
        utf8("gateway", true),
    ]
}

/// Silver `stream_trace`.
pub static STREAM_TRACE: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = silver_common();
    fields.extend([
        utf8("subtype", false),
        utf8("stream_id", true),
        utf8("request_id", true),
        utf8("pipeline_id", true),
        utf8("orchestrator_address", true),
        utf8("orchestrator_url", true),
        utf8("model_id", true),
        utf8("message", true),
    ]);
    Arc::new(Schema::new(fields))
});

/// Silver `ai_stream_status`.
pub static AI_STREAM_STATUS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = silver_common();
    fields.extend([
        utf8("stream_id", true),
        utf8("request_id", true),
        utf8("pipeline_id", true),
        utf8("orchestrator_address", true),
        utf8("orchestrator_url", true),
        utf8("model_id", true),
        utf8("state", true),
        ts("start_time", true),
        ts("last_state_update_time", true),
        Field::new("input_fps", DataType::Float64, true),
        Field::new("output_fps", DataType::Float64, true),
        ts("last_input_time", true),
        ts("last_output_time", true),
        utf8("last_error", true),
        ts("last_error_time", true),
        Field::new("restart_count", DataType::Int64, true),
        ts("last_restart_time", true),
        utf8("last_params_hash", true),
    ]);
    Arc::new(Schema::new(fields))
});

/// Gold `orchestrator_sessions_hourly`.
pub static ORCHESTRATOR_SESSIONS_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        ts("window_start", false),
        utf8("orchestrator_address", true),
        utf8("orchestrator_url", true),
        utf8("model_id", true),
        Field::new("sessions", DataType::Int64, false),
        Field::new("status_samples", DataType::Int64, false),
        Field::new("avg_output_fps", DataType::Float64, true),
    ]))
});

/// A stable fingerprint of a schema: SHA-256 over each field's name, type and nullability.
/// Two files with the same fingerprint can be read as one table.
pub fn fingerprint(schema: &Schema) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for field in schema.fields() {
        hasher.update(field.name().as_bytes());
        hasher.update(b"\x1f");
        hasher.update(field.data_type().to_string().as_bytes());
        hasher.update(if field.is_nullable() {
            "\x1fnull\x1e"
        } else {
            "\x1fnot null\x1e"
        });
    }
    hex::encode(hasher.finalize())
}
