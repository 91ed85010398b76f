//! Runs the sqllogictest files `sql/tests/*.slt`: each starts from empty bronze, dead-letter
//! and silver tables (the lake's schemas, in memory), inserts its own small inputs, and queries the rollups, which
//! are registered as views defined by their `.sql` files, so the tested SQL is the shipped SQL.
//!
//! `NAAP_BLESS=1 cargo test -p sql --test it slt` rewrites the expected results in place
//! (review the diff: every expected row must be checked by hand).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, Layer};
use sqllogictest::{DBOutput, DefaultColumnType};

struct Rollups {
    ctx: SessionContext,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct SqlError(String);

impl Rollups {
    async fn new() -> anyhow::Result<Rollups> {
        let ctx = SessionContext::new_with_config(sql::rollup::session_config());
        for dataset in Dataset::ALL.into_iter().filter(|d| d.layer() != Layer::Gold) {
            let table = MemTable::try_new(dataset.file_schema(), vec![vec![]])?;
            ctx.register_table(dataset.name(), Arc::new(table))?;
        }
        sql::rollup::register_reference_tables(&ctx, &sql::rollup::ReferenceData::default())?;
        for rollup in sql::ROLLUPS {
            ctx.sql(&format!("CREATE VIEW {} AS {}", rollup.name, rollup.sql))
                .await?;
        }
        // The windows are computed when asked, as of a time: here a view whose parameters come
        // from `window_clock` (a test inserts its evaluation time; a later one moves it on).
        let clock = Arc::new(Schema::new(vec![
            Field::new("as_of_ms", DataType::Int64, false),
            Field::new("class", DataType::Utf8, false),
        ]));
        ctx.register_table("window_clock", Arc::new(MemTable::try_new(clock, vec![vec![]])?))?;
        let as_of = "(SELECT max(as_of_ms) FROM window_clock)";
        let class = "(SELECT max(class) FROM window_clock)";
        let windows = sql::windows::ORCHESTRATOR_WINDOWS
            .replace("$1", as_of)
            .replace("$2", class);
        // The SLO answers: alerts and outages from the epoch to the clock, the state at it.
        let range = |sql: &str| sql.replace("$1", "0").replace("$2", as_of);
        for (name, sql) in [
            ("orchestrator_windows", windows),
            ("alerts", range(sql::slo::ALERTS)),
            ("outages", range(&sql::slo::outages())),
            ("slo_status", sql::slo::STATUS.replace("$1", as_of)),
        ] {
            ctx.sql(&format!("CREATE VIEW {name} AS {sql}"))
                .await
                .map_err(|e| anyhow::anyhow!("view {name}: {e}"))?;
        }
        Ok(Rollups { ctx })
    }
}

#[async_trait::async_trait]
impl sqllogictest::AsyncDB for Rollups {
    type Error = SqlError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SqlError> {
        let error = |e: datafusion::error::DataFusionError| SqlError(e.strip_backtrace());
        let frame = self.ctx.sql(sql).await.map_err(error)?;
        let is_query = !frame.schema().fields().is_empty() && sql.trim_start().to_lowercase().starts_with("select")
            || sql.trim_start().to_lowercase().starts_with("with");
        let batches = frame.collect().await.map_err(error)?;
        if !is_query {
            return Ok(DBOutput::StatementComplete(0));
        }
        let columns = batches.first().map_or(0, RecordBatch::num_columns);
        Ok(DBOutput::Rows {
            types: vec![DefaultColumnType::Any; columns],
            rows: rows_as_text(&batches).map_err(|e| SqlError(e.to_string()))?,
        })
    }

    async fn shutdown(&mut self) {}
}

/// Cells as text: NULL as `NULL`, the empty string as `(empty)`, floats as Arrow prints them.
fn rows_as_text(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, arrow::error::ArrowError> {
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .zip(batch.columns())
                    .map(|(f, column)| {
                        let text = f.value(row).to_string();
                        if text.is_empty() && !column.is_null(row) {
                            "(empty)".to_string()
                        } else {
                            text
                        }
                    })
                    .collect(),
            );
        }
    }
    Ok(rows)
}

fn slt_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("sql/tests exists")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "slt"))
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn slt() {
    let files = slt_files();
    // Every rollup has its file.
    for rollup in sql::ROLLUPS {
        assert!(
            files.iter().any(|f| f.file_stem().is_some_and(|s| s == rollup.name)),
            "sql/tests/{}.slt is missing",
            rollup.name
        );
    }
    let bless = std::env::var_os("NAAP_BLESS").is_some();
    let mut failures = Vec::new();
    for file in &files {
        let mut runner =
            sqllogictest::Runner::new(|| async { Rollups::new().await.map_err(|e| SqlError(e.to_string())) });
        let result = if bless {
            runner
                .update_test_file(
                    file,
                    " ",
                    sqllogictest::default_validator,
                    sqllogictest::default_normalizer,
                    sqllogictest::default_column_validator,
                )
                .await
                .map_err(|e| e.to_string())
        } else {
            runner
                .run_file_async(file)
                .await
                .map_err(|e| e.display(true).to_string())
        };
        if let Err(error) = result {
            failures.push(format!("{}:\n{error}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
