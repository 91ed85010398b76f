//! GPU supply headline figures on real capability reports whose GPU ids churn.

use serde_json::{Value, json};

use crate::support::{Naap, http_get, naap_ok};

const REPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../pipeline/tests/data/livepeer/network-capabilities-53-orchestrators.json"
);
/// 2026-03-24T09:00:00Z.
const AT_MS: i64 = 1_774_342_800_000;

/// The real 53-orchestrator report as two envelopes ten minutes apart, the second after
/// every orchestrator restarted: the same cards under new ids (`<id>-r`).
fn reports_with_churned_ids() -> Vec<Value> {
    let response: Value = serde_json::from_slice(&std::fs::read(REPORT).unwrap()).unwrap();
    let first = response["orchestrators"].clone();
    let mut restarted = first.clone();
    for orchestrator in restarted.as_array_mut().unwrap() {
        for hardware in orchestrator["hardware"].as_array_mut().into_iter().flatten() {
            for gpu in hardware["gpu_info"]
                .as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
            {
                let id = gpu["id"].as_str().unwrap().to_string();
                gpu["id"] = json!(format!("{id}-r"));
            }
        }
    }
    [(0, first), (1, restarted)]
        .into_iter()
        .map(|(i, data)| {
            let ts = AT_MS + i * 600_000;
            json!({"id": format!("caps-{i}"), "type": "network_capabilities", "timestamp": ts.to_string(),
                   "gateway": "", "data": data})
        })
        .collect()
}

/// Distinct GPU ids per orchestrator (on-chain address, all its nodes) in one report `data`
/// (ids repeat across models).
fn ids_per_orchestrator(data: &Value) -> Vec<(String, usize)> {
    let mut ids: std::collections::BTreeMap<String, std::collections::BTreeSet<&str>> = Default::default();
    for o in data.as_array().unwrap() {
        let gpus = o["hardware"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|h| h["gpu_info"].as_object().into_iter().flat_map(|m| m.values()))
            .filter_map(|g| g["id"].as_str());
        ids.entry(o["address"].as_str().unwrap().to_lowercase())
            .or_default()
            .extend(gpus);
    }
    ids.into_iter()
        .map(|(a, ids)| (a, ids.len()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// `/v1/network/kpis` and `/v1/orchestrators` count physical GPUs (the most one report
/// listed), not ids: a restart that renames every id doubles `gpu_ids_seen` and leaves
/// `gpus` alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headline_gpu_counts_do_not_count_churned_ids() {
    let dir = tempfile::tempdir().unwrap();
    let reports = reports_with_churned_ids();
    let expected = ids_per_orchestrator(&reports[0]["data"]);
    let physical: usize = expected.iter().map(|(_, n)| n).sum();
    assert!(physical >= 10, "the capture lists {physical} GPUs");
    let file = dir.path().join("reports.json");
    std::fs::write(&file, serde_json::to_vec(&reports).unwrap()).unwrap();
    let lake = dir.path().join("lake");
    naap_ok(&lake, &["ingest", "--file", file.to_str().unwrap()]);
    let naap = Naap::spawn(&lake, &["serve"]).await;
    let window = "from=2026-03-24T09:00:00Z&to=2026-03-24T10:00:00Z";

    let (status, kpis) = http_get(&naap.http, &format!("/v1/network/kpis?{window}")).await;
    assert_eq!(status, 200, "{kpis}");
    let kpi = |name: &str| {
        kpis["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kpi"] == name)
            .map(|k| k["value"].clone())
            .unwrap()
    };
    assert_eq!(kpi("gpus"), json!(physical));
    assert_eq!(kpi("gpu_ids_seen"), json!(2 * physical));

    let (status, profiles) = http_get(&naap.http, &format!("/v1/orchestrators?{window}&limit=1000")).await;
    assert_eq!(status, 200, "{profiles}");
    for (address, gpus) in &expected {
        let profile = profiles["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["address"] == address.as_str())
            .unwrap_or_else(|| panic!("{address} has no profile"));
        assert_eq!(profile["gpus"], json!(gpus), "{address}");
        assert_eq!(profile["gpu_ids_seen"], json!(2 * gpus), "{address}");
    }
}
