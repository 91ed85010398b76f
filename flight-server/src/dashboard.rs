//! The public dashboard: a page, a script and a style sheet, embedded in the binary so that
//! `naap serve` works offline with nothing to deploy beside it. The page reads the same HTTP
//! API as any client (`dashboard/app.js`); its state lives in the URL.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const INDEX_HTML: &str = include_str!("../dashboard/index.html");
const APP_JS: &str = include_str!("../dashboard/app.js");
const APP_CSS: &str = include_str!("../dashboard/app.css");

/// The dashboard's paths (not part of the API, so not in the OpenAPI document).
pub const DASHBOARD_ROUTES: [&str; 3] = ["/", "/dashboard/app.js", "/dashboard/app.css"];

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Revalidated on every load (the ETag layer answers 304), so a new binary's page is seen
    // at once.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub(crate) async fn index() -> Response {
    asset(INDEX_HTML, "text/html; charset=utf-8")
}

pub(crate) async fn script() -> Response {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

pub(crate) async fn style() -> Response {
    asset(APP_CSS, "text/css; charset=utf-8")
}
