//! Arrow schemas of the gold datasets (rollup outputs). The first column is always the
//! window start, which decides the hourly (or daily) partition of a row.
//!
//! Columns marked required never hold NULL; every measure that can lack data is nullable,
//! because "no data" is NULL, never 0.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::schema::timestamp_type;

#[derive(Debug, Clone, Copy)]
enum Type {
    Text,
    Time,
    Int,
    Float,
    Bool,
}

fn table(columns: &[(&str, Type, bool)]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, kind, required)| {
                let data_type = match kind {
                    Type::Text => DataType::Utf8,
                    Type::Time => timestamp_type(),
                    Type::Int => DataType::Int64,
                    Type::Float => DataType::Float64,
                    Type::Bool => DataType::Boolean,
                };
                Field::new(*name, data_type, !required)
            })
            .collect::<Vec<_>>(),
    ))
}

const REQUIRED: bool = true;
const NULLABLE: bool = false;
use Type::{Bool, Float, Int, Text, Time};

/// Gold `sessions`: one row per live-stream session, in the hour it started.
pub static SESSIONS: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("session_id", Text, REQUIRED),
        ("stream_id", Text, NULLABLE),
        ("request_id", Text, NULLABLE),
        ("gateway", Text, NULLABLE),
        ("region", Text, NULLABLE),
        ("orchestrator_address", Text, NULLABLE),
        ("orchestrator_signer", Text, NULLABLE),
        ("orchestrator_url", Text, NULLABLE),
        ("attribution", Text, REQUIRED),
        ("pipeline", Text, REQUIRED),
        ("model_id", Text, NULLABLE),
        ("gpu_name", Text, NULLABLE),
        ("started_at", Time, REQUIRED),
        ("ended_at", Time, REQUIRED),
        ("requested", Bool, REQUIRED),
        ("startup_outcome", Text, REQUIRED),
        ("excusal_reason", Text, NULLABLE),
        ("no_orchestrator", Bool, REQUIRED),
        ("swap_count", Int, REQUIRED),
        ("restart_count", Int, REQUIRED),
        ("error_count", Int, REQUIRED),
        ("loading_only", Bool, REQUIRED),
        ("zero_output_fps", Bool, REQUIRED),
        ("startup_latency_ms", Int, NULLABLE),
        ("e2e_latency_ms", Int, NULLABLE),
        ("prompt_to_first_frame_ms", Int, NULLABLE),
        ("status_samples", Int, REQUIRED),
        ("online_samples", Int, REQUIRED),
        ("degraded_samples", Int, REQUIRED),
        ("loading_samples", Int, REQUIRED),
        ("error_samples", Int, REQUIRED),
        ("fps_samples", Int, REQUIRED),
        ("output_fps_sum", Float, NULLABLE),
        ("avg_output_fps", Float, NULLABLE),
        ("p50_output_fps", Float, NULLABLE),
        ("fps_jitter", Float, NULLABLE),
        ("duration_s", Float, REQUIRED),
        ("health_signals", Int, REQUIRED),
        ("health_expected", Int, REQUIRED),
    ])
});

/// Gold `sla_hourly`: live-video service level per hour × orchestrator × pipeline × model ×
/// GPU × gateway × region, with additive support counts and three scores.
pub static SLA_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut columns = vec![
        ("window_start", Time, REQUIRED),
        ("orchestrator_address", Text, NULLABLE),
        ("orchestrator_url", Text, NULLABLE),
        ("pipeline", Text, REQUIRED),
        ("model_id", Text, NULLABLE),
        ("gpu_name", Text, NULLABLE),
        ("gateway", Text, NULLABLE),
        ("region", Text, NULLABLE),
    ];
    for count in [
        "requested_sessions",
        "startup_success_sessions",
        "startup_excused_sessions",
        "startup_failed_sessions",
        "no_orchestrator_sessions",
        "swapped_sessions",
        "loading_only_sessions",
        "zero_fps_sessions",
        "output_failed_sessions",
        "effective_failed_sessions",
        "good_sessions",
        "health_signals",
        "health_expected",
        "status_samples",
    ] {
        columns.push((count, Int, REQUIRED));
    }
    columns.push(("output_fps_sum", Float, NULLABLE));
    for (sum, count) in [
        ("startup_latency_ms_sum", "startup_latency_count"),
        ("e2e_latency_ms_sum", "e2e_latency_count"),
        ("ptff_ms_sum", "ptff_count"),
    ] {
        columns.push((sum, Int, NULLABLE));
        columns.push((count, Int, REQUIRED));
    }
    for measure in [
        "session_minutes",
        "startup_success_rate",
        "no_swap_rate",
        "output_viability_rate",
        "effective_success_rate",
        "excused_failure_rate",
        "health_signal_coverage",
        "reliability",
        "quality_score",
        "sla_score_v1",
        "explorer_ai_score",
        "naap_score",
    ] {
        columns.push((measure, Float, NULLABLE));
    }
    columns.push(("naap_score_sessions", Int, REQUIRED));
    columns.push(("good_rate_low", Float, NULLABLE));
    columns.push(("good_rate_high", Float, NULLABLE));
    table(&columns)
});
