//! The compatibility routes held to the contract of the clients that read them
//! (docs/compat.md; `client-contracts.md` of the shared reference): the predecessor's
//! shapes for the livepeer/naap web platform and its leaderboard plugin, leaderboard-
//! serverless's for the Explorer and go-livepeer's `-orchPerfStatsUrl`. Each answer is a
//! JSON snapshot over the demo lake, with "now" fixed at the end of its three hours.

use std::collections::HashMap;

use axum::http::StatusCode;
use flight_server::http::{Clock, router};
use serde_json::Value;

use crate::{FROM, START_MS, TO, fixture, get, send, snapshot};

/// The end of the demo lake's three hours: the compatibility routes' "now".
const NOW_MS: i64 = START_MS + 3 * 3_600_000;

/// `uri` answered with "now" at `now_ms`: status, headers and body.
async fn raw_at(now_ms: i64, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut state = fixture().await.state.clone();
    state.clock = Clock::Fixed(now_ms);
    send(&router(state), uri).await
}

/// `uri` answered with "now" at `now_ms`: status, headers and JSON body.
async fn at(now_ms: i64, uri: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
    let (status, headers, body) = raw_at(now_ms, uri).await;
    let json = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{uri}: not JSON: {body}"));
    (status, headers, json)
}

async fn ok(uri: &str) -> Value {
    let (status, headers, body) = at(NOW_MS, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    assert_eq!(headers["content-type"], "application/json", "{uri}");
    body
}

/// No `null` where a list is expected, no envelope: walks `value` and fails on a `null`
/// under a key the contract types as a list.
fn assert_lists_not_null(value: &Value, path: &str) {
    const LISTS: &[&str] = &[
        "hourlySessions",
        "hourlyUsage",
        "modelMins",
        "by_pipeline",
        "by_capability",
        "pipelines",
        "pipelineModels",
        "modelIds",
        "models",
        "pipelineGPUs",
        "regions",
        "capabilities",
        "streaming",
    ];
    match value {
        Value::Object(map) => {
            assert!(
                !(map.contains_key("data") && map.contains_key("meta")),
                "{path}: an envelope"
            );
            for (key, v) in map {
                if LISTS.contains(&key.as_str()) {
                    assert!(v.is_array() || v.is_object(), "{path}.{key} is {v}");
                }
                assert_lists_not_null(v, &format!("{path}.{key}"));
            }
        }
        Value::Array(items) => items.iter().for_each(|v| assert_lists_not_null(v, path)),
        _ => {}
    }
}

const CANONICAL: &[&str] = &[
    "text-to-image",
    "image-to-image",
    "image-to-video",
    "upscale",
    "audio-to-text",
    "segment-anything-2",
    "llm",
    "image-to-text",
    "live-video-to-video",
    "text-to-speech",
    "byoc",
];

fn is_lower_address(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|a| a.len() == 42 && a.starts_with("0x") && a == a.to_ascii_lowercase())
}

/// Σ of a column of `/v1/sla` over the demo window, per orchestrator ("" for none).
async fn sla_sums(column: &str) -> HashMap<String, f64> {
    let rows = get(&format!("/v1/sla?from={FROM}&to={TO}&limit=10000")).await.2;
    let mut sums = HashMap::new();
    for row in rows["data"].as_array().unwrap() {
        let key = row["orchestrator_address"].as_str().unwrap_or("").to_string();
        *sums.entry(key).or_insert(0.0) += row[column].as_f64().unwrap_or(0.0);
    }
    sums
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predecessor_routes_answer_in_its_shapes() {
    // The queries the web platform and the leaderboard plugin send (the contract, §1).
    let routes = [
        ("kpi", "dashboard/kpi?window=3h"),
        (
            "kpi_model",
            "dashboard/kpi?window=3h&pipeline=live-video-to-video&model_id=streamdiffusion-sdxl",
        ),
        ("pipelines", "dashboard/pipelines?limit=200&window=3h"),
        ("orchestrators", "dashboard/orchestrators?window=3h"),
        ("gpu_capacity", "dashboard/gpu-capacity?window=6h"),
        ("pipeline_catalog", "dashboard/pipeline-catalog"),
        ("pricing", "dashboard/pricing"),
        ("job_feed", "dashboard/job-feed?limit=50"),
        ("streaming_models", "streaming/models"),
        ("streaming_orchestrators", "streaming/orchestrators?limit=1000"),
        ("requests_models", "requests/models"),
        ("requests_orchestrators", "requests/orchestrators?limit=1000"),
        ("discover", "discover/orchestrators"),
    ];
    for (name, path) in routes {
        let body = ok(&format!("/compat/naap/v1/{path}")).await;
        assert_lists_not_null(&body, name);
        snapshot(&format!("compat_{name}"), &body);
    }
    // The leaderboard plugin's gateway-mode aliases answer the same.
    assert_eq!(
        ok("/compat/naap/api/v1/gw/naap-discover/orchestrators").await,
        ok("/compat/naap/v1/discover/orchestrators").await
    );
    assert_eq!(
        ok("/compat/naap/api/v1/gw/naap-pricing/pricing").await,
        ok("/compat/naap/v1/dashboard/pricing").await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predecessor_fields_have_its_units_and_agree_with_naaps_own_rows() {
    // KPI: sessions and minutes are the SLA rows' sums; the success rate is in percent.
    let kpi = ok("/compat/naap/v1/dashboard/kpi?window=3h").await;
    let streaming = &kpi["streaming"];
    let requested: f64 = sla_sums("requested_sessions").await.values().sum();
    let minutes: f64 = sla_sums("session_minutes").await.values().sum();
    assert_eq!(streaming["dailySessionCount"]["value"].as_f64().unwrap(), requested);
    assert!((streaming["dailyUsageMins"]["value"].as_f64().unwrap() - minutes).abs() < 1e-6);
    let rate = streaming["successRate"]["value"].as_f64().unwrap();
    assert!(rate > 1.0 && rate <= 100.0, "percent, not a fraction: {rate}");
    assert_eq!(streaming["timeframeHours"], 3);
    assert_eq!(streaming["hourlySessions"].as_array().unwrap().len(), 3);
    let hourly: f64 = streaming["hourlySessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["value"].as_f64().unwrap())
        .sum();
    assert_eq!(hourly, requested);
    assert!(streaming["orchestratorsObserved"]["value"].as_f64().unwrap() >= 1.0);
    // naap has the fees the predecessor sent as a literal 0.
    assert!(
        streaming["dailyNetworkFeesEth"]["value"].as_f64().unwrap() > 0.0,
        "{kpi}"
    );
    let batch = &kpi["requests"]["ai_batch"];
    assert!(batch["total_jobs"].as_i64().unwrap() > 0, "{kpi}");
    assert_eq!(
        batch["selected_jobs"].as_i64().unwrap() + batch["no_orch_jobs"].as_i64().unwrap(),
        batch["total_jobs"].as_i64().unwrap()
    );
    assert!((0.0..=1.0).contains(&batch["success_rate"].as_f64().unwrap()));

    // Orchestrators: sessions per address are the SLA rows' sums; the units the client scales.
    let known = sla_sums("requested_sessions").await;
    let rows = ok("/compat/naap/v1/dashboard/orchestrators?window=3h").await;
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 5);
    for row in rows {
        assert!(is_lower_address(&row["address"]), "{row}");
        let address = row["address"].as_str().unwrap();
        assert_eq!(
            row["knownSessions"].as_f64().unwrap(),
            known.get(address).copied().unwrap_or(0.0),
            "{row}"
        );
        if row["knownSessions"].as_i64().unwrap() > 0 {
            let ratio = row["successRatio"].as_f64().unwrap();
            let effective = row["effectiveSuccessRate"].as_f64().unwrap();
            assert!(
                (0.0..=100.0).contains(&ratio) && (0.0..=1.0).contains(&effective),
                "{row}"
            );
            assert!(
                (ratio - (100.0 * effective * 10.0).round() / 10.0).abs() < 1e-9,
                "{row}"
            );
            assert!((0.0..=1.0).contains(&row["noSwapRatio"].as_f64().unwrap()), "{row}");
        } else {
            assert_eq!(row["successRatio"], Value::Null, "no sessions, no rate: {row}");
        }
        for p in row["pipelines"].as_array().unwrap() {
            assert!(CANONICAL.contains(&p.as_str().unwrap()), "{row}");
        }
    }
    let sessions: Vec<i64> = rows.iter().map(|r| r["knownSessions"].as_i64().unwrap()).collect();
    assert!(
        sessions.windows(2).all(|w| w[0] >= w[1]),
        "sorted by sessions: {sessions:?}"
    );

    // Pricing: integers, canonical pipelines, lowercase addresses.
    let prices = ok("/compat/naap/v1/dashboard/pricing").await;
    assert!(!prices.as_array().unwrap().is_empty());
    for row in prices.as_array().unwrap() {
        assert!(
            row["priceWeiPerUnit"].is_i64() && row["priceWeiPerUnit"].as_i64().unwrap() > 0,
            "{row}"
        );
        assert!(row["pixelsPerUnit"].is_i64(), "{row}");
        assert!(CANONICAL.contains(&row["pipeline"].as_str().unwrap()), "{row}");
        assert!(is_lower_address(&row["orchAddress"]), "{row}");
        assert!(row["isWarm"].is_boolean(), "{row}");
    }

    // Discovery: 0–1 scores to 3 places, `pipeline/model` capabilities, ranked.
    let discover = ok("/compat/naap/v1/discover/orchestrators").await;
    let rows = discover.as_array().unwrap();
    assert!(rows.iter().any(|r| r["recent_work"] == true), "{discover}");
    for row in rows {
        let score = row["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score) && (score * 1000.0).fract() == 0.0, "{row}");
        assert!(
            row["address"].as_str().unwrap().starts_with("https://"),
            "the service URI: {row}"
        );
        for c in row["capabilities"].as_array().unwrap() {
            assert!(
                CANONICAL.contains(&c.as_str().unwrap().split('/').next().unwrap()),
                "{row}"
            );
        }
    }
    let scores: Vec<f64> = rows.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // `caps` is repeatable, any of them matches.
    let live =
        ok("/compat/naap/v1/discover/orchestrators?caps=live-video-to-video/streamdiffusion-sdxl&caps=llm").await;
    let live = live.as_array().unwrap();
    assert!(!live.is_empty() && live.len() < rows.len());
    for row in live {
        let caps: Vec<&str> = row["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(
            caps.contains(&"live-video-to-video/streamdiffusion-sdxl") || caps.iter().any(|c| c.starts_with("llm/")),
            "{row}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predecessor_parameters_are_lenient_as_its_were() {
    // A garbled window is 24 h; a window beyond a week is a week; unknown parameters pass.
    let kpi = ok("/compat/naap/v1/dashboard/kpi?window=fortnight&utm_source=x").await;
    assert_eq!(kpi["streaming"]["timeframeHours"], 24);
    let kpi = ok("/compat/naap/v1/dashboard/kpi?window=30d").await;
    assert_eq!(kpi["streaming"]["timeframeHours"], 168);
    // The pipelines limit is clamped to 20; the demo has one live pipeline.
    let pipelines = ok("/compat/naap/v1/dashboard/pipelines?limit=200&window=24h").await;
    assert_eq!(pipelines["streaming"].as_array().unwrap().len(), 1);
    assert_eq!(pipelines["streaming"][0]["name"], "live-video-to-video");
    let one = ok("/compat/naap/v1/dashboard/job-feed?limit=1").await;
    assert!(one.as_array().unwrap().len() <= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_windows_are_empty_lists_never_null() {
    // A year after the demo: nothing in any window.
    let later = NOW_MS + 365 * 24 * 3_600_000;
    for path in [
        "dashboard/orchestrators",
        "dashboard/pipeline-catalog",
        "dashboard/pricing",
        "dashboard/job-feed",
        "streaming/models",
        "streaming/orchestrators",
        "requests/models",
        "requests/orchestrators",
        "discover/orchestrators",
    ] {
        let (status, _, body) = at(later, &format!("/compat/naap/v1/{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body, Value::Array(Vec::new()), "{path}");
    }
    let (_, _, kpi) = at(later, "/compat/naap/v1/dashboard/kpi").await;
    assert_eq!(kpi["streaming"]["hourlySessions"], Value::Array(Vec::new()));
    assert_eq!(kpi["streaming"]["successRate"]["value"], 0.0);
    assert_eq!(kpi["requests"]["byoc"]["total_jobs"], 0);
    let (_, _, gpus) = at(later, "/compat/naap/v1/dashboard/gpu-capacity").await;
    assert_eq!(gpus["models"], Value::Array(Vec::new()));
    assert_eq!(gpus["totalGPUs"], 0);
    let (_, _, pipelines) = at(later, "/compat/naap/v1/dashboard/pipelines").await;
    assert_eq!(pipelines["streaming"], Value::Array(Vec::new()));
    let (_, _, stats) = at(
        later,
        "/compat/leaderboard/api/aggregated_stats?pipeline=live-video-to-video&model=streamdiffusion-sdxl",
    )
    .await;
    assert_eq!(stats, serde_json::json!({}));
}

fn unix(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaderboard_routes_answer_in_its_shapes_and_refuse_what_it_refuses() {
    let (since, until) = (unix(FROM), unix(TO));
    let base = "/compat/leaderboard/api";
    let stats_uri = format!(
        "{base}/aggregated_stats?pipeline=live-video-to-video&model=streamdiffusion-sdxl&since={since}&until={until}"
    );
    let (status, headers, stats) = at(NOW_MS, &stats_uri).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=30, stale-while-revalidate=15"
    );
    assert_eq!(headers["access-control-allow-origin"], "*");
    let orchestrators = stats.as_object().unwrap();
    assert!(orchestrators.len() >= 3, "{stats}");
    for (address, regions) in orchestrators {
        assert!(is_lower_address(&Value::String(address.clone())), "{address}");
        let regions = regions.as_object().unwrap();
        assert!(!regions.is_empty(), "never an empty region map: {address}");
        for (region, figures) in regions {
            assert_eq!(region, &region.to_ascii_uppercase());
            for field in ["success_rate", "round_trip_score", "score"] {
                let v = figures[field].as_f64().unwrap();
                assert!((0.0..=1.0).contains(&v), "{address} {region} {field} {v}");
            }
            let (s, rts) = (
                figures["success_rate"].as_f64().unwrap(),
                figures["round_trip_score"].as_f64().unwrap(),
            );
            let expected = if s == 0.0 { 0.0 } else { 0.65 * s + 0.35 * rts };
            assert!(
                (figures["score"].as_f64().unwrap() - expected).abs() < 1e-12,
                "{figures}"
            );
        }
    }
    snapshot("compat_aggregated_stats", &stats);

    // One orchestrator: only its key; the figures are the same (the median is over all).
    let (address, figures) = orchestrators.iter().next().unwrap();
    let upper = address.to_ascii_uppercase().replace("0X", "0x");
    let one = ok(&format!("{stats_uri}&orchestrator={upper}")).await;
    assert_eq!(one, serde_json::json!({ address.clone(): figures.clone() }));
    // No pipeline and model: transcoding, which naap does not test.
    assert_eq!(ok(&format!("{base}/aggregated_stats")).await, serde_json::json!({}));

    for (query, error) in [
        ("pipeline=live-video-to-video", "model required"),
        ("model=streamdiffusion-sdxl", "pipeline required"),
    ] {
        let (status, _, body) = at(NOW_MS, &format!("{base}/aggregated_stats?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, serde_json::json!({ "error": error }));
    }
    let (status, _, body) = at(
        NOW_MS,
        &format!("{base}/aggregated_stats?pipeline=live-video-to-video&model=streamdiffusion-sdxl&since=yesterday"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("since"), "{body}");

    // top_ai_score: the orchestrator's best combination, or {}.
    let top = ok(&format!(
        "{base}/top_ai_score?orchestrator={address}&since={since}&until={until}"
    ))
    .await;
    assert_eq!(top["orchestrator"], address.as_str());
    assert!((0.0..=1.0).contains(&top["value"].as_f64().unwrap()), "{top}");
    let nobody = "0x0000000000000000000000000000000000000001";
    assert_eq!(
        ok(&format!("{base}/top_ai_score?orchestrator={nobody}")).await,
        serde_json::json!({})
    );

    let pipelines = ok(&format!("{base}/pipelines?since={since}&until={until}")).await;
    snapshot("compat_lb_pipelines", &pipelines);
    let ids: Vec<&str> = pipelines["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"live-video-to-video") && ids.iter().all(|id| CANONICAL.contains(id)),
        "{ids:?}"
    );
    let regions = ok(&format!("{base}/regions")).await;
    snapshot("compat_lb_regions", &regions);
    assert_eq!(
        regions["regions"][0],
        serde_json::json!({"id": "GLOBAL", "name": "Global", "type": "ai"})
    );
}

/// go-livepeer's `updatePerfScore` (`cmd/livepeer/starter/starter.go:2579`): the body as
/// `map[address]map[REGION]map[string]float64`, each orchestrator's
/// `regions[strings.ToUpper(region)]["score"]`.
fn update_perf_score(body: &[u8], region: &str) -> HashMap<String, f64> {
    let parsed: HashMap<String, HashMap<String, HashMap<String, f64>>> =
        serde_json::from_slice(body).expect("the shape go-livepeer unmarshals");
    parsed
        .into_iter()
        .filter_map(|(address, regions)| {
            let score = regions.get(&region.to_uppercase())?.get("score")?;
            Some((address.to_lowercase(), *score))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_reading_aggregated_stats_ranks_as_naaps_leaderboard() {
    let (since, until) = (unix(FROM), unix(TO));
    for region in ["us-east", "eu-central"] {
        let uri = format!(
            "/compat/leaderboard/api/aggregated_stats?pipeline=live-video-to-video&model=streamdiffusion-sdxl\
             &since={since}&until={until}&score=naap"
        );
        let body = raw_at(NOW_MS, &uri).await.2;
        let scores = update_perf_score(body.as_bytes(), region);
        assert!(scores.len() >= 2, "{region}: {body}");

        let board = get(&format!(
            "/v1/leaderboard?from={FROM}&to={TO}&pipeline=live-video-to-video&model=streamdiffusion-sdxl&region={region}"
        ))
        .await
        .2;
        let ranked: Vec<(&str, f64)> = board["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["status"] == "scored")
            .map(|e| {
                (
                    e["orchestrator_address"].as_str().unwrap(),
                    e["naap_score"].as_f64().unwrap(),
                )
            })
            .collect();
        // The same orchestrators, each with its naap_score / 100, so the leaderboard's order
        // is the order a gateway selecting by score (and `-minPerfScore`) sees.
        let mut ours: Vec<&str> = ranked.iter().map(|(a, _)| *a).collect();
        let mut theirs: Vec<&str> = scores.keys().map(String::as_str).collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours, theirs, "{region}");
        for (address, naap_score) in &ranked {
            assert!(
                (scores[*address] * 100.0 - naap_score).abs() < 1e-3,
                "{address}: {} vs {naap_score}",
                scores[*address]
            );
        }
        let in_board_order: Vec<f64> = ranked.iter().map(|(a, _)| scores[*a]).collect();
        assert!(
            in_board_order.windows(2).all(|w| w[0] >= w[1]),
            "{region}: the leaderboard's order is the gateway's: {in_board_order:?}"
        );
    }
}

#[test]
fn compat_reference_in_the_docs_is_current() {
    const START: &str = "<!-- generated: compat reference -->\n";
    const END: &str = "<!-- end generated -->";
    let path = format!("{}/../docs/compat.md", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, rest) = text.split_once(START).expect("the start marker");
    let (current, tail) = rest.split_once(END).expect("the end marker");
    let generated = format!("\n{}", flight_server::compat_reference());
    if std::env::var_os("NAAP_BLESS").is_some() {
        std::fs::write(&path, format!("{head}{START}{generated}{END}{tail}")).unwrap();
        return;
    }
    assert!(current == generated, "docs/compat.md is stale: run with NAAP_BLESS=1");
}
