//! Ground truth end to end: the `ground-truth` scenario (twenty orchestrators of drawn
//! quality, duplicates, late and lost events, malformed messages) goes through ingest and
//! rollups, and naap must find what the simulator knows:
//!
//! * dead letters per reason and duplicates exactly as injected;
//! * remote-signer fees exact to the wei, per session and per orchestrator; BYOC jobs by
//!   outcome and their compute fees per worker;
//! * live sessions per orchestrator by outcome, organic and probe streams apart, and jobs by
//!   kind and outcome, exactly;
//! * each orchestrator's true startup success inside the 95 % Wilson interval of its measured
//!   one, for at least 95 % of the orchestrators;
//! * naap's score ranks orchestrators like their true quality (Spearman ≥ 0.9), and so do
//!   both variants of the leaderboard-compatible `aggregated_stats` score.

use std::collections::BTreeMap;

use arrow::util::display::array_value_to_string;
use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, Lake};
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use scenarios::truth::{JobCounts, SessionCounts};
use scenarios::{SimulateOptions, library, simulate_to_vec};

/// Rows of a query as strings ("" for NULL).
async fn rows(ctx: &SessionContext, sql: &str) -> anyhow::Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for batch in ctx.sql(sql).await?.collect().await? {
        for row in 0..batch.num_rows() {
            let mut values = Vec::new();
            for column in batch.columns() {
                values.push(if column.is_null(row) {
                    String::new()
                } else {
                    array_value_to_string(column, row)?
                });
            }
            out.push(values);
        }
    }
    Ok(out)
}

/// Wilson score interval at 95 %.
fn wilson(successes: f64, n: f64) -> (f64, f64) {
    let z = 1.96_f64;
    let p = successes / n;
    let centre = p + z * z / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let scale = 1.0 + z * z / n;
    ((centre - spread) / scale, (centre + spread) / scale)
}

/// Ranks with ties averaged.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        for k in i..=j {
            ranks[order[k]] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's rank correlation: Pearson's on the ranks.
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_truth_is_recovered_end_to_end() -> anyhow::Result<()> {
    let scenario = library::load("ground-truth")?;
    let (lines, truth) = simulate_to_vec(&scenario, SimulateOptions::default())?;
    let dir = tempfile::tempdir()?;
    let lake = Lake::open(dir.path().to_str().unwrap())?;
    let ingestor = Ingestor::new(
        lake.clone(),
        FixedClock::new(truth.end_ms + 3_600_000),
        IngestOptions::default(),
    );
    let report = pipeline::source::memory::ingest_messages(&ingestor, "ground-truth", 0, &lines, 100_000).await?;

    // Delivery: every malformed message dead-lettered for the injected reason, every
    // duplicate recognised, nothing else rejected.
    let dead: BTreeMap<String, u64> = report.dead_letters.iter().map(|(r, n)| (r.to_string(), *n)).collect();
    assert_eq!(dead, truth.delivery.malformed);
    assert_eq!(report.silver_duplicates, truth.delivery.duplicates);
    assert_eq!(report.accepted, truth.delivery.envelopes + truth.delivery.duplicates);

    let reference = sql::rollup::ReferenceData {
        gateway_regions: truth.gateways.clone().into_iter().collect(),
        ..Default::default()
    };
    sql::run_rollups(
        &lake,
        &sql::RollupOptions {
            reference,
            ..sql::RollupOptions::default()
        },
    )
    .await?;
    let ctx = SessionContext::new();
    sql::catalog::register_lake(
        &ctx,
        &lake,
        [
            Dataset::Sessions,
            Dataset::SlaHourly,
            Dataset::Jobs,
            Dataset::PaymentsHourly,
        ],
    )?;

    // Sessions per orchestrator by outcome, exactly, organic and probe streams apart.
    let measured = rows(
        &ctx,
        "SELECT traffic_class, coalesce(orchestrator_address, attribution), count(*) FILTER (WHERE requested), \
                count(*) FILTER (WHERE startup_outcome = 'success'), count(*) FILTER (WHERE startup_outcome = 'failed'), \
                count(*) FILTER (WHERE startup_outcome = 'excused'), count(*) FILTER (WHERE swap_count > 0), \
                count(*) FILTER (WHERE loading_only), count(*) FILTER (WHERE zero_output_fps), \
                count(*) FILTER (WHERE startup_outcome = 'success' AND NOT loading_only AND NOT zero_output_fps) \
         FROM sessions GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .await?;
    let mut by_orchestrator: BTreeMap<String, BTreeMap<String, SessionCounts>> = BTreeMap::new();
    let mut unattributed: BTreeMap<(String, String), SessionCounts> = BTreeMap::new();
    for row in &measured {
        let n: Vec<u64> = row[2..].iter().map(|v| v.parse().unwrap()).collect();
        let counts = SessionCounts {
            requested: n[0],
            success: n[1],
            failed: n[2],
            excused: n[3],
            swapped: n[4],
            loading_only: n[5],
            zero_fps: n[6],
            good: n[7],
        };
        match row[1].starts_with("0x") {
            true => by_orchestrator
                .entry(row[0].clone())
                .or_default()
                .insert(row[1].clone(), counts),
            false => unattributed.insert((row[0].clone(), row[1].clone()), counts),
        };
    }
    for (class, truth) in [("organic", &truth.live), ("probe", &truth.probe_live)] {
        assert!(truth.total.requested > 100, "the scenario has {class} streams");
        assert_eq!(by_orchestrator[class], truth.by_orchestrator, "{class} sessions");
        // No orchestrator: none available (excused), or an off-chain gateway's stream that
        // ended before any event named one.
        let none = unattributed
            .get(&(class.into(), "none".into()))
            .copied()
            .unwrap_or_default();
        assert_eq!(
            none.requested,
            truth.no_orchestrator + truth.unnamed.requested,
            "{class}"
        );
        assert_eq!(none.excused, truth.no_orchestrator + truth.unnamed.excused, "{class}");
        assert_eq!(none.failed, truth.unnamed.failed, "{class}");
        // Behind the shared URL and key, an unpaid stream is left ambiguous: no address guessed.
        let ambiguous = unattributed
            .get(&(class.into(), "ambiguous".into()))
            .copied()
            .unwrap_or_default();
        assert_eq!(ambiguous, truth.ambiguous, "{class} ambiguous sessions");
        let kinds: Vec<&str> = unattributed
            .keys()
            .filter(|(c, _)| c == class)
            .map(|(_, a)| a.as_str())
            .collect();
        assert!(
            kinds.iter().all(|a| ["none", "ambiguous"].contains(a)),
            "{class}: {kinds:?}"
        );
    }
    assert!(
        truth.live.ambiguous.requested > 0,
        "the scenario has ambiguous sessions"
    );

    // The SLA rows keep the classes apart: organic rows count exactly the organic sessions.
    let sla = rows(
        &ctx,
        "SELECT traffic_class, sum(requested_sessions), sum(good_sessions) FROM sla_hourly GROUP BY 1 ORDER BY 1",
    )
    .await?;
    for (row, truth) in sla.iter().zip([&truth.live, &truth.probe_live]) {
        assert_eq!(
            row[1..],
            [truth.total.requested.to_string(), truth.total.good.to_string()],
            "{}",
            row[0]
        );
    }

    // Remote-signer fees, exact to the wei: per session (their sum) and per orchestrator.
    let signed = rows(
        &ctx,
        "SELECT CAST(sum(signer_fee_wei) AS VARCHAR), CAST(sum(signer_payments) AS VARCHAR) FROM sessions",
    )
    .await?;
    assert!(
        truth.signed_tickets.events > 0,
        "the scenario pays through a remote signer"
    );
    assert_eq!(
        signed[0],
        [
            truth.signed_tickets.fee_wei.clone(),
            truth.signed_tickets.events.to_string()
        ]
    );
    let by_orchestrator: BTreeMap<String, String> = rows(
        &ctx,
        "SELECT orchestrator_address, CAST(sum(signer_fee_wei) AS VARCHAR) FROM payments_hourly \
         WHERE signer_fee_wei IS NOT NULL GROUP BY 1",
    )
    .await?
    .into_iter()
    .map(|r| (r[0].clone(), r[1].clone()))
    .collect();
    assert_eq!(by_orchestrator, truth.signed_tickets.fee_wei_by_orchestrator);

    // Jobs by kind and outcome, exactly.
    let jobs = rows(
        &ctx,
        "SELECT kind, count(*), count(*) FILTER (WHERE success), count(*) FILTER (WHERE NOT success) \
         FROM jobs GROUP BY kind ORDER BY kind",
    )
    .await?;
    let jobs: BTreeMap<String, JobCounts> = jobs
        .iter()
        .map(|r| {
            let n: Vec<u64> = r[1..].iter().map(|v| v.parse().unwrap()).collect();
            (
                r[0].clone(),
                JobCounts {
                    requests: n[0],
                    succeeded: n[1],
                    failed: n[2],
                },
            )
        })
        .collect();
    assert_eq!(jobs["ai_batch"], truth.jobs.batch);
    assert_eq!(jobs["llm"], truth.jobs.llm);
    assert!(truth.jobs.byoc.requests > 0, "the scenario has BYOC jobs");
    assert_eq!(jobs["byoc"], truth.jobs.byoc);
    // BYOC compute fees per worker, exact to the wei.
    let fees: BTreeMap<String, u64> = rows(
        &ctx,
        "SELECT worker_url, CAST(sum(compute_fee_wei) AS BIGINT) FROM jobs WHERE kind = 'byoc' GROUP BY 1",
    )
    .await?
    .into_iter()
    .map(|r| (r[0].clone(), r[1].parse().unwrap()))
    .collect();
    assert_eq!(fees, truth.jobs.byoc_fee_wei_by_worker);

    // Startup success against the truth, and naap's score against the true quality.
    let sla = rows(
        &ctx,
        "SELECT orchestrator_address, sum(startup_success_sessions), sum(requested_sessions - startup_excused_sessions), \
                sum(good_sessions), sum(naap_score_sessions) \
         FROM sla_hourly WHERE orchestrator_address IS NOT NULL AND traffic_class = 'organic' GROUP BY 1 ORDER BY 1",
    )
    .await?;
    let mut covered = 0;
    let (mut scores, mut qualities) = (Vec::new(), Vec::new());
    for row in &sla {
        let n: Vec<f64> = row[1..].iter().map(|v| v.parse().unwrap()).collect();
        let o = truth.orchestrators.iter().find(|o| o.address == row[0]).unwrap();
        let (low, high) = wilson(n[0], n[1]);
        let true_success = o.behaviour.startup_success;
        eprintln!(
            "{}: startup success {true_success:.3} in [{low:.3}, {high:.3}] from {}/{}",
            o.name, n[0], n[1]
        );
        covered += usize::from((low..=high).contains(&true_success));
        // The score a leaderboard shows over the whole period: the Wilson lower bound of
        // the good-session rate, from the additive support counts.
        scores.push(wilson(n[2], n[3]).0);
        qualities.push(o.behaviour.good_session_probability);
    }
    assert_eq!(sla.len(), truth.orchestrators.len());
    assert!(
        covered * 100 >= 95 * sla.len(),
        "{covered} of {} orchestrators' true startup success inside their interval",
        sla.len()
    );
    let rho = spearman(&scores, &qualities);
    eprintln!("Spearman correlation of naap's score with the true quality: {rho:.3}");
    assert!(rho >= 0.9, "Spearman {rho:.3}");

    // The leaderboard-compatible scores rank orchestrators like their true quality, each
    // orchestrator's mean over its regions (as the Explorer's GLOBAL): the default `score`
    // (what the Explorer shows and a go-livepeer gateway selects by) against the same formula
    // on the true startup success and mean startup latency, and `score=naap` against the
    // true good-session probability.
    let mut true_medians: Vec<f64> = truth
        .orchestrators
        .iter()
        .map(|o| o.behaviour.startup_latency_median_ms)
        .collect();
    true_medians.sort_by(f64::total_cmp);
    let network_median = true_medians[true_medians.len() / 2];
    for variant in ["explorer", "naap"] {
        let stats = aggregated_stats(&lake, truth.end_ms, variant).await?;
        let (mut scores, mut qualities) = (Vec::new(), Vec::new());
        for o in &truth.orchestrators {
            let regions = stats[&o.address].as_object().expect("every orchestrator measured");
            scores.push(regions.values().map(|r| r["score"].as_f64().unwrap()).sum::<f64>() / regions.len() as f64);
            qualities.push(true_quality(variant, &o.behaviour, network_median));
        }
        let rho = spearman(&scores, &qualities);
        eprintln!("Spearman correlation of aggregated_stats' {variant} score with the true quality: {rho:.3}");
        assert!(rho >= 0.9, "{variant}: Spearman {rho:.3}");
    }
    Ok(())
}

/// What a variant of the leaderboard-compatible score estimates, from an orchestrator's true
/// behaviour: leaderboard-serverless's formula on the true startup success and mean startup
/// latency (a log-normal's mean: median · e^(σ²/2)), or the good-session probability.
fn true_quality(variant: &str, b: &scenarios::network::TrueBehaviour, network_median_ms: f64) -> f64 {
    match variant {
        "explorer" => {
            let mean_latency = b.startup_latency_median_ms * (b.startup_latency_spread.powi(2) / 2.0).exp();
            sql::compat::leaderboard_ai_score(b.startup_success, Some(mean_latency), Some(network_median_ms)).1
        }
        _ => b.good_session_probability,
    }
}

/// `/compat/leaderboard/api/aggregated_stats` for the scenario's live model over the whole
/// lake, answered at `now_ms`, with the `score` variant named.
async fn aggregated_stats(lake: &Lake, now_ms: i64, score: &str) -> anyhow::Result<serde_json::Value> {
    use tower::ServiceExt;
    let engine = sql::QueryEngine::new(lake, sql::Profile::Public, sql::QueryLimits::default())?;
    let mut state = flight_server::http::AppState::new(engine, lake.clone());
    state.clock = flight_server::http::Clock::Fixed(now_ms);
    let uri = format!(
        "/compat/leaderboard/api/aggregated_stats?pipeline=live-video-to-video&model=streamdiffusion-sdxl&since=0&score={score}"
    );
    let response = flight_server::http::router(state)
        .oneshot(axum::http::Request::get(uri).body(axum::body::Body::empty())?)
        .await?;
    anyhow::ensure!(response.status().is_success(), "{}", response.status());
    let body = axum::body::to_bytes(response.into_body(), 1 << 26).await?;
    Ok(serde_json::from_slice(&body)?)
}

#[test]
fn spearman_of_known_rankings() {
    assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
    assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
    // Ranks 0,1,2,3 against 1,0,3,2: 1 − 6·4 / (4·15) = 0.6.
    assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[2.0, 1.0, 4.0, 3.0]) - 0.6).abs() < 1e-12);
}
