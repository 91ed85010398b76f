//! `rollup --follow --alert-webhook URL`: tells a receiver when a burn-rate alert of gold
//! `slo_burn_rates` starts or stops firing. After each tick the latest evaluation's alerts
//! are compared with the ones firing before; each change is POSTed as JSON, signed with
//! HMAC-SHA256 over the body (`X-Naap-Signature-256: sha256=<hex>`, the key read from a file),
//! and retried with backoff without holding the next tick up. What was announced as firing is
//! kept in the lake (`_rollup/alert_webhook.json`, under a digest of the URL, never the URL:
//! it may hold a token), so a restarted follower announces only what changed, a resolution
//! while it was down included; a new URL starts from nothing and hears what fires now.
//! Receivers can still deduplicate by `key`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context as _;
use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, Lake};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The latest evaluation of every alert.
const LATEST: &str = "SELECT objective, scope, coalesce(orchestrator_address, '') AS orchestrator_address, \
        CAST(evaluated_at AS VARCHAR) AS evaluated_at, page, ticket, burn_rate_1h, burn_rate_6h \
     FROM slo_burn_rates WHERE evaluated_at = (SELECT max(evaluated_at) FROM slo_burn_rates)";

/// What the lake keeps of the announced alerts.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Announced {
    /// SHA-256 of the webhook URL the alerts were announced to (hex).
    url_sha256: String,
    /// The alerts announced as firing, by key, with their body.
    firing: BTreeMap<String, Value>,
}

/// How often a POST is tried before it is given up (logged).
const ATTEMPTS: u32 = 5;

/// Where alerts go, and which fire now.
pub(crate) struct AlertWebhook {
    url: String,
    key: ring::hmac::Key,
    client: reqwest::Client,
    /// Firing alerts by key, with the body announcing them.
    firing: BTreeMap<String, Value>,
    /// The orchestrators (lowercase) whose alerts are posted beside the network's; empty: all.
    orchestrators: Vec<String>,
}

impl AlertWebhook {
    /// A webhook to `url`, signing with the secret in `secret_file` (trailing whitespace
    /// ignored; never logged).
    pub(crate) fn new(
        url: &str,
        secret_file: &std::path::Path,
        orchestrators: Vec<String>,
    ) -> anyhow::Result<AlertWebhook> {
        anyhow::ensure!(
            url.starts_with("http://") || url.starts_with("https://"),
            "--alert-webhook must be an http(s) URL"
        );
        let secret = std::fs::read_to_string(secret_file)
            .with_context(|| format!("reading the webhook secret from {}", secret_file.display()))?;
        let secret = secret.trim_end();
        anyhow::ensure!(
            !secret.is_empty(),
            "the webhook secret file {} is empty",
            secret_file.display()
        );
        Ok(AlertWebhook {
            url: url.to_string(),
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes()),
            client: reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?,
            firing: BTreeMap::new(),
            orchestrators,
        })
    }

    /// The alerts a previous follower announced to this URL as firing, from the lake. A state
    /// that cannot be read is reported and ignored: the alerts firing now are announced again.
    pub(crate) async fn restore(&mut self, lake: &Lake) -> anyhow::Result<()> {
        let path = object_store::path::Path::from(lakehouse_layout::ALERT_WEBHOOK_STATE_PATH);
        let Some(bytes) = lake.get_if_exists(&path).await? else {
            return Ok(());
        };
        match serde_json::from_slice::<Announced>(&bytes) {
            Ok(announced) if announced.url_sha256 == self.url_sha256() => self.firing = announced.firing,
            Ok(_) => tracing::info!("the stored alerts were announced to another webhook URL: starting afresh"),
            Err(e) => tracing::warn!("ignoring {path}: {e}; the alerts firing now are announced again"),
        }
        Ok(())
    }

    fn url_sha256(&self) -> String {
        hex::encode(ring::digest::digest(&ring::digest::SHA256, self.url.as_bytes()).as_ref())
    }

    /// Compares the latest evaluation with what fired before and sends each change.
    pub(crate) async fn after_tick(&mut self, lake: &Lake) -> anyhow::Result<()> {
        let ctx = SessionContext::new();
        sql::catalog::register_lake(&ctx, lake, [Dataset::SloBurnRates])?;
        let batches = ctx.sql(LATEST).await?.collect().await?;
        let mut now: BTreeMap<String, Value> = BTreeMap::new();
        for row in rows(&batches)? {
            if !self.posts(
                row["scope"].as_str().unwrap_or_default(),
                row["orchestrator_address"].as_str().unwrap_or_default(),
            ) {
                continue;
            }
            for severity in ["page", "ticket"] {
                if row[severity].as_bool() != Some(true) {
                    continue;
                }
                let key = format!(
                    "{}/{}/{}/{severity}",
                    row["objective"].as_str().unwrap_or_default(),
                    row["scope"].as_str().unwrap_or_default(),
                    row["orchestrator_address"].as_str().unwrap_or_default()
                );
                let body = json!({
                    "key": key,
                    "objective": row["objective"], "scope": row["scope"],
                    "orchestrator_address": row["orchestrator_address"], "severity": severity,
                    "evaluated_at": row["evaluated_at"],
                    "burn_rate_1h": row["burn_rate_1h"], "burn_rate_6h": row["burn_rate_6h"],
                });
                now.insert(key, body);
            }
        }
        for (key, body) in &now {
            if !self.firing.contains_key(key) {
                self.send("firing", body.clone());
            }
        }
        for (key, body) in &self.firing {
            if !now.contains_key(key) {
                self.send("resolved", body.clone());
            }
        }
        if now != self.firing {
            self.firing = now;
            let announced = Announced {
                url_sha256: self.url_sha256(),
                firing: self.firing.clone(),
            };
            let bytes = serde_json::to_vec(&announced)?;
            let path = object_store::path::Path::from(lakehouse_layout::ALERT_WEBHOOK_STATE_PATH);
            lake.put(&path, bytes.into()).await?;
        }
        Ok(())
    }

    /// Whether alerts about `scope` (and `orchestrator`) are posted: the network's always, an
    /// orchestrator's when it is listed or none is.
    fn posts(&self, scope: &str, orchestrator: &str) -> bool {
        scope != "orchestrator"
            || self.orchestrators.is_empty()
            || self.orchestrators.iter().any(|o| o.eq_ignore_ascii_case(orchestrator))
    }

    /// POSTs `event` with `body`, signed, retrying in the background.
    fn send(&self, event: &str, mut body: Value) {
        body["event"] = json!(event);
        let bytes = body.to_string().into_bytes();
        let signature = hex::encode(ring::hmac::sign(&self.key, &bytes).as_ref());
        let request = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("x-naap-signature-256", format!("sha256={signature}"))
            .body(bytes);
        let key = body["key"].as_str().unwrap_or_default().to_string();
        let event = event.to_string();
        tokio::spawn(async move {
            let mut wait = Duration::from_millis(500);
            for attempt in 1..=ATTEMPTS {
                let Some(request) = request.try_clone() else { return };
                match request.send().await.and_then(|r| r.error_for_status()) {
                    Ok(_) => return,
                    Err(e) if attempt == ATTEMPTS => {
                        eprintln!("alert webhook: gave up {event} {key} after {ATTEMPTS} attempts: {e}");
                    }
                    Err(_) => {
                        tokio::time::sleep(wait).await;
                        wait *= 2;
                    }
                }
            }
        });
    }
}

/// Rows of `batches` as JSON objects (arrow's JSON writer: flags as booleans, numbers as
/// numbers, nulls kept).
fn rows(batches: &[arrow::record_batch::RecordBatch]) -> anyhow::Result<Vec<serde_json::Map<String, Value>>> {
    let mut writer = arrow::json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, arrow::json::writer::JsonArray>(Vec::new());
    writer.write_batches(&batches.iter().collect::<Vec<_>>())?;
    writer.finish()?;
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(serde_json::from_slice(&bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_network_and_the_listed_orchestrators_are_posted() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "k").unwrap();
        let (a, b) = (
            "0x00000000000000000000000000000000000000aa",
            "0x00000000000000000000000000000000000000bb",
        );
        let every = AlertWebhook::new("http://127.0.0.1:9/hook", &secret, vec![]).unwrap();
        assert!(every.posts("network", "") && every.posts("orchestrator", a) && every.posts("orchestrator", b));
        let listed = AlertWebhook::new("http://127.0.0.1:9/hook", &secret, vec![a.to_string()]).unwrap();
        assert!(listed.posts("network", ""));
        assert!(listed.posts("orchestrator", &a.to_uppercase().replace("0X", "0x")));
        assert!(!listed.posts("orchestrator", b));
    }
}
