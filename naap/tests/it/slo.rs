//! Health states, burn-rate alerts and outage records against the simulator's truth: the
//! `incident` scenario (eight steady orchestrators; one runs at half FPS for an hour, then
//! fails every start for 90 minutes, then recovers) goes through ingest and rollups. Each
//! hourly health state is degraded exactly in the hours an incident touched. The alert rules are evaluated here a second time, independently,
//! on the simulator's own session outcomes, and naap's alert episodes (`/v1/alerts`' SQL) must
//! start and end within one evaluation interval of them; the incident orchestrator pages
//! during its incident, and no healthy orchestrator (nor the network) alerts at all.

use std::collections::BTreeMap;

use arrow::util::display::array_value_to_string;
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;
use lakehouse_layout::{Dataset, Lake};
use pipeline::clock::FixedClock;
use pipeline::{IngestOptions, Ingestor};
use scenarios::truth::SessionOutcome;
use scenarios::{SimulateOptions, library, simulate_to_vec};

const STEP_MS: i64 = 5 * 60_000;

/// An alert episode: its start and, once resolved, its end (ms).
type Episode = (i64, Option<i64>);
const TARGET: f64 = 0.95;

/// The rules of `slo_burn_rates.sql`, on (start, failed) pairs: (page, ticket) at `t`, or
/// `None` when no session started in the 6 hours up to `t` (no evaluation).
fn evaluate(sessions: &[(i64, bool)], t: i64) -> Option<(bool, bool)> {
    let window = |length_ms: i64| {
        let inside: Vec<bool> = sessions
            .iter()
            .filter(|(s, _)| *s > t - length_ms && *s <= t)
            .map(|(_, failed)| *failed)
            .collect();
        let errors = inside.iter().filter(|f| **f).count();
        let burn = (!inside.is_empty()).then(|| errors as f64 / inside.len() as f64 / (1.0 - TARGET));
        (inside.len(), burn.map(|b| (b * 1e6).round() / 1e6))
    };
    let (events_6h, burn_6h) = window(6 * 3_600_000);
    if events_6h == 0 {
        return None;
    }
    let (events_1h, burn_1h) = window(3_600_000);
    let (_, burn_5m) = window(STEP_MS);
    let (_, burn_30m) = window(30 * 60_000);
    let at_least = |b: Option<f64>, x: f64| b.is_some_and(|b| b >= x);
    Some((
        events_1h >= 5 && at_least(burn_1h, 14.4) && at_least(burn_5m, 14.4),
        events_6h >= 5 && at_least(burn_6h, 6.0) && at_least(burn_30m, 6.0),
    ))
}

/// Firing episodes (start, end: the first quiet evaluation after) of one severity.
fn episodes(sessions: &[(i64, bool)], from: i64, to: i64, page: bool) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    let mut open: Option<i64> = None;
    let mut t = from;
    while t <= to {
        if let Some((p, k)) = evaluate(sessions, t) {
            let firing = if page { p } else { k };
            match (firing, open) {
                (true, None) => open = Some(t),
                (false, Some(start)) => {
                    out.push((start, Some(t)));
                    open = None;
                }
                _ => {}
            }
        } else if let Some(start) = open.take() {
            out.push((start, Some(t)));
        }
        t += STEP_MS;
    }
    if let Some(start) = open {
        out.push((start, None));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_rate_alerts_and_outages_follow_the_incident() -> anyhow::Result<()> {
    let scenario = library::load("incident")?;
    let (lines, truth) = simulate_to_vec(&scenario, SimulateOptions::default())?;
    let dir = tempfile::tempdir()?;
    let lake = Lake::open(dir.path().to_str().unwrap())?;
    let ingestor = Ingestor::new(lake.clone(), FixedClock::new(truth.end_ms), IngestOptions::default());
    pipeline::source::memory::ingest_messages(&ingestor, "incident", 0, &lines, 100_000).await?;
    sql::run_rollups(&lake, &sql::RollupOptions::default()).await?;

    // The truth's sessions per orchestrator, and the range naap evaluates: from the first
    // 5-minute mark to the latest start.
    let outcomes: &[SessionOutcome] = &truth.live.outcomes;
    let mut by_orchestrator: BTreeMap<String, Vec<(i64, bool)>> = BTreeMap::new();
    for o in outcomes {
        let address = o
            .orchestrator
            .clone()
            .expect("every session of the scenario is attributed");
        by_orchestrator
            .entry(address)
            .or_default()
            .push((o.started_ms, o.failed));
    }
    let network: Vec<(i64, bool)> = outcomes.iter().map(|o| (o.started_ms, o.failed)).collect();
    let latest = outcomes.iter().map(|o| o.started_ms).max().unwrap();
    let (from, to) = (truth.start_ms, latest - latest % STEP_MS);

    // naap's episodes, through the SQL /v1/alerts serves.
    let ctx = SessionContext::new();
    sql::catalog::register_lake(
        &ctx,
        &lake,
        [Dataset::SloBurnRates, Dataset::Sessions, Dataset::HealthStates],
    )?;
    let params = vec![ScalarValue::Int64(Some(from)), ScalarValue::Int64(Some(latest))];
    let mut measured: BTreeMap<(String, String), Vec<Episode>> = BTreeMap::new();
    let sql = sql::slo::filtered(sql::slo::ALERTS, &[], "started_at");
    for batch in ctx
        .sql(&sql)
        .await?
        .with_param_values(params.clone())?
        .collect()
        .await?
    {
        let text = |name: &str, row: usize| {
            let column = batch.column_by_name(name).unwrap();
            (!column.is_null(row)).then(|| array_value_to_string(column, row).unwrap())
        };
        let ms =
            |text: Option<String>| text.map(|t| chrono::DateTime::parse_from_rfc3339(&t).unwrap().timestamp_millis());
        for row in 0..batch.num_rows() {
            let who = text("orchestrator_address", row).unwrap_or_else(|| "network".into());
            let episode = (ms(text("started_at", row)).unwrap(), ms(text("resolved_at", row)));
            measured
                .entry((who, text("severity", row).unwrap()))
                .or_default()
                .push(episode);
        }
    }

    // The incident orchestrator: its truth episodes, recomputed here, and naap's agree within
    // one evaluation interval; it pages during the incident.
    let incident = truth
        .incidents
        .iter()
        .find(|i| i.startup_success == Some(0.0))
        .expect("the scenario has an incident of failed starts");
    let sessions = &by_orchestrator[&incident.orchestrator];
    for (severity, page) in [("page", true), ("ticket", false)] {
        let expected = episodes(sessions, from, to, page);
        let got = measured
            .get(&(incident.orchestrator.clone(), severity.to_string()))
            .cloned()
            .unwrap_or_default();
        assert_eq!(got.len(), expected.len(), "{severity}: {got:?} vs {expected:?}");
        for ((start, end), (true_start, true_end)) in got.iter().zip(&expected) {
            assert!(
                (start - true_start).abs() <= STEP_MS,
                "{severity} starts at {start}, truth {true_start}"
            );
            match (end, true_end) {
                (Some(end), Some(true_end)) => assert!((end - true_end).abs() <= STEP_MS, "{severity} ends"),
                (None, None) => {}
                _ => panic!("{severity}: {end:?} vs {true_end:?}"),
            }
        }
    }
    let pages = &measured[&(incident.orchestrator.clone(), "page".to_string())];
    assert!(!pages.is_empty(), "the incident pages");
    for (start, end) in pages {
        assert!(
            *start > incident.from_ms && *start < incident.to_ms,
            "a page starts during the incident"
        );
        assert!(
            end.is_some_and(|end| end <= incident.to_ms + 3_600_000),
            "and stops within the hour after it"
        );
    }

    // Nobody else alerts, in naap as in the truth.
    for (address, sessions) in &by_orchestrator {
        if *address == incident.orchestrator {
            continue;
        }
        assert!(episodes(sessions, from, to, true).is_empty() && episodes(sessions, from, to, false).is_empty());
        for severity in ["page", "ticket"] {
            assert!(
                !measured.contains_key(&(address.clone(), severity.into())),
                "{address} {severity}"
            );
        }
    }
    assert!(episodes(&network, from, to, true).is_empty() && episodes(&network, from, to, false).is_empty());
    assert!(
        !measured.keys().any(|(who, _)| who == "network"),
        "the network does not alert"
    );

    // Health, hour by hour: the incident orchestrator is degraded exactly in the hours an
    // incident touched (the evaluation interval is the hour), by the rule that fits it; every
    // other orchestrator is healthy in every hour.
    let mut states: BTreeMap<(String, i64), (String, Vec<String>)> = BTreeMap::new();
    let sql =
        "SELECT orchestrator_address, CAST(window_start AS BIGINT) AS hour, state, rule, degraded FROM health_states";
    for batch in ctx.sql(sql).await?.collect().await? {
        for row in 0..batch.num_rows() {
            let text = |i: usize| array_value_to_string(batch.column(i), row).unwrap();
            let entry = states
                .entry((text(0), text(1).parse()?))
                .or_insert((text(2), Vec::new()));
            if text(4) == "true" {
                entry.1.push(text(3));
            }
        }
    }
    let degraded_hours = states
        .iter()
        .filter(|((address, _), (state, _))| *address == incident.orchestrator && state == "degraded")
        .count();
    assert_eq!(degraded_hours, 3, "the incidents touch hours 02, 03 and 04: {states:?}");
    for ((address, hour), (state, rules)) in &states {
        let touched: Vec<&scenarios::truth::IncidentTruth> = truth
            .incidents
            .iter()
            .filter(|i| i.orchestrator == *address && i.from_ms < hour + 3_600_000 && i.to_ms > *hour)
            .collect();
        if touched.is_empty() {
            assert_eq!(state, "healthy", "{address} at {hour}: {rules:?}");
            continue;
        }
        assert_eq!(state, "degraded", "{address} at {hour}");
        for incident in touched {
            let expected = match incident.startup_success {
                Some(_) => "startup_success_floor",
                None => "fps_drop_own",
            };
            assert!(
                rules.iter().any(|r| r == expected),
                "{address} at {hour}: {rules:?}, not {expected}"
            );
        }
    }

    // The outage record: the incident orchestrator's pages, with the failed sessions behind them.
    let sql = sql::slo::filtered(&sql::slo::outages(), &[], "started_at");
    let outages = ctx.sql(&sql).await?.with_param_values(params)?.collect().await?;
    let rows: usize = outages.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, pages.len());
    for batch in &outages {
        for row in 0..batch.num_rows() {
            let who = array_value_to_string(batch.column_by_name("orchestrator_address").unwrap(), row)?;
            assert_eq!(who, incident.orchestrator);
            let failed: i64 = array_value_to_string(batch.column_by_name("failed_sessions").unwrap(), row)?.parse()?;
            assert!(failed >= 5, "{failed}");
        }
    }
    Ok(())
}
