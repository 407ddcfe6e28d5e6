// The live run page. One EventSource per run: the browser itself resumes with Last-Event-ID after a network
// drop, and the server replays exactly what was missed, so this code only ever applies each event once.
"use strict";

const API = document.querySelector('meta[name="agents-otel-api"]').content.replace(/\/$/, "");
const TERMINAL = new Set(["run_completed", "run_failed", "run_cancelled"]);

const form = document.getElementById("run-form");
const input = document.getElementById("input");
const startButton = document.getElementById("start");
const cancelButton = document.getElementById("cancel");
const statusEl = document.getElementById("status");
const traceLink = document.getElementById("trace-link");
const toolsEl = document.getElementById("tools");
const answerEl = document.getElementById("answer");
const agentEl = document.getElementById("agent");
const toolTemplate = document.getElementById("tool-template");

// null: no trace backend configured; the page then draws the run's trace itself (waterfall.js) from the
// server's GET /runs/{id}/trace, and the trace links point at that waterfall.
let traceUrlTemplate = null;
const waterfallEl = document.getElementById("waterfall");
const configured = fetch(`${API}/config`)
  .then((r) => (r.ok ? r.json() : {}))
  .then((config) => {
    // ?trace_url_template=... on the page URL wins over the server's setting.
    const override = new URLSearchParams(location.search).get("trace_url_template");
    traceUrlTemplate = override || config.trace_url_template || null;
  })
  .catch(() => {});

let current = null; // {id, source, traceId}

function setStatus(text, state) {
  statusEl.textContent = text;
  statusEl.dataset.status = state;
}

function traceUrl(traceId, spanId) {
  if (!traceUrlTemplate) return spanId ? `#span-${spanId}` : "#waterfall";
  const url = traceUrlTemplate.replaceAll("{trace_id}", traceId);
  if (!spanId) return url.replaceAll("{span_id}", "");
  if (traceUrlTemplate.includes("{span_id}")) return url.replaceAll("{span_id}", spanId);
  return `${url}${url.includes("?") ? "&" : "?"}uiFind=${spanId}`; // Jaeger highlights the span
}

function showTrace(traceId) {
  if (!traceId || !current || current.traceId) return;
  current.traceId = traceId;
  traceLink.href = traceUrl(traceId);
  traceLink.dataset.traceId = traceId;
  traceLink.hidden = false;
}

// A number in [0, 1] from the progress payloads tools commonly send; null means "no measurable fraction".
function fraction(data) {
  if (typeof data === "number") return data;
  if (data && typeof data === "object") {
    if (typeof data.progress === "number") return data.progress;
    if (typeof data.percent === "number") return data.percent / 100;
    if (typeof data.done === "number" && typeof data.total === "number" && data.total > 0) return data.done / data.total;
  }
  return null;
}

function describe(data, value) {
  if (data && typeof data === "object" && typeof data.status === "string") return data.status;
  if (typeof data === "string") return data;
  return value !== null ? `${Math.round(value * 100)}%` : JSON.stringify(data);
}

function toolCard(callId) {
  return toolsEl.querySelector(`.tool[data-call-id="${CSS.escape(callId)}"]`);
}

function addTool(event) {
  if (toolCard(event.tool_call_id)) return;
  const card = toolTemplate.content.firstElementChild.cloneNode(true);
  card.dataset.callId = event.tool_call_id;
  card.dataset.progress = "0";
  card.querySelector(".tool-name").textContent = event.tool_name;
  card.querySelector("progress").removeAttribute("value"); // indeterminate until the first fraction
  if (event.trace_id && event.span_id) {
    const link = card.querySelector(".span-link");
    link.href = traceUrl(event.trace_id, event.span_id);
    link.hidden = false;
  }
  const parent = event.parent_tool_call_id && toolCard(event.parent_tool_call_id);
  if (parent) card.dataset.parentCallId = event.parent_tool_call_id;
  (parent ? parent.querySelector(":scope > .children") : toolsEl).appendChild(card);
}

function updateTool(event) {
  const card = toolCard(event.tool_call_id);
  if (!card) return;
  const value = fraction(event.data);
  if (value !== null) {
    const clamped = Math.max(0, Math.min(1, value));
    card.querySelector("progress").value = clamped;
    card.dataset.progress = String(clamped);
  }
  card.querySelector(".tool-status").textContent = describe(event.data, value);
}

function stallTool(event) {
  const card = toolCard(event.tool_call_id);
  if (!card) return;
  card.dataset.stalled = "true";
  const seconds = event.stalled_for < 10 ? event.stalled_for.toFixed(1) : Math.round(event.stalled_for);
  card.querySelector(".tool-status").textContent = `stalled: no progress for ${seconds} s`;
}

// A finished call: done fills its bar; a failed or cancelled one keeps the bar where the call got to (a full red bar
// would claim work that never happened), and a cancelled call is shown as cancelled, not as a failure.
function finishTool(event) {
  const card = toolCard(event.tool_call_id);
  if (!card) return;
  const cancelled = event.error_type === "cancelled";
  const bar = card.querySelector("progress");
  card.dataset.state = cancelled ? "cancelled" : event.is_error ? "error" : "done";
  if (!event.is_error) {
    bar.value = 1;
    card.dataset.progress = "1";
  } else if (!bar.hasAttribute("value")) {
    bar.value = 0; // never reported a fraction: stop the indeterminate animation at zero
  }
  const reached = `${Math.round(Number(card.dataset.progress) * 100)}%`;
  card.querySelector(".tool-status").textContent = cancelled
    ? `cancelled at ${reached}`
    : event.is_error ? `failed at ${reached}: ${event.error_type}` : "done";
}

function apply(event) {
  if ("trace_id" in event) showTrace(event.trace_id);
  if (["tool_called", "tool_output", "tool_stalled"].includes(event.type)) refreshWaterfall();
  switch (event.type) {
    case "tool_called": addTool(event); break;
    case "tool_progress": updateTool(event); delete toolCard(event.tool_call_id)?.dataset.stalled; break;
    case "tool_stalled": stallTool(event); break;
    case "tool_output": finishTool(event); break;
    case "text_delta": answerEl.textContent += event.delta; break;
    case "message_output_created": answerEl.textContent = event.text; break;
    case "agent_updated": showAgent(event.agent_name); break; // at the start, and at each handoff
    case "guardrail_tripwire_triggered": setStatus(`stopped by guardrail ${event.guardrail_name}`, "failed"); break;
    case "run_completed":
      if (typeof event.final_output !== "string") answerEl.textContent = JSON.stringify(event.final_output, null, 2);
      setStatus("completed", "completed");
      break;
    case "run_failed": setStatus(`failed: ${event.error_type}: ${event.message}`, "failed"); break;
    case "run_cancelled": setStatus("cancelled", "cancelled"); break;
  }
}

function showAgent(name) {
  if (agentEl.dataset.agent && agentEl.dataset.agent !== name) answerEl.textContent = ""; // the new agent answers
  agentEl.dataset.agent = name;
  agentEl.textContent = `agent: ${name}`;
  agentEl.hidden = false;
}

function watch(run) {
  const source = new EventSource(run.events_url);
  current = { id: run.id, source, traceId: null };
  showTrace(run.trace_id);
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    apply(event);
    if (TERMINAL.has(event.type)) finish();
  };
  source.onerror = () => {
    // CONNECTING: the browser is resuming by itself. CLOSED: the server refused (run gone, replay lost).
    if (source.readyState === EventSource.CLOSED && current && current.source === source) {
      setStatus("connection lost", "failed");
      finish();
    }
  };
}

async function loadWaterfall(runId, final) {
  const response = await fetch(`${API}/runs/${encodeURIComponent(runId)}/trace`);
  if (!response.ok || (current && current.id !== runId)) return;
  window.drawWaterfall(waterfallEl, await response.json());
  waterfallEl.closest("section").hidden = false;
  waterfallEl.dataset.runId = runId;
  waterfallEl.dataset.final = String(final);
}

// While a run goes on, the waterfall is redrawn when a call starts, stalls or ends: one fetch at a time, and one
// more after it if something happened meanwhile.
let refreshing = null;
let refreshAgain = false;
function refreshWaterfall() {
  if (traceUrlTemplate || !current) return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  const runId = current.id;
  refreshing = loadWaterfall(runId, false).finally(() => {
    refreshing = null;
    if (refreshAgain && current && current.id === runId && !current.done) {
      refreshAgain = false;
      refreshWaterfall();
    }
  });
}

function finish() {
  if (current) current.source.close();
  if (current) current.done = true;
  if (current && !traceUrlTemplate) {
    const runId = current.id;
    Promise.resolve(refreshing).then(() => loadWaterfall(runId, true)); // after any refresh still in flight
  }
  startButton.disabled = false;
  cancelButton.disabled = true;
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  await configured;
  if (current) current.source.close();
  current = null;
  toolsEl.replaceChildren();
  waterfallEl.replaceChildren();
  waterfallEl.closest("section").hidden = true;
  answerEl.textContent = "";
  agentEl.dataset.agent = "";
  agentEl.hidden = true;
  traceLink.hidden = true;
  startButton.disabled = true;
  setStatus("starting", "starting");
  const response = await fetch(`${API}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input: input.value }),
  });
  const body = await response.json();
  if (!response.ok) {
    setStatus(`error: ${body.error ? body.error.message : response.status}`, "failed");
    startButton.disabled = false;
    return;
  }
  setStatus("running", "running");
  cancelButton.disabled = false;
  watch(body);
});

cancelButton.addEventListener("click", async () => {
  if (!current) return;
  cancelButton.disabled = true;
  await fetch(`${API}/runs/${encodeURIComponent(current.id)}/cancel`, { method: "POST" });
});
