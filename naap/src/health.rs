//! Health, readiness and metrics of a long-running command that works in rounds (`rollup
//! --follow` ticks): `/healthz` fails when no round has completed for `stall_after`,
//! `/readyz` when the lake does not answer or the process may not write, `/metrics` counts the
//! rounds in the Prometheus text format.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lakehouse_layout::Lake;
use serde_json::json;

/// What a command reports of its progress; shared with its health server.
#[derive(Debug)]
pub(crate) struct Progress {
    /// Command name, the prefix of its metrics (`naap_{command}_…`).
    command: &'static str,
    started_ms: i64,
    last_round_ms: AtomicI64,
    rounds: AtomicU64,
    rounds_with_work: AtomicU64,
    datasets_recomputed: AtomicU64,
    rows_written: AtomicU64,
    last_round_ms_taken: AtomicU64,
    /// Whether the process may work (for `rollup`: it holds the writer's lease).
    allowed: AtomicBool,
    stall_after: Duration,
}

/// The answer of `/healthz` at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Liveness {
    /// A round completed within `stall_after` (or the process started that recently).
    Live,
    /// No round for this long, ms.
    Stalled(i64),
}

impl Progress {
    pub(crate) fn new(command: &'static str, now_ms: i64, stall_after: Duration) -> Arc<Progress> {
        Arc::new(Progress {
            command,
            started_ms: now_ms,
            last_round_ms: AtomicI64::new(now_ms),
            rounds: AtomicU64::new(0),
            rounds_with_work: AtomicU64::new(0),
            datasets_recomputed: AtomicU64::new(0),
            rows_written: AtomicU64::new(0),
            last_round_ms_taken: AtomicU64::new(0),
            allowed: AtomicBool::new(true),
            stall_after,
        })
    }

    /// A round completed at `now_ms` after `taken`, recomputing `datasets` datasets and
    /// writing `rows` rows.
    pub(crate) fn round(&self, now_ms: i64, taken: Duration, datasets: u64, rows: u64) {
        self.last_round_ms.store(now_ms, Ordering::Relaxed);
        self.rounds.fetch_add(1, Ordering::Relaxed);
        self.rounds_with_work
            .fetch_add(u64::from(datasets > 0), Ordering::Relaxed);
        self.datasets_recomputed.fetch_add(datasets, Ordering::Relaxed);
        self.rows_written.fetch_add(rows, Ordering::Relaxed);
        self.last_round_ms_taken
            .store(taken.as_millis() as u64, Ordering::Relaxed);
    }

    /// Whether the process may work (it lost its lease: it may not).
    pub(crate) fn set_allowed(&self, allowed: bool) {
        self.allowed.store(allowed, Ordering::Relaxed);
    }

    /// Live or stalled at `now_ms`.
    pub(crate) fn liveness(&self, now_ms: i64) -> Liveness {
        let quiet = now_ms - self.last_round_ms.load(Ordering::Relaxed);
        match quiet > self.stall_after.as_millis() as i64 {
            true => Liveness::Stalled(quiet),
            false => Liveness::Live,
        }
    }

    /// The Prometheus text exposition.
    pub(crate) fn render(&self, now_ms: i64) -> String {
        let c = self.command;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            out += &format!("# HELP naap_{c}_{name} {help}\n# TYPE naap_{c}_{name} {kind}\nnaap_{c}_{name} {value}\n");
        };
        metric(
            "rounds_total",
            "counter",
            "Completed rounds (ticks).",
            load(&self.rounds).to_string(),
        );
        metric(
            "rounds_with_work_total",
            "counter",
            "Rounds that recomputed at least one dataset.",
            load(&self.rounds_with_work).to_string(),
        );
        metric(
            "datasets_recomputed_total",
            "counter",
            "Datasets recomputed, summed over rounds.",
            load(&self.datasets_recomputed).to_string(),
        );
        metric(
            "rows_written_total",
            "counter",
            "Gold rows written.",
            load(&self.rows_written).to_string(),
        );
        metric(
            "last_round_seconds",
            "gauge",
            "Run time of the latest round.",
            format!("{:.3}", load(&self.last_round_ms_taken) as f64 / 1e3),
        );
        metric(
            "seconds_since_progress",
            "gauge",
            "Seconds since the latest completed round (or the start).",
            format!(
                "{:.3}",
                (now_ms - self.last_round_ms.load(Ordering::Relaxed)) as f64 / 1e3
            ),
        );
        metric(
            "uptime_seconds",
            "gauge",
            "Seconds since the process started.",
            format!("{:.3}", (now_ms - self.started_ms) as f64 / 1e3),
        );
        metric(
            "allowed",
            "gauge",
            "1 while the process may work (holds its lease), else 0.",
            u8::from(self.allowed.load(Ordering::Relaxed)).to_string(),
        );
        out
    }
}

#[derive(Clone)]
struct HealthState {
    progress: Arc<Progress>,
    lake: Lake,
}

/// `/healthz`, `/readyz` and `/metrics` of `progress`, `/readyz` probing `lake`.
pub(crate) fn router(progress: Arc<Progress>, lake: Lake) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(HealthState { progress, lake })
}

/// The wall clock, ms since the epoch: what the long-running commands report progress by.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn healthz(State(state): State<HealthState>) -> Response {
    match state.progress.liveness(now_ms()) {
        Liveness::Live => axum::Json(json!({"status": "ok"})).into_response(),
        Liveness::Stalled(quiet_ms) => unavailable(format!(
            "no {} round completed for {:.1} s (limit {} s)",
            state.progress.command,
            quiet_ms as f64 / 1e3,
            state.progress.stall_after.as_secs()
        )),
    }
}

async fn readyz(State(state): State<HealthState>) -> Response {
    if !state.progress.allowed.load(Ordering::Relaxed) {
        return unavailable(format!(
            "{} may not write: it does not hold its lease",
            state.progress.command
        ));
    }
    match probe_lake(&state.lake).await {
        Ok(()) => axum::Json(json!({"status": "ready"})).into_response(),
        Err(detail) => unavailable(detail),
    }
}

/// Whether the lake answers a read within 5 s; else why not.
pub(crate) async fn probe_lake(lake: &Lake) -> Result<(), String> {
    let probe = tokio::time::timeout(
        Duration::from_secs(5),
        lakehouse_layout::InputSnapshot::stored_version(lake),
    )
    .await;
    match probe {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("the lake at {} does not answer: {e}", lake.location())),
        Err(_) => Err(format!("the lake at {} did not answer within 5 s", lake.location())),
    }
}

async fn metrics(State(state): State<HealthState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.progress.render(now_ms()),
    )
        .into_response()
}

pub(crate) fn unavailable(detail: String) -> Response {
    let body = json!({"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": detail});
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// Serves the health router on `addr` until the process ends; prints where.
pub(crate) async fn spawn(addr: std::net::SocketAddr, progress: Arc<Progress>, lake: Lake) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for health and metrics"))?;
    let bound = listener.local_addr()?;
    println!("health at http://{bound}/healthz, /readyz and /metrics");
    tokio::spawn(async move { axum::serve(listener, router(progress, lake)).await });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_without_a_round_for_longer_than_its_limit_is_stalled() {
        let progress = Progress::new("rollup", 1_000, Duration::from_secs(60));
        assert_eq!(progress.liveness(61_000), Liveness::Live);
        assert_eq!(progress.liveness(61_001), Liveness::Stalled(60_001));
        progress.round(61_001, Duration::from_millis(250), 2, 40);
        assert_eq!(progress.liveness(100_000), Liveness::Live);
        let text = progress.render(100_000);
        assert!(text.contains("naap_rollup_rounds_total 1\n"), "{text}");
        assert!(text.contains("naap_rollup_rows_written_total 40\n"), "{text}");
        assert!(text.contains("naap_rollup_last_round_seconds 0.250\n"), "{text}");
        assert!(text.contains("naap_rollup_seconds_since_progress 38.999\n"), "{text}");
    }
}
