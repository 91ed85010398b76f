//! Writing a simulation to a directory: the events, the ground truth, the scenario and a
//! manifest with the SHA-256 of each file. No timestamps or host details go into any file:
//! the same scenario and seed give byte-identical directories.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ScenarioError;
use crate::simulate::{SimulateOptions, SimulationError, simulate};
use crate::spec::Scenario;
use crate::truth::GroundTruth;

/// File names inside an output directory.
pub const EVENTS_FILE: &str = "events.jsonl";
/// The ground truth.
pub const TRUTH_FILE: &str = "ground-truth.json";
/// The scenario as run.
pub const SCENARIO_FILE: &str = "scenario.toml";
/// Hashes of the three files above.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The manifest of a simulation's output.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationManifest {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// naap version that produced it.
    pub naap_version: String,
    /// Lines in the events file.
    pub lines: u64,
    /// Every file with its size and SHA-256.
    pub files: Vec<FileDigest>,
}

/// A file and its digest.
#[derive(Debug, Clone, Serialize)]
pub struct FileDigest {
    /// Name inside the directory.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lowercase hex SHA-256.
    pub sha256: String,
}

/// Simulate `scenario` into `dir` (created if missing), calling `progress` with the number
/// of lines written so far every 100,000 lines.
pub fn write_simulation(
    dir: &Path,
    scenario_text: &str,
    scenario: &Scenario,
    options: SimulateOptions,
    mut progress: impl FnMut(u64),
) -> Result<(SimulationManifest, GroundTruth), ScenarioError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ScenarioError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let events_path = dir.join(EVENTS_FILE);
    let file = std::fs::File::create(&events_path).map_err(io(&events_path))?;
    let mut writer = HashingWriter::new(std::io::BufWriter::with_capacity(1 << 20, file));
    let mut lines = 0u64;
    let truth = simulate(scenario, options, |_, line| {
        writer.write_all(line.as_bytes())?;
        writer.write_all(b"\n")?;
        lines += 1;
        if lines.is_multiple_of(100_000) {
            progress(lines);
        }
        Ok::<(), std::io::Error>(())
    })
    .map_err(|e| match e {
        SimulationError::Scenario(e) => e,
        SimulationError::Sink(source) => io(&events_path)(source),
    })?;
    writer.flush().map_err(io(&events_path))?;
    let mut files = vec![FileDigest {
        path: EVENTS_FILE.into(),
        bytes: writer.bytes,
        sha256: hex::encode(writer.hasher.finalize_reset()),
    }];
    let truth_json = serde_json::to_string_pretty(&truth).expect("ground truth serialises") + "\n";
    for (name, content) in [(TRUTH_FILE, truth_json.as_str()), (SCENARIO_FILE, scenario_text)] {
        let path = dir.join(name);
        std::fs::write(&path, content).map_err(io(&path))?;
        files.push(FileDigest {
            path: name.into(),
            bytes: content.len() as u64,
            sha256: hex::encode(Sha256::digest(content.as_bytes())),
        });
    }
    let manifest = SimulationManifest {
        scenario: scenario.name.clone(),
        seed: truth.seed,
        naap_version: env!("CARGO_PKG_VERSION").into(),
        lines,
        files,
    };
    let path = dir.join(MANIFEST_FILE);
    let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    std::fs::write(&path, text).map_err(io(&path))?;
    Ok((manifest, truth))
}

/// A writer that hashes and counts what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
