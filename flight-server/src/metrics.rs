//! Prometheus metrics of serving (`GET /metrics`): HTTP requests and latency per route,
//! Flight SQL commands, rejections by reason, and the response cache.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Why a request or query was refused; set on error responses as an extension so that the
/// one place mapping errors to statuses also names the reason for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejection(pub &'static str);

/// The serving metrics and the registry that renders them.
#[derive(Debug, Clone)]
pub struct ServeMetrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
    flight_commands: IntCounterVec,
    rejections: IntCounterVec,
    cache: IntCounterVec,
    lake_records: IntCounter,
    lake_refresh_errors: IntCounter,
    lake_generation: IntGauge,
    lake_stale_reads: IntGauge,
    lake_superseded_reads: IntGauge,
    lake_refreshed_at: Gauge,
    /// Decoded gold files held (`files`, `bytes`) and their lookups (`hits`, `misses`).
    resident: IntGaugeVec,
}

impl Default for ServeMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ServeMetrics {
    /// Registers every metric in a fresh registry.
    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry.register(Box::new(metric.clone())).expect("unique metric");
            metric
        };
        let http_requests = counter(
            "naap_http_requests_total",
            "HTTP requests answered, per route template and status code",
            &["route", "status"],
        );
        let flight_commands = counter(
            "naap_flight_sql_commands_total",
            "Flight SQL commands, per command and outcome (ok or the rejection reason)",
            &["command", "outcome"],
        );
        let rejections = counter(
            "naap_rejections_total",
            "Requests and queries refused, per surface (http, flight) and reason",
            &["surface", "reason"],
        );
        let cache = counter(
            "naap_http_cache_lookups_total",
            "Response cache lookups of /v1 GETs, per result (hit; stale: served while recomputed; miss: computed; joined: a miss that waited for the same answer being computed)",
            &["result"],
        );
        let lake_records = IntCounter::new(
            "naap_lake_change_records_total",
            "Change records read from the lake's change log",
        )
        .expect("valid metric");
        let lake_refresh_errors = IntCounter::new(
            "naap_lake_refresh_errors_total",
            "Polls of the lake's change log that failed",
        )
        .expect("valid metric");
        let lake_generation = IntGauge::new(
            "naap_lake_generation",
            "Generation of the served lake view (changes whenever a listing changed)",
        )
        .expect("valid metric");
        let lake_stale_reads = IntGauge::new(
            "naap_lake_stale_reads",
            "Reads that found a file replaced or deleted since it was listed (the query ran again)",
        )
        .expect("valid metric");
        let lake_superseded_reads = IntGauge::new(
            "naap_lake_superseded_reads",
            "Reads that found a file replaced since it was listed and read the listed version from its superseded copy",
        )
        .expect("valid metric");
        let lake_refreshed_at = Gauge::new(
            "naap_lake_last_refresh_timestamp_seconds",
            "When the change log was last read successfully, Unix seconds",
        )
        .expect("valid metric");
        for metric in [&lake_records, &lake_refresh_errors] {
            registry.register(Box::new(metric.clone())).expect("unique metric");
        }
        for metric in [&lake_generation, &lake_stale_reads, &lake_superseded_reads] {
            registry.register(Box::new(metric.clone())).expect("unique metric");
        }
        registry
            .register(Box::new(lake_refreshed_at.clone()))
            .expect("unique metric");
        let resident = IntGaugeVec::new(
            Opts::new(
                "naap_resident_gold",
                "Decoded gold files kept in memory (sql::resident): files, segments and bytes held, files read from memory (hits) and decoded (misses), totals since start",
            ),
            &["measure"],
        )
        .expect("valid metric");
        registry.register(Box::new(resident.clone())).expect("unique metric");
        let http_seconds = HistogramVec::new(
            HistogramOpts::new(
                "naap_http_request_duration_seconds",
                "Time to answer an HTTP request, per route template",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(http_seconds.clone()))
            .expect("unique metric");
        ServeMetrics {
            registry,
            http_requests,
            http_seconds,
            flight_commands,
            rejections,
            cache,
            lake_records,
            lake_refresh_errors,
            lake_generation,
            lake_stale_reads,
            lake_superseded_reads,
            lake_refreshed_at,
            resident,
        }
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("the text encoder writes to memory");
        String::from_utf8(out).expect("the text format is UTF-8")
    }

    /// Takes the current state of the engine's decoded gold files.
    pub(crate) fn resident(&self, stats: sql::resident::ResidentStats) {
        for (measure, value) in [
            ("files", stats.files as i64),
            ("segments", stats.segments as i64),
            ("bytes", stats.bytes as i64),
            ("hits", stats.hits as i64),
            ("misses", stats.misses as i64),
        ] {
            self.resident.with_label_values(&[measure]).set(value);
        }
    }

    /// Counts a Flight SQL command and, when it failed, the rejection.
    pub fn flight_command(&self, command: &str, outcome: Result<(), &'static str>) {
        match outcome {
            Ok(()) => self.flight_commands.with_label_values(&[command, "ok"]).inc(),
            Err(reason) => {
                self.flight_commands.with_label_values(&[command, reason]).inc();
                self.rejections.with_label_values(&["flight", reason]).inc();
            }
        }
    }

    pub(crate) fn cache_lookup(&self, result: &str) {
        self.cache.with_label_values(&[result]).inc();
    }

    /// Seconds since the change log was last read successfully; `None` before the first read.
    pub(crate) fn seconds_since_refresh(&self) -> Option<f64> {
        let at = self.lake_refreshed_at.get();
        (at > 0.0).then(|| lakehouse_layout::change_log::wall_clock_ms() as f64 / 1000.0 - at)
    }

    /// Records a poll of the change log.
    pub(crate) fn lake_polled(&self, outcome: Result<usize, ()>, index: &lakehouse_layout::LakeIndex) {
        match outcome {
            Ok(records) => {
                self.lake_records.inc_by(records as u64);
                self.lake_refreshed_at
                    .set(lakehouse_layout::change_log::wall_clock_ms() as f64 / 1000.0);
            }
            Err(()) => self.lake_refresh_errors.inc(),
        }
        self.lake_generation.set(index.generation() as i64);
        self.lake_stale_reads.set(index.stale_reads() as i64);
        self.lake_superseded_reads.set(index.superseded_reads() as i64);
    }
}

/// Records every HTTP request: count per route and status, latency per route, and the
/// rejection reason of refused ones.
pub async fn record(State(metrics): State<Arc<ServeMetrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // The route template, not the path: `/v1/orchestrators/{address}` is one series however
    // many addresses are asked for.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    metrics
        .http_requests
        .with_label_values(&[route.as_str(), response.status().as_str()])
        .inc();
    metrics
        .http_seconds
        .with_label_values(&[route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    if let Some(Rejection(reason)) = response.extensions().get::<Rejection>() {
        metrics.rejections.with_label_values(&["http", reason]).inc();
    }
    response
}

#[cfg(test)]
mod refresh_tests {
    use super::*;

    #[test]
    fn the_refresh_age_counts_from_the_last_successful_read() {
        let metrics = ServeMetrics::default();
        assert_eq!(metrics.seconds_since_refresh(), None, "no read yet");
        let now = lakehouse_layout::change_log::wall_clock_ms() as f64 / 1000.0;
        metrics.lake_refreshed_at.set(now - 400.0);
        let age = metrics.seconds_since_refresh().unwrap();
        assert!(
            (400.0..460.0).contains(&age) && age > crate::http::DEFAULT_STALL_AFTER.as_secs_f64(),
            "{age}"
        );
    }
}
