//! Rollup SQL that must stay linear in its inputs: one long-lived auth session carrying
//! thousands of streams' payments (a gateway–orchestrator session lasts hours) links each
//! later payment to its stream within a small memory pool. A join of the session's later
//! payments with its request-carrying ones (3453a94) grew with their product and ran out of
//! memory on a simulated day.

use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::SessionContext;
use lakehouse_layout::{Dataset, Layer};

/// Streams paid on one auth session, each with this many later payments.
const STREAMS: i64 = 3_000;
const FOLLOWERS: i64 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_long_auth_session_links_its_payments_in_a_small_pool() -> anyhow::Result<()> {
    // 32 MiB: the product join needed ~3,000 × 30,000 rows; the linear plan a few MiB.
    let runtime = RuntimeEnvBuilder::new().with_memory_limit(32 << 20, 1.0).build_arc()?;
    let ctx = SessionContext::new_with_config_rt(sql::rollup::session_config(), runtime);
    for dataset in Dataset::ALL.into_iter().filter(|d| d.layer() != Layer::Gold) {
        let table = MemTable::try_new(dataset.file_schema(), vec![vec![]])?;
        ctx.register_table(dataset.name(), Arc::new(table))?;
    }
    sql::rollup::register_reference_tables(&ctx, &sql::rollup::ReferenceData::default())?;
    // Stream n starts at n s: its first payment carries its request id, the later ones only
    // the shared auth session id, every 1/(FOLLOWERS + 1) s after it.
    ctx.sql(&format!(
        "INSERT INTO payments (event_id, event_ts, envelope_ts, gateway, request_id, session_id, recipient, \
                               orchestrator_url, num_tickets, total_expected_value_wei) \
         SELECT concat('p', value), \
                to_timestamp_millis(1767830400000 + value * 1000 / {per}) AS event_ts, \
                to_timestamp_millis(1767830400000 + value * 1000 / {per}) AS envelope_ts, \
                'gw', CASE WHEN value % {per} = 0 THEN concat('r', value / {per}) ELSE '' END AS request_id, \
                'one-session', '0xo', 'https://o', 1 AS num_tickets, CAST(1 AS DECIMAL(38, 10)) AS ev \
         FROM range({total})",
        per = FOLLOWERS + 1,
        total = STREAMS * (FOLLOWERS + 1)
    ))
    .await?
    .collect()
    .await?;
    ctx.sql(&format!(
        "INSERT INTO stream_trace (event_id, event_ts, envelope_ts, gateway, subtype, stream_id, request_id) \
         SELECT concat('t', value), to_timestamp_millis(1767830400000 + value * 1000) AS event_ts, \
                to_timestamp_millis(1767830400000 + value * 1000) AS envelope_ts, 'gw', 'gateway_receive_stream_request', \
                concat('s', value), concat('r', value) \
         FROM range({STREAMS})"
    ))
    .await?
    .collect()
    .await?;
    let sessions = sql::ROLLUPS.iter().find(|r| r.name == "sessions").unwrap();
    let counts = ctx
        .sql(&format!(
            "SELECT count(*), min(payments), max(payments), count(*) FILTER (WHERE payment_link = 'session_id') \
             FROM ({})",
            sessions.sql
        ))
        .await?
        .collect()
        .await?;
    let row: Vec<String> = (0..4)
        .map(|i| arrow::util::display::array_value_to_string(counts[0].column(i), 0).unwrap())
        .collect();
    // Every stream gets its own payment and exactly its followers.
    let expected = [STREAMS, FOLLOWERS + 1, FOLLOWERS + 1, STREAMS].map(|n| n.to_string());
    assert_eq!(row, expected);
    Ok(())
}
