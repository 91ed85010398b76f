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

NAAP="${1:-${CARGO_TARGET_DIR:-target}/debug/naap}"
VENV="${NAAP_EXAMPLES_VENV:-$HOME/.cache/naap-examples-venv}"
HTTP_PORT="${NAAP_EXAMPLES_HTTP_PORT:-18080}"
FLIGHT_PORT="${NAAP_EXAMPLES_FLIGHT_PORT:-15051}"
[ -x "$NAAP" ] || { echo "no naap binary at $NAAP (cargo build -p naap)" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r docs/examples/requirements.txt

LAKE="$(mktemp -d)"
LOG="$LAKE/demo.log"
cleanup() {
    if [ -n "${DEMO_PID:-}" ]; then kill "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true; fi
    rm -rf "$LAKE"
}
trap cleanup EXIT

# A fixed period makes the run repeatable: three hours of the demo network.
"$NAAP" --lake "$LAKE/lake" demo --start 2026-01-08T00:00:00Z --hours 3 \
    --http "127.0.0.1:$HTTP_PORT" --flight "127.0.0.1:$FLIGHT_PORT" >"$LOG" 2>&1 &
DEMO_PID=$!
export NAAP_API_URL="http://127.0.0.1:$HTTP_PORT"
export NAAP_FLIGHT_URL="grpc://127.0.0.1:$FLIGHT_PORT"
for _ in $(seq 1 600); do
    curl -fsS "$NAAP_API_URL/healthz" >/dev/null 2>&1 && break
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$LOG" >&2; echo "naap demo exited" >&2; exit 1; }
    sleep 0.5
done
curl -fsS "$NAAP_API_URL/healthz" >/dev/null || { cat "$LOG" >&2; echo "naap demo did not come up" >&2; exit 1; }

"$NAAP" --lake "$LAKE/lake" snapshot --from 2026-01-08T00:00:00Z --to 2026-01-08T03:00:00Z

echo "== curl recipes"
bash docs/examples/curl_recipes.sh
echo "== Flight SQL from Python (ADBC + pandas)"
"$VENV/bin/python" docs/examples/flight_sql_pandas.py
echo "== DuckDB over a downloaded snapshot"
"$VENV/bin/python" docs/examples/duckdb_snapshot.py
echo "examples: all passed"
