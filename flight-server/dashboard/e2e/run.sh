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
node flight-server/dashboard/e2e/dashboard.test.mjs
