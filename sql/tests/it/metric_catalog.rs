//! The metric catalog is consistent with the datasets and rollups, and `docs/metrics.md` is
//! generated from it.

use std::collections::BTreeSet;

use sql::ROLLUPS;
use sql::metrics::{DIMENSIONS, METRICS, recorded_versions, render_markdown};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/metrics.md");

#[test]
fn metric_catalog_doc_is_current() {
    let expected = render_markdown();
    if std::env::var_os("NAAP_BLESS").is_some() {
        std::fs::write(DOC, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(DOC).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/metrics.md is stale: regenerate it with `NAAP_BLESS=1 cargo test -p sql --test it metric_catalog`"
    );
}

#[test]
fn every_metric_names_a_real_column_and_rollup() {
    let mut ids = BTreeSet::new();
    for metric in METRICS {
        assert!(ids.insert(metric.id), "duplicate metric id {}", metric.id);
        let schema = metric.dataset.file_schema();
        assert!(
            schema.field_with_name(metric.column).is_ok(),
            "{}: no column {}",
            metric.id,
            metric.column
        );
        let rollup = ROLLUPS
            .iter()
            .find(|r| r.dataset == metric.dataset)
            .expect("a rollup writes the dataset");
        assert_eq!(
            metric.sql_file,
            format!("sql/rollups/{}.sql", rollup.name),
            "{}",
            metric.id
        );
        assert!(std::path::Path::new(&format!("{}/../{}", env!("CARGO_MANIFEST_DIR"), metric.sql_file)).exists());
        for family in metric.sources {
            assert!(
                lakehouse_layout::EVENT_FAMILIES.contains(family),
                "{}: unknown source family {family}",
                metric.id
            );
        }
    }
}

#[test]
fn every_gold_measure_is_in_the_catalog() {
    // Every column of a gold dataset that is not a key (time window or dimension) is a metric.
    for rollup in ROLLUPS {
        for field in rollup.dataset.file_schema().fields() {
            if DIMENSIONS.iter().any(|(name, _)| name == field.name()) {
                continue;
            }
            assert!(
                METRICS
                    .iter()
                    .any(|m| m.dataset == rollup.dataset && m.column == field.name()),
                "{}.{} has no entry in the metric catalog",
                rollup.name,
                field.name()
            );
        }
    }
}

const VERSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/metric_versions.tsv");

/// Each metric's recorded fingerprint for its current version is the fingerprint of its
/// definition and SQL today: changing either without recording a new version fails here.
/// `NAAP_BLESS=1` appends a new version for each changed metric (and version 1 for a new
/// one); recorded lines are never rewritten, so a published version keeps its meaning.
#[test]
fn metric_versions_follow_their_definitions() {
    let history = std::fs::read_to_string(VERSIONS).unwrap();
    let mut changed = Vec::new();
    let mut appended = String::new();
    for metric in METRICS {
        let fingerprint = metric.fingerprint();
        let recorded = recorded_versions(&history, metric.id);
        for pair in recorded.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{}: versions must increase", metric.id);
        }
        match recorded.last() {
            Some((_, latest)) if *latest == fingerprint => {}
            last => {
                let version = last.map_or(1, |(v, _)| v + 1);
                changed.push(format!("{} → v{version}", metric.id));
                appended.push_str(&format!("{}\t{version}\t{fingerprint}\n", metric.id));
            }
        }
    }
    if std::env::var_os("NAAP_BLESS").is_some() && !appended.is_empty() {
        std::fs::write(VERSIONS, history + &appended).unwrap();
        return;
    }
    assert!(
        changed.is_empty(),
        "these metrics' definition or SQL changed since their version was recorded; record the new versions with \
         `NAAP_BLESS=1 cargo test -p sql --test it metric` (then regenerate docs/metrics.md the same way):\n{}",
        changed.join("\n")
    );
    // The compiled-in history is the file's (a bless needs a rebuild to show).
    assert_eq!(
        sql::metrics::VERSION_HISTORY,
        std::fs::read_to_string(VERSIONS).unwrap()
    );
}
