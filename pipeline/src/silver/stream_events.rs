//! Silver `ai_stream_events` (§4.3) and `stream_ingest_metrics` (§4.4).

use lakehouse_layout::Dataset;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::de::{OrchestratorInfo, event_ts, opt_f64, opt_i64, opt_seconds_as_ms, opt_text, opt_time_ms};
use super::{Common, Silver, silver_row};

silver_row! {
    /// One `ai_stream_events` row.
    AiStreamEventRow => Dataset::AiStreamEvents, {
        subtype: S,
        origin: S,
        stream_id: S,
        request_id: S,
        pipeline_id: S,
        orchestrator_address: S,
        orchestrator_url: S,
        model_id: S,
        capability: S,
        message: S,
        error_time: T,
        restart_count: I,
        restart_time: T,
        restart_logs: S,
        params: S,
    }
}

#[derive(Deserialize)]
struct EventPayload<'a> {
    #[serde(default, rename = "type", deserialize_with = "opt_text")]
    subtype: Option<String>,
    #[serde(default, deserialize_with = "opt_time_ms")]
    timestamp: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    stream_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    request_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pipeline_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pipeline: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    capability: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    message: Option<String>,
    #[serde(default, deserialize_with = "opt_seconds_as_ms")]
    time: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    restart_count: Option<i64>,
    #[serde(default, deserialize_with = "opt_seconds_as_ms")]
    restart_time: Option<i64>,
    #[serde(default)]
    restart_logs: Option<Vec<Option<String>>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(default)]
    orchestrator_info: Option<OrchestratorInfo>,
}

pub(crate) fn decode_event(mut common: Common, data: &str) -> Result<AiStreamEventRow, String> {
    let p: EventPayload<'_> = serde_json::from_str(data).map_err(|e| format!("ai_stream_events payload: {e}"))?;
    common.event_ts = event_ts(p.timestamp, common.envelope_ts);
    // Gateway-generated events (parameter writes, ingest/trickle errors) carry no timestamp
    // and, for errors, no orchestrator; runner events carry both.
    let from_gateway =
        (p.orchestrator_info.is_none() && p.timestamp.is_none()) || p.subtype.as_deref() == Some("params_update");
    let origin = if from_gateway { "gateway" } else { "runner" };
    let info = p.orchestrator_info.unwrap_or_default();
    Ok(AiStreamEventRow {
        common,
        subtype: p.subtype,
        origin: Some(origin.to_string()),
        stream_id: p.stream_id,
        request_id: p.request_id,
        pipeline_id: p.pipeline_id,
        orchestrator_address: info.address(),
        orchestrator_url: info.url(),
        model_id: p.pipeline,
        capability: p.capability,
        message: p.message,
        error_time: p.time,
        restart_count: p.restart_count,
        restart_time: p.restart_time,
        restart_logs: p
            .restart_logs
            .map(|lines| lines.into_iter().flatten().collect::<Vec<_>>().join("\n"))
            .filter(|s| !s.is_empty()),
        params: p.params.map(|raw| raw.get().to_string()).filter(|s| s != "null"),
    })
}

silver_row! {
    /// One `stream_ingest_metrics` row: one track of one sample.
    StreamIngestMetricRow => Dataset::StreamIngestMetrics, {
        stream_id: S,
        request_id: S,
        pipeline_id: S,
        conn_quality: S,
        peer_conn_id: S,
        bytes_received: I,
        bytes_sent: I,
        track_index: I,
        track_type: S,
        jitter_ms: F,
        packets_lost: I,
        packets_received: I,
        packet_loss_pct: F,
        rtt_ms: F,
        last_input_ts_s: F,
        last_output_ts_s: F,
        latency_s: F,
        warnings: S,
    }
}

#[derive(Deserialize)]
struct IngestPayload {
    #[serde(default, deserialize_with = "opt_time_ms")]
    timestamp: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    stream_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    request_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pipeline_id: Option<String>,
    #[serde(default)]
    stats: Option<Stats>,
}

#[derive(Default, Deserialize)]
struct Stats {
    #[serde(default, deserialize_with = "opt_text")]
    conn_quality: Option<String>,
    #[serde(default)]
    peer_conn_stats: Option<PeerConnStats>,
    #[serde(default)]
    track_stats: Option<Vec<TrackStats>>,
}

/// The Go struct has no JSON tags, hence PascalCase keys.
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PeerConnStats {
    #[serde(default, rename = "ID", deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    bytes_received: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    bytes_sent: Option<i64>,
}

#[derive(Deserialize)]
struct TrackStats {
    #[serde(default, rename = "type", deserialize_with = "opt_text")]
    track_type: Option<String>,
    #[serde(default, deserialize_with = "opt_f64")]
    jitter: Option<f64>,
    #[serde(default, deserialize_with = "opt_i64")]
    packets_lost: Option<i64>,
    #[serde(default, deserialize_with = "opt_i64")]
    packets_received: Option<i64>,
    #[serde(default, deserialize_with = "opt_f64")]
    packet_loss_pct: Option<f64>,
    /// Go `time.Duration`: nanoseconds.
    #[serde(default, deserialize_with = "opt_f64")]
    rtt: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    last_input_ts: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    last_output_ts: Option<f64>,
    #[serde(default, deserialize_with = "opt_f64")]
    latency: Option<f64>,
    #[serde(default)]
    warnings: Option<Vec<Option<String>>>,
}

pub(crate) fn decode_ingest_metrics(mut common: Common, data: &str) -> Result<Vec<Silver>, String> {
    let p: IngestPayload = serde_json::from_str(data).map_err(|e| format!("stream_ingest_metrics payload: {e}"))?;
    common.event_ts = event_ts(p.timestamp, common.envelope_ts);
    let stats = p.stats.unwrap_or_default();
    let peer = stats.peer_conn_stats.unwrap_or_default();
    let base = StreamIngestMetricRow {
        common,
        stream_id: p.stream_id,
        request_id: p.request_id,
        pipeline_id: p.pipeline_id,
        conn_quality: stats.conn_quality,
        peer_conn_id: peer.id,
        bytes_received: peer.bytes_received,
        bytes_sent: peer.bytes_sent,
        ..StreamIngestMetricRow::default()
    };
    let tracks = stats.track_stats.unwrap_or_default();
    if tracks.is_empty() {
        // Tracks are omitted until known: keep the sample, with NULL track fields.
        return Ok(vec![Silver::StreamIngestMetric(base)]);
    }
    Ok(tracks
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            Silver::StreamIngestMetric(StreamIngestMetricRow {
                track_index: Some(i as i64),
                track_type: t.track_type,
                jitter_ms: t.jitter,
                packets_lost: t.packets_lost,
                packets_received: t.packets_received,
                packet_loss_pct: t.packet_loss_pct,
                rtt_ms: t.rtt.map(|ns| ns / 1e6),
                last_input_ts_s: t.last_input_ts,
                last_output_ts_s: t.last_output_ts,
                latency_s: t.latency,
                warnings: t
                    .warnings
                    .map(|w| w.into_iter().flatten().collect::<Vec<_>>().join("; "))
                    .filter(|s| !s.is_empty()),
                ..base.clone()
            })
        })
        .collect())
}
