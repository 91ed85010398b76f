//! Published snapshots (`naap snapshot`), listed and downloadable:
//! `GET /v1/snapshots`, `GET /v1/snapshots/{id}` (the manifest) and
//! `GET /v1/snapshots/{id}/files/{*path}` (a listed file, the manifest or its checksum).
//! `naap verify http://…/v1/snapshots/{id}` downloads through these.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use lakehouse_layout::{
    SNAPSHOT_CHECKSUM, SNAPSHOT_MANIFEST, SNAPSHOTS_DIR, SnapshotManifest, is_valid_snapshot_id, lake_snapshot_dir,
    snapshot_object,
};
use serde_json::json;

use crate::error::ApiError;
use crate::http::AppState;

type NoParams = crate::api::params::Params;

fn lake_error(e: impl Into<sql::Error>) -> ApiError {
    ApiError::Query(e.into())
}

async fn load(state: &AppState, id: &str) -> Result<SnapshotManifest, ApiError> {
    let missing = || ApiError::NotFound(format!("no snapshot {id:?}"));
    if !is_valid_snapshot_id(id) {
        return Err(missing());
    }
    let path = snapshot_object(&lake_snapshot_dir(id), SNAPSHOT_MANIFEST);
    if state.lake.head(&path).await.map_err(lake_error)?.is_none() {
        return Err(missing());
    }
    let bytes = state.lake.get(&path).await.map_err(lake_error)?;
    serde_json::from_slice(&bytes).map_err(|_| missing())
}

/// `GET /v1/snapshots`: newest first, with their ranges, datasets and links.
pub(crate) async fn list(State(state): State<AppState>, _params: NoParams) -> Result<Response, ApiError> {
    let manifests = sql::snapshot::list(&state.lake, SNAPSHOTS_DIR).await?;
    let data: Vec<_> = manifests
        .iter()
        .map(|m| {
            let datasets: Vec<_> = m
                .datasets
                .iter()
                .map(|d| json!({"name": d.name, "role": d.role, "rows": d.rows, "files": d.files.len()}))
                .collect();
            json!({"id": m.id, "created_at": m.created_at, "from": m.from, "to": m.to,
                   "naap_version": m.naap_version, "score_version": m.score_version, "datasets": datasets,
                   "url": format!("/v1/snapshots/{}", m.id)})
        })
        .collect();
    let rows = data.len();
    Ok(axum::Json(json!({"data": data, "meta": {"rows": rows}})).into_response())
}

/// `GET /v1/snapshots/{id}`: the manifest, exactly as published (its checksum holds).
pub(crate) async fn manifest(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _params: NoParams,
) -> Result<Response, ApiError> {
    load(&state, &id).await?;
    download(&state, &id, SNAPSHOT_MANIFEST, "application/json").await
}

/// `GET /v1/snapshots/{id}/files/{*path}`: a file the manifest lists, or the manifest's
/// checksum; nothing else of the store is reachable.
pub(crate) async fn file(
    State(state): State<AppState>,
    Path((id, path)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let manifest = load(&state, &id).await?;
    let content_type = match path.as_str() {
        SNAPSHOT_MANIFEST => "application/json",
        SNAPSHOT_CHECKSUM => "text/plain; charset=utf-8",
        _ if manifest.files().any(|(_, f)| f.path == path) => "application/vnd.apache.parquet",
        _ => return Err(ApiError::NotFound(format!("snapshot {id} has no file {path:?}"))),
    };
    download(&state, &id, &path, content_type).await
}

async fn download(state: &AppState, id: &str, path: &str, content_type: &'static str) -> Result<Response, ApiError> {
    let object = snapshot_object(&lake_snapshot_dir(id), path);
    let bytes = state
        .lake
        .get(&object)
        .await
        .map_err(|_| ApiError::NotFound(format!("snapshot {id} has no file {path:?}")))?;
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A snapshot never changes: its id is the hash of its content.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
