# Sourced by scripts that check naap against a running demo: start_demo starts
# `naap demo` on a fixed period in a temporary lake and waits until it serves; the lake and
# the process go away when the calling script exits.
#   start_demo NAAP HTTP_PORT FLIGHT_PORT START HOURS
# sets NAAP_API_URL, NAAP_FLIGHT_URL, DEMO_LAKE and DEMO_PID.
start_demo() {
    local naap="$1" http_port="$2" flight_port="$3" start="$4" hours="$5"
    [ -x "$naap" ] || { echo "no naap binary at $naap (cargo build -p naap)" >&2; return 1; }
    DEMO_DIR="$(mktemp -d)"
    DEMO_LAKE="$DEMO_DIR/lake"
    trap 'stop_demo' EXIT
    # No rate limit: the checks load many pages and tables in a few seconds.
    "$naap" --lake "$DEMO_LAKE" demo --start "$start" --hours "$hours" \
        --http "127.0.0.1:$http_port" --flight "127.0.0.1:$flight_port" \
        --rate-limit-per-second 0 >"$DEMO_DIR/demo.log" 2>&1 &
    DEMO_PID=$!
    export NAAP_API_URL="http://127.0.0.1:$http_port"
    export NAAP_FLIGHT_URL="grpc://127.0.0.1:$flight_port"
    for _ in $(seq 1 600); do
        curl -fsS "$NAAP_API_URL/healthz" >/dev/null 2>&1 && return 0
        if ! kill -0 "$DEMO_PID" 2>/dev/null; then
            cat "$DEMO_DIR/demo.log" >&2
            echo "naap demo exited" >&2
            return 1
        fi
        sleep 0.5
    done
    cat "$DEMO_DIR/demo.log" >&2
    echo "naap demo did not come up" >&2
    return 1
}

stop_demo() {
    if [ -n "${DEMO_PID:-}" ]; then
        kill "$DEMO_PID" 2>/dev/null || true
        wait "$DEMO_PID" 2>/dev/null || true
    fi
    [ -z "${DEMO_DIR:-}" ] || rm -rf "$DEMO_DIR"
}
