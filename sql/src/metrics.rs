//! The metric catalog: one registry naming every published metric, from which
//! `docs/metrics.md` is generated (a test fails when the document is stale).

use lakehouse_layout::Dataset;

/// One published metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Stable identifier.
    pub id: &'static str,
    /// What the number means, precisely enough to recompute it.
    pub definition: &'static str,
    /// Unit of the values.
    pub unit: &'static str,
    /// The grain: what one row is.
    pub grain: &'static str,
    /// Event families the metric is computed from.
    pub sources: &'static [&'static str],
    /// The gold dataset and column that hold it.
    pub dataset: Dataset,
    /// Column name in `dataset`.
    pub column: &'static str,
    /// The rollup file that computes it.
    pub sql_file: &'static str,
    /// Bumped whenever the definition changes.
    pub version: u32,
}

const ORCHESTRATOR_HOUR: &str = "hour × orchestrator (signing key, URL) × model";

/// Every published metric.
pub const METRICS: &[Metric] = &[
    Metric {
        id: "live.sessions_with_status",
        definition: "Distinct live-stream sessions (stream_id, request_id) with at least one ai_stream_status \
                     sample in the hour; each envelope counted once (deduplicated on event_id)",
        unit: "sessions",
        grain: ORCHESTRATOR_HOUR,
        sources: &["ai_stream_status"],
        dataset: Dataset::OrchestratorSessionsHourly,
        column: "sessions",
        sql_file: "sql/rollups/orchestrator_sessions_hourly.sql",
        version: 1,
    },
    Metric {
        id: "live.status_samples",
        definition: "ai_stream_status samples received in the hour (one every 10 s per live stream), each \
                     envelope counted once",
        unit: "samples",
        grain: ORCHESTRATOR_HOUR,
        sources: &["ai_stream_status"],
        dataset: Dataset::OrchestratorSessionsHourly,
        column: "status_samples",
        sql_file: "sql/rollups/orchestrator_sessions_hourly.sql",
        version: 1,
    },
    Metric {
        id: "live.avg_output_fps",
        definition: "Mean of inference_status.fps (frames per second the runner produced) over the hour's \
                     status samples; NULL when no sample reports it, rounded to 6 decimals",
        unit: "frames/s",
        grain: ORCHESTRATOR_HOUR,
        sources: &["ai_stream_status"],
        dataset: Dataset::OrchestratorSessionsHourly,
        column: "avg_output_fps",
        sql_file: "sql/rollups/orchestrator_sessions_hourly.sql",
        version: 1,
    },
];

/// `docs/metrics.md`, generated from [`METRICS`].
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Metric catalog\n\n\
         Generated from `sql/src/metrics.rs` — do not edit by hand. Regenerate with\n\
         `NAAP_BLESS=1 cargo test -p sql --test it metric_catalog`.\n\n\
         | Metric | Definition | Unit | Grain | Sources | Dataset.column | Computed by | Version |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for m in METRICS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | `{}.{}` | `{}` | {} |\n",
            m.id,
            m.definition.split_whitespace().collect::<Vec<_>>().join(" "),
            m.unit,
            m.grain,
            m.sources
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            m.dataset.name(),
            m.column,
            m.sql_file,
            m.version
        ));
    }
    out
}
