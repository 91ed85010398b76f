#!/usr/bin/env bash
# curl recipes for naap's HTTP API: each prints what a dashboard or gateway would use and
# checks it, so the recipes are run (docs/examples/run-all.sh) rather than trusted.
#
#   NAAP_API_URL=http://127.0.0.1:8080 bash docs/examples/curl_recipes.sh
#
# Needs curl and jq. The full contract is at $NAAP_API_URL/openapi.json.
set -euo pipefail
API="${NAAP_API_URL:-http://127.0.0.1:8080}"
FROM="${NAAP_FROM:-2026-01-08T00:00:00Z}"
TO="${NAAP_TO:-2026-01-08T03:00:00Z}"
fail() { echo "curl_recipes: $*" >&2; exit 1; }

# 1. What is served: every dataset with its layer and where its rows are.
curl -fsS "$API/v1/datasets" | jq -r '.data[] | "\(.layer)\t\(.name)\t\(.rows_url)"' | sed -n 1,8p
datasets=$(curl -fsS "$API/v1/datasets" | jq '.data | length')
[ "$datasets" -gt 10 ] || fail "only $datasets datasets listed"

# 2. Headline numbers of a window, with the previous window of the same length beside them.
curl -fsS "$API/v1/network/kpis?from=$FROM&to=$TO" \
    | jq -r '.data[] | "\(.kpi)\t\(.value)\t(previous \(.previous))"'
sessions=$(curl -fsS "$API/v1/network/kpis?from=$FROM&to=$TO" | jq '.data[] | select(.kpi == "sessions") | .value')
[ "$sessions" -gt 0 ] || fail "no session in the window"

# 3. The leaderboard of a model: rank, naap_score and its interval; "no data" says so.
model=$(curl -fsS "$API/v1/sla?from=$FROM&to=$TO&limit=1" | jq -r '.data[0].model_id')
curl -fsS -G "$API/v1/leaderboard" --data-urlencode "model=$model" --data-urlencode "from=$FROM" \
    --data-urlencode "to=$TO" \
    | jq -r '.data[] | "\(.rank)\t\(.orchestrator_address)\t\(.naap_score)\t[\(.good_rate_low), \(.good_rate_high)]\t\(.status)"'
best=$(curl -fsS -G "$API/v1/leaderboard" --data-urlencode "model=$model" --data-urlencode "from=$FROM" \
    --data-urlencode "to=$TO" | jq -r '.data[0].orchestrator_address')
[ -n "$best" ] && [ "$best" != null ] || fail "empty leaderboard for $model"

# 4. One orchestrator's history per hour (the Explorer's missing graph), as CSV.
curl -fsS "$API/v1/orchestrators/$best/history?from=$FROM&to=$TO&format=csv" | sed -n 1,4p
rows=$(curl -fsS "$API/v1/orchestrators/$best/history?from=$FROM&to=$TO" | jq '.data | length')
[ "$rows" -gt 0 ] || fail "no history for $best"

# 5. Paging through a long result: follow meta.next_cursor until it is absent.
cursor="" pages=0 total=0
while :; do
    page=$(curl -fsS -G "$API/v1/sla" --data-urlencode "from=$FROM" --data-urlencode "to=$TO" \
        --data-urlencode "limit=50" ${cursor:+--data-urlencode "cursor=$cursor"})
    total=$((total + $(jq '.data | length' <<<"$page")))
    pages=$((pages + 1))
    cursor=$(jq -r '.meta.next_cursor // empty' <<<"$page")
    [ -n "$cursor" ] || break
done
echo "sla: $total rows in $pages pages"
[ "$total" -gt 0 ] || fail "no sla rows"

# 6. Bad input is a 400 with an application/problem+json body naming the parameter.
problem=$(mktemp)
status=$(curl -sS -o "$problem" -w '%{http_code} %{content_type}' "$API/v1/sla?limit=zero")
echo "bad limit: $status $(jq -c . "$problem")"
rm -f "$problem"
[[ "$status" == "400 application/problem+json"* ]] || fail "expected a 400 problem, got $status"

# 7. Snapshots: the newest one's manifest, and its detached checksum checked with sha256sum.
id=$(curl -fsS "$API/v1/snapshots" | jq -r '.data[0].id')
[ "$id" != null ] || fail "no snapshot listed"
dir=$(mktemp -d)
curl -fsS -o "$dir/snapshot.json" "$API/v1/snapshots/$id"
curl -fsS -o "$dir/snapshot.json.sha256" "$API/v1/snapshots/$id/files/snapshot.json.sha256"
(cd "$dir" && sha256sum -c snapshot.json.sha256)
jq -r '.datasets[] | "\(.role)\t\(.name)\t\(.rows) rows in \(.files | length) files"' "$dir/snapshot.json"
rm -rf "$dir"
