//! `naap scenario`: simulate a scenario to files, Kafka or the lake.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use lakehouse_layout::Lake;
use pipeline::clock::SystemClock;
use pipeline::{IngestOptions, IngestReport, Ingestor};
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use scenarios::simulate::SimulationError;
use scenarios::{GroundTruth, SimulateOptions, library, output};

use crate::cli::{ScenarioCommand, SimulateArgs};
use crate::ingest::print_report;

pub(crate) async fn run(lake: Lake, command: ScenarioCommand) -> anyhow::Result<()> {
    match command {
        ScenarioCommand::List => {
            for (name, text) in library::BUILTIN {
                let scenario = scenarios::Scenario::from_toml(text)?;
                println!("{name:<14} {}", scenario.description);
            }
            Ok(())
        }
        ScenarioCommand::Simulate(args) => simulate(lake, args).await,
        ScenarioCommand::Run(args) => crate::testload::run(lake, args).await,
        ScenarioCommand::Verify(args) => crate::testload::verify(args),
        ScenarioCommand::MockGateway(args) => crate::testload::mock_gateway(args).await,
    }
}

async fn simulate(lake: Lake, args: SimulateArgs) -> anyhow::Result<()> {
    let text = library::scenario_text(&args.scenario)?;
    let scenario = scenarios::Scenario::from_toml(&text).with_context(|| format!("scenario {}", args.scenario))?;
    let options = SimulateOptions {
        seed: args.seed,
        start_ms: args.start.as_deref().map(scenarios::spec::parse_start).transpose()?,
        hours: args.hours,
    };
    let bar = spinner(&scenario.name);
    let truth = if let Some(dir) = &args.out {
        anyhow::ensure!(
            !args.realtime,
            "--realtime applies to --kafka-brokers and --ingest, not --out"
        );
        let (manifest, truth) = output::write_simulation(dir, &text, &scenario, options, |n| bar.set_position(n))?;
        bar.finish_and_clear();
        for file in &manifest.files {
            println!(
                "{}  {}  ({} bytes)",
                file.sha256,
                dir.join(&file.path).display(),
                file.bytes
            );
        }
        truth
    } else if let Some(brokers) = &args.kafka_brokers {
        let truth = to_kafka(brokers, &args, &scenario, options, &bar)?;
        bar.finish_and_clear();
        truth
    } else if args.ingest {
        let (truth, report) = to_lake(lake, &scenario, options, args.realtime, &bar).await?;
        bar.finish_and_clear();
        print_report(&report);
        truth
    } else {
        anyhow::bail!("where to? give --out DIR, --kafka-brokers HOSTS or --ingest");
    };
    if let Some(path) = &args.truth {
        write_truth(path, &truth)?;
    }
    let live = &truth.live.total;
    println!(
        "{}: {} lines ({} envelopes, {} duplicates, {} malformed); {} live sessions ({} played, {} failed, {} excused) and {} probe streams; {} batch and {} LLM jobs",
        scenario.name,
        truth.delivery.lines,
        truth.delivery.envelopes,
        truth.delivery.duplicates,
        truth.delivery.malformed.values().sum::<u64>(),
        live.requested,
        live.success,
        live.failed,
        live.excused,
        truth.probe_live.total.requested,
        truth.jobs.batch.requests,
        truth.jobs.llm.requests,
    );
    Ok(())
}

fn spinner(name: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner()
        .with_style(ProgressStyle::with_template("{spinner} {msg}: {pos} lines ({per_sec})").expect("valid template"));
    bar.set_message(name.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn write_truth(path: &Path, truth: &GroundTruth) -> anyhow::Result<()> {
    let mut file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    serde_json::to_writer_pretty(&mut file, truth)?;
    file.write_all(b"\n")?;
    Ok(())
}

/// Sleeps so that a line delivered at `at` (simulated ms) leaves `elapsed(at − first)` after
/// the first one.
struct Pacer {
    started: Instant,
    first: Option<i64>,
}

impl Pacer {
    fn wait(&mut self, at: i64) {
        let first = *self.first.get_or_insert(at);
        let due = self.started + Duration::from_millis((at - first).max(0) as u64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
}

fn to_kafka(
    brokers: &str,
    args: &SimulateArgs,
    scenario: &scenarios::Scenario,
    options: SimulateOptions,
    bar: &ProgressBar,
) -> anyhow::Result<GroundTruth> {
    let mut client = ClientConfig::new();
    client
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "20")
        .set("message.timeout.ms", "30000");
    args.kafka.security()?.apply(&mut client)?;
    for (key, value) in args.kafka.extra_properties()? {
        client.set(key, value);
    }
    let producer: BaseProducer = client.create().context("creating the Kafka producer")?;
    let mut pacer = args.realtime.then(|| Pacer {
        started: Instant::now(),
        first: None,
    });
    let mut sent = 0u64;
    let truth = scenarios::simulate(scenario, options, |at, line| {
        if let Some(pacer) = pacer.as_mut() {
            pacer.wait(at);
        }
        let mut record = BaseRecord::<(), str>::to(&args.kafka_topic).payload(line);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    record = back;
                    producer.poll(Duration::from_millis(50));
                }
                Err((e, _)) => return Err(e),
            }
        }
        sent += 1;
        if sent.is_multiple_of(10_000) {
            producer.poll(Duration::ZERO);
            bar.set_position(sent);
        }
        Ok(())
    })
    .map_err(|e| match e {
        SimulationError::Scenario(e) => anyhow::Error::from(e),
        SimulationError::Sink(e) => anyhow::Error::from(e).context("producing to Kafka"),
    })?;
    producer.flush(Duration::from_secs(60)).context("flushing to Kafka")?;
    Ok(truth)
}

/// Simulate on a blocking thread and ingest chunks as they come.
async fn to_lake(
    lake: Lake,
    scenario: &scenarios::Scenario,
    options: SimulateOptions,
    realtime: bool,
    bar: &ProgressBar,
) -> anyhow::Result<(GroundTruth, IngestReport)> {
    const CHUNK: usize = 50_000;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<String>>(2);
    let owned = scenario.clone();
    let producer = tokio::task::spawn_blocking(move || {
        let mut pacer = realtime.then(|| Pacer {
            started: Instant::now(),
            first: None,
        });
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut last_sent = Instant::now();
        let truth = scenarios::simulate(&owned, options, |at, line| {
            if let Some(pacer) = pacer.as_mut() {
                pacer.wait(at);
            }
            chunk.push(line.to_string());
            // In real time, hand over at least every second so the lake stays fresh.
            if chunk.len() >= CHUNK || (realtime && last_sent.elapsed() >= Duration::from_secs(1)) {
                last_sent = Instant::now();
                tx.blocking_send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
            } else {
                Ok(())
            }
        });
        if !chunk.is_empty() {
            let _ = tx.blocking_send(chunk);
        }
        truth
    });
    let ingestor = Ingestor::new(lake, Arc::new(SystemClock), IngestOptions::default());
    // The source names the run: another seed or start is other data, not a replay.
    let seed = options.seed.unwrap_or(scenario.seed);
    let start = match options.start_ms {
        Some(start) => start,
        None => scenario.start_ms()?,
    };
    let source = format!("scenario-{}-{seed}-{start}", scenario.name);
    let mut report = IngestReport::default();
    let mut offset = 0u64;
    while let Some(chunk) = rx.recv().await {
        let part = pipeline::source::memory::ingest_messages(&ingestor, &source, offset, &chunk, CHUNK).await?;
        offset += chunk.len() as u64;
        bar.set_position(offset);
        report.merge(part);
    }
    let truth = producer.await?.map_err(|e| match e {
        SimulationError::Scenario(e) => anyhow::Error::from(e),
        SimulationError::Sink(_) => anyhow::anyhow!("the ingest side stopped early"),
    })?;
    Ok((truth, report))
}
