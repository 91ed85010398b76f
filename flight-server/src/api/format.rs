//! Response formats of the row endpoints: JSON by default; CSV, Arrow IPC stream and Parquet
//! by `?format=` or the `Accept` header. The next page's cursor travels in `meta` (JSON) or
//! in the `x-next-cursor` header (the other formats).

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::api::page_json;
use crate::api::params::Params;
use crate::api::sla::rows_json;
use crate::error::ApiError;

/// Accepted values of `format` on row endpoints.
pub(crate) const ROW_FORMATS: &[&str] = &["json", "csv", "arrow", "parquet"];

const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";
const PARQUET: &str = "application/vnd.apache.parquet";

/// A response format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Csv,
    Arrow,
    Parquet,
}

/// `?format=` wins; else the first supported type of `Accept`; else JSON.
pub(crate) fn negotiate(params: &Params, headers: &HeaderMap) -> Format {
    match params.text("format") {
        Some("csv") => return Format::Csv,
        Some("arrow") => return Format::Arrow,
        Some("parquet") => return Format::Parquet,
        Some(_) => return Format::Json,
        None => {}
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    for media in accept.split(',').map(|m| m.split(';').next().unwrap_or("").trim()) {
        match media {
            "application/json" => return Format::Json,
            "text/csv" => return Format::Csv,
            ARROW_STREAM => return Format::Arrow,
            PARQUET => return Format::Parquet,
            _ => {}
        }
    }
    Format::Json
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::Query(sql::Error::Execution(format!("encoding the response: {e}")))
}

/// The first `limit` rows of a result, as one batch.
pub(crate) fn first_rows(schema: &SchemaRef, batches: &[RecordBatch], limit: usize) -> Result<RecordBatch, ApiError> {
    let all = arrow::compute::concat_batches(schema, batches).map_err(failed)?;
    Ok(all.slice(0, limit.min(all.num_rows())))
}

/// Render `batch` in `format`; `meta` goes into the JSON envelope, its `next_cursor` into a
/// header otherwise.
pub(crate) fn render(format: Format, batch: RecordBatch, meta: Value) -> Result<Response, ApiError> {
    let (content_type, body) = match format {
        Format::Json => return Ok(page_json(rows_json(&[batch])?, meta)),
        Format::Csv => {
            let mut writer = arrow::csv::WriterBuilder::new().with_header(true).build(Vec::new());
            writer.write(&batch).map_err(failed)?;
            ("text/csv; charset=utf-8", writer.into_inner())
        }
        Format::Arrow => {
            let mut writer = arrow::ipc::writer::StreamWriter::try_new(Vec::new(), &batch.schema()).map_err(failed)?;
            writer.write(&batch).map_err(failed)?;
            (ARROW_STREAM, writer.into_inner().map_err(failed)?)
        }
        Format::Parquet => {
            let mut buffer = Vec::new();
            let mut writer =
                parquet::arrow::ArrowWriter::try_new(&mut buffer, Arc::clone(&batch.schema()), None).map_err(failed)?;
            writer.write(&batch).map_err(failed)?;
            writer.close().map_err(failed)?;
            (PARQUET, buffer)
        }
    };
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Some(cursor) = meta["next_cursor"].as_str()
        && let Ok(value) = HeaderValue::from_str(cursor)
    {
        response.headers_mut().insert("x-next-cursor", value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=30"));
    Ok(response)
}
