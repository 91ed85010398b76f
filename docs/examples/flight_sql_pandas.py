"""SQL over Arrow Flight SQL from Python: ADBC → Arrow → pandas.

Ranks orchestrators by naap's confidence-aware score over the whole served range, pooling
the hourly counts (every count in sla_hourly is additive) rather than averaging hourly
scores, and shows the predecessor's score beside it.

    pip install -r docs/examples/requirements.txt
    python docs/examples/flight_sql_pandas.py            # against `naap demo`
    NAAP_FLIGHT_URL=grpc://host:50051 python docs/examples/flight_sql_pandas.py
"""

import math
import os

import adbc_driver_flightsql.dbapi as flight_sql
import pandas as pd

FLIGHT_URL = os.environ.get("NAAP_FLIGHT_URL", "grpc://127.0.0.1:50051")

# Pooled counts per orchestrator and model: sums of additive columns.
QUERY = """
SELECT orchestrator_address,
       model_id,
       sum(requested_sessions)                        AS requested,
       sum(naap_score_sessions)                       AS trials,
       sum(good_sessions)                             AS good,
       avg(sla_score_v1)                              AS mean_hourly_sla_v1,
       sum(session_minutes)                           AS minutes
FROM sla_hourly
WHERE orchestrator_address <> ''
GROUP BY orchestrator_address, model_id
ORDER BY orchestrator_address, model_id
"""


def wilson_low(good: float, trials: float, z: float = 1.96) -> float:
    """Lower bound of the Wilson score interval, as sql/rollups/sla_hourly.sql computes it."""
    if trials <= 0:
        return math.nan
    p = good / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (centre - margin) / (1 + z * z / trials)


def main() -> None:
    # naap is read-only: there are no transactions to manage.
    with flight_sql.connect(FLIGHT_URL, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(QUERY)
        table = cur.fetch_arrow_table()
        # The catalog is discoverable like any database's.
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        tables = sorted(row[0] for row in cur.fetchall())

    frame: pd.DataFrame = table.to_pandas()
    frame["naap_score"] = [100 * wilson_low(g, t) for g, t in zip(frame["good"], frame["trials"])]
    ranked = frame.sort_values(["naap_score", "trials"], ascending=False)

    pd.set_option("display.width", 160)
    print(f"{len(tables)} tables served, e.g. {', '.join(tables[:5])}, …")
    print(ranked.head(10).to_string(index=False, float_format=lambda v: f"{v:.2f}"))

    # Checks that keep this example honest when it runs in CI.
    assert "sla_hourly" in tables, tables
    assert len(frame) > 0, "sla_hourly is empty"
    assert (frame["good"] <= frame["trials"]).all()
    assert (frame["trials"] <= frame["requested"]).all()
    scored = frame.dropna(subset=["naap_score"])
    assert scored["naap_score"].between(0, 100).all()


if __name__ == "__main__":
    main()
