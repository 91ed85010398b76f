//! naap benchmarks live in the bench targets of this crate (`ingest.rs`, …); results are in
//! `docs/performance.md`. This library holds what several benches share: the HTTP load
//! generator and the simulated network's events with their delivery times.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;

/// Throughput and latency of one load run.
#[derive(Debug)]
pub struct LoadReport {
    pub requests: usize,
    pub elapsed: Duration,
    /// Sorted.
    pub latencies_us: Vec<u32>,
    /// Of the answers served while being recomputed (`x-naap-stale-ms`), how long the lake had
    /// changed under each (ms), sorted.
    pub stale_ms: Vec<u32>,
    /// Answers other than 200 (counted, not timed), and the first of them.
    pub failures: usize,
    pub first_failure: Option<String>,
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |q: f64| {
            let i = ((self.latencies_us.len() as f64 - 1.0) * q).round() as usize;
            f64::from(self.latencies_us[i]) / 1000.0
        };
        write!(
            f,
            "{:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms   ({} requests)",
            self.requests as f64 / self.elapsed.as_secs_f64(),
            at(0.5),
            at(0.99),
            at(1.0),
            self.requests
        )?;
        if let Some(first) = &self.first_failure {
            write!(f, "   {} FAILED, first: {first}", self.failures)?;
        }
        if let Some(max) = self.stale_ms.last() {
            write!(f, "   {} served stale, at most {max} ms behind", self.stale_ms.len())?;
        }
        Ok(())
    }
}

/// `connections` clients, each on its own keep-alive connection, cycling through `uris` as
/// fast as answers come back for `duration`, or until each client has sent `count` requests.
pub async fn load(
    addr: SocketAddr,
    uris: Arc<Vec<String>>,
    connections: usize,
    duration: Duration,
    count: Option<usize>,
) -> anyhow::Result<LoadReport> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for client in 0..connections {
        let uris = Arc::clone(&uris);
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            let mut latencies = Vec::new();
            let mut stale_ms = Vec::new();
            let mut failures = Vec::new();
            let mut i = client;
            while count.map_or(Instant::now() < deadline, |n| i - client < n) {
                let uri = &uris[i % uris.len()];
                let request = hyper::Request::get(uri.as_str())
                    .header(hyper::header::HOST, "bench")
                    .body(Empty::<Bytes>::new())?;
                let sent = Instant::now();
                let response = sender.send_request(request).await?;
                let status = response.status();
                let stale = response
                    .headers()
                    .get("x-naap-stale-ms")
                    .and_then(|v| v.to_str().ok()?.parse::<u32>().ok());
                stale_ms.extend(stale);
                let body = response.into_body().collect().await?.to_bytes();
                if status == 200 {
                    latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                } else {
                    failures.push(format!("{uri}: {status} {}", String::from_utf8_lossy(&body)));
                }
                i += 1;
            }
            anyhow::Ok((latencies, stale_ms, failures))
        }));
    }
    let mut latencies_us = Vec::new();
    let mut stale_ms = Vec::new();
    let mut failures = Vec::new();
    for task in tasks {
        let (latencies, stale, failed) = task.await??;
        latencies_us.extend(latencies);
        stale_ms.extend(stale);
        failures.extend(failed);
    }
    anyhow::ensure!(!latencies_us.is_empty(), "no request succeeded: {:?}", failures.first());
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    stale_ms.sort_unstable();
    Ok(LoadReport {
        requests: latencies_us.len(),
        elapsed,
        latencies_us,
        stale_ms,
        failures: failures.len(),
        first_failure: failures.into_iter().next(),
    })
}

/// The events `scenario` delivers from `start_ms` (an hour of it at most) until `until_ms`,
/// with their delivery times (epoch ms), in delivery order.
pub fn simulate_timed(
    scenario: &scenarios::Scenario,
    start_ms: i64,
    until_ms: i64,
) -> anyhow::Result<Vec<(i64, String)>> {
    let options = scenarios::SimulateOptions {
        seed: None,
        start_ms: Some(start_ms),
        hours: Some(1),
    };
    let mut lines = Vec::new();
    let result = scenarios::simulate(scenario, options, |at, line| {
        if at > until_ms {
            return Err("enough".to_string());
        }
        lines.push((at, line.to_string()));
        Ok(())
    });
    match result {
        Ok(_) | Err(scenarios::simulate::SimulationError::Sink(_)) => Ok(lines),
        Err(scenarios::simulate::SimulationError::Scenario(e)) => Err(e.into()),
    }
}
