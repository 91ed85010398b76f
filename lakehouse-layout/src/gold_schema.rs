//! Arrow schemas of the gold datasets (rollup outputs). The first column is always the
//! window start, which decides the hourly (or daily) partition of a row.
//!
//! Columns marked required never hold NULL; every measure that can lack data is nullable,
//! because "no data" is NULL, never 0.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::schema::{EV_SCALE, WEI_PRECISION, timestamp_type};

#[derive(Debug, Clone, Copy)]
enum Type {
    Text,
    Time,
    Int,
    Float,
    Bool,
    /// An exact wei amount (Decimal128(38, 0)).
    Wei,
    /// A wei amount with a fraction, e.g. an expected value (Decimal128(38, 10)).
    WeiFraction,
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
                    Type::Wei => DataType::Decimal128(WEI_PRECISION, 0),
                    Type::WeiFraction => DataType::Decimal128(WEI_PRECISION, EV_SCALE),
                };
                Field::new(*name, data_type, !required)
            })
            .collect::<Vec<_>>(),
    ))
}

const REQUIRED: bool = true;
const NULLABLE: bool = false;
use Type::{Bool, Float, Int, Text, Time, Wei, WeiFraction};

/// Gold `sessions`: one row per live-stream session, in the hour it started.
pub static SESSIONS: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("session_id", Text, REQUIRED),
        ("stream_id", Text, NULLABLE),
        ("request_id", Text, NULLABLE),
        ("gateway", Text, NULLABLE),
        ("org", Text, NULLABLE),
        // Nullable only so that sessions written before traffic classes still read (as organic).
        ("traffic_class", Text, NULLABLE),
        ("probe_rule", Text, NULLABLE),
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
        // Nullable only so that sessions written before payments were linked still read.
        ("payments", Int, NULLABLE),
        ("tickets", Int, NULLABLE),
        ("expected_value_wei", WeiFraction, NULLABLE),
        ("payment_link", Text, NULLABLE),
        ("payment_session_id", Text, NULLABLE),
        ("signer_payments", Int, NULLABLE),
        ("signer_fee_wei", Wei, NULLABLE),
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
        ("org", Text, NULLABLE),
        // Nullable only so that rows written before traffic classes still read (as organic).
        ("traffic_class", Text, NULLABLE),
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

/// Gold `jobs`: one row per AI batch, LLM or BYOC request.
pub static JOBS: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("job_id", Text, REQUIRED),
        ("kind", Text, REQUIRED),
        ("request_id", Text, REQUIRED),
        ("gateway", Text, NULLABLE),
        ("region", Text, NULLABLE),
        ("org", Text, NULLABLE),
        ("traffic_class", Text, NULLABLE),
        ("probe_rule", Text, NULLABLE),
        ("orchestrator_address", Text, NULLABLE),
        ("orchestrator_url", Text, NULLABLE),
        ("pipeline", Text, REQUIRED),
        ("model_id", Text, NULLABLE),
        ("started_at", Time, REQUIRED),
        ("completed_at", Time, NULLABLE),
        ("completed", Bool, REQUIRED),
        ("success", Bool, NULLABLE),
        ("tries", Int, NULLABLE),
        ("duration_ms", Float, NULLABLE),
        ("error_class", Text, NULLABLE),
        ("error", Text, NULLABLE),
        ("http_status", Int, NULLABLE),
        ("prompt_tokens", Int, NULLABLE),
        ("completion_tokens", Int, NULLABLE),
        ("total_tokens", Int, NULLABLE),
        ("tokens_per_second", Float, NULLABLE),
        ("ttft_ms", Float, NULLABLE),
        ("price_per_unit", Float, NULLABLE),
        ("worker_url", Text, NULLABLE),
        ("charged_compute", Float, NULLABLE),
        ("compute_fee_wei", Wei, NULLABLE),
    ])
});

/// Gold `jobs_hourly`: jobs per hour × kind × pipeline × model × orchestrator × gateway.
pub static JOBS_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("kind", Text, REQUIRED),
        ("pipeline", Text, REQUIRED),
        ("model_id", Text, NULLABLE),
        ("orchestrator_url", Text, NULLABLE),
        ("gateway", Text, NULLABLE),
        ("region", Text, NULLABLE),
        ("org", Text, NULLABLE),
        ("traffic_class", Text, NULLABLE),
        ("jobs", Int, REQUIRED),
        ("completed_jobs", Int, REQUIRED),
        ("successful_jobs", Int, REQUIRED),
        ("failed_jobs", Int, REQUIRED),
        ("no_orchestrator_jobs", Int, REQUIRED),
        ("timeout_jobs", Int, REQUIRED),
        ("tries_sum", Int, NULLABLE),
        ("duration_ms_sum", Float, NULLABLE),
        ("duration_count", Int, REQUIRED),
        ("prompt_tokens", Int, NULLABLE),
        ("completion_tokens", Int, NULLABLE),
        ("total_tokens", Int, NULLABLE),
        ("tokens_per_second_sum", Float, NULLABLE),
        ("tokens_per_second_count", Int, REQUIRED),
        ("ttft_ms_sum", Float, NULLABLE),
        ("ttft_count", Int, REQUIRED),
        ("success_rate", Float, NULLABLE),
        ("avg_duration_ms", Float, NULLABLE),
        ("avg_tokens_per_second", Float, NULLABLE),
        ("avg_ttft_ms", Float, NULLABLE),
        ("charged_compute", Float, NULLABLE),
        ("compute_fee_wei", Wei, NULLABLE),
    ])
});

/// Gold `demand_hourly`: sessions and jobs asked for, per hour × gateway × pipeline × model ×
/// org × traffic class.
pub static DEMAND_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("gateway", Text, NULLABLE),
        ("region", Text, NULLABLE),
        ("pipeline", Text, REQUIRED),
        ("model_id", Text, NULLABLE),
        ("org", Text, NULLABLE),
        ("traffic_class", Text, NULLABLE),
        ("sessions_requested", Int, REQUIRED),
        ("sessions_served", Int, REQUIRED),
        ("sessions_unserved", Int, REQUIRED),
        ("live_minutes", Float, NULLABLE),
        ("jobs", Int, REQUIRED),
        ("jobs_served", Int, REQUIRED),
        ("jobs_unserved", Int, REQUIRED),
        ("total_tokens", Int, NULLABLE),
        ("distinct_clients", Int, NULLABLE),
    ])
});

/// Gold `payments_hourly`: tickets and their value per hour × gateway × sender × recipient.
pub static PAYMENTS_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("gateway", Text, NULLABLE),
        ("sender", Text, NULLABLE),
        ("orchestrator_address", Text, NULLABLE),
        ("orchestrator_url", Text, NULLABLE),
        ("pipeline", Text, REQUIRED),
        ("org", Text, NULLABLE),
        ("payments", Int, REQUIRED),
        ("tickets", Int, NULLABLE),
        ("face_value_wei", Wei, NULLABLE),
        ("expected_value_wei", WeiFraction, NULLABLE),
        ("avg_win_prob", Float, NULLABLE),
        ("avg_price_wei_per_pixel", Float, NULLABLE),
        ("signer_payments", Int, NULLABLE),
        ("signer_fee_wei", Wei, NULLABLE),
        ("live_minutes", Float, NULLABLE),
        ("expected_value_wei_per_live_minute", Float, NULLABLE),
    ])
});

/// Gold `prices`: advertised prices per hour × orchestrator × capability × constraint.
pub static PRICES: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("orchestrator_address", Text, REQUIRED),
        ("orchestrator_url", Text, NULLABLE),
        ("capability_id", Int, NULLABLE),
        ("capability_name", Text, NULLABLE),
        ("constraint", Text, NULLABLE),
        ("price_per_unit", Wei, NULLABLE),
        ("pixels_per_unit", Wei, NULLABLE),
        ("price_wei_per_unit", Float, NULLABLE),
        ("min_price_wei_per_unit", Float, NULLABLE),
        ("max_price_wei_per_unit", Float, NULLABLE),
        ("quotes", Int, REQUIRED),
        ("last_seen", Time, REQUIRED),
    ])
});

/// Gold `gpu_inventory`: GPU supply per hour × orchestrator × pipeline × model × GPU model.
pub static GPU_INVENTORY: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("orchestrator_address", Text, REQUIRED),
        ("orchestrator_url", Text, NULLABLE),
        ("pipeline", Text, NULLABLE),
        ("model_id", Text, NULLABLE),
        ("gpu_name", Text, NULLABLE),
        ("memory_total_bytes", Int, NULLABLE),
        ("physical_gpus", Int, REQUIRED),
        ("gpu_ids_seen", Int, REQUIRED),
        ("warm", Bool, NULLABLE),
        ("capacity", Int, NULLABLE),
        ("capacity_in_use", Int, NULLABLE),
        ("runner_version", Text, NULLABLE),
        ("last_seen", Time, REQUIRED),
    ])
});

/// Gold `network_baselines_daily`: the network's percentiles per day × pipeline × model.
pub static NETWORK_BASELINES_DAILY: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut columns = vec![
        ("window_start", Time, REQUIRED),
        ("pipeline", Text, REQUIRED),
        ("model_id", Text, NULLABLE),
        ("requested_sessions", Int, REQUIRED),
        ("startup_success_rate", Float, NULLABLE),
    ];
    for (samples, percentiles) in [
        (
            "startup_latency_samples",
            [
                "startup_latency_ms_p50",
                "startup_latency_ms_p90",
                "startup_latency_ms_p99",
            ],
        ),
        (
            "e2e_latency_samples",
            ["e2e_latency_ms_p50", "e2e_latency_ms_p90", "e2e_latency_ms_p99"],
        ),
        ("ptff_samples", ["ptff_ms_p50", "ptff_ms_p90", "ptff_ms_p99"]),
        ("fps_samples", ["output_fps_p10", "output_fps_p50", "output_fps_p90"]),
    ] {
        columns.push((samples, Int, REQUIRED));
        columns.extend(percentiles.map(|p| (p, Float, NULLABLE)));
    }
    table(&columns)
});

/// Gold `sla_benchmarks_daily`: the 7-day benchmark a day's SLA rows are scored against, per
/// day × pipeline × model.
pub static SLA_BENCHMARKS_DAILY: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("pipeline", Text, REQUIRED),
        ("model_id", Text, NULLABLE),
        ("ptff_p50", Float, NULLABLE),
        ("ptff_p90", Float, NULLABLE),
        ("ptff_rows", Int, REQUIRED),
        ("e2e_p50", Float, NULLABLE),
        ("e2e_p90", Float, NULLABLE),
        ("e2e_rows", Int, REQUIRED),
        ("fps_p10", Float, NULLABLE),
        ("fps_p50", Float, NULLABLE),
        ("fps_rows", Int, REQUIRED),
    ])
});

/// Gold `data_quality_hourly`: completeness, freshness and rejects per hour × source × org ×
/// family.
pub static DATA_QUALITY_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut columns = vec![
        ("window_start", Time, REQUIRED),
        ("source_kind", Text, REQUIRED),
        ("org", Text, NULLABLE),
        ("family", Text, REQUIRED),
    ];
    for count in [
        "events",
        "duplicates",
        "dead_letters",
        "dead_not_utf8",
        "dead_not_json",
        "dead_invalid_envelope",
        "dead_missing_field",
        "dead_bad_timestamp",
        "dead_invalid_payload",
        "dead_too_large",
    ] {
        columns.push((count, Int, REQUIRED));
    }
    columns.push(("accepted_share", Float, NULLABLE));
    columns.push(("missing_gateway_events", Int, REQUIRED));
    for measure in ["lag_ms_p50", "lag_ms_p90", "lag_ms_p99", "expected_events"] {
        columns.push((measure, Float, NULLABLE));
    }
    columns.push(("requested_sessions", Int, NULLABLE));
    columns.push(("unattributed_share", Float, NULLABLE));
    columns.push(("no_gateway_share", Float, NULLABLE));
    columns.push(("no_region_share", Float, NULLABLE));
    columns.push(("completeness", Float, NULLABLE));
    table(&columns)
});

/// Gold `orchestrator_regions`: the inferred region of each orchestrator node per day.
pub static ORCHESTRATOR_REGIONS: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("orchestrator_url", Text, REQUIRED),
        ("orchestrator_signer", Text, NULLABLE),
        ("region", Text, REQUIRED),
        ("inferred", Bool, REQUIRED),
        ("closest_gateway", Text, REQUIRED),
        ("median_latency_ms", Float, NULLABLE),
        ("probes", Int, REQUIRED),
        ("gateways_measuring", Int, REQUIRED),
    ])
});

/// Gold `node_metrics_hourly`: the AI and payment metrics of go-livepeer nodes per hour and
/// series. Counters get their increase (resets handled), gauges their last value and range.
pub static NODE_METRICS_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("target", Text, REQUIRED),
        ("node_id", Text, NULLABLE),
        ("node_type", Text, NULLABLE),
        ("metric", Text, REQUIRED),
        ("labels", Text, REQUIRED),
        ("metric_type", Text, NULLABLE),
        ("pipeline", Text, NULLABLE),
        ("model_name", Text, NULLABLE),
        ("orchestrator_uri", Text, NULLABLE),
        ("error_code", Text, NULLABLE),
        ("sender", Text, NULLABLE),
        ("samples", Int, REQUIRED),
        ("increase", Float, NULLABLE),
        ("resets", Int, REQUIRED),
        ("last_value", Float, NULLABLE),
        ("min_value", Float, NULLABLE),
        ("max_value", Float, NULLABLE),
        ("last_seen", Time, REQUIRED),
    ])
});

/// Gold `collector_health_hourly`: polls of each collector target per hour, by outcome.
pub static COLLECTOR_HEALTH_HOURLY: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("target", Text, REQUIRED),
        ("endpoint", Text, REQUIRED),
        ("url", Text, NULLABLE),
        ("polls", Int, REQUIRED),
        ("successes", Int, REQUIRED),
        ("timeouts", Int, REQUIRED),
        ("connect_errors", Int, REQUIRED),
        ("http_errors", Int, REQUIRED),
        ("invalid_responses", Int, REQUIRED),
        ("success_rate", Float, NULLABLE),
        ("latency_ms_p50", Float, NULLABLE),
        ("latency_ms_max", Float, NULLABLE),
        ("items", Int, REQUIRED),
        ("last_poll", Time, REQUIRED),
        ("last_success", Time, NULLABLE),
        ("last_error", Text, NULLABLE),
    ])
});

/// Gold `decoder_versions_daily`: rows of each silver dataset and of dead letters per day and
/// decoder version (NULL: decoded before versions were recorded).
pub static DECODER_VERSIONS_DAILY: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("dataset", Text, REQUIRED),
        ("decoder_version", Int, NULLABLE),
        ("rows", Int, REQUIRED),
    ])
});

/// Gold `slo_burn_rates`: multi-window burn rates of each service-level objective, every 5
/// minutes, per orchestrator and for the network (the SRE workbook's alerting method).
pub static SLO_BURN_RATES: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("evaluated_at", Time, REQUIRED),
        ("objective", Text, REQUIRED),
        ("objective_version", Int, REQUIRED),
        ("objective_target", Float, REQUIRED),
        ("scope", Text, REQUIRED),
        ("orchestrator_address", Text, NULLABLE),
        ("events_5m", Int, REQUIRED),
        ("errors_5m", Int, REQUIRED),
        ("events_30m", Int, REQUIRED),
        ("errors_30m", Int, REQUIRED),
        ("events_1h", Int, REQUIRED),
        ("errors_1h", Int, REQUIRED),
        ("events_6h", Int, REQUIRED),
        ("errors_6h", Int, REQUIRED),
        ("burn_rate_5m", Float, NULLABLE),
        ("burn_rate_30m", Float, NULLABLE),
        ("burn_rate_1h", Float, NULLABLE),
        ("burn_rate_6h", Float, NULLABLE),
        ("page", Bool, REQUIRED),
        ("ticket", Bool, REQUIRED),
    ])
});

/// Gold `health_states`: each hour, every orchestrator × pipeline × model against each health
/// threshold, with the evidence.
pub static HEALTH_STATES: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("orchestrator_address", Text, REQUIRED),
        ("pipeline", Text, REQUIRED),
        ("model_id", Text, NULLABLE),
        ("rule", Text, REQUIRED),
        ("rule_version", Int, REQUIRED),
        ("value", Float, NULLABLE),
        ("threshold", Float, NULLABLE),
        ("samples", Int, REQUIRED),
        ("baseline_samples", Int, REQUIRED),
        ("degraded", Bool, NULLABLE),
        ("state", Text, REQUIRED),
    ])
});

/// Gold `data_health_states`: each hour, every source kind × org × family against each
/// data-quality floor, with the evidence.
pub static DATA_HEALTH_STATES: LazyLock<SchemaRef> = LazyLock::new(|| {
    table(&[
        ("window_start", Time, REQUIRED),
        ("source_kind", Text, REQUIRED),
        ("org", Text, NULLABLE),
        ("family", Text, REQUIRED),
        ("rule", Text, REQUIRED),
        ("rule_version", Int, REQUIRED),
        ("value", Float, NULLABLE),
        ("threshold", Float, REQUIRED),
        ("samples", Int, REQUIRED),
        ("degraded", Bool, NULLABLE),
        ("state", Text, REQUIRED),
    ])
});
