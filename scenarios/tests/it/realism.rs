//! Realism: `realistic-day`'s mix of event families and its per-stream cadences against the
//! real `network_events` sample of 2026-03-24 (tests/data/livepeer).
//!
//! Tolerances, stated: every family of the sample within ±2 percentage points of its real
//! share, or ±20 % of it when that is wider; families absent from the sample ≤ 1 % together;
//! status samples every 10 s and ingest metrics every 5 s per stream (median gap within
//! ±2 %); the message rate within ±25 % of the sample's.

use std::collections::BTreeMap;

use scenarios::library::load;
use scenarios::{SimulateOptions, simulate_to_vec};
use serde_json::Value;

const SAMPLE: &str = include_str!("../data/livepeer/topic-sample-summary-2026-03-24.json");

fn median(mut values: Vec<i64>) -> f64 {
    values.sort_unstable();
    values[values.len() / 2] as f64
}

#[test]
fn realistic_day_matches_the_real_family_mix_and_cadences() {
    let sample: Value = serde_json::from_str(SAMPLE).unwrap();
    let topic = &sample["topics"]["network_events"];
    let real: BTreeMap<String, f64> = topic["event_type_counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(family, n)| (family.clone(), n.as_f64().unwrap()))
        .collect();
    let real_total: f64 = real.values().sum();
    // 2,000 messages between 09:26:39 and 09:27:34.
    let real_rate = real_total / 55.0;

    // Two hours around the sample's time of day.
    let scenario = load("realistic-day").unwrap();
    let start = scenario.start_ms().unwrap() + 8 * 3_600_000;
    let options = SimulateOptions {
        start_ms: Some(start),
        hours: Some(2),
        ..Default::default()
    };
    let (lines, truth) = simulate_to_vec(&scenario, options).unwrap();
    assert!(truth.delivery.malformed.is_empty() && truth.delivery.duplicates == 0);

    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    let mut status: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut ingest: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap();
        let family = v["type"].as_str().unwrap();
        *counts.entry(family.to_string()).or_default() += 1.0;
        let stream = || v["data"]["stream_id"].as_str().unwrap().to_string();
        let ts = || v["data"]["timestamp"].as_i64().unwrap();
        match family {
            "ai_stream_status" => status.entry(stream()).or_default().push(ts()),
            "stream_ingest_metrics" => ingest.entry(stream()).or_default().push(ts()),
            _ => {}
        }
    }
    let total: f64 = counts.values().sum();
    let mut report = String::new();
    for (family, n) in &real {
        let real_share = 100.0 * n / real_total;
        let share = 100.0 * counts.get(family).copied().unwrap_or(0.0) / total;
        let tolerance = (0.2 * real_share).max(2.0);
        report.push_str(&format!("{family}: simulated {share:.2} %, real {real_share:.2} %\n"));
        assert!(
            (share - real_share).abs() <= tolerance,
            "{family} off by more than {tolerance:.2} pp:\n{report}"
        );
    }
    let foreign: f64 = counts
        .iter()
        .filter(|(f, _)| !real.contains_key(*f))
        .map(|(_, n)| n)
        .sum();
    assert!(
        100.0 * foreign / total <= 1.0,
        "{foreign} events of families absent from the sample"
    );
    let rate = total / 7_200.0;
    assert!(
        (rate / real_rate - 1.0).abs() <= 0.25,
        "{rate:.1} messages/s against {real_rate:.1} in the sample"
    );

    for (name, gaps_of, expected) in [("status", &status, 10_000.0), ("ingest metrics", &ingest, 5_000.0)] {
        let gaps: Vec<i64> = gaps_of
            .values()
            .flat_map(|ts| ts.windows(2).map(|w| w[1] - w[0]))
            .collect();
        assert!(gaps.len() > 1_000, "{name}: {} gaps", gaps.len());
        let m = median(gaps);
        assert!(
            (m / expected - 1.0).abs() <= 0.02,
            "{name}: median gap {m} ms, expected {expected}"
        );
    }
}
