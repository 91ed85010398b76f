//! A server-side cache of `/v1` responses.
//!
//! Dashboards and gateways ask the same questions over and over (the leaderboard of a
//! pipeline, the last day of SLA rows); answering each from Parquet costs milliseconds of
//! DataFusion work, answering from memory costs microseconds. An entry is served while it is
//! younger than the `Cache-Control: max-age` the API already promises clients, and never
//! after the rollups have rewritten gold data: every entry records the lake's *generation*
//! (the rollup state object's version, looked up at most once per [`GENERATION_CHECK`]), and
//! a different generation is a miss.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use lakehouse_layout::Lake;

use crate::metrics::ServeMetrics;

/// How long a response may be served from memory; equal to the `max-age` clients are told.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// How often the lake's generation is looked up.
pub const GENERATION_CHECK: Duration = Duration::from_secs(1);
/// Responses larger than this are not kept.
const MAX_ENTRY_BYTES: usize = 1 << 20;
/// Entries kept at most; beyond, the oldest go.
const MAX_ENTRIES: usize = 4096;

#[derive(Debug)]
struct Entry {
    headers: HeaderMap,
    body: Bytes,
    stored: Instant,
    generation: u64,
}

/// The cache and the lake generation it checks entries against.
#[derive(Debug)]
pub struct ResponseCache {
    lake: Lake,
    entries: RwLock<HashMap<String, Arc<Entry>>>,
    generation: AtomicU64,
    checked: Mutex<Option<Instant>>,
    metrics: Arc<ServeMetrics>,
}

impl ResponseCache {
    /// An empty cache over `lake`.
    pub fn new(lake: Lake, metrics: Arc<ServeMetrics>) -> Self {
        ResponseCache {
            lake,
            entries: RwLock::new(HashMap::new()),
            generation: AtomicU64::new(0),
            checked: Mutex::new(None),
            metrics,
        }
    }

    /// The lake's generation: a hash of the rollup state object's version (0 before any
    /// rollup), refreshed at most once per [`GENERATION_CHECK`].
    async fn generation(&self) -> u64 {
        let now = Instant::now();
        let due = {
            let mut checked = self.checked.lock().expect("not poisoned");
            let due = checked.is_none_or(|at| now.duration_since(at) >= GENERATION_CHECK);
            if due {
                *checked = Some(now);
            }
            due
        };
        if due {
            let generation = match lakehouse_layout::InputSnapshot::stored_version(&self.lake).await {
                Ok(Some(meta)) => {
                    let version = format!("{:?}{:?}{}{}", meta.e_tag, meta.version, meta.size, meta.last_modified);
                    u64::from_le_bytes(
                        blake3::hash(version.as_bytes()).as_bytes()[..8]
                            .try_into()
                            .expect("8 bytes"),
                    )
                }
                // No rollup yet.
                Ok(None) => 0,
                // The store does not answer: a generation no entry has, so nothing possibly
                // stale is served.
                Err(_) => u64::MAX,
            };
            let previous = self.generation.swap(generation, Ordering::Relaxed);
            if previous != generation {
                self.entries.write().expect("not poisoned").clear();
            }
        }
        self.generation.load(Ordering::Relaxed)
    }

    fn get(&self, key: &str, generation: u64) -> Option<Arc<Entry>> {
        let entries = self.entries.read().expect("not poisoned");
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.stored.elapsed() < MAX_AGE).then(|| Arc::clone(entry))
    }

    fn put(&self, key: String, entry: Entry) {
        let mut entries = self.entries.write().expect("not poisoned");
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.stored.elapsed() < MAX_AGE);
            if entries.len() >= MAX_ENTRIES
                && let Some(oldest) = entries.iter().min_by_key(|(_, e)| e.stored).map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(key, Arc::new(entry));
    }
}

/// Whether responses to `path` may be cached: the `/v1` queries, not file downloads (large,
/// and tagged by their own content hash).
fn cacheable(method: &Method, path: &str) -> bool {
    method == Method::GET && path.starts_with("/v1/") && !path.contains("/files/")
}

/// Serves `/v1` GETs from the cache, and stores successful answers.
pub async fn cache(State(cache): State<Arc<ResponseCache>>, request: Request, next: Next) -> Response {
    if !cacheable(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    // The representation depends on the URI and on content negotiation.
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let key = format!("{}\u{0}{accept}", request.uri());
    let generation = cache.generation().await;
    if let Some(entry) = cache.get(&key, generation) {
        cache.metrics.cache_lookup(true);
        let mut response = Response::new(Body::from(entry.body.clone()));
        *response.headers_mut() = entry.headers.clone();
        return response;
    }
    cache.metrics.cache_lookup(false);
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    // Only bodies of a known, small size are kept; anything else streams through.
    let size = axum::body::HttpBody::size_hint(response.body()).exact();
    if size.is_none_or(|n| n > MAX_ENTRY_BYTES as u64) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ENTRY_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => return crate::error::internal_error(format!("cannot read the response body: {e}")),
    };
    cache.put(
        key,
        Entry {
            headers: parts.headers.clone(),
            body: bytes.clone(),
            stored: Instant::now(),
            generation,
        },
    );
    Response::from_parts(parts, Body::from(bytes))
}
