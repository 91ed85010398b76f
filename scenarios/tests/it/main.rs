//! Tests of the scenario library and the simulator that need no lake: parsing and
//! validation, determinism, the ground truth's bookkeeping, realism against a real sample.

mod realism;
mod testload;

use scenarios::library::{BUILTIN, load};
use scenarios::{Scenario, ScenarioError, SimulateOptions, simulate, simulate_to_vec};
use sha2::{Digest, Sha256};

#[test]
fn every_builtin_scenario_parses_and_validates() {
    for (name, text) in BUILTIN {
        let scenario = Scenario::from_toml(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(scenario.name, name, "a built-in's name is its file's name");
    }
}

fn invalid(text: &str) -> String {
    match Scenario::from_toml(text) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted:\n{text}"),
    }
}

#[test]
fn invalid_scenarios_are_rejected_with_the_field_named() {
    let demo = BUILTIN[0].1;
    let e = invalid(&demo.replace("startup_success = 0.97", "startup_success = 1.2"));
    assert!(e.contains("orchestrators[0].behaviour.startup_success"), "{e}");
    let e = invalid(&demo.replace("startup_success = [0.85, 0.93]", "startup_success = [0.93, 0.85]"));
    assert!(e.contains("orchestrators[1].behaviour.startup_success"), "{e}");
    let e = invalid(&demo.replace("hours = 6", "hours = 6\nhuors = 2"));
    assert!(e.contains("unknown field `huors`"), "{e}");
    let e = invalid(&demo.replace("start = \"2026-01-08T14:00:00Z\"", "start = \"yesterday\""));
    assert!(e.contains("`start`"), "{e}");
    let e = invalid(&demo.replace(
        "models = [\"streamdiffusion-sdxl\"]\n",
        "models = [\"streamdiffusion-sd15\"]\n",
    ));
    assert!(
        e.contains("orchestrators[4].models") && e.contains("streamdiffusion-sd15"),
        "{e}"
    );
    let e = invalid(&demo.replace("version = 1", "version = 2"));
    assert!(e.contains("`version`"), "{e}");
    assert!(matches!(load("no-such-scenario"), Err(ScenarioError::NotFound { .. })));
}

fn sha256_of_run(name: &str, seed: u64) -> (String, u64) {
    let scenario = load(name).unwrap();
    let mut hasher = Sha256::new();
    let mut lines = 0;
    simulate(
        &scenario,
        SimulateOptions {
            seed: Some(seed),
            hours: Some(1),
            ..Default::default()
        },
        |_, line| {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
            lines += 1;
            Ok::<(), std::convert::Infallible>(())
        },
    )
    .unwrap();
    (hex::encode(hasher.finalize()), lines)
}

#[test]
fn same_scenario_and_seed_give_the_same_sha256() {
    let (a, lines) = sha256_of_run("faults", 5);
    let (b, _) = sha256_of_run("faults", 5);
    assert_eq!(a, b);
    assert!(lines > 1_000, "{lines} lines");
    let (c, _) = sha256_of_run("faults", 6);
    assert_ne!(a, c, "another seed gives other events");
}

#[test]
fn the_output_directory_is_byte_identical_across_runs() {
    let scenario = load("demo").unwrap();
    let text = scenarios::library::scenario_text("demo").unwrap();
    let options = SimulateOptions {
        hours: Some(1),
        ..Default::default()
    };
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (ma, _) = scenarios::output::write_simulation(a.path(), &text, &scenario, options, |_| {}).unwrap();
    let (mb, _) = scenarios::output::write_simulation(b.path(), &text, &scenario, options, |_| {}).unwrap();
    for name in ["events.jsonl", "ground-truth.json", "scenario.toml", "manifest.json"] {
        let x = std::fs::read(a.path().join(name)).unwrap();
        let y = std::fs::read(b.path().join(name)).unwrap();
        assert!(x == y, "{name} differs between two runs");
    }
    let events = ma.files.iter().find(|f| f.path == "events.jsonl").unwrap();
    let bytes = std::fs::read(a.path().join("events.jsonl")).unwrap();
    assert_eq!(events.sha256, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(ma.lines, mb.lines);
}

#[test]
fn ground_truth_counts_add_up_and_match_the_events() {
    let scenario = load("faults").unwrap();
    let (lines, truth) = simulate_to_vec(&scenario, SimulateOptions::default()).unwrap();
    let d = &truth.delivery;
    assert_eq!(lines.len() as u64, d.lines);
    assert_eq!(d.lines, d.envelopes + d.duplicates + d.malformed.values().sum::<u64>());
    assert_eq!(d.envelopes, d.by_family.values().sum::<u64>());
    assert!(
        d.duplicates > 0 && d.late > 0 && !d.dropped.is_empty() && d.malformed.len() == 5,
        "{d:?}"
    );

    // Count the delivered lines ourselves: distinct ids per family, requested sessions.
    let mut ids = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
    let mut requested = std::collections::BTreeSet::new();
    let mut unparsable = 0;
    for line in &lines {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            unparsable += 1;
            continue;
        };
        let (Some(family), Some(id)) = (v["type"].as_str(), v["id"].as_str()) else {
            continue;
        };
        if v["timestamp"] == "yesterday" || (family == "discovery_results" && v["data"].is_object()) {
            continue;
        }
        ids.entry(family.to_string()).or_default().insert(id.to_string());
        if family == "stream_trace" && v["data"]["type"] == "gateway_receive_stream_request" {
            requested.insert(v["data"]["request_id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(unparsable, d.malformed["not_json"]);
    let distinct: std::collections::BTreeMap<String, u64> =
        ids.iter().map(|(f, set)| (f.clone(), set.len() as u64)).collect();
    assert_eq!(distinct, d.by_family);
    assert_eq!(
        requested.len() as u64,
        truth.live.total.requested + truth.probe_live.total.requested
    );

    let live = &truth.live;
    let t = &live.total;
    assert_eq!(t.requested, t.success + t.failed + t.excused);
    assert_eq!(t.excused, live.no_orchestrator + live.client_abandoned);
    // A loading-only stream outputs no frame either: it is also zero-FPS.
    assert_eq!(t.success, t.good + t.zero_fps);
    assert!(t.loading_only <= t.zero_fps);
    let per: u64 = live.by_orchestrator.values().map(|c| c.requested).sum();
    assert_eq!(
        per + live.no_orchestrator,
        t.requested,
        "every session but the unserved is attributed"
    );
    let jobs = &truth.jobs;
    let per_url: u64 = jobs.by_orchestrator_url.values().map(|c| c.requests).sum();
    assert_eq!(per_url, jobs.batch.requests + jobs.llm.requests);
    assert!(jobs.batch.failed > 0 && jobs.llm.failed > 0 && t.swapped > 0);
}
