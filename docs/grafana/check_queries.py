"""Runs every query of the Grafana dashboards in this folder against naap's Flight SQL
endpoint, with Grafana's time macros expanded the way the Flight SQL data source's SDK does
(`$__timeFilter(col)` → `col >= 'FROM' AND col <= 'TO'`), so the dashboards cannot rot.

    NAAP_FLIGHT_URL=grpc://127.0.0.1:50051 NAAP_FROM=… NAAP_TO=… python docs/grafana/check_queries.py
"""

import json
import os
import re
import sys
from pathlib import Path

import adbc_driver_flightsql.dbapi as flight_sql

FLIGHT_URL = os.environ.get("NAAP_FLIGHT_URL", "grpc://127.0.0.1:50051")
FROM = os.environ.get("NAAP_FROM", "2026-01-08T00:00:00Z")
TO = os.environ.get("NAAP_TO", "2026-01-08T03:00:00Z")


def expand(sql: str) -> str:
    sql = re.sub(r"\$__timeFilter\((\w+)\)", lambda m: f"{m[1]} >= '{FROM}' AND {m[1]} <= '{TO}'", sql)
    sql = sql.replace("$__timeFrom()", f"'{FROM}'").replace("$__timeTo()", f"'{TO}'")
    if "$__" in sql:
        sys.exit(f"unexpanded macro in: {sql}")
    return sql


def main() -> None:
    failures = 0
    with flight_sql.connect(FLIGHT_URL, autocommit=True) as conn, conn.cursor() as cur:
        for path in sorted(Path(__file__).parent.glob("*.json")):
            for panel in json.loads(path.read_text())["panels"]:
                for target in panel["targets"]:
                    try:
                        cur.execute(expand(target["queryText"]))
                        rows = cur.fetch_arrow_table().num_rows
                        print(f"{path.name}: {panel['title']}: {rows} rows")
                        # Every panel but the collectors' (polled at wall-clock time) has data
                        # in the demo's window.
                        if rows == 0 and "collector_health_hourly" not in target["queryText"]:
                            print("  expected rows in the demo's window", file=sys.stderr)
                            failures += 1
                    except Exception as error:  # noqa: BLE001 — report every broken panel
                        print(f"{path.name}: {panel['title']}: {error}", file=sys.stderr)
                        failures += 1
    if failures:
        sys.exit(f"{failures} Grafana panel queries failed")


if __name__ == "__main__":
    main()
