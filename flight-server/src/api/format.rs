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
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::cache::CLIENT_CACHE_CONTROL),
    );
    Ok(response)
}

/// Render rows computed as JSON objects (leaderboard, advice, orchestrators, KPIs) in
/// `format`. For the columnar formats each key becomes a column, in order of first
/// appearance: booleans, integers (every value an integer) and floats keep their type, text
/// stays text, and lists or objects become their JSON text, so that CSV can carry them too.
pub(crate) fn render_values(format: Format, rows: Vec<Value>, meta: Value) -> Result<Response, ApiError> {
    if format == Format::Json {
        return Ok(page_json(rows, meta));
    }
    render(format, values_batch(&rows)?, meta)
}

fn values_batch(rows: &[Value]) -> Result<RecordBatch, ApiError> {
    use arrow::array::{ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        for key in row.as_object().into_iter().flat_map(|o| o.keys()) {
            if !names.contains(&key.as_str()) {
                names.push(key);
            }
        }
    }
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for name in names {
        let values: Vec<&Value> = rows.iter().map(|r| r.get(name).unwrap_or(&Value::Null)).collect();
        let present = || values.iter().filter(|v| !v.is_null());
        let (data_type, column): (DataType, ArrayRef) = if present().all(|v| v.is_boolean()) {
            let array: BooleanArray = values.iter().map(|v| v.as_bool()).collect();
            (DataType::Boolean, Arc::new(array))
        } else if present().all(|v| v.is_i64()) {
            let array: Int64Array = values.iter().map(|v| v.as_i64()).collect();
            (DataType::Int64, Arc::new(array))
        } else if present().all(|v| v.is_number()) {
            let array: Float64Array = values.iter().map(|v| v.as_f64()).collect();
            (DataType::Float64, Arc::new(array))
        } else {
            let array: StringArray = values
                .iter()
                .map(|v| match v {
                    Value::Null => None,
                    Value::String(text) => Some(text.clone()),
                    other => Some(other.to_string()),
                })
                .collect();
            (DataType::Utf8, Arc::new(array))
        };
        fields.push(Field::new(name, data_type, true));
        columns.push(column);
    }
    let schema = Arc::new(Schema::new(fields));
    let options = arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(rows.len()));
    RecordBatch::try_new_with_options(schema, columns, &options).map_err(failed)
}
