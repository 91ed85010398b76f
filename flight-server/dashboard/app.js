// naap dashboard: plain JavaScript over the HTTP API, no dependencies, no build step.
// The page state (view, window, filters, sort) lives in the URL, so a view can be shared.
"use strict";

const HOUR = 3600e3;
const RANGES = { "6h": 6 * HOUR, "24h": 24 * HOUR, "7d": 168 * HOUR, "30d": 720 * HOUR };
const VIEWS = [
  ["health", "Health & data quality"],
  ["operations", "Operations"],
  ["economics", "Economics"],
  ["performance", "Performance"],
  ["leaderboard", "Leaderboard"],
  ["price", "Price & performance"],
  ["supply", "GPU supply"],
];
// The rolling windows of /v1/windows, in their order.
const WINDOWS = [["30m", "last 30 min"], ["1d", "last day"], ["7d", "last 7 days"], ["30d", "last 30 days"]];
const COLORS = ["#0a58ca", "#b42318", "#116329", "#8250df", "#9a6700", "#0e7490"];

// ---------- state ----------

function state() {
  const p = new URLSearchParams(location.search);
  const view = VIEWS.some(([v]) => v === p.get("view")) ? p.get("view") : "health";
  const range = RANGES[p.get("range")] ? p.get("range") : "24h";
  const toParam = Date.parse(p.get("to") || "");
  const to = Number.isFinite(toParam) ? toParam : Math.ceil(Date.now() / HOUR) * HOUR;
  return { p, view, range, to, from: to - RANGES[range] };
}

function navigate(changes, replace) {
  const p = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") p.delete(k); else p.set(k, v);
  }
  const url = `${location.pathname}?${p}`;
  if (replace) history.replaceState(null, "", url); else history.pushState(null, "", url);
  render();
}

// ---------- helpers ----------

const iso = (ms) => new Date(ms).toISOString().replace(".000Z", "Z");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function api(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") query.set(k, v);
  const response = await fetch(`${path}?${query}`, { headers: { accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(`${path}: ${body.detail || response.status}`);
  return body;
}

/** Every row of a paged table endpoint over the window (follows meta.next_cursor). */
async function rows(path, s, params = {}) {
  let out = [], cursor = null;
  do {
    const body = await api(path, { from: iso(s.from), to: iso(s.to), limit: 10000, ...params, cursor });
    out = out.concat(body.data);
    cursor = body.meta && body.meta.next_cursor;
  } while (cursor && out.length < 100000);
  return out;
}

function fmt(value, digits = 2) {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) value = Number(value);
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}
// Axis labels fit the chart's margin: 1.2k, 3.4M rather than digits that overflow it.
const AXIS = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const axis = (v) => (Math.abs(v) < 10 ? fmt(v, 2) : AXIS.format(v));
const pct = (v) => (v === null || v === undefined ? null : `${(v * 100).toFixed(1)} %`);
const short = (a) => (a && a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-4)}` : a);
const eth = (wei) => (wei === null || wei === undefined ? null : `${(Number(wei) / 1e18).toFixed(6)} ETH`);

function sumBy(list, keyFn, fields) {
  const groups = new Map();
  for (const row of list) {
    const key = keyFn(row);
    let g = groups.get(key);
    if (!g) { g = { key, count: 0 }; for (const f of fields) g[f] = 0; groups.set(key, g); }
    g.count += 1;
    for (const f of fields) g[f] += Number(row[f] || 0);
  }
  return [...groups.values()];
}

// Completeness is events / expected events at the family's cadence. A cadence that does not
// divide the hour (capability reports every 25 min: 2 or 3 in an hour) can give more than
// expected; shown capped, with the measured share beside it.
const COMPLETENESS_NOTE = "* Above 100 %: more events than the average cadence expects (capability reports every 25 min fall 2 or 3 times in an hour); shown as 100 % with the measured share.";
const completeness = (v) => (v === null || v === undefined ? null : v > 1 ? `100 %* (${pct(v)})` : pct(v));

// ---------- components ----------

function tiles(items) {
  return el("div", { class: "tiles" }, items.map((t) => el("div", { class: "tile", "data-kpi": t.key, "data-value": t.raw ?? "" },
    el("div", { class: "label", text: t.label }),
    el("div", { class: t.display === null ? "value nodata" : "value", text: t.display ?? "no data" }),
    t.change === undefined ? null : el("div", { class: "change", text: t.change === null ? "no previous window" : `${t.change >= 0 ? "+" : ""}${(t.change * 100).toFixed(1)} % vs previous` }))));
}

/** An SVG chart of a W × H view box, and `add(tag, attrs, text, parent)` to draw in it. */
function canvas(W, H, label) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const add = (tag, attrs, text, parent = svg) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    parent.append(n); return n;
  };
  return { svg, add };
}

/** A line chart of hourly series: `series` is [{name, points: [[ms, value|null], …]}]. */
function chart(title, series, { unit = "", yMax = null } = {}) {
  const W = 640, H = 220, L = 52, R = 12, T = 10, B = 28;
  const all = series.flatMap((s) => s.points).filter(([, v]) => v !== null && Number.isFinite(v));
  const fig = el("figure", { "data-chart": title });
  fig.append(el("figcaption", { text: title }));
  if (!all.length) { fig.append(el("p", { class: "nodata", text: "no data in this window" })); return fig; }
  const xs = all.map(([x]) => x), x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + HOUR);
  const top = yMax ?? (Math.max(...all.map(([, v]) => v), 0) * 1.1 || 1);
  const sx = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y) => T + (1 - y / top) * (H - T - B);
  const { svg, add } = canvas(W, H, `${title}: ${series.map((s) => s.name).join(", ")}`);
  for (let i = 0; i <= 4; i++) {
    const y = (top * i) / 4;
    add("line", { x1: L, x2: W - R, y1: sy(y), y2: sy(y), stroke: "#d0d7de" });
    add("text", { x: L - 6, y: sy(y) + 4, "text-anchor": "end", class: "y-label" }, `${axis(y)}${unit}`);
  }
  const ticks = Math.min(6, Math.round((x1 - x0) / HOUR) + 1);
  for (let i = 0; i < ticks; i++) {
    const x = x0 + ((x1 - x0) * i) / Math.max(ticks - 1, 1);
    const d = new Date(x);
    const label = x1 - x0 > 48 * HOUR ? d.toISOString().slice(5, 10) : d.toISOString().slice(11, 16);
    const anchor = i === 0 ? "start" : i === ticks - 1 ? "end" : "middle";
    add("text", { x: sx(x), y: H - 8, "text-anchor": anchor }, label);
  }
  series.forEach((s, i) => {
    let path = "", pen = false;
    for (const [x, v] of s.points.slice().sort((a, b) => a[0] - b[0])) {
      if (v === null || !Number.isFinite(v)) { pen = false; continue; } // gaps are "no data", not 0
      path += `${pen ? "L" : "M"}${sx(x).toFixed(1)},${sy(v).toFixed(1)}`;
      pen = true;
      add("circle", { cx: sx(x), cy: sy(v), r: 2.5, fill: s.color || COLORS[i % COLORS.length] });
    }
    add("path", { d: path, fill: "none", stroke: s.color || COLORS[i % COLORS.length], "stroke-width": 2 });
  });
  fig.append(svg);
  fig.append(el("div", { class: "legend" }, series.map((s, i) => el("span", { style: `--c:${s.color || COLORS[i % COLORS.length]}`, text: s.name }))));
  return fig;
}

/** Hourly points of `field` summed over rows, or `num/den` ratios of sums. */
function hourly(list, field, den) {
  const by = new Map();
  for (const r of list) {
    const t = Date.parse(r.window_start);
    const g = by.get(t) || [0, 0];
    g[0] += Number(r[field] || 0);
    if (den) g[1] += Number(r[den] || 0);
    by.set(t, g);
  }
  return [...by.entries()].map(([t, [n, d]]) => [t, den ? (d ? n / d : null) : n]);
}

/** Hourly points of the largest `field` among the hour's rows. */
function hourlyMax(list, field) {
  const by = new Map();
  for (const r of list) {
    if (r[field] === null || r[field] === undefined) continue;
    const t = Date.parse(r.window_start);
    by.set(t, Math.max(by.get(t) ?? -Infinity, Number(r[field])));
  }
  return [...by.entries()];
}

/**
 * A sortable table. `columns`: [{key, label, num, show(row) → text|null, href(row)}]. The sort
 * of the table named `id` is kept in the URL (`sort=id:key:dir`).
 */
function table(id, columns, list, s, caption) {
  const [sid, skey, sdir] = (s.p.get("sort") || "").split(":");
  const sorted = list.slice();
  const active = sid === id && columns.some((c) => c.key === skey) ? skey : null;
  if (active) {
    const m = sdir === "asc" ? 1 : -1;
    sorted.sort((a, b) => {
      const x = a[active], y = b[active];
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      const nx = Number(x), ny = Number(y);
      return (Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : String(x).localeCompare(String(y))) * m;
    });
  }
  const head = el("tr", {}, columns.map((c) => {
    const dir = active === c.key ? (sdir === "asc" ? "ascending" : "descending") : null;
    const next = active === c.key && sdir !== "asc" ? "asc" : "desc";
    return el("th", { class: c.num ? "num" : null, "aria-sort": dir, scope: "col" },
      el("button", { type: "button", text: c.label, onclick: () => navigate({ sort: `${id}:${c.key}:${next}` }, true) }));
  }));
  const body = sorted.length
    ? sorted.map((r) => el("tr", {}, columns.map((c) => {
      const text = c.show ? c.show(r) : fmt(r[c.key]);
      const cell = el("td", { class: [c.num ? "num" : "", text === null ? "nodata" : ""].join(" ").trim() || null, "data-key": c.key, "data-raw": r[c.key] ?? "" });
      if (c.href && text !== null) cell.append(el("a", { href: c.href(r), text })); else cell.textContent = text ?? "no data";
      return cell;
    })))
    : [el("tr", {}, el("td", { colspan: columns.length, class: "nodata", text: "no data in this window" }))];
  return el("div", { class: "scroll" }, el("table", { id: `table-${id}` },
    caption ? el("caption", { class: "status", text: caption }) : null,
    el("thead", {}, head), el("tbody", {}, body)));
}

/** A link to `view` that keeps the window (range and a fixed `to`, if any). */
function viewLink(s, view, extra = {}) {
  const keep = { view, range: s.range };
  if (s.p.get("to")) keep.to = s.p.get("to");
  return `?${new URLSearchParams({ ...keep, ...extra })}`;
}
const orchestratorLink = (s) => (r) => viewLink(s, "performance", { orchestrator: r.orchestrator_address });


/**
 * Rolling windows (/v1/windows rows): success and the exact percentiles with their sample
 * counts, and the position against the network. `lead` columns come first (who, window).
 */
function windowsTable(id, lead, list, s) {
  const cols = [
    ...lead,
    { key: "success_rate", label: "Success", num: true, show: (r) => pct(r.success_rate) },
    { key: "samples", label: "Samples", num: true },
    { key: "failures", label: "Failures", num: true },
    { key: "excused", label: "Excused", num: true },
  ];
  const live = list.some((r) => r.startup_latency_ms_samples > 0);
  const jobs = list.some((r) => r.duration_ms_samples > 0 || r.ttft_ms_samples > 0);
  if (live) {
    cols.push(
      { key: "startup_latency_ms_p50", label: "Startup p50 (ms)", num: true, show: (r) => fmt(r.startup_latency_ms_p50, 0) },
      { key: "startup_latency_ms_p90", label: "Startup p90 (ms)", num: true, show: (r) => fmt(r.startup_latency_ms_p90, 0) },
      { key: "startup_latency_ms_p99", label: "Startup p99 (ms)", num: true, show: (r) => fmt(r.startup_latency_ms_p99, 0) },
      { key: "e2e_latency_ms_p50", label: "E2E p50 (ms)", num: true, show: (r) => fmt(r.e2e_latency_ms_p50, 0) },
      { key: "e2e_latency_ms_p99", label: "E2E p99 (ms)", num: true, show: (r) => fmt(r.e2e_latency_ms_p99, 0) },
      { key: "prompt_to_first_frame_ms_p50", label: "First frame p50 (ms)", num: true, show: (r) => fmt(r.prompt_to_first_frame_ms_p50, 0) },
      { key: "output_fps_p50", label: "FPS p50", num: true, show: (r) => fmt(r.output_fps_p50, 1) },
      { key: "output_fps_p90", label: "FPS p90", num: true, show: (r) => fmt(r.output_fps_p90, 1) },
      { key: "output_fps_samples", label: "FPS samples", num: true });
  }
  if (jobs) {
    cols.push(
      { key: "duration_ms_p50", label: "Duration p50 (ms)", num: true, show: (r) => fmt(r.duration_ms_p50, 0) },
      { key: "duration_ms_p99", label: "Duration p99 (ms)", num: true, show: (r) => fmt(r.duration_ms_p99, 0) },
      { key: "ttft_ms_p50", label: "TTFT p50 (ms)", num: true, show: (r) => fmt(r.ttft_ms_p50, 0) },
      { key: "tokens_per_second_p50", label: "Tokens/s p50", num: true, show: (r) => fmt(r.tokens_per_second_p50, 1) });
  }
  if (list.some((r) => r.scope === "orchestrator")) {
    // Ratios to the network's median (startup: below 1 is faster; FPS: above 1 is smoother).
    cols.push(
      { key: "success_rate_vs_network", label: "Success vs network", num: true, show: (r) => (r.success_rate_vs_network === null ? null : `${r.success_rate_vs_network >= 0 ? "+" : ""}${(r.success_rate_vs_network * 100).toFixed(1)} pt`) },
      { key: "startup_latency_ms_p50_vs_network", label: "Startup p50 vs network", num: true, show: (r) => (r.startup_latency_ms_p50_vs_network === null ? null : `×${fmt(r.startup_latency_ms_p50_vs_network, 2)}`) },
      { key: "output_fps_p50_vs_network", label: "FPS p50 vs network", num: true, show: (r) => (r.output_fps_p50_vs_network === null ? null : `×${fmt(r.output_fps_p50_vs_network, 2)}`) });
  }
  return table(id, cols, list, s);
}

/**
 * A timeline of episodes ({key, label, start, end|null, title}) over [from, to): one lane
 * per key, one bar per episode; an episode still open runs to the window's end.
 */
function timeline(title, episodes, from, to) {
  const fig = el("figure", { "data-chart": title });
  fig.append(el("figcaption", { text: title }));
  if (!episodes.length) { fig.append(el("p", { class: "nodata", text: "none in this window" })); return fig; }
  const lanes = [...new Set(episodes.map((e) => e.key))];
  // Full width (not in a grid): a wider view box keeps its text the size of the other charts'.
  const W = 1100, L = 110, R = 12, LANE = 22, T = 6, B = 24, H = T + lanes.length * LANE + B;
  const sx = (x) => L + ((Math.min(Math.max(x, from), to) - from) / (to - from)) * (W - L - R);
  const { svg, add } = canvas(W, H, `${title}: ${episodes.length} episodes`);
  lanes.forEach((key, i) => {
    const y = T + i * LANE;
    add("line", { x1: L, x2: W - R, y1: y + LANE / 2, y2: y + LANE / 2, stroke: "#d0d7de" });
    add("text", { x: L - 6, y: y + LANE / 2 + 4, "text-anchor": "end" }, episodes.find((e) => e.key === key).label);
  });
  for (let i = 0; i <= 4; i++) {
    const x = from + ((to - from) * i) / 4;
    const d = new Date(x).toISOString();
    add("text", { x: sx(x), y: H - 8, "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" }, to - from > 48 * HOUR ? d.slice(5, 10) : d.slice(11, 16));
  }
  for (const e of episodes) {
    const y = T + lanes.indexOf(e.key) * LANE + 4;
    const x0 = sx(e.start), x1 = Math.max(sx(e.end ?? to), x0 + 2);
    const bar = add("rect", { x: x0, y, width: x1 - x0, height: LANE - 8, rx: 2, fill: e.end === null ? "#b42318" : "#9a6700",
      class: "episode", "data-key": e.key, "data-start": iso(e.start), "data-end": e.end === null ? "" : iso(e.end) });
    add("title", {}, e.title, bar);
  }
  fig.append(svg);
  fig.append(el("div", { class: "legend" }, el("span", { style: "--c:#b42318", text: "ongoing" }), el("span", { style: "--c:#9a6700", text: "ended" })));
  return fig;
}

/** A scatter plot of points ({x, y, label, key}), axes from zero. */
function scatter(title, points, { xLabel, yMax = null }) {
  const W = 1100, H = 320, L = 52, R = 12, T = 10, B = 40;
  const fig = el("figure", { "data-chart": title });
  fig.append(el("figcaption", { text: title }));
  if (!points.length) { fig.append(el("p", { class: "nodata", text: "no orchestrator has both in this window" })); return fig; }
  const xTop = Math.max(...points.map((p) => p.x)) * 1.1 || 1, yTop = yMax ?? (Math.max(...points.map((p) => p.y)) * 1.1 || 1);
  const sx = (x) => L + (x / xTop) * (W - L - R), sy = (y) => T + (1 - y / yTop) * (H - T - B);
  const { svg, add } = canvas(W, H, `${title}: ${points.length} orchestrators`);
  for (let i = 0; i <= 4; i++) {
    const y = (yTop * i) / 4, x = (xTop * i) / 4;
    add("line", { x1: L, x2: W - R, y1: sy(y), y2: sy(y), stroke: "#d0d7de" });
    add("text", { x: L - 6, y: sy(y) + 4, "text-anchor": "end", class: "y-label" }, axis(y));
    add("text", { x: sx(x), y: H - 22, "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" }, axis(x));
  }
  add("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle" }, xLabel);
  points.forEach((p, i) => {
    const dot = add("circle", { cx: sx(p.x), cy: sy(p.y), r: 5, fill: COLORS[i % COLORS.length], class: "point",
      "data-key": p.key, "data-x": p.x, "data-y": p.y });
    add("title", {}, `${p.label}: ${fmt(p.x)} / ${fmt(p.y, 1)}`, dot);
    add("text", { x: sx(p.x) + 8, y: sy(p.y) + 4 }, p.label);
  });
  fig.append(svg);
  return fig;
}

// ---------- views ----------

async function kpiTiles(s) {
  const body = await api("/v1/network/kpis", { from: iso(s.from), to: iso(s.to) });
  const labels = {
    active_streams: ["Active streams", fmt], sessions: ["Sessions requested", fmt],
    session_minutes: ["Session minutes", (v) => fmt(v, 0)], startup_success_rate: ["Startup success", pct],
    orchestrators_serving: ["Orchestrators serving", fmt], orchestrators_advertising: ["Orchestrators advertising", fmt],
    gpus: ["GPUs (physical)", fmt], gpu_ids_seen: ["GPU ids seen", fmt], jobs: ["AI jobs", fmt], fees_expected_value_wei: ["Fees (expected value)", eth], fees_remote_signer_wei: ["Fees (remote signers)", eth],
  };
  return tiles(body.data.map((k) => ({
    key: k.kpi, label: (labels[k.kpi] || [k.kpi])[0], raw: k.value,
    display: k.value === null ? null : (labels[k.kpi] ? labels[k.kpi][1](k.value) : fmt(k.value)), change: k.change,
  })));
}

/**
 * The health view's service level: the network's SLO at the window's end, the alerts firing
 * then, the outage timeline, the alert history, the degraded health states and each
 * orchestrator's error budget.
 */
async function serviceLevel(s) {
  const range = { from: iso(s.from), to: iso(s.to) };
  const [slo, alerts, outages, degraded] = await Promise.all([
    api("/v1/slo", { at: iso(s.to) }), api("/v1/alerts", range), api("/v1/outages", range),
    rows("/v1/health", s, { state: "degraded" })]);
  // An hour's state is on every rule row of it; the rules that fired are the evidence.
  const fired = degraded.filter((r) => r.degraded === true);
  const network = slo.data.find((r) => r.scope === "network") || {};
  const firing = alerts.data.filter((a) => a.status === "firing");
  const who = (r) => (r.scope === "network" ? "network" : short(r.orchestrator_address));
  const whoLink = (r) => (r.scope === "network" ? null : orchestratorLink(s)(r));
  const burn = (v) => (v === null || v === undefined ? null : `${fmt(v, 2)}×`);
  const episodes = outages.data.map((o) => ({
    key: o.scope === "network" ? "network" : o.orchestrator_address, label: who(o),
    start: Date.parse(o.started_at), end: o.ended_at ? Date.parse(o.ended_at) : null,
    title: `${who(o)}: ${o.started_at} – ${o.ended_at || "ongoing"}, ${o.failed_sessions} failed sessions (${o.models || "no model"})`,
  }));
  const orchestrators = slo.data.filter((r) => r.scope === "orchestrator");
  const alertColumns = [
    { key: "started_at", label: "Started" }, { key: "resolved_at", label: "Resolved", show: (r) => r.resolved_at || "firing" },
    { key: "severity", label: "Severity" }, { key: "scope", label: "Scope" },
    { key: "orchestrator_address", label: "Orchestrator", show: who, href: whoLink },
    { key: "objective", label: "Objective" }, { key: "peak_burn_rate", label: "Peak burn", num: true, show: (r) => burn(r.peak_burn_rate) },
    { key: "evaluations", label: "Evaluations", num: true },
  ];
  return [
    el("h2", { text: `Service level: ${network.objective || "live_startup_success"} (target ${pct(network.objective_target ?? 0.95)} over 30 days)` }),
    tiles([
      { key: "slo_success_30d", label: "Startup success, 30 days", raw: network.success_rate_30d ?? "", display: pct(network.success_rate_30d) },
      { key: "slo_budget", label: "Error budget left", raw: network.error_budget_remaining ?? "", display: pct(network.error_budget_remaining) },
      { key: "slo_burn_1h", label: "Burn rate, 1 h", raw: network.burn_rate_1h ?? "", display: burn(network.burn_rate_1h) },
      { key: "slo_burn_6h", label: "Burn rate, 6 h", raw: network.burn_rate_6h ?? "", display: burn(network.burn_rate_6h) },
      { key: "alerts_firing", label: "Alerts firing", raw: firing.length, display: fmt(firing.length) },
    ]),
    el("h2", { text: "Alerts firing at the window's end" }),
    table("firing", alertColumns, firing, s),
    timeline("Outages (fast-burn alerts)", episodes, s.from, s.to),
    el("h2", { text: "Outage records" }),
    table("outages", [
      { key: "started_at", label: "Started" }, { key: "ended_at", label: "Ended", show: (r) => r.ended_at || "ongoing" },
      { key: "orchestrator_address", label: "Affected", show: who, href: whoLink },
      { key: "failed_sessions", label: "Failed sessions", num: true }, { key: "models", label: "Models" },
      { key: "peak_burn_rate", label: "Peak burn", num: true, show: (r) => burn(r.peak_burn_rate) },
    ], outages.data, s),
    el("h2", { text: "Alert history" }),
    table("alerts", alertColumns, alerts.data, s),
    el("h2", { text: "Degraded health states" }),
    table("degraded", [
      { key: "window_start", label: "Hour" },
      { key: "orchestrator_address", label: "Orchestrator", show: (r) => short(r.orchestrator_address), href: orchestratorLink(s) },
      { key: "model_id", label: "Model" }, { key: "rule", label: "Rule" },
      { key: "value", label: "Value", num: true, show: (r) => fmt(r.value, 1) },
      { key: "threshold", label: "Threshold", num: true, show: (r) => fmt(r.threshold, 1) },
      { key: "samples", label: "Samples", num: true },
    ], fired, s),
    el("h2", { text: "Error budget per orchestrator (30 days)" }),
    table("budgets", [
      { key: "orchestrator_address", label: "Orchestrator", show: (r) => short(r.orchestrator_address), href: orchestratorLink(s) },
      { key: "events_30d", label: "Sessions", num: true }, { key: "errors_30d", label: "Failed", num: true },
      { key: "success_rate_30d", label: "Success", num: true, show: (r) => pct(r.success_rate_30d) },
      { key: "error_budget_remaining", label: "Budget left", num: true, show: (r) => pct(r.error_budget_remaining) },
      { key: "burn_rate_1h", label: "Burn 1 h", num: true, show: (r) => burn(r.burn_rate_1h) },
      { key: "burn_rate_6h", label: "Burn 6 h", num: true, show: (r) => burn(r.burn_rate_6h) },
    ], orchestrators, s),
  ];
}

/**
 * Rolling windows ending at the window's end (`/v1/windows`): one window (the `win`
 * control), or all of them (`every`), for the scope and filters given.
 */
async function windowsSection(s, params, lead, every = false) {
  const win = every ? null : windowName(s);
  const body = await api("/v1/windows", { at: iso(s.to), window: win, ...params });
  const order = new Map(WINDOWS.map(([w], i) => [w, i]));
  const list = body.data.slice().sort((a, b) => order.get(a.window) - order.get(b.window));
  const heading = every ? "Rolling windows to the window's end" : `Rolling window: the ${WINDOWS.find(([w]) => w === win)[1]} to ${iso(s.to)}`;
  return el("section", { "data-windows": win || "all" },
    el("h2", { text: heading }),
    el("p", { class: "note", text: "Exact percentiles of session and job rows (not averages of hourly figures); success = successes / (successes + failures), excused failures and caller errors counted beside it. Organic traffic." }),
    windowsTable("windows", lead, list, s));
}
// A price is per model: without one in the URL, the price view shows the pipeline's first.
const pricePipeline = (s) => s.p.get("pipeline") || "live-video-to-video";
const priceModel = (s, o) => s.p.get("model") || (o.pairs.find(([p]) => p === pricePipeline(s)) || [])[1];
const windowName = (s) => (WINDOWS.some(([w]) => w === s.p.get("win")) ? s.p.get("win") : "1d");

const views = {
  async health(s, main) {
    const [quality, collectors, reliability, dataHealth] = await Promise.all([
      rows("/v1/quality", s), rows("/v1/collectors", s), serviceLevel(s), rows("/v1/quality/health", s, { state: "degraded" })]);
    // The rules that found an hour's data degraded (the hour's state is on all its rule rows).
    const dataDegraded = dataHealth.filter((r) => r.degraded === true);
    const families = sumBy(quality, (r) => `${r.source_kind}|${r.family}`, ["events", "duplicates", "dead_letters", "expected_events"]);
    const last = new Map();
    for (const r of quality) {
      const key = `${r.source_kind}|${r.family}`;
      if (!last.has(key) || r.window_start > last.get(key).window_start) last.set(key, r);
    }
    const freshness = families.map((g) => {
      const [source_kind, family] = g.key.split("|"), l = last.get(g.key);
      return { source_kind, family, events: g.events, duplicates: g.duplicates, dead_letters: g.dead_letters,
        completeness: g.expected_events ? g.events / g.expected_events : null,
        last_hour: l.window_start, lag_ms_p90: l.lag_ms_p90 };
    });
    const events = quality.reduce((a, r) => a + Number(r.events || 0), 0);
    const dead = quality.reduce((a, r) => a + Number(r.dead_letters || 0), 0);
    const lastHour = quality.reduce((a, r) => (r.window_start > a ? r.window_start : a), "");
    main.append(
      el("h1", { text: "Network health & data quality" }),
      await kpiTiles(s),
      ...reliability,
      el("h2", { text: "Ingestion" }),
      tiles([
        { key: "events", label: "Events ingested", raw: events, display: fmt(events) },
        { key: "dead_letters", label: "Dead letters", raw: dead, display: fmt(dead) },
        // Dead letters are not among the events: accepted = events / (events + dead letters),
        // as data_quality_hourly.accepted_share.
        { key: "accepted_share", label: "Accepted", raw: events + dead ? events / (events + dead) : "", display: events + dead ? pct(events / (events + dead)) : null },
        { key: "last_update", label: "Last update (hour)", raw: lastHour, display: lastHour ? lastHour.replace("T", " ").replace(":00:00Z", ":00 UTC") : null },
      ]),
      el("div", { class: "grid2" },
        chart("Events per hour", [{ name: "events", points: hourly(quality, "events") }, { name: "dead letters", points: hourly(quality, "dead_letters") }]),
        chart("Ingestion lag p90 (s), worst family", [{ name: "lag p90", points: hourlyMax(quality, "lag_ms_p90").map(([t, v]) => [t, v / 1000]) }])),
      el("h2", { text: "Freshness and completeness per source and family" }),
      table("freshness", [
        { key: "source_kind", label: "Source" }, { key: "family", label: "Family" },
        { key: "events", label: "Events", num: true }, { key: "duplicates", label: "Duplicates", num: true },
        { key: "dead_letters", label: "Dead letters", num: true },
        { key: "completeness", label: "Completeness", num: true, show: (r) => completeness(r.completeness) },
        { key: "last_hour", label: "Last hour" },
        { key: "lag_ms_p90", label: "Lag p90 (s)", num: true, show: (r) => fmt(r.lag_ms_p90 === null ? null : r.lag_ms_p90 / 1000, 1) },
      ], freshness, s),
      freshness.some((r) => r.completeness > 1) ? el("p", { class: "note", id: "completeness-note", text: COMPLETENESS_NOTE }) : null,
      el("h2", { text: "Data below its floors" }),
      el("p", { class: "note", text: "Per hour, source and family: p90 ingestion lag above 2 min (not judged for file replays), completeness below 75 % of the cadence's expectation, or fewer than 99 % of at least 20 messages accepted." }),
      table("data-degraded", [
        { key: "window_start", label: "Hour" }, { key: "source_kind", label: "Source" }, { key: "org", label: "Org" },
        { key: "family", label: "Family" }, { key: "rule", label: "Rule" },
        { key: "value", label: "Value", num: true, show: (r) => fmt(r.value, 3) },
        { key: "threshold", label: "Threshold", num: true, show: (r) => fmt(r.threshold, 3) },
        { key: "samples", label: "Messages", num: true },
      ], dataDegraded, s),
      el("h2", { text: "Collectors" }),
      table("collectors", [
        { key: "target", label: "Target" }, { key: "endpoint", label: "Endpoint" },
        { key: "polls", label: "Polls", num: true }, { key: "successes", label: "OK", num: true },
        { key: "success_rate", label: "Success", num: true, show: (r) => pct(r.success_rate) },
        { key: "latency_ms_p50", label: "Latency p50 (ms)", num: true },
        { key: "last_success", label: "Last success" }, { key: "last_error", label: "Last error" },
      ], collectors, s));
  },

  async operations(s, main) {
    const [demand, jobs] = await Promise.all([rows("/v1/demand", s, filters(s, ["pipeline", "model", "region"])), rows("/v1/jobs", s, filters(s, ["pipeline", "model", "region"]))]);
    const byModel = sumBy(demand, (r) => `${r.pipeline}|${r.model_id}`, ["sessions_requested", "sessions_served", "sessions_unserved", "live_minutes", "jobs", "jobs_served", "jobs_unserved"])
      .map((g) => ({ ...g, pipeline: g.key.split("|")[0], model_id: g.key.split("|")[1] }));
    const byGateway = sumBy(demand, (r) => `${r.gateway}|${r.region}`, ["sessions_requested", "sessions_unserved", "live_minutes", "jobs"])
      .map((g) => ({ ...g, gateway: g.key.split("|")[0], region: g.key.split("|")[1] }));
    const recent = jobs.slice().sort((a, b) => (b.started_at || "").localeCompare(a.started_at || "")).slice(0, 25);
    const byoc = jobs.filter((j) => j.kind === "byoc");
    const workers = sumBy(byoc, (r) => `${r.model_id || ""}|${r.worker_url || ""}`, ["charged_compute", "compute_fee_wei"])
      .map((g) => ({ ...g, capability: g.key.split("|")[0], worker_url: g.key.split("|")[1] || "(not reported)",
                     succeeded: byoc.filter((j) => `${j.model_id || ""}|${j.worker_url || ""}` === g.key && j.success).length }));
    main.append(
      el("h1", { text: "Real-time operations" }),
      await kpiTiles(s),
      el("div", { class: "grid2" },
        chart("Live sessions per hour", [
          { name: "requested", points: hourly(demand, "sessions_requested") },
          { name: "unserved (unmet demand)", points: hourly(demand, "sessions_unserved") }]),
        chart("Session minutes per hour", [{ name: "minutes", points: hourly(demand, "live_minutes") }])),
      el("h2", { text: "Demand per pipeline and model" }),
      table("models", [
        { key: "pipeline", label: "Pipeline" }, { key: "model_id", label: "Model" },
        { key: "sessions_requested", label: "Sessions", num: true }, { key: "sessions_unserved", label: "Unserved", num: true },
        { key: "live_minutes", label: "Minutes", num: true, show: (r) => fmt(r.live_minutes, 1) },
        { key: "jobs", label: "Jobs", num: true }, { key: "jobs_unserved", label: "Jobs unserved", num: true },
      ], byModel, s),
      el("h2", { text: "Gateways" }),
      table("gateways", [
        { key: "gateway", label: "Gateway" }, { key: "region", label: "Region" },
        { key: "sessions_requested", label: "Sessions", num: true }, { key: "sessions_unserved", label: "Unserved", num: true },
        { key: "live_minutes", label: "Minutes", num: true, show: (r) => fmt(r.live_minutes, 1) }, { key: "jobs", label: "Jobs", num: true },
      ], byGateway, s),
      el("h2", { text: "Recent jobs" }),
      table("jobs", [
        { key: "started_at", label: "Started" }, { key: "kind", label: "Kind" }, { key: "pipeline", label: "Pipeline" },
        { key: "model_id", label: "Model" }, { key: "success", label: "Outcome", show: (r) => (r.success ? "ok" : r.error_class || "failed") },
        { key: "duration_ms", label: "Duration (ms)", num: true }, { key: "orchestrator_url", label: "Orchestrator" },
      ], recent, s),
      el("h2", { text: "BYOC jobs per capability and worker" }),
      table("byoc", [
        { key: "capability", label: "Capability" }, { key: "worker_url", label: "Worker" },
        { key: "count", label: "Jobs", num: true }, { key: "succeeded", label: "Succeeded", num: true },
        { key: "charged_compute", label: "Compute charged", num: true },
        { key: "compute_fee_wei", label: "Fees (wei)", num: true, show: (r) => fmt(r.compute_fee_wei) },
      ], workers, s));
  },

  async economics(s, main) {
    const [payments, prices] = await Promise.all([rows("/v1/economics", s), rows("/v1/prices", s, filters(s, ["model"]))]);
    const latest = new Map();
    for (const r of prices) {
      const key = `${r.orchestrator_address}|${r.capability_name || r.pipeline || ""}|${r.model_id || r.constraint || ""}`;
      if (!latest.has(key) || r.window_start > latest.get(key).window_start) latest.set(key, r);
    }
    const byOrchestrator = sumBy(payments, (r) => r.orchestrator_address || "", ["tickets", "expected_value_wei", "face_value_wei", "signer_fee_wei", "live_minutes"])
      .map((g) => ({ ...g, orchestrator_address: g.key }));
    const byGateway = sumBy(payments, (r) => r.gateway || "", ["tickets", "expected_value_wei", "face_value_wei", "signer_fee_wei"]).map((g) => ({ ...g, gateway: g.key }));
    main.append(
      el("h1", { text: "Economics" }),
      el("div", { class: "grid2" },
        chart("Fees per hour (ETH)", [
          { name: "expected value (tickets)", points: hourly(payments, "expected_value_wei").map(([t, v]) => [t, v / 1e18]) },
          { name: "remote-signer fees", points: hourly(payments, "signer_fee_wei").map(([t, v]) => [t, v / 1e18]) },
        ]),
        chart("Tickets per hour", [{ name: "tickets", points: hourly(payments, "tickets") }])),
      el("h2", { text: "Advertised prices (latest per orchestrator and capability)" }),
      table("prices", [
        { key: "orchestrator_address", label: "Orchestrator", show: (r) => short(r.orchestrator_address), href: orchestratorLink(s) },
        { key: "capability_name", label: "Capability" }, { key: "constraint", label: "Model" },
        { key: "price_wei_per_unit", label: "Wei per unit", num: true }, { key: "pixels_per_unit", label: "Pixels per unit", num: true },
        { key: "last_seen", label: "Last seen" },
      ], [...latest.values()], s),
      el("h2", { text: "Payments per orchestrator" }),
      table("payees", [
        { key: "orchestrator_address", label: "Orchestrator", show: (r) => short(r.orchestrator_address), href: orchestratorLink(s) },
        { key: "tickets", label: "Tickets", num: true }, { key: "expected_value_wei", label: "Expected value", num: true, show: (r) => eth(r.expected_value_wei) },
        { key: "face_value_wei", label: "Face value", num: true, show: (r) => eth(r.face_value_wei) },
        { key: "signer_fee_wei", label: "Remote-signer fees", num: true, show: (r) => eth(r.signer_fee_wei) },
        { key: "live_minutes", label: "Live minutes", num: true, show: (r) => fmt(r.live_minutes, 1) },
      ], byOrchestrator, s),
      el("h2", { text: "Payments per gateway" }),
      table("payers", [
        { key: "gateway", label: "Gateway" }, { key: "tickets", label: "Tickets", num: true },
        { key: "expected_value_wei", label: "Expected value", num: true, show: (r) => eth(r.expected_value_wei) },
        { key: "face_value_wei", label: "Face value", num: true, show: (r) => eth(r.face_value_wei) },
        { key: "signer_fee_wei", label: "Remote-signer fees", num: true, show: (r) => eth(r.signer_fee_wei) },
      ], byGateway, s));
  },

  async performance(s, main) {
    const orchestrator = s.p.get("orchestrator");
    if (!orchestrator) {
      const sla = await rows("/v1/sla", s, filters(s, ["pipeline", "model", "region"]));
      const list = (await api("/v1/orchestrators", { from: iso(s.from), to: iso(s.to), limit: 1000 })).data;
      main.append(
        el("h1", { text: "Performance: the network" }),
        el("div", { class: "grid2" },
          chart("Startup success and effective success", [
            { name: "startup success", points: hourly(sla, "startup_success_sessions", "requested_sessions") },
            { name: "good sessions", points: hourly(sla, "good_sessions", "naap_score_sessions") }], { yMax: 1 }),
          chart("Swaps and failures per hour", [
            { name: "swapped", points: hourly(sla, "swapped_sessions") },
            { name: "startup failed", points: hourly(sla, "startup_failed_sessions") },
            { name: "zero FPS", points: hourly(sla, "zero_fps_sessions") }])),
        el("h2", { text: "Orchestrators (choose one to drill down)" }),
        table("orchestrators", [
          { key: "address", label: "Orchestrator", show: (r) => short(r.address), href: (r) => orchestratorLink(s)({ orchestrator_address: r.address }) },
          { key: "naap_score", label: "naap score", num: true, show: (r) => fmt(r.naap_score, 1) },
          { key: "requested_sessions", label: "Sessions", num: true }, { key: "gpus", label: "GPUs", num: true },
          { key: "version", label: "Version" }, { key: "status", label: "Status" },
        ], list, s));
      return;
    }
    const params = { from: iso(s.from), to: iso(s.to), ...filters(s, ["pipeline", "model"]) };
    const [history, sla, board, baselines] = await Promise.all([
      api(`/v1/orchestrators/${encodeURIComponent(orchestrator)}/history`, params),
      rows("/v1/sla", s, { orchestrator, ...filters(s, ["pipeline", "model", "region"]) }),
      api("/v1/leaderboard", { from: iso(s.from), to: iso(s.to), limit: 1000, ...filters(s, ["pipeline", "model", "region"]) }),
      api("/v1/datasets/network_baselines_daily/rows", { limit: 10000 }),
    ]);
    const h = history.data;
    const point = (f) => h.map((r) => [Date.parse(r.window_start), r[f]]);
    const mine = board.data.find((r) => r.orchestrator_address === orchestrator) || {};
    // The cohort's daily percentiles over the window's days, beside this orchestrator's means.
    const fromDay = iso(s.from).slice(0, 10), model = s.p.get("model");
    const cohort = baselines.data.filter((r) => r.date >= fromDay && r.window_start < iso(s.to)
      && r.pipeline === board.meta.pipeline && (!model || r.model_id === model));
    main.append(
      el("h1", { text: `Performance: ${short(orchestrator)}` }),
      el("p", {}, el("a", { href: viewLink(s, "performance"), text: "← the network" }), ` · ${orchestrator}`),
      el("div", { class: "grid2" },
        chart("Scores per hour (0–100)", [
          { name: "SLA v1 (predecessor)", points: point("sla_score_v1") },
          { name: "naap score (Wilson lower bound)", points: point("naap_score") },
          { name: "Explorer score ×100", points: h.map((r) => [Date.parse(r.window_start), r.explorer_ai_score === null ? null : r.explorer_ai_score * 100]) }], { yMax: 100 }),
        chart("Score components", [
          { name: "startup success", points: point("startup_success_rate") },
          { name: "no swap", points: point("no_swap_rate") },
          { name: "output viability", points: point("output_viability_rate") }], { yMax: 1 })),
      el("h2", { text: `Against the network baseline (${board.meta.pipeline}${model ? `, ${model}` : ""})` }),
      tiles([
        { key: "mean_startup_latency_ms", label: "Mean startup latency (ms)", raw: mine.mean_startup_latency_ms ?? "", display: fmt(mine.mean_startup_latency_ms ?? null, 0) },
        { key: "mean_output_fps", label: "Mean output FPS", raw: mine.mean_output_fps ?? "", display: fmt(mine.mean_output_fps ?? null, 1) },
        { key: "rank", label: "Leaderboard rank", raw: mine.rank ?? "", display: mine.rank ? `${mine.rank} of ${board.data.length}` : null },
      ]),
      table("baselines", [
        { key: "date", label: "Day" }, { key: "model_id", label: "Model" },
        { key: "startup_latency_ms_p50", label: "Startup p50 (ms)", num: true }, { key: "startup_latency_ms_p90", label: "Startup p90 (ms)", num: true },
        { key: "e2e_latency_ms_p50", label: "E2E p50 (ms)", num: true }, { key: "e2e_latency_ms_p90", label: "E2E p90 (ms)", num: true },
        { key: "output_fps_p10", label: "FPS p10", num: true }, { key: "output_fps_p50", label: "FPS p50", num: true },
      ], cohort, s),
      el("h2", { text: "Per pipeline, model and GPU" }),
      table("gpus", [
        { key: "pipeline", label: "Pipeline" }, { key: "model_id", label: "Model" }, { key: "gpu_name", label: "GPU" },
        { key: "requested_sessions", label: "Sessions", num: true },
        { key: "startup_success_rate", label: "Startup success", num: true, show: (r) => pct(r.startup_success_rate) },
        { key: "swapped_sessions", label: "Swaps", num: true }, { key: "startup_failed_sessions", label: "Failed", num: true },
        { key: "zero_fps_sessions", label: "Zero FPS", num: true }, { key: "session_minutes", label: "Minutes", num: true, show: (r) => fmt(r.session_minutes, 1) },
      ], sumBy(sla, (r) => `${r.pipeline}|${r.model_id}|${r.gpu_name ?? ""}`, ["requested_sessions", "startup_success_sessions", "swapped_sessions", "startup_failed_sessions", "zero_fps_sessions", "session_minutes"])
        .map((g) => {
          const [pipeline, model_id, gpu_name] = g.key.split("|");
          return { ...g, pipeline, model_id, gpu_name: gpu_name || null,
            startup_success_rate: g.requested_sessions ? g.startup_success_sessions / g.requested_sessions : null };
        }), s),
      await windowsSection(s, { scope: "orchestrator", orchestrator, ...filters(s, ["pipeline", "model"]) }, [
        { key: "window", label: "Window" }, { key: "pipeline", label: "Pipeline" }, { key: "model_id", label: "Model" }], true),
      el("h2", { text: "Per hour" }),
      table("history", [
        { key: "window_start", label: "Hour" }, { key: "requested_sessions", label: "Sessions", num: true },
        { key: "sla_score_v1", label: "SLA v1", num: true }, { key: "naap_score", label: "naap score", num: true },
        { key: "startup_success_rate", label: "Startup success", num: true, show: (r) => pct(r.startup_success_rate) },
        { key: "swapped_sessions", label: "Swaps", num: true }, { key: "startup_failed_sessions", label: "Failed", num: true },
        { key: "zero_fps_sessions", label: "Zero FPS", num: true },
      ], h, s));
  },

  async leaderboard(s, main) {
    const params = { from: iso(s.from), to: iso(s.to), limit: 100, ...filters(s, ["pipeline", "model", "region"]) };
    const body = await api("/v1/leaderboard", params);
    main.append(
      el("h1", { text: "Orchestrator leaderboard" }),
      el("p", { class: "status", text: `Ranked by naap score: 100 × the 95 % lower bound of the share of good sessions. Pipeline ${body.meta.pipeline || "any"}, model ${body.meta.model || "any"}, region ${body.meta.region || "any"}.` }),
      table("leaderboard", [
        { key: "rank", label: "Rank", num: true },
        { key: "orchestrator_address", label: "Orchestrator", show: (r) => short(r.orchestrator_address), href: orchestratorLink(s) },
        { key: "naap_score", label: "naap score", num: true, show: (r) => fmt(r.naap_score, 1) },
        { key: "good_rate_low", label: "Interval (good share)", num: true, show: (r) => (r.good_rate_low === null ? null : `${pct(r.good_rate_low)} – ${pct(r.good_rate_high)}`) },
        { key: "sessions", label: "Sessions", num: true },
        { key: "startup_success_rate", label: "Startup success", num: true, show: (r) => pct(r.startup_success_rate) },
        { key: "mean_output_fps", label: "FPS", num: true }, { key: "mean_startup_latency_ms", label: "Startup (ms)", num: true },
        { key: "status", label: "Status" },
      ], body.data, s),
      await windowsSection(s, { scope: "orchestrator", ...filters(s, ["pipeline", "model"]) }, [
        { key: "orchestrator_address", label: "Orchestrator", show: (r) => short(r.orchestrator_address), href: orchestratorLink(s) },
        { key: "model_id", label: "Model" }]));
  },

  async price(s, main) {
    const pipeline = pricePipeline(s), o = await options(s);
    const model = priceModel(s, o);
    main.append(el("h1", { text: "Price & performance" }));
    if (!model) {
      main.append(el("p", { class: "nodata", text: `No model of ${pipeline} had demand in the last 30 days: choose a model.` }));
      return;
    }
    const body = await api("/v1/price-performance", { from: iso(s.from), to: iso(s.to), limit: 1000, pipeline, model, ...filters(s, ["region"]) });
    const priced = body.data.filter((r) => r.naap_score !== null && r.price_wei_per_unit !== null);
    main.append(
      el("p", { class: "status", text: `Pipeline ${pipeline}, model ${model}: each orchestrator's naap score over the window against the price per unit it advertised last for this model (wei; a pixel for video and images).` }),
      scatter("naap score (0–100) against price per unit", priced.map((r) => ({ key: r.orchestrator_address, label: short(r.orchestrator_address), x: r.price_wei_per_unit, y: r.naap_score })),
        { xLabel: "price per unit (wei)", yMax: 100 }),
      table("price", [
        { key: "rank", label: "Rank", num: true },
        { key: "orchestrator_address", label: "Orchestrator", show: (r) => short(r.orchestrator_address), href: orchestratorLink(s) },
        { key: "naap_score", label: "naap score", num: true, show: (r) => fmt(r.naap_score, 1) },
        { key: "sessions", label: "Sessions", num: true },
        { key: "price_wei_per_unit", label: "Price (wei/unit)", num: true, show: (r) => fmt(r.price_wei_per_unit, 3) },
        { key: "min_price_wei_per_unit", label: "Lowest", num: true, show: (r) => fmt(r.min_price_wei_per_unit, 3) },
        { key: "max_price_wei_per_unit", label: "Highest", num: true, show: (r) => fmt(r.max_price_wei_per_unit, 3) },
        { key: "price_last_seen", label: "Price seen" }, { key: "status", label: "Status" },
      ], body.data, s));
  },

  async supply(s, main) {
    const gpus = await rows("/v1/supply/gpus", s, filters(s, ["pipeline", "model"]));
    const latest = new Map();
    for (const r of gpus) {
      const key = `${r.orchestrator_address}|${r.gpu_name}|${r.model_id}`;
      if (!latest.has(key) || r.window_start > latest.get(key).window_start) latest.set(key, r);
    }
    const inventory = [...latest.values()];
    const physical = new Map();
    for (const r of inventory) physical.set(`${r.orchestrator_address}|${r.gpu_name}`, Math.max(physical.get(`${r.orchestrator_address}|${r.gpu_name}`) || 0, Number(r.physical_gpus || 0)));
    const total = [...physical.values()].reduce((a, b) => a + b, 0);
    main.append(
      el("h1", { text: "GPU supply" }),
      tiles([
        { key: "physical_gpus", label: "Physical GPUs (latest)", raw: total, display: fmt(total) },
        { key: "gpu_models", label: "GPU models", raw: new Set(inventory.map((r) => r.gpu_name)).size, display: fmt(new Set(inventory.map((r) => r.gpu_name)).size) },
        { key: "orchestrators", label: "Orchestrators with GPUs", raw: new Set(inventory.map((r) => r.orchestrator_address)).size, display: fmt(new Set(inventory.map((r) => r.orchestrator_address)).size) },
      ]),
      el("div", { class: "grid2" }, chart("Capacity per hour", [
        { name: "capacity", points: hourly(gpus, "capacity") }, { name: "in use", points: hourly(gpus, "capacity_in_use") }])),
      el("h2", { text: "Inventory (latest hour seen)" }),
      table("inventory", [
        { key: "orchestrator_address", label: "Orchestrator", show: (r) => short(r.orchestrator_address), href: orchestratorLink(s) },
        { key: "gpu_name", label: "GPU" }, { key: "memory_total_bytes", label: "Memory (GiB)", num: true, show: (r) => fmt(r.memory_total_bytes / 2 ** 30, 0) },
        { key: "physical_gpus", label: "GPUs", num: true }, { key: "pipeline", label: "Pipeline" }, { key: "model_id", label: "Model" },
        { key: "capacity", label: "Capacity", num: true }, { key: "capacity_in_use", label: "In use", num: true },
        { key: "warm", label: "Warm", show: (r) => (r.warm === null ? null : r.warm ? "yes" : "no") }, { key: "last_seen", label: "Last seen" },
      ], inventory, s));
  },
};

/** The filter parameters of the URL the API understands (`model` and friends). */
function filters(s, names) {
  const out = {};
  for (const n of names) if (s.p.get(n)) out[n] = s.p.get(n);
  return out;
}

// Which filters each view offers (besides the window).
const VIEW_FILTERS = {
  health: [], operations: ["pipeline", "model", "region"], economics: ["model"],
  performance: ["pipeline", "model", "region"], leaderboard: ["pipeline", "model", "region"], supply: ["pipeline", "model"],
  price: ["pipeline", "model", "region"],
};

let filterOptions = null;
async function options(s) {
  if (!filterOptions) {
    const demand = await rows("/v1/demand", { ...s, from: s.to - RANGES["30d"] });
    const pick = (f) => [...new Set(demand.map((r) => r[f]).filter(Boolean))].sort();
    const pairs = [...new Set(demand.filter((r) => r.pipeline && r.model_id).map((r) => `${r.pipeline}|${r.model_id}`))].sort().map((k) => k.split("|"));
    filterOptions = { pipeline: pick("pipeline"), model: pick("model_id"), region: pick("region"), pairs };
  }
  return filterOptions;
}

async function controls(s) {
  const form = document.getElementById("controls");
  const select = (name, label, values, current, any) => el("label", { for: `f-${name}` }, label,
    el("select", { id: `f-${name}`, name, onchange: (e) => navigate({ [name]: e.target.value }) },
      any ? el("option", { value: "", text: any }) : null,
      values.map(([v, text]) => el("option", { value: v, text, selected: v === current ? "selected" : null }))));
  const items = [select("range", "Time range", Object.keys(RANGES).map((r) => [r, `last ${r}`]), s.range)];
  const wanted = VIEW_FILTERS[s.view];
  if (wanted.length) {
    const o = await options(s);
    for (const name of wanted) {
      const current = s.p.get(name) || (s.view === "price" && name === "model" ? priceModel(s, o) || "" : "");
      const values = o[name].includes(current) || !current ? o[name] : [...o[name], current];
      items.push(select(name, name[0].toUpperCase() + name.slice(1), values.map((v) => [v, v]), current, `any ${name}`));
    }
  }
  if (s.view === "leaderboard") items.push(select("win", "Rolling window", WINDOWS, windowName(s)));
  form.replaceChildren(...items);
}

// ---------- live views ----------
// Health and operations over a window that ends now follow the lake: every LIVE_POLL the page
// asks /readyz which lake generation the server has seen, renders the view again when it
// moved, and says how old the data is (a warning once nothing changed for STALE_AFTER).
const LIVE_VIEWS = new Set(["health", "operations"]);
const LIVE_POLL = 3000, STALE_AFTER = 120e3;
const live = { timer: null, clock: null, generation: null, changedAt: null, skew: 0, rendering: false };

function stopLive() {
  clearInterval(live.timer); clearInterval(live.clock);
  live.timer = live.clock = null; live.generation = null;
}

async function readyz() {
  const body = await (await fetch("/readyz", { headers: { accept: "application/json" } })).json();
  // Ages are measured on the server's clock, whatever the browser's says.
  if (body.server_time) live.skew = Date.now() - Date.parse(body.server_time);
  live.changedAt = body.lake_changed_at ? Date.parse(body.lake_changed_at) : live.changedAt;
  return body.lake_generation ?? null;
}

function showAge() {
  const node = document.getElementById("live-status");
  if (!node) return;
  if (live.changedAt === null) { node.textContent = "Live · waiting for new data"; node.className = "live"; return; }
  const age = Math.max(0, Date.now() - live.skew - live.changedAt);
  const stale = age > STALE_AFTER;
  node.className = stale ? "live stale" : "live";
  node.setAttribute("role", stale ? "alert" : "status");
  node.dataset.ageSeconds = String(Math.round(age / 1000));
  node.textContent = stale
    ? `No new data for ${Math.round(age / 60e3)} min: ingestion or the rollups may have stopped`
    : `Live · updated ${Math.round(age / 1000)} s ago`;
}

async function startLive(s) {
  stopLive();
  if (!LIVE_VIEWS.has(s.view) || s.p.get("to")) return;
  live.generation = await readyz().catch(() => null);
  showAge();
  live.clock = setInterval(showAge, 1000);
  live.timer = setInterval(async () => {
    if (live.rendering) return;
    const generation = await readyz().catch(() => live.generation);
    if (generation !== null && generation !== live.generation) {
      live.generation = generation;
      await render({ live: true });
    }
    showAge();
  }, LIVE_POLL);
}

async function render({ live: refresh = false } = {}) {
  const s = state();
  const nav = document.getElementById("nav");
  nav.replaceChildren(...VIEWS.map(([v, label]) => el("a", { href: viewLink(s, v), "aria-current": v === s.view ? "page" : null, text: label })));
  live.rendering = true;
  const main = document.getElementById("view");
  // Until the new view replaces it, the old one is stale (a live refresh keeps showing it).
  if (!refresh) {
    main.removeAttribute("data-ready");
    main.setAttribute("aria-busy", "true");
  }
  const fresh = el("main", { id: "view", "aria-live": "polite", "data-view": s.view, "data-from": iso(s.from), "data-to": iso(s.to) });
  document.title = `naap — ${VIEWS.find(([v]) => v === s.view)[1]}`;
  try {
    await controls(s);
    await views[s.view](s, fresh);
    const heading = fresh.querySelector("h1");
    heading.after(el("p", { class: "window", text: `${iso(s.from)} – ${iso(s.to)} (UTC)` }));
    if (LIVE_VIEWS.has(s.view) && !s.p.get("to")) heading.after(el("p", { class: "live", id: "live-status", role: "status" }));
    fresh.setAttribute("data-ready", "true");
    if (refresh) fresh.dataset.refreshed = String(Number(main.dataset.refreshed || 0) + 1);
  } catch (e) {
    fresh.replaceChildren(el("p", { class: "error", role: "alert", text: `Could not load this view: ${e.message}` }));
    fresh.setAttribute("data-ready", "error");
  }
  main.replaceWith(fresh);
  showAge();
  live.rendering = false;
  if (!refresh) await startLive(s);
}

window.addEventListener("popstate", () => render());
document.addEventListener("DOMContentLoaded", () => render());
