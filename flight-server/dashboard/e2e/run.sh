#!/usr/bin/env bash
# End-to-end test of the dashboard: starts `naap demo` on a fixed period and drives Debian's
# headless Chromium through every view with Playwright (dashboard.test.mjs). Used by .ci/run:
#
#   flight-server/dashboard/e2e/run.sh [path/to/naap]
#
# Needs node/npm and /usr/bin/chromium (or $CHROMIUM). Screenshots: $NAAP_E2E_ARTIFACTS
# (default test-artifacts/dashboard in the repository).
set -euo pipefail
cd "$(dirname "$0")/../../.."
source .ci/lib/demo.sh

NAAP="${1:-${CARGO_TARGET_DIR:-target}/debug/naap}"
export NAAP_E2E_ARTIFACTS="${NAAP_E2E_ARTIFACTS:-$PWD/test-artifacts/dashboard}"
(cd flight-server/dashboard/e2e && npm ci --no-audit --no-fund --silent)

start_demo "$NAAP" 18081 15052 2026-01-08T00:00:00Z 6
export NAAP_E2E_TO=2026-01-08T06:00:00Z

# A second, live demo (the default: the simulated network goes on in real time) for the
# live checks. Its scenario is the demo's with a new stream every six seconds, so that new
# sessions arrive while the test watches.
LIVE_DIR="$(mktemp -d)"
sed 's/^streams_per_hour = 14$/streams_per_hour = 600/' scenarios/library/demo.toml >"$LIVE_DIR/live.toml"
"$NAAP" --lake "$LIVE_DIR/lake" demo --scenario "$LIVE_DIR/live.toml" --hours 1 \
    --http 127.0.0.1:18082 --flight 127.0.0.1:15053 --rate-limit-per-second 0 >"$LIVE_DIR/demo.log" 2>&1 &
LIVE_PID=$!
trap 'kill "$LIVE_PID" 2>/dev/null || true; wait "$LIVE_PID" 2>/dev/null || true; rm -rf "$LIVE_DIR"; stop_demo' EXIT
# A third, fixed period with a known incident (scenarios/library/incident.toml) for the
# health view's alerts and outages.
"$NAAP" --lake "$LIVE_DIR/incident-lake" demo --scenario incident --start 2026-01-08T00:00:00Z --hours 6 \
    --http 127.0.0.1:18083 --flight 127.0.0.1:15054 --rate-limit-per-second 0 >"$LIVE_DIR/incident.log" 2>&1 &
INCIDENT_PID=$!
# A fourth, with every delivery fault (scenarios/library/faults.toml): data below its floors.
"$NAAP" --lake "$LIVE_DIR/faults-lake" demo --scenario faults --start 2026-03-24T08:00:00Z --hours 2 \
    --http 127.0.0.1:18084 --flight 127.0.0.1:15055 --rate-limit-per-second 0 >"$LIVE_DIR/faults.log" 2>&1 &
FAULTS_PID=$!
trap 'kill "$LIVE_PID" "$INCIDENT_PID" "$FAULTS_PID" 2>/dev/null || true; wait "$LIVE_PID" "$INCIDENT_PID" "$FAULTS_PID" 2>/dev/null || true; rm -rf "$LIVE_DIR"; stop_demo' EXIT
export NAAP_INCIDENT_API_URL=http://127.0.0.1:18083
export NAAP_FAULTS_API_URL=http://127.0.0.1:18084
export NAAP_LIVE_API_URL=http://127.0.0.1:18082
for _ in $(seq 1 600); do
    curl -fsS "$NAAP_LIVE_API_URL/healthz" >/dev/null 2>&1 && break
    kill -0 "$LIVE_PID" 2>/dev/null || { cat "$LIVE_DIR/demo.log" >&2; echo "live naap demo exited" >&2; exit 1; }
    sleep 0.5
done
for _ in $(seq 1 600); do
    curl -fsS "$NAAP_INCIDENT_API_URL/healthz" >/dev/null 2>&1 && break
    kill -0 "$INCIDENT_PID" 2>/dev/null || { cat "$LIVE_DIR/incident.log" >&2; echo "incident naap demo exited" >&2; exit 1; }
    sleep 0.5
done
for _ in $(seq 1 600); do
    curl -fsS "$NAAP_FAULTS_API_URL/healthz" >/dev/null 2>&1 && break
    kill -0 "$FAULTS_PID" 2>/dev/null || { cat "$LIVE_DIR/faults.log" >&2; echo "faults naap demo exited" >&2; exit 1; }
    sleep 0.5
done
node flight-server/dashboard/e2e/dashboard.test.mjs
