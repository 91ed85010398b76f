//! `GET /openapi.json`: the OpenAPI 3 document, generated from the endpoint descriptions the
//! validation uses.

use axum::Json;
use serde_json::{Map, Value, json};

use crate::api::{ENDPOINTS, Kind};

fn schema(kind: Kind) -> Value {
    match kind {
        Kind::Time => json!({"type": "string", "format": "date-time"}),
        Kind::Enum(values) => json!({"type": "string", "enum": values}),
        Kind::Address => json!({"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}),
        Kind::Text => json!({"type": "string", "minLength": 1, "maxLength": 200}),
        Kind::Int { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        Kind::Cursor => json!({"type": "string"}),
    }
}

/// The document.
pub(crate) fn document() -> Value {
    let problem = json!({"description": "Invalid parameter (RFC 7807 problem; `parameter` names it)",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let mut paths = Map::new();
    for endpoint in ENDPOINTS {
        let mut parameters: Vec<Value> = endpoint
            .params
            .iter()
            .map(|p| json!({"name": p.name, "in": "query", "required": false, "description": p.description, "schema": schema(p.kind)}))
            .collect();
        if endpoint.path.contains("{address}") {
            parameters.insert(
                0,
                json!({"name": "address", "in": "path", "required": true,
                       "description": "On-chain address of the orchestrator (any case).", "schema": schema(Kind::Address)}),
            );
        }
        paths.insert(
            endpoint.path.to_string(),
            json!({"get": {"summary": endpoint.summary, "parameters": parameters, "responses": {
                "200": {"description": "A page: `data` (rows) and `meta` (`rows`, `next_cursor` where paginated)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}},
                "400": problem}}}),
        );
    }
    for (path, summary) in [
        ("/healthz", "Liveness: `{\"status\":\"ok\"}`."),
        (
            "/readyz",
            "Readiness: 200 when the lake answers, with the time of the last stored rollup state (`last_rollup`) and of the last lake change this server has seen (`lake_changed_at`, `lake_generation`); 503 (problem) when it does not.",
        ),
        (
            "/metrics",
            "Prometheus metrics: requests and latency per route, Flight SQL commands, rejections by reason, cache lookups.",
        ),
        (
            "/v1/datasets",
            "The public datasets: name, layer, description, partition keys.",
        ),
        (
            "/v1/snapshots",
            "Published snapshots (naap snapshot), newest first: id, range, datasets, versions, manifest URL.",
        ),
        ("/openapi.json", "This document."),
    ] {
        paths.insert(
            path.into(),
            json!({"get": {"summary": summary, "responses": {"200": {"description": "OK"}}}}),
        );
    }
    let name = json!({"name": "name", "in": "path", "required": true, "schema": {"type": "string"}});
    for (path, summary) in [
        (
            "/v1/datasets/{name}",
            "A dataset: schema, partitions with files, rows and bytes, totals.",
        ),
        (
            "/v1/datasets/{name}/snapshot",
            "A manifest of the dataset: every file with rows, bytes, SHA-256 and a download URL; schema, naap and score versions.",
        ),
    ] {
        paths.insert(
            path.into(),
            json!({"get": {"summary": summary, "parameters": [name],
            "responses": {"200": {"description": "OK"}, "404": {"description": "No such dataset"}}}}),
        );
    }
    paths.insert(
        "/v1/datasets/{name}/files/{path}".into(),
        json!({"get": {"summary": "One Parquet file of the dataset, as listed by its snapshot.",
            "parameters": [name, {"name": "path", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The file", "content": {"application/vnd.apache.parquet": {}}},
                          "404": {"description": "Not a file of the dataset"}}}}),
    );
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
    paths.insert(
        "/v1/snapshots/{id}".into(),
        json!({"get": {"summary": "A snapshot's manifest as published (files with SHA-256, schemas, the SQL of each rollup, \
            naap and score versions); its checksum is at files/snapshot.json.sha256.",
            "parameters": [id],
            "responses": {"200": {"description": "The manifest"}, "404": {"description": "No such snapshot"}}}}),
    );
    paths.insert(
        "/v1/snapshots/{id}/files/{path}".into(),
        json!({"get": {"summary": "A file of a snapshot: a Parquet file its manifest lists, snapshot.json or snapshot.json.sha256.",
            "parameters": [id, {"name": "path", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The file"}, "404": {"description": "Not a file of the snapshot"}}}}),
    );
    paths.insert(
        "/v1/datasets/{name}/rows".into(),
        json!({"get": {"summary": "Rows of a dataset, in key order.",
            "parameters": [
                {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 10000}}],
            "responses": {"200": {"description": "Rows"}, "400": problem, "404": {"description": "No such dataset"}}}}),
    );
    json!({
        "openapi": "3.0.3",
        "info": {"title": "naap API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Read-only measurements of the Livepeer network. Metric definitions: docs/metrics.md."},
        "paths": paths,
        "components": {"schemas": {
            "Problem": {"type": "object", "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"}, "parameter": {"type": "string"}}},
            "Page": {"type": "object", "properties": {"data": {"type": "array", "items": {"type": "object"}},
                "meta": {"type": "object"}}}
        }}
    })
}

pub(crate) async fn get_openapi() -> Json<Value> {
    Json(document())
}
