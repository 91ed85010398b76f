//! naap benchmarks live in the bench targets of this crate (`ingest.rs`, …); results are in
//! `docs/performance.md`. This library holds what several benches share: the HTTP load
//! generator.

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
        )
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
            let mut i = client;
            while count.map_or(Instant::now() < deadline, |n| i - client < n) {
                let uri = &uris[i % uris.len()];
                let request = hyper::Request::get(uri.as_str())
                    .header(hyper::header::HOST, "bench")
                    .body(Empty::<Bytes>::new())?;
                let sent = Instant::now();
                let response = sender.send_request(request).await?;
                let status = response.status();
                let body = response.into_body().collect().await?.to_bytes();
                latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                anyhow::ensure!(status == 200, "{uri}: {status} {}", String::from_utf8_lossy(&body));
                i += 1;
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies_us = Vec::new();
    for task in tasks {
        latencies_us.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Ok(LoadReport {
        requests: latencies_us.len(),
        elapsed,
        latencies_us,
    })
}
