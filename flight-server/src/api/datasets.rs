//! `GET /v1/datasets/{name}` (schema, partitions, rows, bytes), `.../snapshot` (a manifest
//! with SHA-256 per file and download links) and `.../files/{*path}` (the Parquet files).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use lakehouse_layout::{Dataset, Manifest};
use serde_json::json;

use crate::error::ApiError;
use crate::http::AppState;

use sql::SCORE_VERSION;

fn public_dataset(state: &AppState, name: &str) -> Result<Dataset, ApiError> {
    Dataset::from_name(name)
        .ok()
        .filter(|d| state.engine.profile().datasets().any(|p| p == *d))
        .ok_or_else(|| ApiError::NotFound(format!("no dataset named {name:?}")))
}

/// Whole files of a dataset with private columns carry them: the public profile serves such
/// a dataset's rows (without those columns) but not its files.
fn files_served(state: &AppState, dataset: Dataset) -> Result<(), ApiError> {
    if state.engine.profile() == sql::Profile::Public && dataset.has_private_columns() {
        let private: Vec<&str> = lakehouse_layout::PRIVATE_COLUMNS
            .iter()
            .filter(|p| p.dataset == dataset)
            .map(|p| p.column)
            .collect();
        return Err(ApiError::Forbidden(format!(
            "the files of {} carry private columns ({}); its public columns are served at /v1/datasets/{}/rows and over Flight SQL",
            dataset.name(),
            private.join(", "),
            dataset.name()
        )));
    }
    Ok(())
}

async fn manifest(state: &AppState, dataset: Dataset) -> Result<Manifest, ApiError> {
    Manifest::build(&state.lake, dataset)
        .await
        .map_err(|e| ApiError::Query(sql::Error::Lake(e)))
}

/// Query parameters of the dataset endpoints (they take none).
type NoParams = crate::api::params::Params;

/// The public dataset `name` and its manifest, for an endpoint without parameters.
async fn requested(state: &AppState, name: &str, _params: NoParams) -> Result<(Dataset, Manifest), ApiError> {
    let dataset = public_dataset(state, name)?;
    Ok((dataset, manifest(state, dataset).await?))
}

pub(crate) async fn describe(
    State(state): State<AppState>,
    Path(name): Path<String>,
    q: NoParams,
) -> Result<Response, ApiError> {
    let (dataset, mut manifest) = requested(&state, &name, q).await?;
    if state.engine.profile() == sql::Profile::Public {
        // The public see the columns they can query.
        let public = dataset.public_schema();
        manifest.schema.retain(|f| public.field_with_name(&f.name).is_ok());
    }
    // Partitions: the hive folders between the dataset folder and the file name.
    let prefix = format!("{}/", dataset.dir());
    let mut partitions: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for file in &manifest.files {
        let relative = file.path.strip_prefix(&prefix).unwrap_or(&file.path);
        let partition = relative.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
        let entry = partitions.entry(partition).or_default();
        *entry = (entry.0 + 1, entry.1 + file.rows, entry.2 + file.bytes);
    }
    let partitions: Vec<_> = partitions
        .into_iter()
        .map(|(path, (files, rows, bytes))| json!({"partition": path, "files": files, "rows": rows, "bytes": bytes}))
        .collect();
    let body = json!({"data": {
        "name": dataset.name(), "layer": dataset.layer().dir(), "description": dataset.description(),
        "schema": manifest.schema, "schema_fingerprint": manifest.schema_fingerprint,
        "partition_keys": manifest.partition_keys, "partitions": partitions,
        "files": manifest.files.len(), "rows": manifest.total_rows, "bytes": manifest.total_bytes,
        "rows_url": format!("/v1/datasets/{}/rows", dataset.name()),
        "snapshot_url": format!("/v1/datasets/{}/snapshot", dataset.name()),
    }});
    Ok(axum::Json(body).into_response())
}

pub(crate) async fn snapshot(
    State(state): State<AppState>,
    Path(name): Path<String>,
    q: NoParams,
) -> Result<Response, ApiError> {
    let (dataset, manifest) = requested(&state, &name, q).await?;
    files_served(&state, dataset)?;
    let files: Vec<_> = manifest
        .files
        .iter()
        .map(|f| {
            json!({"path": f.path, "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256,
                   "url": format!("/v1/datasets/{}/files/{}", dataset.name(), f.path)})
        })
        .collect();
    let body = json!({
        "manifest_version": manifest.manifest_version, "dataset": manifest.dataset, "layer": manifest.layer,
        "naap_version": env!("CARGO_PKG_VERSION"), "score_version": SCORE_VERSION,
        "schema": manifest.schema, "schema_fingerprint": manifest.schema_fingerprint,
        "partition_keys": manifest.partition_keys, "total_rows": manifest.total_rows,
        "total_bytes": manifest.total_bytes, "files": files,
    });
    Ok(axum::Json(body).into_response())
}

pub(crate) async fn file(
    State(state): State<AppState>,
    Path((name, path)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let dataset = public_dataset(&state, &name)?;
    files_served(&state, dataset)?;
    // Only a file the dataset lists is served: no other object of the store is reachable.
    let listed = state
        .lake
        .list_files(dataset)
        .await
        .map_err(|e| ApiError::Query(sql::Error::Lake(e)))?
        .into_iter()
        .find(|(_, meta)| meta.location.as_ref() == path)
        .ok_or_else(|| ApiError::NotFound(format!("dataset {name} has no file {path:?}")))?;
    let meta = listed.1;
    let bytes = state
        .lake
        .get(&meta.location)
        .await
        .map_err(|e| ApiError::Query(sql::Error::Lake(e)))?;
    let file_name = path.rsplit('/').next().unwrap_or("data.parquet").to_string();
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.apache.parquet"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Files are immutable once written (exactly-once names): their size and time tag them.
    if let Ok(value) = HeaderValue::from_str(&format!("\"{}-{}\"", meta.size, meta.last_modified.timestamp_millis())) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(response)
}
