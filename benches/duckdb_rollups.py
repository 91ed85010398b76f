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
    # DataFusion's ordered aggregate last_value(x ORDER BY t) is DuckDB's last(x ORDER BY t).
    sql = re.sub(r"\blast_value\(", "last(", sql)
    return sql


def main():
    ensure_duckdb()
    import duckdb

    lake = Path(sys.argv[1])
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("SET TimeZone = 'UTC'")
    for table in ["stream_trace", "ai_stream_status", "ai_stream_events", "capability_orchestrators", "capability_gpus"]:
        files = lake / "silver" / table
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{files}/**/*.parquet', hive_partitioning = true)"
        )
    con.execute("CREATE TABLE gateway_regions (gateway VARCHAR, region VARCHAR)")
    sessions_sql = to_duckdb((ROOT / "sql/rollups/sessions.sql").read_text())
    sla_sql = to_duckdb((ROOT / "sql/rollups/sla_hourly.sql").read_text())

    start = time.perf_counter()
    con.execute(f"CREATE TABLE sessions AS {sessions_sql}")
    sessions_done = time.perf_counter()
    con.execute(f"CREATE TABLE sla_hourly AS {sla_sql}")
    done = time.perf_counter()
    sessions = con.execute("SELECT count(*) FROM sessions").fetchone()[0]
    sla = con.execute("SELECT count(*) FROM sla_hourly").fetchone()[0]
    print(f"duckdb {duckdb.__version__}: sessions {sessions} rows in {sessions_done - start:.1f} s, "
          f"sla_hourly {sla} rows in {done - sessions_done:.1f} s, total {done - start:.1f} s")


if __name__ == "__main__":
    main()
