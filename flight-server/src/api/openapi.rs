//! `GET /openapi.json`: the OpenAPI 3 document, generated from the route table the router and
//! the parameter parsing use.

use axum::Json;
use serde_json::{Map, Value, json};

use crate::api::{Kind, ParamDoc};
use crate::routes::{Convention, ROUTES, Route};

fn schema(kind: Kind) -> Value {
    match kind {
        Kind::Time => json!({"type": "string", "format": "date-time"}),
        Kind::Enum(values) => json!({"type": "string", "enum": values}),
        Kind::Address => json!({"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}),
        Kind::Text => json!({"type": "string", "minLength": 1, "maxLength": 200}),
        Kind::Int { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        Kind::Cursor | Kind::Segment | Kind::Rest | Kind::Lowercase | Kind::Uppercase => json!({"type": "string"}),
        Kind::Repeated => json!({"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 200}}),
        Kind::UnixSeconds => json!({"type": "number"}),
        Kind::Clamped { min, max, default } => {
            json!({"type": "integer", "minimum": min, "maximum": max, "default": default})
        }
        Kind::WindowHours => json!({"type": "string", "default": "24h", "pattern": "^[0-9]+[hd]?$"}),
    }
}

/// The JSON schema of one parameter.
fn parameter(p: &ParamDoc) -> Value {
    json!({"name": p.name, "in": if p.in_path() { "path" } else { "query" }, "required": p.in_path() || p.required,
           "description": p.description, "schema": schema(p.kind)})
}

/// What a route answers with, by its convention.
fn responses(route: &Route) -> Value {
    let problem = json!({"description": "Invalid parameter (RFC 7807 problem; `parameter` names it)",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let takes_query = route.params.iter().any(|p| !p.in_path());
    let mut responses = Map::new();
    match route.convention {
        Convention::Naap if route.params.iter().any(|p| p.name == "format") => {
            responses.insert(
                "200".into(),
                json!({"description": "A page: `data` (rows) and `meta` (`rows`, `next_cursor` where paginated)",
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}),
            );
        }
        Convention::Predecessor => {
            responses.insert(
                "200".into(),
                json!({"description": with_fields(
                    "Bare JSON in the predecessor's shape (docs/compat.md): lists are `[]`, never null. Fields:",
                    route.fields
                )}),
            );
        }
        Convention::Leaderboard => {
            responses.insert(
                "200".into(),
                json!({"description": with_fields(
                    "Bare JSON in leaderboard-serverless's shape (docs/compat.md). Fields:",
                    route.fields
                )}),
            );
            responses.insert(
                "400".into(),
                json!({"description": "A parameter error, as leaderboard-serverless answers it",
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LeaderboardError"}}}}),
            );
        }
        _ => {
            responses.insert("200".into(), json!({"description": "OK"}));
        }
    }
    if route.convention == Convention::Naap && takes_query {
        responses.insert("400".into(), problem);
    }
    if route.params.iter().any(ParamDoc::in_path) {
        responses.insert("404".into(), json!({"description": "Not found"}));
    }
    Value::Object(responses)
}

/// `text` followed by a Markdown list of `fields` (name and meaning).
fn with_fields(text: &str, fields: &[crate::api::compat::fields::Field]) -> String {
    let mut out = text.to_string();
    for (name, meaning) in fields {
        out.push_str(&format!("\n- `{name}`: {meaning}"));
    }
    out
}

/// The reference of the compatibility routes in Markdown (docs/compat.md includes it): for
/// each route its parameters and what each field of its answer means.
pub(crate) fn compat_reference() -> String {
    let mut out = String::new();
    for route in ROUTES
        .iter()
        .filter(|r| matches!(r.convention, Convention::Predecessor | Convention::Leaderboard))
    {
        out.push_str(&format!("### `GET {}`\n\n{}\n\n", route.path, route.summary));
        if !route.params.is_empty() {
            out.push_str("| parameter | meaning |\n|---|---|\n");
            for p in route.params {
                out.push_str(&format!("| `{}` | {} |\n", p.name, p.description.replace('|', "\\|")));
            }
            out.push('\n');
        }
        if !route.fields.is_empty() {
            out.push_str("| field | meaning |\n|---|---|\n");
            for (name, meaning) in route.fields {
                out.push_str(&format!("| `{name}` | {} |\n", meaning.replace('|', "\\|")));
            }
            out.push('\n');
        }
    }
    out
}

/// The document.
pub(crate) fn document() -> Value {
    let mut paths = Map::new();
    for route in ROUTES.iter().filter(|r| r.documented) {
        let parameters: Vec<Value> = route.params.iter().map(parameter).collect();
        let mut operation = json!({"summary": route.summary, "responses": responses(route)});
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if route.convention == Convention::Predecessor {
            operation["tags"] = json!(["compat: predecessor (livepeer/naap web platform)"]);
        } else if route.convention == Convention::Leaderboard {
            operation["tags"] = json!(["compat: leaderboard-serverless (Explorer, go-livepeer)"]);
        }
        paths.insert(route.path.to_string(), json!({ "get": operation }));
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "naap API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Read-only measurements of the Livepeer network. Metric definitions: docs/metrics.md."},
        "paths": paths,
        "components": {"schemas": {
            "Problem": {"type": "object", "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"}, "parameter": {"type": "string"}}},
            "LeaderboardError": {"type": "object", "properties": {"error": {"type": "string"}}},
            "Page": {"type": "object", "properties": {"data": {"type": "array", "items": {"type": "object"}},
                "meta": {"type": "object"}}}
        }}
    })
}

pub(crate) async fn get_openapi() -> Json<Value> {
    Json(document())
}
