// A trace waterfall drawn from OTLP/JSON (what GET /runs/{id}/trace answers): one row per span, indented under
// its parent, its bar placed at its offset in the trace and scaled to the trace's duration; a span still running
// (no endTimeUnixNano) reaches to the latest moment the trace shows and is marked data-open. Progress events are
// ticks on their tool's bar, a stall notice is a marker where the stall was detected, and a failed span is red
// with its error type. Used by app.js when the server has no trace_url_template (no trace backend to link to).
"use strict";

const PROGRESS_EVENT = "agents_otel.tool.progress";
const STALLED_EVENT = "agents_otel.tool.stalled";
const STATUS_ERROR = 2;

function attributeValue(value) {
  if (!value) return undefined;
  for (const key of ["stringValue", "boolValue", "doubleValue"]) if (key in value) return value[key];
  if ("intValue" in value) return Number(value.intValue);
  return undefined;
}

function attributes(list) {
  const out = {};
  for (const { key, value } of list || []) out[key] = attributeValue(value);
  return out;
}

function otlpSpans(otlp) {
  const spans = [];
  for (const resource of otlp.resourceSpans || []) {
    for (const scope of resource.scopeSpans || []) {
      for (const span of scope.spans || []) {
        spans.push({
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || "",
          name: span.name,
          start: BigInt(span.startTimeUnixNano),
          end: span.endTimeUnixNano ? BigInt(span.endTimeUnixNano) : null, // null: still running
          attributes: attributes(span.attributes),
          events: (span.events || []).map((e) => ({ name: e.name, time: BigInt(e.timeUnixNano), attributes: attributes(e.attributes) })),
          error: (span.status && span.status.code === STATUS_ERROR) || false,
          statusMessage: (span.status && span.status.message) || "",
        });
      }
    }
  }
  return spans;
}

// Depth-first order: each span after its parent, siblings by start time.
function ordered(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  for (const span of spans) {
    const parent = ids.has(span.parentSpanId) ? span.parentSpanId : "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(span);
  }
  for (const list of children.values()) list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out = [];
  const visit = (parent, depth) => {
    for (const span of children.get(parent) || []) {
      out.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit("", 0);
  return out;
}

function percent(value, total) {
  return `${Math.max(0, Math.min(100, (Number(value) / Number(total)) * 100)).toFixed(3)}%`;
}

function drawWaterfall(container, otlp) {
  const spans = otlpSpans(otlp);
  container.replaceChildren();
  container.dataset.spans = String(spans.length);
  if (!spans.length) {
    container.textContent = "No spans recorded for this run (no tracing SDK installed?).";
    return;
  }
  // A running span ends, for drawing, at the latest moment the trace shows (its last start, end or event).
  let t0 = spans[0].start;
  let t1 = spans[0].start;
  for (const s of spans) {
    if (s.start < t0) t0 = s.start;
    for (const t of [s.start, s.end, ...s.events.map((e) => e.time)]) if (t !== null && t > t1) t1 = t;
  }
  for (const s of spans) {
    s.open = s.end === null;
    if (s.open) s.end = t1;
  }
  const total = t1 > t0 ? t1 - t0 : 1n;
  for (const { span, depth } of ordered(spans)) {
    const row = document.createElement("div");
    row.className = "span-row";
    row.id = `span-${span.spanId}`;
    row.dataset.spanId = span.spanId;
    row.dataset.name = span.name;
    row.dataset.depth = String(depth);
    if (span.attributes["gen_ai.tool.call.id"]) row.dataset.toolCallId = span.attributes["gen_ai.tool.call.id"];
    if (span.open) row.dataset.open = "true";

    const label = document.createElement("div");
    label.className = "span-label";
    label.style.paddingLeft = `${depth * 1.1}rem`;
    const ms = Number(span.end - span.start) / 1e6;
    label.textContent = `${span.name}  ${span.open ? "running, " : ""}${ms < 10 ? ms.toFixed(2) : Math.round(ms)} ms`;

    const track = document.createElement("div");
    track.className = "span-track";
    const bar = document.createElement("div");
    bar.className = "span-bar";
    bar.dataset.operation = String(span.attributes["gen_ai.operation.name"] || "other");
    bar.style.left = percent(span.start - t0, total);
    bar.style.width = `max(2px, ${percent(span.end - span.start, total)})`;
    track.appendChild(bar);

    const duration = span.end > span.start ? span.end - span.start : 1n;
    for (const event of span.events) {
      if (event.name !== PROGRESS_EVENT && event.name !== STALLED_EVENT) continue;
      const mark = document.createElement("span");
      mark.className = event.name === PROGRESS_EVENT ? "tick" : "stall";
      mark.style.left = percent(event.time - span.start, duration);
      if (event.name === PROGRESS_EVENT) {
        mark.dataset.sequence = String(event.attributes["agents_otel.progress.sequence"] ?? "");
        mark.title = `progress ${mark.dataset.sequence}: ${event.attributes["agents_otel.progress.data"] ?? ""}`;
      } else {
        row.dataset.stalled = "true";
        mark.title = `stalled: no progress for ${event.attributes["agents_otel.stall.duration"]} s`;
      }
      bar.appendChild(mark);
    }
    if (span.error) {
      row.dataset.error = String(span.attributes["error.type"] || "error");
      bar.title = `error: ${row.dataset.error}${span.statusMessage ? ` — ${span.statusMessage}` : ""}`;
    }
    row.append(label, track);
    container.appendChild(row);
  }
}

window.drawWaterfall = drawWaterfall;
