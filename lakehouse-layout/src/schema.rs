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
        // The org the source's configuration names (pipeline's source identity); NULL when
        // none is configured, and in files written before bronze kept it.
        utf8("org", true),
    ]
}

/// Bronze `events`: every message received, as received. The envelope's fields are set
/// where they parse (NULL otherwise); `raw` holds the message's bytes, whole up to the ingest
/// limit (`raw_size` is the true size, `raw_sha256` the hash of the whole message when `raw`
/// is cut); `dead_letter_reason` says why the message (or part of it) is also a dead letter.
/// Kafka records keep their key, headers and timestamp. Files written before naap recorded
/// these have NULL `raw` and `accepted` (every such row was accepted whole).
pub static EVENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        utf8("event_id", true),
        utf8("event_type", true),
        utf8("event_subtype", true),
        ts("event_ts", true),
        utf8("envelope_timestamp", true),
        utf8("gateway", true),
        utf8("data", true),
        Field::new("accepted", DataType::Boolean, true),
        utf8("dead_letter_reason", true),
        Field::new("raw", DataType::Binary, true),
        Field::new("raw_size", DataType::Int64, true),
        utf8("raw_sha256", true),
        Field::new("kafka_key", DataType::Binary, true),
        Field::new("kafka_headers", kafka_headers_type(), true),
        ts("kafka_timestamp", true),
    ];
    fields.extend(source_fields());
    Arc::new(Schema::new(fields))
});

/// A Kafka record's headers, in order: `[{key, value}]` (a header may have no value).
pub fn kafka_headers_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(
            vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("value", DataType::Binary, true),
            ]
            .into(),
        ),
        false,
    )))
}

/// `dead_letters`: why a message (or an entry of it) was rejected, pointing to its bronze
/// row (`bronze_partition` and the source position). Files written before bronze kept every
/// message carry a capped copy of the bytes in `raw` instead.
pub static DEAD_LETTERS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        utf8("reason", false),
        utf8("detail", false),
        Field::new("raw_size", DataType::Int64, false),
        utf8("event_id", true),
        utf8("event_type", true),
        utf8("bronze_partition", true),
        Field::new("decoder_version", DataType::Int32, true),
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
        // NULL in files written before decoder versions were recorded.
        Field::new("decoder_version", DataType::Int32, true),
        // The source's org (`pipeline::identity`); NULL when not configured.
        utf8("org", true),
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

/// The column kinds of silver tables, so that each table reads as a list of columns.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// UTF-8 text.
    S,
    /// Timestamp, ms, UTC.
    T,
    /// 64-bit integer.
    I,
    /// 64-bit float.
    F,
    /// Boolean.
    B,
    /// Exact integer amount (wei): Decimal128(38, 0).
    D0,
    /// Exact amount with 10 decimal places (expected values in wei): Decimal128(38, 10).
    D10,
}

/// Precision and scale of exact wei amounts.
pub const WEI_PRECISION: u8 = 38;
/// Scale of expected values (win probabilities carry 10 decimal places).
pub const EV_SCALE: i8 = 10;

fn silver_table(columns: &[(&str, Kind)]) -> SchemaRef {
    let mut fields = silver_common();
    fields.extend(columns.iter().map(|(name, kind)| {
        let data_type = match kind {
            Kind::S => DataType::Utf8,
            Kind::T => timestamp_type(),
            Kind::I => DataType::Int64,
            Kind::F => DataType::Float64,
            Kind::B => DataType::Boolean,
            Kind::D0 => DataType::Decimal128(WEI_PRECISION, 0),
            Kind::D10 => DataType::Decimal128(WEI_PRECISION, EV_SCALE),
        };
        Field::new(*name, data_type, true)
    }));
    Arc::new(Schema::new(fields))
}

use Kind::{B, D0, D10, F, I, S, T};

/// Silver `ai_stream_events`.
pub static AI_STREAM_EVENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("subtype", S),
        ("origin", S),
        ("stream_id", S),
        ("request_id", S),
        ("pipeline_id", S),
        ("orchestrator_address", S),
        ("orchestrator_url", S),
        ("model_id", S),
        ("capability", S),
        ("message", S),
        ("error_time", T),
        ("restart_count", I),
        ("restart_time", T),
        ("restart_logs", S),
        ("params", S),
    ])
});

/// Silver `stream_ingest_metrics`.
pub static STREAM_INGEST_METRICS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("stream_id", S),
        ("request_id", S),
        ("pipeline_id", S),
        ("conn_quality", S),
        ("peer_conn_id", S),
        ("bytes_received", I),
        ("bytes_sent", I),
        ("track_index", I),
        ("track_type", S),
        ("jitter_ms", F),
        ("packets_lost", I),
        ("packets_received", I),
        ("packet_loss_pct", F),
        ("rtt_ms", F),
        ("last_input_ts_s", F),
        ("last_output_ts_s", F),
        ("latency_s", F),
        ("warnings", S),
    ])
});

/// Silver `discovery_results`.
pub static DISCOVERY_RESULTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("rank", I),
        ("orchestrator_address", S),
        ("orchestrator_url", S),
        ("latency_ms", F),
    ])
});

/// Columns naming an orchestrator in a capabilities report.
const CAPABILITY_KEYS: [(&str, Kind); 4] = [
    ("report_index", I),
    ("orchestrator_address", S),
    ("local_address", S),
    ("orchestrator_url", S),
];

fn capability_table(extra: &[(&str, Kind)]) -> SchemaRef {
    let mut columns = CAPABILITY_KEYS.to_vec();
    columns.extend_from_slice(extra);
    silver_table(&columns)
}

/// Silver `capability_orchestrators`.
pub static CAPABILITY_ORCHESTRATORS: LazyLock<SchemaRef> = LazyLock::new(|| {
    capability_table(&[
        ("version", S),
        ("min_version", S),
        ("capability_ids", S),
        ("mandatory_ids", S),
        ("price_per_unit", D0),
        ("pixels_per_unit", D0),
        ("models", I),
        ("gpus", I),
    ])
});

/// Silver `capability_models`.
pub static CAPABILITY_MODELS: LazyLock<SchemaRef> = LazyLock::new(|| {
    capability_table(&[
        ("capability_id", I),
        ("capability_name", S),
        ("model_id", S),
        ("warm", B),
        ("capacity", I),
        ("capacity_in_use", I),
        ("runner_version", S),
    ])
});

/// Silver `capability_prices`.
pub static CAPABILITY_PRICES: LazyLock<SchemaRef> = LazyLock::new(|| {
    capability_table(&[
        ("capability_id", I),
        ("capability_name", S),
        ("constraint", S),
        ("price_per_unit", D0),
        ("pixels_per_unit", D0),
        ("price_wei_per_unit", F),
    ])
});

/// Silver `capability_gpus`.
pub static CAPABILITY_GPUS: LazyLock<SchemaRef> = LazyLock::new(|| {
    capability_table(&[
        ("pipeline", S),
        ("model_id", S),
        ("gpu_index", S),
        ("gpu_id", S),
        ("gpu_name", S),
        ("cuda_major", I),
        ("cuda_minor", I),
        ("memory_free_bytes", I),
        ("memory_total_bytes", I),
    ])
});

/// Silver `payments`.
pub static PAYMENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("capability", S),
        ("client_ip", S),
        ("request_id", S),
        ("manifest_id", S),
        ("session_id", S),
        ("recipient", S),
        ("sender", S),
        ("orchestrator_url", S),
        ("face_value_text", S),
        ("face_value_wei", D0),
        ("win_prob", F),
        ("win_prob_text", S),
        ("expected_value_wei", D10),
        ("num_tickets", I),
        ("total_expected_value_wei", D10),
        ("price_wei_per_pixel", F),
    ])
});

/// Silver `signed_tickets`.
pub static SIGNED_TICKETS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("app", S),
        ("auth_id", S),
        ("billable_secs", F),
        ("pixels", I),
        ("computed_fee_wei", D0),
        ("session_balance_wei", D0),
        ("cost", F),
        ("current_time", T),
        ("previous_time", T),
        ("manifest_id", S),
        ("request_id", S),
        ("session_id", S),
        ("pm_session_id", S),
        ("num_tickets", I),
        ("sequence_number", I),
        ("orchestrator_address", S),
        ("orchestrator_url", S),
        ("pipeline", S),
        ("session_status", S),
    ])
});

/// Silver `ai_batch_requests`.
pub static AI_BATCH_REQUESTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("subtype", S),
        ("request_id", S),
        ("pipeline", S),
        ("model_id", S),
        ("client_ip", S),
        ("orchestrator_url", S),
        ("success", B),
        ("tries", I),
        ("duration_ms", F),
        ("latency_score", F),
        ("price_per_unit", F),
        ("error_type", S),
        ("error", S),
    ])
});

/// Silver `llm_requests`.
pub static LLM_REQUESTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("subtype", S),
        ("request_id", S),
        ("model", S),
        ("streaming", B),
        ("max_tokens", I),
        ("message_count", I),
        ("temperature", F),
        ("orchestrator_url", S),
        ("completion_id", S),
        ("prompt_tokens", I),
        ("completion_tokens", I),
        ("total_tokens", I),
        ("token_utilization", F),
        ("finish_reason", S),
        ("total_duration_ms", F),
        ("tokens_per_second", F),
        ("ttft_ms", F),
        ("latency_score", F),
        ("price_per_unit", F),
        ("client_ip", S),
        ("error", S),
    ])
});

/// Silver `test_results` (naap family `naap_test_result`).
pub static TEST_RESULTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("run_id", S),
        ("sequence", I),
        ("scenario", S),
        ("probe_region", S),
        ("target", S),
        ("pipeline", S),
        ("model_id", S),
        ("started_at_ms", I),
        ("latency_ms", F),
        ("success", B),
        ("http_status", I),
        ("error_class", S),
        ("error", S),
        ("naap_version", S),
    ])
});

/// Silver `byoc_job_events`.
pub static BYOC_JOB_EVENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("family", S),
        ("subtype", S),
        ("dedup_key", S),
        ("request_id", S),
        ("stream_id", S),
        ("capability", S),
        ("model", S),
        ("success", B),
        ("error", S),
        ("duration_ms", F),
        ("http_status", I),
        ("streaming", B),
        ("orchestrator_address", S),
        ("orchestrator_url", S),
        ("worker_url", S),
        ("price_per_unit", F),
        ("charged_compute", F),
        ("sender", S),
        ("balance_wei", F),
        ("diff_wei", F),
        ("available_capacity", I),
        ("selected", I),
    ])
});

/// Gold `orchestrator_sessions_hourly`.
pub static ORCHESTRATOR_SESSIONS_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        ts("window_start", false),
        utf8("orchestrator_address", true),
        utf8("orchestrator_url", true),
        utf8("model_id", true),
        utf8("org", true),
        utf8("traffic_class", true),
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

/// Silver `orchestrator_registry` (naap family `naap_orchestrator_registry`, collected from a
/// gateway's `/registeredOrchestrators`). Stake is in LPT base units (1e-18 LPT), exact;
/// reward cut and fee share are parts per million.
pub static ORCHESTRATOR_REGISTRY: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("orchestrator_address", S),
        ("service_uri", S),
        ("active", B),
        ("status", S),
        ("delegated_stake", D0),
        ("reward_cut_ppm", I),
        ("fee_share_ppm", I),
        ("last_reward_round", I),
        ("activation_round", I),
        ("deactivation_round", I),
        ("last_active_stake_update_round", I),
        ("price_per_pixel", S),
        ("price_wei_per_pixel", F),
    ])
});

/// Silver `node_metrics` (naap family `naap_metrics_scrape`): one row per sample line of a
/// Prometheus page of a go-livepeer node.
pub static NODE_METRICS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("target", S),
        ("node_id", S),
        ("node_type", S),
        ("metric_family", S),
        ("metric_type", S),
        ("metric", S),
        ("labels", S),
        ("value", F),
        ("pipeline", S),
        ("model_name", S),
        ("orchestrator_uri", S),
        ("error_code", S),
        ("sender", S),
        ("sample_ts", T),
    ])
});

/// Silver `collector_polls` (naap family `naap_collector_poll`): one row per poll of a
/// collector target, successful or not.
pub static COLLECTOR_POLLS: LazyLock<SchemaRef> = LazyLock::new(|| {
    silver_table(&[
        ("target", S),
        ("endpoint", S),
        ("url", S),
        ("outcome", S),
        ("http_status", I),
        ("latency_ms", F),
        ("response_bytes", I),
        ("items", I),
        ("error", S),
        ("consecutive_failures", I),
    ])
});
