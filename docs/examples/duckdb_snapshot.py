"""DuckDB over a downloaded snapshot: fetch, check every SHA-256, query the Parquet files.

Downloads the newest snapshot the HTTP API lists (or the one given), checks the manifest
against its detached checksum and every file against the manifest, then uses DuckDB to
recompute naap_score of every sla_hourly row from the row's own counts — anyone can check
the published score without trusting naap's code — to sum live-session minutes per model
from the silver input beside it, and to check the exact percentiles of `/v1/windows` against
DuckDB's quantile_cont over the same session rows.

    python docs/examples/duckdb_snapshot.py [SNAPSHOT_ID]
    NAAP_API_URL=http://host:8080 python docs/examples/duckdb_snapshot.py
"""

import hashlib
import json
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

import duckdb

API_URL = os.environ.get("NAAP_API_URL", "http://127.0.0.1:8080").rstrip("/")


def get(path: str) -> bytes:
    with urllib.request.urlopen(f"{API_URL}{path}", timeout=60) as response:
        return response.read()


def download(snapshot_id: str, into: Path) -> dict:
    """Downloads a snapshot into `into`, checking every hash; returns its manifest."""
    base = f"/v1/snapshots/{snapshot_id}"
    manifest_bytes = get(base)
    expected = get(f"{base}/files/snapshot.json.sha256").decode().split()[0]
    actual = hashlib.sha256(manifest_bytes).hexdigest()
    if actual != expected:
        sys.exit(f"manifest checksum mismatch: {actual} != {expected}")
    manifest = json.loads(manifest_bytes)
    for dataset in manifest["datasets"]:
        for file in dataset["files"]:
            body = get(f"{base}/files/{file['path']}")
            if hashlib.sha256(body).hexdigest() != file["sha256"]:
                sys.exit(f"{file['path']}: SHA-256 differs from the manifest")
            target = into / file["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
    (into / "snapshot.json").write_bytes(manifest_bytes)
    return manifest


# naap_score = 100 × Wilson 95 % lower bound of good / (requested − excused).
RECOMPUTE = """
WITH scored AS (
    SELECT naap_score,
           CAST(good_sessions AS DOUBLE) / naap_score_sessions AS p,
           CAST(naap_score_sessions AS DOUBLE)                 AS n
    FROM read_parquet(?, hive_partitioning = true)
    WHERE naap_score_sessions > 0
)
SELECT count(*) AS rows,
       max(abs(naap_score - 100 * (p + 1.9208 / n
           - 1.96 * sqrt(p * (1 - p) / n + 0.9604 / (n * n))) / (1 + 3.8416 / n))) AS max_difference
FROM scored
"""

MINUTES_PER_MODEL = """
SELECT model_id, count(*) AS sessions, round(sum(duration_s) / 60, 1) AS minutes
FROM read_parquet(?, hive_partitioning = true)
GROUP BY model_id ORDER BY minutes DESC
"""

# The day before the end of the snapshot: startup-latency percentiles of organic, requested
# sessions per model, as /v1/windows computes them (scope network, window 1d).
STARTUP_PERCENTILES = """
SELECT model_id, count(*) AS samples,
       count(startup_latency_ms) AS latency_samples,
       quantile_cont(startup_latency_ms, 0.5) AS p50, quantile_cont(startup_latency_ms, 0.75) AS p75,
       quantile_cont(startup_latency_ms, 0.9) AS p90, quantile_cont(startup_latency_ms, 0.99) AS p99,
       max(startup_latency_ms) - min(startup_latency_ms) AS spread
FROM read_parquet(?, hive_partitioning = true)
WHERE requested AND coalesce(traffic_class, 'organic') = 'organic'
  AND started_at > CAST(? AS TIMESTAMPTZ) - INTERVAL 1 DAY AND started_at <= CAST(? AS TIMESTAMPTZ)
GROUP BY model_id ORDER BY model_id
"""


def check_windows(con, sessions: str, at: str) -> None:
    """/v1/windows against DuckDB's quantile_cont over the snapshot's session rows."""
    query = f"/v1/windows?at={at}&scope=network&window=1d&pipeline=live-video-to-video"
    served = {r["model_id"]: r for r in json.loads(get(query))["data"]}
    expected = con.execute(STARTUP_PERCENTILES, [sessions, at, at]).fetchall()
    assert expected, "no organic session in the window"
    for model_id, samples, latency_samples, p50, p75, p90, p99, spread in expected:
        row = served[model_id]
        assert row["samples"] == samples, (model_id, row["samples"], samples)
        assert row["startup_latency_ms_samples"] == latency_samples
        # naap's stated bound: 1e-6 of the gap between the two samples, then rounding to 0.001.
        bound = 1e-6 * (spread or 0) + 5e-4 + 1e-9
        for label, value in [("p50", p50), ("p75", p75), ("p90", p90), ("p99", p99)]:
            got = row[f"startup_latency_ms_{label}"]
            assert abs(got - value) <= bound, (model_id, label, got, value)
        print(f"  {model_id:<40} {samples:>4} sessions, startup p50/p99 {p50:.1f}/{p99:.1f} ms agree")


def main() -> None:
    if len(sys.argv) > 1:
        snapshot_id = sys.argv[1]
    else:
        listed = json.loads(get("/v1/snapshots"))["data"]
        if not listed:
            sys.exit("no snapshot published: run `naap snapshot` first")
        snapshot_id = listed[0]["id"]

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = download(snapshot_id, root)
        files = sum(len(d["files"]) for d in manifest["datasets"])
        print(f"snapshot {snapshot_id}: {files} files, hashes checked, score version {manifest['score_version']}")

        con = duckdb.connect()
        sla = str(root / "gold" / "sla_hourly" / "**" / "*.parquet")
        rows, max_difference = con.execute(RECOMPUTE, [sla]).fetchone()
        print(f"naap_score recomputed for {rows} sla_hourly rows; largest difference {max_difference:.2e}")
        assert rows > 0, "the snapshot has no scored sla_hourly row"
        assert max_difference < 1e-5, max_difference

        sessions = str(root / "gold" / "sessions" / "**" / "*.parquet")
        minutes = con.execute(MINUTES_PER_MODEL, [sessions]).fetchall()
        for model_id, count, total in minutes:
            print(f"  {model_id or '(no model)':<40} {count:>6} sessions {total:>10} minutes")
        assert minutes, "the snapshot has no session"

        published = {d["name"]: d["rows"] for d in manifest["datasets"]}
        counted = con.execute("SELECT count(*) FROM read_parquet(?)", [sessions]).fetchone()[0]
        assert counted == published["sessions"], (counted, published["sessions"])

        print("/v1/windows percentiles against DuckDB's quantile_cont:")
        check_windows(con, sessions, manifest["to"])


if __name__ == "__main__":
    main()
