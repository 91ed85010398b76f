"""Writes collected.jsonl: envelopes as `naap collect` writes them (see README.md).

Run from this folder: python3 make-collected.py
"""
import json
import re

PAGE = open("../../../../pipeline/tests/data/collect/go-livepeer-gateway-metrics.txt").read()
REGISTRY = open("../../../../pipeline/tests/data/collect/registered-orchestrators.json").read()
T0 = 1767906600000  # 2026-01-08T21:10:00Z
GATEWAY = "gw1.example.com:7935"

TYPES = dict(re.findall(r"# TYPE (\S+) (\S+)", PAGE))


def restarted(text):
    """The page after a node restart: every counter sample at a quarter of its value."""
    out = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            out.append(line)
            continue
        name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
        base = re.sub(r"_(bucket|sum|count|total)$", "", name)
        if TYPES.get(name) == "counter" or TYPES.get(base) == "counter":
            head, value = line.rsplit(" ", 1)
            line = f"{head} {float(value) / 4:g}"
        out.append(line)
    return "\n".join(out) + "\n"


lines = []


def envelope(id, family, ts, gateway, data):
    lines.append(json.dumps({"id": id, "type": family, "timestamp": str(ts), "gateway": gateway, "data": data},
                            separators=(",", ":")))


def poll(ts, target, endpoint, url, outcome, latency, size, items, error, failures):
    return {"started_at": ts, "target": target, "endpoint": endpoint, "url": url, "outcome": outcome,
            "http_status": 200 if outcome == "ok" else None, "latency_ms": latency, "response_bytes": size,
            "items": items, "error": error, "consecutive_failures": failures}


target, url = "node-1-7935-metrics", "http://node-1:7935/metrics"
for i, (ts, text) in enumerate([(T0, PAGE), (T0 + 1800000, restarted(PAGE)), (T0 + 3000000, PAGE)]):
    envelope(f"{target}-{ts}", "naap_metrics_scrape", ts, "", {"target": target, "url": url, "text": text})
    envelope(f"{target}-{ts}-poll", "naap_collector_poll", ts, "",
             poll(ts, target, "metrics", url, "ok", 12.5 + i, len(text), 28, None, 0))
ts = T0 + 60000
envelope(f"gw1-registry-{ts}", "naap_orchestrator_registry", ts, GATEWAY, json.loads(REGISTRY))
envelope(f"gw1-registry-{ts}-poll", "naap_collector_poll", ts, GATEWAY,
         poll(ts, "gw1.example.com-7935-registry", "orchestrator_registry",
              "http://gw1.example.com:7935/registeredOrchestrators", "ok", 40.25, len(REGISTRY), 3, None, 0))
ts = T0 + 120000
envelope(f"gw1-caps-{ts}-poll", "naap_collector_poll", ts, GATEWAY,
         poll(ts, "gw1.example.com-7935-capabilities", "network_capabilities",
              "http://gw1.example.com:7935/getNetworkCapabilities", "timeout", 10000.0, None, None,
              "no answer within 10s", 1))
open("collected.jsonl", "w").write("\n".join(lines) + "\n")
