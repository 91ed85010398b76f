//! `naap demo`: everything in one process, with no service the machine lacks: simulate a
//! scenario's traffic (the `demo` scenario by default), ingest what is due by now into the
//! lake, compute the rollups, serve — and then keep the network alive: the simulation goes on
//! in real time into the same ingest path and the rollups follow (`--once`: serve the
//! backfill as it is).

use std::sync::Arc;
use std::time::Duration;

use lakehouse_layout::Lake;
use pipeline::clock::SystemClock;
use pipeline::collect::{Collector, CollectorConfig};
use pipeline::{IngestOptions, Ingestor};
use scenarios::nodes::NodeServer;
use scenarios::simulate::SimulationError;
use scenarios::testload::mock_gateway::{MockConfig, MockGateway};
use scenarios::{GroundTruth, Scenario, SimulateOptions, library};
use sql::rollup::ReferenceData;
use sql::{FollowSettings, Follower, Profile, RollupOptions};

use crate::cli::DemoArgs;
use crate::ingest::print_report;
use crate::serve::{start, wait_for_shutdown_signal};

const HOUR_MS: i64 = 3_600_000;

pub(crate) async fn run(lake: Lake, args: DemoArgs) -> anyhow::Result<()> {
    let scenario = library::load(&args.scenario)?;
    let hours = args.hours.unwrap_or(scenario.hours);
    let start_ms = match &args.start {
        Some(text) => scenarios::spec::parse_start(text)?,
        None => {
            let now = chrono::Utc::now().timestamp_millis();
            (now / HOUR_MS - i64::from(hours) + 1) * HOUR_MS
        }
    };
    let now = chrono::Utc::now().timestamp_millis();
    // Live when the simulated period reaches the present: what is due by now is the backfill,
    // the rest is sent as its delivery time comes.
    let live = !args.once && start_ms + i64::from(hours) * HOUR_MS > now;
    let options = SimulateOptions {
        seed: args.seed,
        start_ms: Some(start_ms),
        hours: Some(hours),
    };
    let (mut timed, truth) = simulate_timed(&scenario, options)?;
    let backfilled = if live {
        timed.partition_point(|(at, _)| *at <= now)
    } else {
        timed.len()
    };
    let pending = timed.split_off(backfilled);
    let messages: Vec<String> = timed.iter().map(|(_, line)| line.clone()).collect();
    eprintln!(
        "demo: simulated {} events over {hours} hours ({} live sessions, {} jobs){}",
        timed.len() + pending.len(),
        truth.live.total.requested,
        truth.jobs.batch.requests + truth.jobs.llm.requests,
        if live {
            format!("; {} of them are due by now, the rest follow in real time", timed.len())
        } else {
            String::new()
        }
    );

    let ingestor = Ingestor::new(lake.clone(), Arc::new(SystemClock), IngestOptions::default());
    let source = format!("demo-{}-{}-{start_ms}", scenario.name, truth.seed);
    // Each event is stamped with its simulated delivery time, so ingestion lag and the
    // partitions are those of a network that was running, not of this replay.
    let report = pipeline::source::memory::ingest_received(&ingestor, &source, 0, &timed, 20_000).await?;
    print_report(&report);

    // Test load from a probe against an in-process mock gateway, beside the organic traffic.
    if scenario.test_load.is_some() {
        let config = MockConfig {
            latency_ms: 80,
            failure_rate: 0.05,
            timeout_rate: 0.05,
            hang_ms: 3_000,
            malformed_rate: 0.05,
            seed: 1,
        };
        let mock = MockGateway::start(([127, 0, 0, 1], 0).into(), config).await?;
        let (results, summary) = crate::testload::run_load(&scenario, &mock.url(), args.seed, None, 4).await?;
        crate::testload::ingest_results(lake.clone(), &results).await?;
        eprintln!(
            "demo: test load from {}: {} of {} requests succeeded",
            summary.probe_region, summary.succeeded, summary.requests
        );
    }

    // Collectors poll a simulated gateway's HTTP endpoints, as they would a real node's; the
    // endpoints keep serving, so `naap collect --gateway URL` has something to poll too.
    let nodes = match scenarios::nodes::NodeEndpoints::from_events(&messages, None) {
        Some(endpoints) => {
            let server = NodeServer::start(([127, 0, 0, 1], 0).into(), endpoints).await?;
            let mut config = CollectorConfig::default();
            config.add_flags(
                &[server.url()],
                &[server.url()],
                None,
                pipeline::collect::DEFAULT_TIMEOUT,
            )?;
            let collector = Collector::new(config, ingestor.clone(), Arc::new(SystemClock))?;
            let report = collector.once().await?;
            eprintln!(
                "demo: collectors polled the simulated gateway at {}: {} polls, {} ok",
                server.url(),
                report.polls.values().flat_map(|by| by.values()).sum::<u64>(),
                report.count("ok")
            );
            Some(server)
        }
        None => None,
    };

    // The scenario knows where its gateways are: rollups get regions without flags.
    let reference = ReferenceData {
        gateway_regions: truth
            .gateways
            .iter()
            .filter(|(g, _)| !g.is_empty())
            .map(|(g, r)| (g.clone(), r.clone()))
            .collect(),
        ..Default::default()
    };
    let options = RollupOptions {
        reference,
        ..RollupOptions::default()
    };
    let (mut follower, rollups) = Follower::start(lake.clone(), options, FollowSettings::default()).await?;
    for run in &rollups.rollups {
        println!(
            "rollup {}: {} rows in {} partitions",
            run.name, run.rows, run.partitions
        );
    }

    let servers = start(&lake, &args.serve, Profile::Public).await?;
    let shutdown = wait_for_shutdown_signal();
    if live {
        let network = LiveNetwork {
            scenario,
            seed: truth.seed,
            source,
            next_offset: messages.len() as u64,
            pending,
            next: 0,
            segment_end_ms: start_ms + i64::from(hours) * HOUR_MS,
            segment: 0,
        };
        eprintln!(
            "demo: live — the simulated network goes on in real time; new events are ingested every {:.1}s and the rollups follow",
            args.live_interval_secs
        );
        network
            .run(
                &ingestor,
                &mut follower,
                Duration::from_secs_f64(args.live_interval_secs),
                shutdown,
            )
            .await?;
        follower.checkpoint().await?;
    } else {
        shutdown.await;
    }
    eprintln!("stopping: finishing in-flight requests");
    servers.shutdown().await;
    drop(nodes);
    Ok(())
}

/// Hours simulated ahead at a time once the demo's own period has been sent.
const LIVE_SEGMENT_HOURS: u32 = 6;

/// A scenario's delivered lines with their delivery times (ms), in delivery order.
fn simulate_timed(scenario: &Scenario, options: SimulateOptions) -> anyhow::Result<(Vec<(i64, String)>, GroundTruth)> {
    let mut lines = Vec::new();
    let truth = scenarios::simulate(scenario, options, |at, line| {
        lines.push((at, line.to_string()));
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        SimulationError::Scenario(e) => anyhow::Error::from(e),
        SimulationError::Sink(never) => match never {},
    })?;
    Ok((lines, truth))
}

/// The simulated network after the backfill: its events are ingested as their delivery time
/// comes, through the same ingestor, and the rollups follow. When the simulated period runs
/// out, the next [`LIVE_SEGMENT_HOURS`] are simulated (with the next seed: streams do not
/// continue across a segment boundary).
struct LiveNetwork {
    scenario: Scenario,
    seed: u64,
    source: String,
    next_offset: u64,
    pending: Vec<(i64, String)>,
    next: usize,
    segment_end_ms: i64,
    segment: u64,
}

impl LiveNetwork {
    async fn run(
        mut self,
        ingestor: &Ingestor,
        follower: &mut Follower,
        every: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        tokio::pin!(shutdown);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut shutdown => return Ok(()),
                _ = tick.tick() => {}
            }
            let now = chrono::Utc::now().timestamp_millis();
            if self.next == self.pending.len() && now >= self.segment_end_ms - HOUR_MS {
                self.simulate_next_segment()?;
            }
            let due = self.pending[self.next..].partition_point(|(at, _)| *at <= now);
            if due > 0 {
                let lines: Vec<String> = self.pending[self.next..self.next + due]
                    .iter()
                    .map(|(_, line)| line.clone())
                    .collect();
                pipeline::source::memory::ingest_messages(ingestor, &self.source, self.next_offset, &lines, 20_000)
                    .await?;
                self.next += due;
                self.next_offset += due as u64;
            }
            // A failed tick (a store hiccup) is retried on the next one; the demo keeps serving.
            if let Err(e) = follower.tick().await {
                eprintln!("demo: rollup tick failed, retrying: {e}");
            }
        }
    }

    fn simulate_next_segment(&mut self) -> anyhow::Result<()> {
        self.segment += 1;
        let options = SimulateOptions {
            seed: Some(self.seed.wrapping_add(self.segment)),
            start_ms: Some(self.segment_end_ms),
            hours: Some(LIVE_SEGMENT_HOURS),
        };
        let (timed, _) = simulate_timed(&self.scenario, options)?;
        self.pending = timed;
        self.next = 0;
        self.segment_end_ms += i64::from(LIVE_SEGMENT_HOURS) * HOUR_MS;
        Ok(())
    }
}
