//! Prometheus metrics of serving (`GET /metrics`): HTTP requests and latency per route,
//! Flight SQL commands, rejections by reason, and the response cache.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

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
            "Response cache lookups of /v1 GETs, per result (hit, miss)",
            &["result"],
        );
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

    pub(crate) fn cache_lookup(&self, hit: bool) {
        self.cache.with_label_values(&[if hit { "hit" } else { "miss" }]).inc();
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
