//! A mock Livepeer gateway: the AI API's request and response shapes (`POST /text-to-image`
//! and the other batch routes, `POST /llm`) with configurable latency and failures, for
//! tests and the demo. Which request fails is drawn from a seeded stream in arrival order,
//! so the counts per outcome are reproducible.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

/// How the mock behaves.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Time to answer a good request, ms.
    pub latency_ms: u64,
    /// Share of requests answered 503.
    pub failure_rate: f64,
    /// Share of requests that hang for `hang_ms` before answering (a runner's timeout).
    pub timeout_rate: f64,
    /// How long a hanging request hangs, ms.
    pub hang_ms: u64,
    /// Share of requests answered 200 with a body of the wrong shape.
    pub malformed_rate: f64,
    /// Seed of the draws.
    pub seed: u64,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            latency_ms: 50,
            failure_rate: 0.0,
            timeout_rate: 0.0,
            hang_ms: 60_000,
            malformed_rate: 0.0,
            seed: 1,
        }
    }
}

/// What the mock did with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Served {
    /// 200 with a well-formed body.
    Ok,
    /// 400: the request lacked a model or prompt.
    BadRequest,
    /// 503.
    Unavailable,
    /// Hung for `hang_ms`.
    Hung,
    /// 200 with a malformed body.
    Malformed,
}

struct MockState {
    config: MockConfig,
    rng: Mutex<ChaCha8Rng>,
    served: Mutex<BTreeMap<Served, u64>>,
}

/// A running mock gateway.
#[derive(Debug)]
pub struct MockGateway {
    /// Where it listens.
    pub addr: SocketAddr,
    state: Arc<MockState>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MockState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl MockGateway {
    /// Start on `addr` (port 0: any free port).
    pub async fn start(addr: SocketAddr, config: MockConfig) -> std::io::Result<MockGateway> {
        let state = Arc::new(MockState {
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            config,
            served: Mutex::new(BTreeMap::new()),
        });
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = router(Arc::clone(&state));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(MockGateway { addr, state, task })
    }

    /// Base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests served so far, by outcome.
    pub fn served(&self) -> BTreeMap<Served, u64> {
        self.state.served.lock().expect("not poisoned").clone()
    }
}

impl Drop for MockGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The mock's routes, for embedding in another server.
fn router(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/llm", post(llm))
        .route("/{pipeline}", post(batch))
        .with_state(state)
}

/// Decide what to do with the next request (after validating it) and wait the latency.
async fn behave(state: &MockState, valid: bool) -> Served {
    let served = if !valid {
        Served::BadRequest
    } else {
        let u: f64 = state.rng.lock().expect("not poisoned").random();
        let c = &state.config;
        if u < c.failure_rate {
            Served::Unavailable
        } else if u < c.failure_rate + c.timeout_rate {
            Served::Hung
        } else if u < c.failure_rate + c.timeout_rate + c.malformed_rate {
            Served::Malformed
        } else {
            Served::Ok
        }
    };
    *state.served.lock().expect("not poisoned").entry(served).or_default() += 1;
    let wait = if served == Served::Hung {
        state.config.hang_ms
    } else {
        state.config.latency_ms
    };
    tokio::time::sleep(Duration::from_millis(wait)).await;
    served
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": {"message": message}}))).into_response()
}

async fn batch(
    State(state): State<Arc<MockState>>,
    Path(pipeline): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let body = body.map(|Json(v)| v).unwrap_or(Value::Null);
    let valid = body["model_id"].as_str().is_some_and(|m| !m.is_empty())
        && body["prompt"].as_str().is_some_and(|p| !p.is_empty());
    match behave(&state, valid).await {
        Served::BadRequest => error(StatusCode::BAD_REQUEST, "model_id and prompt are required"),
        Served::Unavailable => error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable Error"),
        Served::Malformed => (StatusCode::OK, "{\"images\": [{\"seed\": 1").into_response(),
        Served::Ok | Served::Hung => {
            let seed = body["seed"].as_u64().unwrap_or(0);
            Json(
                json!({"images": [{"url": format!("https://mock-gateway.invalid/stream/{pipeline}/{seed}.png"),
                                    "seed": seed, "nsfw": false}]}),
            )
            .into_response()
        }
    }
}

async fn llm(State(state): State<Arc<MockState>>, body: Option<Json<Value>>) -> Response {
    let body = body.map(|Json(v)| v).unwrap_or(Value::Null);
    let valid = body["model"].as_str().is_some_and(|m| !m.is_empty()) && body["messages"].is_array();
    match behave(&state, valid).await {
        Served::BadRequest => error(StatusCode::BAD_REQUEST, "model and messages are required"),
        Served::Unavailable => error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable Error"),
        Served::Malformed => {
            Json(json!({"id": "chatcmpl-mock", "object": "chat.completion", "choices": []})).into_response()
        }
        Served::Ok | Served::Hung => Json(json!({
            "id": "chatcmpl-mock", "object": "chat.completion", "created": 1_767_895_200, "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "A lighthouse stands at dusk."},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20}
        }))
        .into_response(),
    }
}
