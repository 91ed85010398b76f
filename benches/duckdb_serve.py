#!/usr/bin/env python3
"""The 30-day aggregates of benches/serve.rs run by DuckDB over the same Parquet lake, as a
baseline for naap's Flight SQL answers (results in docs/performance.md).

    python3 benches/duckdb_serve.py LAKE_DIR

The SQL is read from `queries.json` next to LAKE_DIR, written by the bench, so both engines
run the same text. Like the Flight SQL timings, each query runs once to warm up and then ten
times; the median and the minimum are printed. Two threads, as naap has on this machine.
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from duckdb_rollups import ensure_duckdb  # noqa: E402


def main():
    ensure_duckdb()
    import duckdb

    lake = Path(sys.argv[1])
    queries = json.loads((lake.parent / "queries.json").read_text())
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("SET TimeZone = 'UTC'")
    for layer in ["silver", "gold"]:
        for table in sorted((lake / layer).iterdir()):
            con.execute(
                f"CREATE VIEW {table.name} AS SELECT * FROM "
                f"read_parquet('{table}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
            )
    for query in queries:
        times = []
        rows = 0
        for run in range(11):
            start = time.perf_counter()
            rows = len(con.execute(query["sql"]).fetchall())
            if run > 0:
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"duckdb {duckdb.__version__}: {query['name']:<36} median {times[len(times) // 2]:7.1f} ms   "
              f"min {times[0]:7.1f} ms   ({rows} result rows)")


if __name__ == "__main__":
    main()
