//! `naap ingest`: replay files, consume Kafka, accept HTTP push.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use indicatif::{ProgressBar, ProgressStyle};
use lakehouse_layout::Lake;
use pipeline::clock::SystemClock;
use pipeline::source::kafka::KafkaConfig;
use pipeline::{IngestOptions, IngestReport, Ingestor};
use tokio::sync::watch;

use crate::cli::IngestArgs;
use crate::serve::wait_for_shutdown_signal;

pub(crate) async fn run(lake: Lake, args: IngestArgs) -> anyhow::Result<()> {
    if args.files.is_empty() && args.kafka_brokers.is_none() && args.listen.is_none() {
        anyhow::bail!("nothing to ingest: give --file PATH, --kafka-brokers HOSTS or --listen ADDR");
    }
    let options = IngestOptions {
        max_message_bytes: args.max_message_bytes,
        identities: crate::cli::source_identities(&args.source_identities)?,
        ..IngestOptions::default()
    };
    let ingestor = Ingestor::new(lake, Arc::new(SystemClock), options);
    let mut total = IngestReport::default();
    for path in &args.files {
        let bar = ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} records ({per_sec}, eta {eta})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(path.display().to_string());
        let report = pipeline::source::file::ingest_file(&ingestor, path, args.batch, |done, all| {
            bar.set_length(all);
            bar.set_position(done);
        })
        .await
        .with_context(|| format!("replaying {}", path.display()))?;
        bar.finish();
        total.merge(report);
    }
    if args.kafka_brokers.is_none() && args.listen.is_none() {
        print_report(&total);
        return Ok(());
    }

    // Checked before anything starts, so that a refusal ends the command at once.
    let credentials = match (&args.credentials, args.listen) {
        (Some(path), _) => Some(Arc::new(lakehouse_layout::credentials::Credentials::load(path)?)),
        // Anyone who can reach the port could write to the lake: only the machine itself.
        (None, Some(addr)) if !addr.ip().is_loopback() => anyhow::bail!(
            "refusing to accept pushes on {addr} without credentials: give --credentials FILE, \
             or listen on a loopback address"
        ),
        (None, _) => None,
    };

    // Long-running sources stop together on Ctrl-C: stop consuming, write what is buffered,
    // commit, then exit.
    let (stop, stopped) = watch::channel(false);
    let stop = Arc::new(stop);
    let signal = {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            wait_for_shutdown_signal().await;
            let _ = stop.send(true);
        })
    };
    let until_stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let kafka = async {
        let Some(brokers) = &args.kafka_brokers else {
            return Ok(IngestReport::default());
        };
        let mut config = KafkaConfig::new(brokers.clone(), args.kafka_topics.clone(), args.kafka_group.clone());
        config.max_batch_messages = args.kafka_batch;
        config.flush_interval = Duration::from_millis(args.kafka_flush_ms);
        config.security = args.kafka.security()?;
        config.properties.extend(args.kafka.extra_properties()?);
        let auth = match &config.security.username {
            Some(user) => format!(
                ", {} as {user} ({})",
                config.security.protocol.as_str(),
                config.security.mechanism.as_str()
            ),
            None => format!(", {}", config.security.protocol.as_str()),
        };
        eprintln!(
            "consuming {:?} from {brokers} as group {}{auth}",
            config.topics, config.group_id
        );
        let result = pipeline::source::kafka::run(&ingestor, &config, until_stopped(stopped.clone())).await;
        // A failed consumer stops the other sources too, so the process exits with the error.
        let _ = stop.send(true);
        result.context("Kafka ingestion")
    };
    let push = async {
        let Some(addr) = args.listen else { return Ok(()) };
        let router = pipeline::source::http::router(
            ingestor.clone(),
            &args.listen_name,
            chrono::Utc::now().timestamp_millis(),
            args.max_body_bytes,
            credentials.clone(),
        );
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr()?;
        eprintln!("accepting pushed events at http://{bound}/v1/events");
        pipeline::source::http::serve(router, listener, until_stopped(stopped.clone()))
            .await
            .with_context(|| format!("HTTP push listener on {bound}"))
    };
    let metrics = async {
        let router = pipeline::source::http::metrics_router(std::sync::Arc::clone(ingestor.metrics())).merge(
            health_router(HealthState {
                ingestor: ingestor.clone(),
                kafka: args.kafka_brokers.is_some(),
                stall_after: Duration::from_secs(args.stall_secs),
            }),
        );
        let listener = tokio::net::TcpListener::bind(args.metrics_listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.metrics_listen))?;
        let bound = listener.local_addr()?;
        eprintln!("metrics at http://{bound}/metrics, health at /healthz and /readyz");
        pipeline::source::http::serve(router, listener, until_stopped(stopped.clone()))
            .await
            .with_context(|| format!("metrics listener on {bound}"))
    };
    let (kafka, push, metrics) = tokio::join!(kafka, push, metrics);
    signal.abort();
    total.merge(kafka?);
    push?;
    metrics?;
    // Pushed batches are reported to their senders and counted in /metrics.
    if !args.files.is_empty() || args.kafka_brokers.is_some() {
        print_report(&total);
    }
    Ok(())
}

/// Prints what an ingestion run did.
pub(crate) fn print_report(report: &IngestReport) {
    println!(
        "ingested {} messages: {} accepted, {} dead letters, {} files written",
        report.messages,
        report.accepted,
        report.dead_letter_total(),
        report.files_written
    );
    for (family, count) in &report.by_family {
        println!("  {family:<24} {count}");
    }
    for (reason, count) in &report.dead_letters {
        println!("  dead letter {reason:<18} {count}");
    }
}

/// What ingestion's `/healthz` and `/readyz` look at.
#[derive(Clone)]
struct HealthState {
    ingestor: pipeline::Ingestor,
    kafka: bool,
    stall_after: Duration,
}

fn health_router(state: HealthState) -> axum::Router {
    axum::Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

/// Live unless a write to the lake or the Kafka consumer's round is stuck (idle is live).
async fn healthz(State(state): State<HealthState>) -> Response {
    match state.ingestor.metrics().activity().stalled(state.stall_after) {
        None => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        Some(reason) => crate::health::unavailable(reason),
    }
}

/// Ready when the lake answers and, with a Kafka source, at least one broker is up.
async fn readyz(State(state): State<HealthState>) -> Response {
    if let Err(detail) = crate::health::probe_lake(state.ingestor.lake()).await {
        return crate::health::unavailable(detail);
    }
    if state.kafka {
        match state.ingestor.metrics().activity().kafka_brokers() {
            None => {
                return crate::health::unavailable(
                    "the Kafka client has not reported its brokers yet (statistics every 5 s)".to_string(),
                );
            }
            Some(brokers) if brokers.up == 0 => {
                return crate::health::unavailable(format!(
                    "no Kafka broker is up (0 of {} the client knows)",
                    brokers.known
                ));
            }
            Some(_) => {}
        }
    }
    axum::Json(serde_json::json!({"status": "ready"})).into_response()
}
