//! A server-side cache of `/v1` responses that follows the lake.
//!
//! Dashboards and gateways ask the same questions over and over (the leaderboard of a
//! pipeline, the last day of SLA rows); answering each from Parquet costs milliseconds of
//! DataFusion work, answering from memory costs microseconds. Every entry records the
//! *generation* of the engine's [`LakeIndex`] it was computed at (the index changes generation
//! whenever a change record or a relisting changes a listing it holds):
//!
//! * same generation, younger than [`MAX_AGE`]: served from memory;
//! * older generation, superseded less than [`MAX_STALE`] ago: served from memory while one
//!   background request recomputes it (stale-while-revalidate), so a lake that changes every
//!   second (`rollup --follow`) does not turn every request into a cold one;
//! * otherwise: recomputed before answering — once: requests for the same answer that arrive
//!   while it is being computed wait for that computation instead of starting their own, so a
//!   popular answer that went cold costs one query, not one per connection.
//!
//! A change makes an entry older only if it touched a partition the entry's answer can read:
//! an answer over a fixed `from`–`to` window (what dashboards send) stays current while
//! rollups follow the present hour; an answer over a default window (which slides with the
//! clock) is older after any change. A handler that knows its answer read less than its
//! window says so with [`ReadSpan`] on the response: a full page of rows ordered by time
//! depends on the rows up to its last one only, and stays current while later hours change.
//!
//! An entry past [`MAX_AGE`] is likewise served for up to [`MAX_STALE`] more while it is
//! recomputed: the clock moved, not the lake, and a popular answer expiring must not make
//! every connection wait.
//!
//! So an answer is never more than [`MAX_STALE`] (plus the computation that replaces it)
//! behind what the index knew, and the index is at most one poll ([`crate::LAKE_POLL`]) behind
//! the change log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use lakehouse_layout::LakeIndex;
use tokio::sync::watch;

use crate::metrics::ServeMetrics;

/// How long an entry of the current generation is served. Answers whose time window ends
/// "now" slide with the clock, not only with the lake: this bounds that drift.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// How long after the lake changed an older answer may still be served while it is being
/// recomputed.
pub const MAX_STALE: Duration = Duration::from_secs(2);
/// What `/v1` answers tell clients and proxies: keep an answer one second, then revalidate
/// (the ETag makes that a 304 when nothing changed).
pub const CLIENT_CACHE_CONTROL: &str = "public, max-age=1";
/// Header of an answer served while it is recomputed: how long ago (ms) it became older than
/// a request should get (the lake changed under it, or it reached [`MAX_AGE`]). Answers
/// without it are current with what the server knew of the lake.
pub const STALE_HEADER: &str = "x-naap-stale-ms";
/// What a handler's answer read of the lake, in `window_start` milliseconds (end exclusive),
/// when that is narrower than the window its query string names: set as a response extension,
/// it decides which changes make the cached answer older.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadSpan(pub(crate) i64, pub(crate) i64);

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
    /// The time span the answer reads (see [`reads_window`]); `None`: anything.
    window: Option<(i64, i64)>,
}

/// What a lookup found.
enum Lookup {
    Fresh(Arc<Entry>),
    /// With how long ago the lake changed under it.
    Stale(Arc<Entry>, Duration),
    Miss,
}

/// The cache and the lake index it checks entries against.
#[derive(Debug)]
pub struct ResponseCache {
    index: Arc<LakeIndex>,
    entries: RwLock<HashMap<String, Arc<Entry>>>,
    /// Answers being computed; the receiver learns when the computation ends (its sender is
    /// dropped then).
    computing: Mutex<HashMap<String, watch::Receiver<()>>>,
    metrics: Arc<ServeMetrics>,
}

impl ResponseCache {
    /// An empty cache whose entries follow `index`.
    pub fn new(index: Arc<LakeIndex>, metrics: Arc<ServeMetrics>) -> Self {
        ResponseCache {
            index,
            entries: RwLock::new(HashMap::new()),
            computing: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    fn lookup(&self, key: &str) -> Lookup {
        let entries = self.entries.read().expect("not poisoned");
        let Some(entry) = entries.get(key) else {
            return Lookup::Miss;
        };
        // How long the entry has been older than what a request should get, if it is: since
        // it reached its age, or since the lake changed under it, whichever came first.
        let expired = entry.stored.elapsed().checked_sub(MAX_AGE);
        let changed = self
            .index
            .changed_within(entry.generation, entry.window)
            .map(|since| since.elapsed());
        match expired.max(changed) {
            None => Lookup::Fresh(Arc::clone(entry)),
            Some(behind) if behind < MAX_STALE => Lookup::Stale(Arc::clone(entry), behind),
            Some(_) => Lookup::Miss,
        }
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
        // A slower computation of an older generation never replaces a newer answer.
        if entries.get(&key).is_none_or(|old| old.generation <= entry.generation) {
            entries.insert(key, Arc::new(entry));
        }
    }

    /// Runs `request` through the rest of the stack and keeps a successful, small answer.
    async fn compute(self: &Arc<Self>, key: String, request: Request, next: Next) -> Response {
        let generation = self.index.generation();
        let named = reads_window(request.uri().query().unwrap_or(""));
        let response = next.run(request).await;
        if response.status() != StatusCode::OK {
            return response;
        }
        let window = match response.extensions().get::<ReadSpan>() {
            Some(&ReadSpan(from, to)) => Some(named.map_or((from, to), |(f, t)| (f.max(from), t.min(to)))),
            None => named,
        };
        // Only bodies of a known, small size are kept; anything else streams through.
        let size = axum::body::HttpBody::size_hint(response.body()).exact();
        if size.is_none_or(|n| n > MAX_ENTRY_BYTES as u64) {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let bytes = match axum::body::to_bytes(body, MAX_ENTRY_BYTES).await {
            Ok(bytes) => bytes,
            Err(e) => return crate::error::internal_error(format!("cannot read the response body: {e}")),
        };
        // Tagged once here, so that hits are not hashed again by the ETag layer.
        if !parts.headers.contains_key(header::ETAG) {
            parts
                .headers
                .insert(header::ETAG, crate::middleware::strong_etag(&bytes));
        }
        self.put(
            key,
            Entry {
                headers: parts.headers.clone(),
                body: bytes.clone(),
                stored: Instant::now(),
                generation,
                window,
            },
        );
        Response::from_parts(parts, Body::from(bytes))
    }

    /// Claims the computation of `key`: `Ok` with the guard that ends it when dropped, or
    /// `Err` with a receiver of the computation already under way.
    fn claim(self: &Arc<Self>, key: &str) -> Result<Computing, watch::Receiver<()>> {
        let mut computing = self.computing.lock().expect("not poisoned");
        if let Some(running) = computing.get(key) {
            return Err(running.clone());
        }
        let (done, receiver) = watch::channel(());
        computing.insert(key.to_string(), receiver);
        Ok(Computing {
            cache: Arc::clone(self),
            key: key.to_string(),
            _done: done,
        })
    }

    /// Answers a miss: computes it, or waits for the computation already under way and serves
    /// what it stored (computing it here only when that one stored nothing: an error, or an
    /// answer too large to keep).
    async fn compute_once(self: &Arc<Self>, key: String, request: Request, next: Next) -> Response {
        let asked = Instant::now();
        match self.claim(&key) {
            Ok(_computing) => {
                self.metrics.cache_lookup("miss");
                self.compute(key, request, next).await
            }
            Err(mut running) => {
                self.metrics.cache_lookup("joined");
                // Err: the computation ended (its sender dropped), which is what we wait for.
                let _ = running.changed().await;
                let stored = self.entries.read().expect("not poisoned").get(&key).cloned();
                match stored {
                    Some(entry) if entry.stored >= asked => respond(&entry),
                    _ => self.compute(key, request, next).await,
                }
            }
        }
    }

    /// Recomputes `key` in the background, unless that is under way already.
    fn revalidate(self: &Arc<Self>, key: String, request: &Request, next: Next) {
        let Ok(computing) = self.claim(&key) else {
            return;
        };
        let mut copy = Request::new(Body::empty());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        // The extensions carry the route match and the client address the handlers read.
        *copy.extensions_mut() = request.extensions().clone();
        let cache = Arc::clone(self);
        tokio::spawn(async move {
            let _ = cache.compute(key, copy, next).await;
            drop(computing);
        });
    }
}

/// The computation of one answer under way; ending it (dropping this) wakes its waiters.
struct Computing {
    cache: Arc<ResponseCache>,
    key: String,
    _done: watch::Sender<()>,
}

impl Drop for Computing {
    fn drop(&mut self) {
        self.cache.computing.lock().expect("not poisoned").remove(&self.key);
    }
}

fn respond(entry: &Entry) -> Response {
    let mut response = Response::new(Body::from(entry.body.clone()));
    *response.headers_mut() = entry.headers.clone();
    response
}

/// The time span an answer with this query string reads: its `from`–`to` window, extended
/// back by its own length (answers compare with the previous window of the same length).
/// `None` — the answer may read anything — when the window is not given in full (defaults
/// slide with the clock) or not as RFC 3339.
fn reads_window(query: &str) -> Option<(i64, i64)> {
    let mut from = None;
    let mut to = None;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let time = chrono::DateTime::parse_from_rfc3339(&value)
            .ok()
            .map(|t| t.timestamp_millis());
        match name.as_ref() {
            "from" => from = Some(time?),
            "to" => to = Some(time?),
            _ => {}
        }
    }
    let (from, to) = (from?, to?);
    (from < to).then(|| (from - (to - from), to))
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
    match cache.lookup(&key) {
        Lookup::Fresh(entry) => {
            cache.metrics.cache_lookup("hit");
            respond(&entry)
        }
        Lookup::Stale(entry, behind) => {
            cache.metrics.cache_lookup("stale");
            cache.revalidate(key, &request, next);
            let mut response = respond(&entry);
            response
                .headers_mut()
                .insert(STALE_HEADER, HeaderValue::from(behind.as_millis() as u64));
            response
        }
        Lookup::Miss => cache.compute_once(key, request, next).await,
    }
}

#[cfg(test)]
mod tests {
    use super::reads_window;

    #[test]
    fn an_answer_reads_its_window_and_the_one_before() {
        assert_eq!(
            reads_window("model=x&from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&limit=100"),
            Some((1_772_236_800_000, 1_772_409_600_000))
        );
        // Percent-encoded offsets are times too.
        assert_eq!(
            reads_window("from=2026-03-01T01:00:00%2B01:00&to=2026-03-02T00:00:00Z"),
            Some((1_772_236_800_000, 1_772_409_600_000))
        );
        assert_eq!(reads_window("from=2026-03-01T00:00:00Z"), None, "a default end slides");
        assert_eq!(reads_window("to=2026-03-01T00:00:00Z"), None);
        assert_eq!(reads_window("from=yesterday&to=2026-03-01T00:00:00Z"), None);
        assert_eq!(reads_window(""), None);
    }
}
