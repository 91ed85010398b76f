//! Silver `node_metrics`: naap's `naap_metrics_scrape` family, one Prometheus page of a
//! go-livepeer node (telemetry reference §8) as collected by `naap collect`. The payload keeps
//! the page's text unchanged (bronze is lossless); silver has one row per sample line.
//!
//! Parsing uses `prom_text_format_parser` (escapes, histograms and summaries, errors with
//! line numbers). A page that does not parse is a dead letter as a whole: a partial page would
//! make counters look reset.

use std::collections::BTreeMap;

use lakehouse_layout::Dataset;
use prom_text_format_parser::{ScrapeParseError, Type, ValueType};
use serde::Deserialize;

use super::de::opt_text;
use super::{Common, Silver, silver_row};

silver_row! {
    /// One sample line of one scraped page.
    NodeMetricRow => Dataset::NodeMetrics, {
        target: S,
        node_id: S,
        node_type: S,
        metric_family: S,
        metric_type: S,
        metric: S,
        labels: S,
        value: F,
        pipeline: S,
        model_name: S,
        orchestrator_uri: S,
        error_code: S,
        sender: S,
        sample_ts: T,
    }
}

/// The payload of a `naap_metrics_scrape` event.
#[derive(Deserialize)]
struct Payload {
    #[serde(default, deserialize_with = "opt_text")]
    target: Option<String>,
    /// The page, as served.
    text: String,
}

fn describe(error: ScrapeParseError) -> String {
    match error {
        ScrapeParseError::Parse(detail) => detail,
        ScrapeParseError::Collect(errors) => errors
            .iter()
            .map(|e| format!("lines {}-{}: {}", e.line_no.start + 1, e.line_no.end, e.error))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// A label value as the text format escapes it (`\\`, `\"`, `\n`), unescaped. The parser
/// validates escapes but hands values over as written.
fn unescape(value: &str) -> std::borrow::Cow<'_, str> {
    if !value.contains('\\') {
        return std::borrow::Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn type_name(kind: Type) -> &'static str {
    match kind {
        Type::Counter => "counter",
        Type::Gauge => "gauge",
        Type::Untyped => "untyped",
        Type::Summary => "summary",
        Type::Histogram => "histogram",
    }
}

pub(crate) fn decode(common: Common, data: &str) -> Result<Vec<Silver>, String> {
    let payload: Payload = serde_json::from_str(data).map_err(|e| format!("naap_metrics_scrape payload: {e}"))?;
    if payload.text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let (metrics, error) = prom_text_format_parser::parse_scrape(&payload.text);
    if let Some(error) = error {
        return Err(format!("the metrics page is not Prometheus text: {}", describe(error)));
    }
    let mut rows = Vec::new();
    for metric in metrics {
        for sample in &metric.samples {
            let suffix = match (metric.kind, sample.value.value_type) {
                (Type::Histogram, ValueType::Sample) => "_bucket",
                (_, ValueType::Sum) => "_sum",
                (_, ValueType::Count) => "_count",
                _ => "",
            };
            let labels: BTreeMap<&str, std::borrow::Cow<'_, str>> = sample
                .labels
                .iter()
                .map(|l| (l.key.as_str(), unescape(&l.value)))
                .collect();
            // An unset view tag is exported as an empty label: NULL in the typed columns,
            // kept as sent in `labels`.
            let label = |key: &str| labels.get(key).filter(|v| !v.is_empty()).map(|v| v.to_string());
            rows.push(Silver::NodeMetric(NodeMetricRow {
                common: common.clone(),
                target: payload.target.clone(),
                node_id: label("node_id"),
                node_type: label("node_type"),
                metric_family: Some(metric.name.clone()),
                metric_type: Some(type_name(metric.kind).to_string()),
                metric: Some(format!("{}{suffix}", metric.name)),
                labels: Some(serde_json::to_string(&labels).map_err(|e| e.to_string())?),
                value: Some(sample.value.value.as_f64()),
                pipeline: label("pipeline"),
                model_name: label("model_name"),
                orchestrator_uri: label("orchestrator_uri"),
                error_code: label("error_code"),
                sender: label("sender"),
                sample_ts: sample.value.timestamp,
            }));
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> String {
        serde_json::json!({"target": "orch-1", "text": text}).to_string()
    }

    #[test]
    fn histograms_keep_their_suffixes_and_bounds() {
        let text = "# TYPE livepeer_upload_time_seconds histogram\n\
            livepeer_upload_time_seconds_bucket{node_id=\"n\",le=\"0.5\"} 3\n\
            livepeer_upload_time_seconds_bucket{node_id=\"n\",le=\"+Inf\"} 4\n\
            livepeer_upload_time_seconds_sum{node_id=\"n\"} 1.25\n\
            livepeer_upload_time_seconds_count{node_id=\"n\"} 4\n";
        let rows = decode(Common::default(), &page(text)).unwrap();
        let metrics: Vec<_> = rows
            .iter()
            .map(|r| match r {
                Silver::NodeMetric(r) => (r.metric.clone().unwrap(), r.labels.clone().unwrap(), r.value.unwrap()),
                _ => panic!(),
            })
            .collect();
        assert_eq!(
            metrics,
            [
                (
                    "livepeer_upload_time_seconds_bucket".into(),
                    r#"{"le":"0.5","node_id":"n"}"#.into(),
                    3.0
                ),
                (
                    "livepeer_upload_time_seconds_bucket".into(),
                    r#"{"le":"+Inf","node_id":"n"}"#.into(),
                    4.0
                ),
                (
                    "livepeer_upload_time_seconds_sum".into(),
                    r#"{"node_id":"n"}"#.into(),
                    1.25
                ),
                (
                    "livepeer_upload_time_seconds_count".into(),
                    r#"{"node_id":"n"}"#.into(),
                    4.0
                ),
            ]
        );
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        let error = decode(Common::default(), &page("<html>502 Bad Gateway</html>\n")).unwrap_err();
        assert!(error.starts_with("the metrics page is not Prometheus text"), "{error}");
    }
}
