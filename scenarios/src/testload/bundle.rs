//! The result bundle of a test-load run: the scenario as run, the run's description, every
//! request's result, the same as `naap_test_result` events, and a manifest with the SHA-256
//! of each file. [`verify_bundle`] checks a bundle: hashes, sizes, no file missing or added,
//! and results, events and summary consistent with each other.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::testload::runner::TestResult;

/// The scenario file as run.
pub const SCENARIO_FILE: &str = "scenario.toml";
/// The run's description and summary.
pub const RUN_FILE: &str = "run.json";
/// One [`TestResult`] per line.
pub const RESULTS_FILE: &str = "results.jsonl";
/// The results as `naap_test_result` envelopes (`naap ingest --file` takes it).
pub const EVENTS_FILE: &str = "events.jsonl";
/// Size and SHA-256 of every other file.
pub const MANIFEST_FILE: &str = "manifest.json";

/// `run.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The run id.
    pub run_id: String,
    /// Scenario name.
    pub scenario: String,
    /// Seed of the request parameters.
    pub seed: u64,
    /// Gateway base URL.
    pub target: String,
    /// Probe region.
    pub probe_region: String,
    /// naap version.
    pub naap_version: String,
    /// Requests sent.
    pub requests: u64,
    /// Requests that succeeded.
    pub succeeded: u64,
    /// Failed requests by error class.
    pub failures: BTreeMap<String, u64>,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleManifest {
    /// Every file but the manifest.
    pub files: Vec<BundleFile>,
}

/// A file of the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleFile {
    /// Name inside the bundle.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lowercase hex SHA-256.
    pub sha256: String,
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing the bundle at {path}: {source}")]
pub struct BundleWriteError {
    path: String,
    source: std::io::Error,
}

/// Summarise results.
pub fn summarise(results: &[TestResult], seed: u64) -> Option<RunSummary> {
    let first = results.first()?;
    let mut failures = BTreeMap::new();
    for r in results.iter().filter(|r| !r.success) {
        *failures.entry(r.error_class.clone()).or_default() += 1;
    }
    Some(RunSummary {
        run_id: first.run_id.clone(),
        scenario: first.scenario.clone(),
        seed,
        target: first.target.clone(),
        probe_region: first.probe_region.clone(),
        naap_version: first.naap_version.clone(),
        requests: results.len() as u64,
        succeeded: results.iter().filter(|r| r.success).count() as u64,
        failures,
    })
}

/// Write a bundle into `dir` (created if missing).
pub fn write_bundle(
    dir: &Path,
    scenario_text: &str,
    summary: &RunSummary,
    results: &[TestResult],
) -> Result<BundleManifest, BundleWriteError> {
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| BundleWriteError { path, source }
    };
    std::fs::create_dir_all(dir).map_err(failed(dir))?;
    let json_lines = |lines: Vec<String>| lines.into_iter().map(|l| l + "\n").collect::<String>();
    let results_text = json_lines(
        results
            .iter()
            .map(|r| serde_json::to_string(r).expect("serialises"))
            .collect(),
    );
    let events_text = json_lines(results.iter().map(TestResult::to_envelope).collect());
    let run_text = serde_json::to_string_pretty(summary).expect("serialises") + "\n";
    let mut files = Vec::new();
    for (name, content) in [
        (SCENARIO_FILE, scenario_text),
        (RUN_FILE, run_text.as_str()),
        (RESULTS_FILE, results_text.as_str()),
        (EVENTS_FILE, events_text.as_str()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, content).map_err(failed(&path))?;
        files.push(BundleFile {
            path: name.into(),
            bytes: content.len() as u64,
            sha256: hex::encode(Sha256::digest(content.as_bytes())),
        });
    }
    let manifest = BundleManifest { files };
    let path = dir.join(MANIFEST_FILE);
    let text = serde_json::to_string_pretty(&manifest).expect("serialises") + "\n";
    std::fs::write(&path, text).map_err(failed(&path))?;
    Ok(manifest)
}

/// Check a bundle. `Ok` with its summary, or every problem found, each naming its file.
pub fn verify_bundle(dir: &Path) -> Result<RunSummary, Vec<String>> {
    let mut problems = Vec::new();
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: cannot read ({e})"));
    let manifest: BundleManifest = match read(MANIFEST_FILE)
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| format!("{MANIFEST_FILE}: not a bundle manifest ({e})")))
    {
        Ok(m) => m,
        Err(problem) => return Err(vec![problem]),
    };
    let expected = [SCENARIO_FILE, RUN_FILE, RESULTS_FILE, EVENTS_FILE];
    let mut contents = BTreeMap::new();
    for name in expected {
        let Some(entry) = manifest.files.iter().find(|f| f.path == name) else {
            problems.push(format!("{MANIFEST_FILE}: does not list {name}"));
            continue;
        };
        match read(name) {
            Err(problem) => problems.push(problem),
            Ok(bytes) => {
                let sha = hex::encode(Sha256::digest(&bytes));
                if bytes.len() as u64 != entry.bytes || sha != entry.sha256 {
                    problems.push(format!(
                        "{name}: content differs from the manifest (sha256 {sha}, {} bytes; manifest {}, {} bytes)",
                        bytes.len(),
                        entry.sha256,
                        entry.bytes
                    ));
                }
                contents.insert(name, bytes);
            }
        }
    }
    if let Some(extra) = manifest.files.iter().find(|f| !expected.contains(&f.path.as_str())) {
        problems.push(format!("{MANIFEST_FILE}: lists an unexpected file {}", extra.path));
    }
    if let Some(extra) = std::fs::read_dir(dir).ok().into_iter().flatten().flatten().find(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name != MANIFEST_FILE && !expected.contains(&name.as_str())
    }) {
        problems.push(format!("{}: not part of a bundle", extra.file_name().to_string_lossy()));
    }
    let (Some(run), Some(results), Some(events)) = (
        contents.get(RUN_FILE),
        contents.get(RESULTS_FILE),
        contents.get(EVENTS_FILE),
    ) else {
        return Err(problems);
    };
    // Consistency: results parse, the events are exactly the results, the summary adds up.
    let parsed: Result<Vec<TestResult>, String> = String::from_utf8_lossy(results)
        .lines()
        .enumerate()
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("{RESULTS_FILE}: line {}: {e}", i + 1)))
        .collect();
    let summary: Result<RunSummary, String> =
        serde_json::from_slice(run).map_err(|e| format!("{RUN_FILE}: not a run summary ({e})"));
    match (parsed, summary) {
        (Ok(parsed), Ok(summary)) => {
            let events_expected: String = parsed.iter().map(|r| r.to_envelope() + "\n").collect();
            if events.as_slice() != events_expected.as_bytes() {
                problems.push(format!("{EVENTS_FILE}: does not match {RESULTS_FILE}"));
            }
            if summarise(&parsed, summary.seed).as_ref() != Some(&summary) {
                problems.push(format!("{RUN_FILE}: summary does not match {RESULTS_FILE}"));
            }
            if problems.is_empty() {
                return Ok(summary);
            }
        }
        (parsed, summary) => problems.extend(parsed.err().into_iter().chain(summary.err())),
    }
    Err(problems)
}
