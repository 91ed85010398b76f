#!/usr/bin/env bash
# Runs every example of docs/examples against a freshly started `naap demo` with a published
# snapshot, so the examples cannot rot. Used by .ci/run; run it yourself with:
#
#   docs/examples/run-all.sh [path/to/naap]
#
# Needs python3 (a virtual environment with requirements.txt is created in
# $NAAP_EXAMPLES_VENV, default ~/.cache/naap-examples-venv), curl and jq.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/demo.sh

NAAP="${1:-${CARGO_TARGET_DIR:-target}/debug/naap}"
VENV="${NAAP_EXAMPLES_VENV:-$HOME/.cache/naap-examples-venv}"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r docs/examples/requirements.txt

# A fixed period makes the run repeatable: three hours of the demo network.
start_demo "$NAAP" 18080 15051 2026-01-08T00:00:00Z 3
"$NAAP" --lake "$DEMO_LAKE" snapshot --from 2026-01-08T00:00:00Z --to 2026-01-08T03:00:00Z

echo "== curl recipes"
bash docs/examples/curl_recipes.sh
echo "== Flight SQL from Python (ADBC + pandas)"
"$VENV/bin/python" docs/examples/flight_sql_pandas.py
echo "== DuckDB over a downloaded snapshot"
"$VENV/bin/python" docs/examples/duckdb_snapshot.py
echo "== Grafana dashboard queries over Flight SQL"
NAAP_FROM=2026-01-08T00:00:00Z NAAP_TO=2026-01-08T03:00:00Z "$VENV/bin/python" docs/grafana/check_queries.py
echo "examples: all passed"
