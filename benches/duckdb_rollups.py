#!/usr/bin/env python3
"""The sessions and sla_hourly rollups run by DuckDB over the same Parquet lake, as a baseline
for naap's DataFusion rollups (benches/rollups.rs; results in docs/performance.md).

    python3 benches/duckdb_rollups.py LAKE_DIR

Installs DuckDB's Python package into a virtual environment under
$NAAP_BENCH_VENV (default: the system temp dir) on first use. The SQL is naap's own
(`sql/rollups/sessions.sql`, `sql/rollups/sla_hourly.sql`), translated mechanically to
DuckDB's dialect: epoch_ms() for a timestamp's milliseconds, last() for last_value(). It
runs with the same two threads naap uses on this machine.
"""

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_duckdb():
    try:
        import duckdb  # noqa: F401
        return
    except ImportError:
        pass
    venv = Path(os.environ.get("NAAP_BENCH_VENV", Path(tempfile.gettempdir()) / "naap-bench-venv"))
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "duckdb"], check=True)
    os.execv(str(python), [str(python), *sys.argv])


def to_duckdb(sql: str) -> str:
    # Timestamp → epoch milliseconds: DataFusion casts a ms timestamp to BIGINT.
    sql = re.sub(r"CAST\(([\w.]*(?:_at|_ts|started_at))\s+AS BIGINT\)", r"epoch_ms(\1)", sql)
    # DataFusion's ordered aggregates last_value/first_value(x ORDER BY t) are DuckDB's
    # last/first(x ORDER BY t).
    sql = re.sub(r"\blast_value\(", "last(", sql)
    sql = re.sub(r"\bfirst_value\(", "first(", sql)
    # A typed NULL timestamp.
    sql = sql.replace("""arrow_cast(NULL, 'Timestamp(Millisecond, Some("UTC"))')""", "CAST(NULL AS TIMESTAMPTZ)")
    return sql


def main():
    ensure_duckdb()
    import duckdb

    lake = Path(sys.argv[1])
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("SET TimeZone = 'UTC'")
    for table in ["stream_trace", "ai_stream_status", "ai_stream_events", "capability_orchestrators", "capability_gpus",
                  "payments", "signed_tickets"]:
        files = lake / "silver" / table
        if not any(files.glob("**/*.parquet")):
            # A family the lake never received: an empty table of the columns the SQL reads.
            columns = {"payments": "event_id VARCHAR, event_ts TIMESTAMPTZ, request_id VARCHAR, session_id VARCHAR, "
                                   "recipient VARCHAR, orchestrator_url VARCHAR, num_tickets BIGINT, "
                                   "total_expected_value_wei DECIMAL(38, 10)",
                       "signed_tickets": "event_id VARCHAR, event_ts TIMESTAMPTZ, request_id VARCHAR, "
                                         "computed_fee_wei DECIMAL(38, 0), orchestrator_url VARCHAR, "
                                         "orchestrator_address VARCHAR"}[table]
            con.execute(f"CREATE TABLE {table} ({columns})")
            continue
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{files}/**/*.parquet', hive_partitioning = true)"
        )
    con.execute("CREATE TABLE gateway_regions (gateway VARCHAR, region VARCHAR)")
    # naap's default probe rules (sql::traffic::DEFAULT_PROBE_RULES), as LIKE patterns.
    con.execute("CREATE TABLE probe_rules (position BIGINT, rule VARCHAR, field VARCHAR, pattern VARCHAR)")
    con.execute("INSERT INTO probe_rules VALUES (0, 'stream_id=aiJobTesterStream-*', 'stream_id', 'aiJobTesterStream-%'), "
                "(1, 'gateway=naap-probe-*', 'gateway', 'naap-probe-%')")
    sessions_sql = to_duckdb((ROOT / "sql/rollups/sessions.sql").read_text())
    benchmarks_sql = to_duckdb((ROOT / "sql/rollups/sla_benchmarks_daily.sql").read_text())
    sla_sql = to_duckdb((ROOT / "sql/rollups/sla_hourly.sql").read_text())

    start = time.perf_counter()
    con.execute(f"CREATE TABLE sessions AS {sessions_sql}")
    sessions_done = time.perf_counter()
    # The v1 score's benchmarks (naap computes them in the rollup between the two).
    con.execute(f"CREATE TABLE sla_benchmarks_daily AS {benchmarks_sql}")
    con.execute(f"CREATE TABLE sla_hourly AS {sla_sql}")
    done = time.perf_counter()
    sessions = con.execute("SELECT count(*) FROM sessions").fetchone()[0]
    sla = con.execute("SELECT count(*) FROM sla_hourly").fetchone()[0]
    print(f"duckdb {duckdb.__version__}: sessions {sessions} rows in {sessions_done - start:.1f} s, "
          f"sla_hourly {sla} rows in {done - sessions_done:.1f} s, total {done - start:.1f} s")


if __name__ == "__main__":
    main()
