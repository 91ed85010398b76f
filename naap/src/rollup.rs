//! `naap rollup`: recompute the gold datasets, once or as data arrives (`--follow`).

use std::time::Duration;

use std::sync::Arc;

use lakehouse_layout::Lake;
use lakehouse_layout::lease::Lease;
use sql::rollup::ReferenceData;
use sql::{FollowSettings, Follower, RollupOptions, RollupReport};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::cli::RollupArgs;
use crate::health::{Progress, now_ms};

pub(crate) async fn run(lake: Lake, args: RollupArgs) -> anyhow::Result<()> {
    crate::allocator::prefer_low_memory();
    let reference = ReferenceData::parse(&args.gateway_regions, &args.probe_rules)
        .map_err(|e| anyhow::anyhow!("--gateway-region / --probe-rule: {e}"))?;
    let options = RollupOptions {
        full: args.full,
        reference,
        memory_limit: args.memory_mb.map(|mb| (mb as usize) << 20),
        now_ms: None,
    };
    let settings = FollowSettings {
        checkpoint_every: Duration::from_secs(args.checkpoint_secs),
        reconcile_every: Duration::from_secs(args.reconcile_secs),
        periodic_every: Duration::from_secs_f64(args.periodic_secs),
    };
    // One writer: a second `naap rollup` waits here until the first lets its lease go.
    let lease = acquire_lease(&lake, Duration::from_secs_f64(args.lease_secs)).await?;
    let renewal = keep_renewing(std::sync::Arc::clone(&lease));
    let (mut follower, report) = Follower::start(lake.clone(), options, settings).await?;
    print_report(&report);
    if !args.follow {
        return release(lease, renewal).await;
    }
    let progress = Progress::new("rollup", now_ms(), Duration::from_secs(args.stall_secs));
    crate::health::spawn(args.health_listen, Arc::clone(&progress), lake.clone()).await?;
    let mut webhook = match (&args.alert_webhook, &args.alert_webhook_secret_file) {
        (Some(url), Some(secret)) => Some(crate::alert_webhook::AlertWebhook::new(
            url,
            secret,
            args.slo_orchestrators.clone(),
        )?),
        _ => None,
    };
    if let Some(webhook) = webhook.as_mut() {
        // What changed since the last follower announced (everything firing, the first time)
        // is announced at once; the ticks announce the changes after.
        webhook.restore(&lake).await?;
        webhook.after_tick(&lake).await?;
    }
    let interval = Duration::from_secs_f64(args.interval_secs);
    println!(
        "following the lake's change log: recomputing touched windows every {:.2}s; press Ctrl-C to stop",
        interval.as_secs_f64()
    );
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // One signal listener for the whole run: a Ctrl-C during a tick is seen after it (a tick
    // is never cut short, so the state stored covers exactly what was computed).
    let shutdown = crate::serve::wait_for_shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => {
                follower.checkpoint().await?;
                println!("stopping: rollup state stored");
                return release(lease, renewal).await;
            }
            _ = tick.tick() => {}
        }
        // Never write after another writer took over.
        if renewal.is_finished() {
            progress.set_allowed(false);
            return Err(renewal.await?.unwrap_err().into());
        }
        let started = std::time::Instant::now();
        let report = follower.tick().await?;
        let rows = report.rollups.iter().map(|r| r.rows).sum();
        progress.round(now_ms(), started.elapsed(), report.rollups.len() as u64, rows);
        let burn_rates_changed = report.rollups.iter().any(|r| r.name == "slo_burn_rates");
        if let Some(webhook) = webhook.as_mut().filter(|_| burn_rates_changed) {
            // A webhook that cannot read the lake this tick tries again at the next.
            if let Err(e) = webhook.after_tick(&lake).await {
                eprintln!("alert webhook: {e:#}");
            }
        }
        if !report.rollups.is_empty() {
            print_report(&report);
            println!(
                "tick: {} datasets recomputed in {} ms",
                report.rollups.len(),
                started.elapsed().as_millis()
            );
        }
    }
}

/// The rollup lease, waiting (and saying so) while another writer holds it.
async fn acquire_lease(lake: &Lake, ttl: Duration) -> anyhow::Result<Arc<Mutex<Lease>>> {
    let holder = lakehouse_layout::lease::holder_name();
    let mut said = false;
    loop {
        match Lease::try_acquire(lake, "rollup", &holder, ttl).await? {
            Ok(lease) => {
                eprintln!("rollup lease acquired as {holder}");
                return Ok(Arc::new(Mutex::new(lease)));
            }
            Err(held) => {
                if !said {
                    eprintln!(
                        "waiting for the rollup lease held by {} (until {} unless renewed)",
                        held.holder,
                        utc(held.expires_ms)
                    );
                    said = true;
                }
                tokio::time::sleep((ttl / 3).clamp(Duration::from_millis(100), Duration::from_secs(5))).await;
            }
        }
    }
}

/// Renews the lease every third of its time to live; ends with the error when it cannot
/// (another writer took over, or the lake stopped answering).
fn keep_renewing(lease: Arc<Mutex<Lease>>) -> JoinHandle<Result<(), lakehouse_layout::Error>> {
    tokio::spawn(async move {
        loop {
            let every = lease.lock().await.renew_every();
            tokio::time::sleep(every).await;
            lease.lock().await.renew().await?;
        }
    })
}

/// Stops renewing and gives the lease up, so that a waiting writer takes over at once.
async fn release(
    lease: Arc<Mutex<Lease>>,
    renewal: JoinHandle<Result<(), lakehouse_layout::Error>>,
) -> anyhow::Result<()> {
    renewal.abort();
    let _ = renewal.await;
    let lease = Arc::try_unwrap(lease).map_err(|_| anyhow::anyhow!("the lease is still shared"))?;
    lease.into_inner().release().await?;
    Ok(())
}

pub(crate) fn print_report(report: &RollupReport) {
    if report.rollups.is_empty() {
        println!("rollups: up to date (no input changed since the last run)");
        return;
    }
    for run in &report.rollups {
        let scope = match run.window {
            None => "all windows".to_string(),
            Some((start, end)) => format!("{} to {}", utc(start), utc(end)),
        };
        println!(
            "{}: {} rows in {} partitions ({} stale partitions removed; {scope}) in {} ms",
            run.name, run.rows, run.partitions, run.deleted, run.elapsed_ms
        );
    }
}

fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(|| ms.to_string(), |t| t.format("%Y-%m-%dT%H:%MZ").to_string())
}
