//! Sends a scenario's test jobs to a gateway over HTTP, as a Livepeer client would: batch
//! pipelines at `POST {target}/{pipeline}` (e.g. `/text-to-image`) and LLM chat completions
//! at `POST {target}/llm`. Latency runs from sending the request to the end of the response
//! body (as the leaderboard's probe measures it).

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::envelope::envelope_json;
use crate::spec::{Scenario, TestJob, TestLoad};
use crate::testload::TEST_RESULT_FAMILY;

/// Requests in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// One request's outcome: the payload of a `naap_test_result` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The run (`{scenario}-{probe region}-{start ms}`).
    pub run_id: String,
    /// Position of the request in the run, from 0.
    pub sequence: u64,
    /// Scenario name.
    pub scenario: String,
    /// Where the probe runs.
    pub probe_region: String,
    /// Gateway base URL.
    pub target: String,
    /// `text-to-image`, `llm`, …
    pub pipeline: String,
    /// Model id.
    pub model_id: String,
    /// When the request was sent, ms since the epoch.
    pub started_at: i64,
    /// Request sent → response body read, ms.
    pub latency_ms: f64,
    /// A 2xx answer of the expected shape.
    pub success: bool,
    /// HTTP status, when an answer came.
    pub http_status: Option<u16>,
    /// `""` on success, else `timeout`, `connect_error`, `request_error`, `http_4xx`,
    /// `http_5xx`, `http_other` or `malformed_response`.
    pub error_class: String,
    /// What went wrong, in words.
    pub error: String,
    /// naap version of the runner.
    pub naap_version: String,
}

impl TestResult {
    /// The result as a `naap_test_result` envelope, sent by the probe (`naap-probe-{region}`)
    /// when the request finished. The envelope id is derived from the run and sequence, so
    /// ingesting a bundle twice stores it once.
    pub fn to_envelope(&self) -> String {
        let digest = Sha256::digest(format!("{}/{}", self.run_id, self.sequence).as_bytes());
        let h = hex::encode(&digest[..16]);
        let id = format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        );
        let data = serde_json::to_value(self).expect("a test result serialises");
        let finished = self.started_at + self.latency_ms.round() as i64;
        envelope_json(
            &id,
            TEST_RESULT_FAMILY,
            finished,
            &format!("naap-probe-{}", self.probe_region),
            &data,
        )
    }
}

/// Where and how to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Gateway base URL (`http://host:port`).
    pub target: String,
    /// Seed of the request parameters (image seeds).
    pub seed: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Overrides the scenario's probe region.
    pub probe_region: Option<String>,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The scenario has no `[test_load]`.
    #[error("scenario {0:?} has no [test_load] section")]
    NoTestLoad(String),
    /// The target is not an http(s) URL.
    #[error("target {0:?} must be an http:// or https:// URL")]
    BadTarget(String),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// Run the scenario's test load against `options.target`; `now_ms` is the clock.
pub async fn run_test_load(
    scenario: &Scenario,
    options: &RunOptions,
    now_ms: impl Fn() -> i64,
) -> Result<Vec<TestResult>, RunError> {
    let load = scenario
        .test_load
        .as_ref()
        .ok_or_else(|| RunError::NoTestLoad(scenario.name.clone()))?;
    let target = options.target.trim_end_matches('/').to_string();
    if !(target.starts_with("http://") || target.starts_with("https://")) {
        return Err(RunError::BadTarget(options.target.clone()));
    }
    let client = reqwest::Client::builder().build()?;
    let probe_region = options
        .probe_region
        .clone()
        .unwrap_or_else(|| load.probe_region.clone());
    let run_id = format!("{}-{}-{}", scenario.name, probe_region, now_ms());
    // Jobs interleaved: request i goes to job i mod jobs.
    let plan: Vec<(u64, &TestJob)> = (0..u64::from(load.requests) * load.jobs.len() as u64)
        .map(|i| (i, &load.jobs[(i % load.jobs.len() as u64) as usize]))
        .collect();
    let template = TestResult {
        run_id,
        sequence: 0,
        scenario: scenario.name.clone(),
        probe_region,
        target: target.clone(),
        pipeline: String::new(),
        model_id: String::new(),
        started_at: 0,
        latency_ms: 0.0,
        success: false,
        http_status: None,
        error_class: String::new(),
        error: String::new(),
        naap_version: env!("CARGO_PKG_VERSION").into(),
    };
    let results = futures::stream::iter(plan)
        .map(|(sequence, job)| {
            let request = build_request(&client, &target, load, job, options.seed.wrapping_add(sequence));
            let mut result = template.clone();
            result.sequence = sequence;
            result.pipeline = job.pipeline.clone();
            result.model_id = job.model.clone();
            result.started_at = now_ms();
            async move {
                let started = Instant::now();
                let outcome = send(request, &job.pipeline).await;
                result.latency_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
                match outcome {
                    Ok(status) => {
                        result.success = true;
                        result.http_status = Some(status);
                    }
                    Err(failure) => {
                        result.http_status = failure.status;
                        result.error_class = failure.class.into();
                        result.error = failure.message;
                    }
                }
                result
            }
        })
        .buffered(options.concurrency.max(1))
        .collect()
        .await;
    Ok(results)
}

fn build_request(
    client: &reqwest::Client,
    target: &str,
    load: &TestLoad,
    job: &TestJob,
    seed: u64,
) -> reqwest::RequestBuilder {
    let timeout = Duration::from_millis(load.timeout_ms);
    if job.pipeline == "llm" {
        let body = json!({"model": job.model, "messages": [{"role": "user", "content": job.prompt}],
                          "max_tokens": 64, "stream": false});
        client.post(format!("{target}/llm")).json(&body).timeout(timeout)
    } else {
        let body = json!({"model_id": job.model, "prompt": job.prompt, "width": 512, "height": 512, "seed": seed});
        client
            .post(format!("{target}/{}", job.pipeline))
            .json(&body)
            .timeout(timeout)
    }
}

struct Failure {
    class: &'static str,
    status: Option<u16>,
    message: String,
}

fn transport(e: reqwest::Error, status: Option<u16>) -> Failure {
    let class = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect_error"
    } else {
        "request_error"
    };
    Failure {
        class,
        status,
        message: e.to_string(),
    }
}

/// Send and classify: the status on success.
async fn send(request: reqwest::RequestBuilder, pipeline: &str) -> Result<u16, Failure> {
    let response = request.send().await.map_err(|e| transport(e, None))?;
    let status = response.status();
    let code = status.as_u16();
    let body = response.bytes().await.map_err(|e| transport(e, Some(code)))?;
    if !status.is_success() {
        let class = match code {
            400..=499 => "http_4xx",
            500..=599 => "http_5xx",
            _ => "http_other",
        };
        let message = String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned();
        return Err(Failure {
            class,
            status: Some(code),
            message,
        });
    }
    let malformed = |why: &str| Failure {
        class: "malformed_response",
        status: Some(code),
        message: why.into(),
    };
    let value: Value = serde_json::from_slice(&body).map_err(|e| malformed(&format!("body is not JSON: {e}")))?;
    let well_formed = if pipeline == "llm" {
        value["choices"][0]["message"]["content"].is_string()
    } else {
        value["images"]
            .as_array()
            .is_some_and(|images| !images.is_empty() && images.iter().all(|i| i["url"].is_string()))
    };
    if !well_formed {
        let expected = if pipeline == "llm" {
            "choices[0].message.content"
        } else {
            "images[].url"
        };
        return Err(malformed(&format!("2xx body without {expected}")));
    }
    Ok(code)
}
