//! Behaviour every HTTP response shares: a request id, ETags with conditional GET, CORS for
//! browser dashboards, a per-client rate limit, and bounded request bodies.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The request-id header, taken from the client when it sends a sane one.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Largest response body an ETag is computed for; larger ones stream through untouched.
const ETAG_MAX_BYTES: usize = 32 << 20;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Sets `x-request-id` on the request (kept if the client sent a valid one) and response.
pub async fn request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .filter(|v| {
            v.len() <= 128
                && v.to_str()
                    .is_ok_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()))
        })
        .cloned()
        .unwrap_or_else(|| {
            let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
            let boot = std::process::id();
            HeaderValue::from_str(&format!("naap-{boot:x}-{n:x}")).expect("ASCII")
        });
    request.headers_mut().insert(REQUEST_ID.clone(), id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID.clone(), id);
    response
}

/// A strong ETag on successful GET responses (BLAKE3 of the body); `If-None-Match` with the
/// same tag gets 304 and no body.
pub async fn etag(request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    // Responses that carry their tag already (cached answers, file downloads) are not read
    // and hashed again: a cache hit costs no more than copying its headers.
    if let Some(tag) = response.headers().get(header::ETAG).cloned() {
        let (parts, body) = response.into_parts();
        return match matches(if_none_match.as_ref(), &tag) {
            true => not_modified(&parts.headers, tag),
            false => Response::from_parts(parts, body),
        };
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ETAG_MAX_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "response too large to tag").into_response();
    };
    let tag = strong_etag(&bytes);
    if matches(if_none_match.as_ref(), &tag) {
        return not_modified(&parts.headers, tag);
    }
    parts.headers.insert(header::ETAG, tag);
    Response::from_parts(parts, Body::from(bytes))
}

/// The strong ETag of a response body: BLAKE3, 128 bits, quoted.
pub fn strong_etag(body: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", &blake3::hash(body).to_hex()[..32])).expect("hex")
}

/// Whether `If-None-Match` names `tag` (or `*`).
fn matches(if_none_match: Option<&HeaderValue>, tag: &HeaderValue) -> bool {
    let Ok(tag) = tag.to_str() else { return false };
    if_none_match.is_some_and(|v| {
        v.to_str()
            .is_ok_and(|s| s.split(',').any(|t| t.trim() == tag || t.trim() == "*"))
    })
}

/// 304 with the tag and the headers a cache needs to keep using its copy.
fn not_modified(headers: &axum::http::HeaderMap, tag: HeaderValue) -> Response {
    let mut not_modified = Response::new(Body::empty());
    *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
    not_modified.headers_mut().insert(header::ETAG, tag);
    for name in [header::CACHE_CONTROL, REQUEST_ID.clone()] {
        if let Some(v) = headers.get(&name) {
            not_modified.headers_mut().insert(name, v.clone());
        }
    }
    not_modified
}

/// Requests per second and burst allowed per client address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Requests allowed at once.
    pub burst: f64,
}

/// Token buckets per client address.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter with no client seen yet.
    pub fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` when `client` may proceed, else the seconds until it may.
    fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().expect("not poisoned");
        if buckets.len() > 100_000 {
            // Forget idle clients rather than grow without bound.
            buckets.retain(|_, (_, seen)| now.duration_since(*seen).as_secs() < 60);
        }
        let (tokens, seen) = buckets.entry(client).or_insert((self.limit.burst, now));
        *tokens = (*tokens + now.duration_since(*seen).as_secs_f64() * self.limit.per_second).min(self.limit.burst);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.limit.per_second).ceil().max(1.0) as u64)
        }
    }
}

/// 429 with `Retry-After` and a problem body when a client exceeds its rate.
pub async fn rate_limit(State(limiter): State<std::sync::Arc<RateLimiter>>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(client) = client
        && let Err(retry_after) = limiter.check(client, Instant::now())
    {
        let body = json!({"type": "about:blank", "title": "Too Many Requests", "status": 429,
                          "detail": format!("rate limit of {} requests per second exceeded; retry in {retry_after} s", limiter.limit.per_second)});
        let mut response = (StatusCode::TOO_MANY_REQUESTS, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        response
            .extensions_mut()
            .insert(crate::metrics::Rejection("rate_limited"));
        return response;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_at_the_rate() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 2.0,
            burst: 3.0,
        });
        let client: IpAddr = [10, 0, 0, 1].into();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(client, t0).is_ok());
        }
        assert_eq!(limiter.check(client, t0), Err(1));
        // Another client has its own bucket.
        assert!(limiter.check([10, 0, 0, 2].into(), t0).is_ok());
        // Half a second later: one token back.
        let t1 = t0 + std::time::Duration::from_millis(500);
        assert!(limiter.check(client, t1).is_ok());
        assert!(limiter.check(client, t1).is_err());
    }
}
