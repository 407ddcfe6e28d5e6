// One page, two front-end stacks, no hand-written stream parsing: the official AG-UI client (@ag-ui/client's
// HttpAgent, what CopilotKit builds on) against POST /ag-ui, and the Vercel AI SDK (DefaultChatTransport +
// readUIMessageStream, what useChat runs) against POST /ai-sdk/chat. Both draw one progress bar per tool call,
// keyed by the protocol's own tool call id, a nested call inside the card of the call that made it, with the
// call's arguments as the model writes them (AG-UI TOOL_CALL_ARGS / AI SDK tool-input-delta); the model's
// reasoning summary as it streams (AG-UI REASONING_MESSAGE_* / AI SDK reasoning parts), one paragraph per summary
// part; and the answer's sources as links (AG-UI TEXT_MESSAGE_END.metadata.annotations / AI SDK source-url parts).
import { HttpAgent } from "@ag-ui/client";
import { DefaultChatTransport, readUIMessageStream } from "ai";

const API = document.querySelector('meta[name="agents-otel-api"]').content.replace(/\/$/, "");
const $ = (id) => document.getElementById(id);
const form = $("run-form");
const input = $("input");
const protocolSelect = $("protocol");
const startButton = $("start");
const cancelButton = $("cancel");
const statusEl = $("status");
const toolsEl = $("tools");
const answerEl = $("answer");
const reasoningEl = $("reasoning");
const reasoningText = $("reasoning-text");
const sourcesEl = $("sources");
const toolTemplate = $("tool-template");

function setStatus(text, state) {
  statusEl.textContent = text;
  statusEl.dataset.status = state;
}

// ---- tool cards ----------------------------------------------------------------------------------------------

function fraction(data) {
  if (typeof data === "number") return data;
  if (data && typeof data === "object") {
    if (typeof data.progress === "number") return data.progress;
    if (typeof data.percent === "number") return data.percent / 100;
    for (const total of ["total", "of"]) {
      if (typeof data.done === "number" && typeof data[total] === "number" && data[total] > 0) return data.done / data[total];
    }
  }
  return null;
}

function card(callId) {
  return toolsEl.querySelector(`.tool[data-call-id="${CSS.escape(callId)}"]`);
}

function addCard(callId, name, parentCallId) {
  if (card(callId)) return card(callId);
  const el = toolTemplate.content.firstElementChild.cloneNode(true);
  el.dataset.callId = callId;
  el.dataset.progress = "0";
  el.querySelector(".tool-name").textContent = name;
  el.querySelector("progress").removeAttribute("value");
  const parent = parentCallId && card(parentCallId);
  if (parent) el.dataset.parentCallId = parentCallId;
  (parent ? parent.querySelector(":scope > .children") : toolsEl).appendChild(el);
  return el;
}

function showProgress(callId, progress) {
  const el = card(callId);
  if (!el || el.dataset.state !== "running") return;
  const value = fraction(progress.data);
  if (value !== null) {
    const clamped = Math.max(0, Math.min(1, value));
    el.querySelector("progress").value = clamped;
    el.dataset.progress = String(clamped);
  }
  el.dataset.sequence = String(progress.sequence);
  const status = progress.data && typeof progress.data.status === "string" ? progress.data.status : null;
  el.querySelector(".tool-status").textContent = status ?? (value !== null ? `${Math.round(value * 100)}%` : "");
}

// The arguments as written so far: AG-UI sends the raw JSON text in pieces, the AI SDK the partial object parsed.
function showArguments(callId, text) {
  const el = card(callId);
  if (!el || !text) return;
  const args = el.querySelector(".tool-args");
  if (args.textContent === text) return;
  args.textContent = text;
  el.dataset.argumentUpdates = String(Number(el.dataset.argumentUpdates || "0") + 1);
}

function finishCard(callId, failed, text) {
  const el = card(callId);
  if (!el) return;
  el.dataset.state = failed ? "error" : "done";
  el.querySelector("progress").value = 1;
  el.dataset.progress = "1";
  el.querySelector(".tool-status").textContent = failed ? `failed: ${text}` : "done";
}

// ---- reasoning and sources ------------------------------------------------------------------------------------

// One paragraph per reasoning message (a summary part), keyed by the protocol's id for it; the block opens with the
// first and stays open (a <details>: the reader folds it away).
function showReasoning(key, text) {
  let paragraph = reasoningText.querySelector(`p[data-key="${CSS.escape(key)}"]`);
  if (!paragraph) {
    paragraph = document.createElement("p");
    paragraph.dataset.key = key;
    reasoningText.appendChild(paragraph);
    if (reasoningEl.hidden) {
      reasoningEl.hidden = false;
      reasoningEl.open = true;
    }
  }
  paragraph.textContent = text;
}

function showSources(sources) {
  sourcesEl.replaceChildren(
    ...sources.map(({ url, title }) => {
      const link = document.createElement("a");
      link.href = url;
      link.textContent = title || url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      const item = document.createElement("li");
      item.appendChild(link);
      return item;
    }),
  );
}

// ---- AG-UI ---------------------------------------------------------------------------------------------------

const agUi = new HttpAgent({ url: `${API}/ag-ui`, threadId: crypto.randomUUID() });

async function runAgUi(text) {
  agUi.addMessage({ id: crypto.randomUUID(), role: "user", content: text });
  const subagents = new Map(); // subagentRunId -> the tool call that started it
  const toolArguments = new Map(); // toolCallId -> its arguments' JSON text so far
  let failed = null;
  await agUi.runAgent(
    {},
    {
      onRunStartedEvent({ event }) {
        if (event.metadata) statusEl.dataset.runId = event.metadata.agentsOtelRunId; // also at api/runs/{id}
      },
      onTextMessageStartEvent() {
        answerEl.textContent = "";
        showSources([]);
      },
      onTextMessageContentEvent({ event, textMessageBuffer }) {
        answerEl.textContent = textMessageBuffer + event.delta;
      },
      onTextMessageEndEvent({ event }) {
        const annotations = (event.metadata && event.metadata.annotations) || [];
        showSources(annotations.filter((a) => a.type === "url_citation"));
      },
      onReasoningMessageContentEvent({ event, reasoningMessageBuffer }) {
        showReasoning(event.messageId, reasoningMessageBuffer + event.delta);
      },
      onSubagentStartedEvent({ event }) {
        subagents.set(event.subagentRunId, event.parentToolCallId);
      },
      onToolCallStartEvent({ event }) {
        addCard(event.toolCallId, event.toolCallName, event.subagentRunId && subagents.get(event.subagentRunId));
        toolArguments.set(event.toolCallId, "");
      },
      onToolCallArgsEvent({ event }) {
        const text = (toolArguments.get(event.toolCallId) ?? "") + event.delta;
        toolArguments.set(event.toolCallId, text);
        showArguments(event.toolCallId, text);
      },
      onCustomEvent({ event }) {
        if (event.name === "tool_progress") showProgress(event.value.toolCallId, event.value);
      },
      onToolCallResultEvent({ event }) {
        const isError = Boolean(event.metadata && event.metadata.isError);
        finishCard(event.toolCallId, isError, isError ? event.metadata.errorType : "");
      },
      onRunErrorEvent({ event }) {
        failed = event.code === "abort" ? "cancelled" : `failed: ${event.message}`;
      },
      onRunFinishedEvent({ outcome }) {
        if (outcome === "cancelled") failed = "cancelled";
      },
    },
  );
  return failed;
}

// ---- Vercel AI SDK -------------------------------------------------------------------------------------------

const transport = new DefaultChatTransport({ api: `${API}/ai-sdk/chat` });
const chatId = crypto.randomUUID();
const chatMessages = [];
let chatAbort = null;

function renderMessage(message) {
  if (message.metadata) statusEl.dataset.runId = message.metadata.agentsOtelRunId; // also at api/runs/{id}
  let text = "";
  let sources = [];
  message.parts.forEach((part, index) => {
    if (part.type === "text") {
      text = part.text;
      sources = []; // a source part belongs to the text before it (they come just before its text-end)
    } else if (part.type === "source-url") sources.push(part);
    else if (part.type === "reasoning") showReasoning(String(index), part.text);
    else if (part.type.startsWith("tool-")) {
      addCard(part.toolCallId, part.type.slice("tool-".length), part.toolMetadata && part.toolMetadata.parentToolCallId);
      if (part.input !== undefined) showArguments(part.toolCallId, JSON.stringify(part.input));
      if (part.state === "output-available") finishCard(part.toolCallId, false, "");
      if (part.state === "output-error") finishCard(part.toolCallId, true, part.errorText);
    } else if (part.type === "data-tool-progress") showProgress(part.id, part.data);
  });
  answerEl.textContent = text;
  showSources(sources);
}

async function runAiSdk(text) {
  chatMessages.push({ id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] });
  chatAbort = new AbortController();
  let last = null;
  let failed = null;
  try {
    const stream = await transport.sendMessages({
      chatId,
      messages: chatMessages,
      trigger: "submit-message",
      messageId: undefined,
      abortSignal: chatAbort.signal,
    });
    for await (const message of readUIMessageStream({
      stream,
      onError: (error) => {
        failed = chatAbort.signal.aborted ? "cancelled" : `failed: ${error.message}`;
      },
    })) {
      last = message;
      renderMessage(message);
    }
  } catch (error) {
    failed = chatAbort.signal.aborted ? "cancelled" : `failed: ${error.message}`;
  }
  if (last && !failed) chatMessages.push(last);
  return failed;
}

// ---- the form --------------------------------------------------------------------------------------------------

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  toolsEl.replaceChildren();
  answerEl.textContent = "";
  reasoningText.replaceChildren();
  reasoningEl.hidden = true;
  showSources([]);
  delete statusEl.dataset.runId;
  startButton.disabled = true;
  cancelButton.disabled = false;
  protocolSelect.disabled = true;
  setStatus("running", "running");
  const protocol = protocolSelect.value;
  document.body.dataset.protocol = protocol;
  let failed;
  try {
    failed = protocol === "ag-ui" ? await runAgUi(input.value) : await runAiSdk(input.value);
  } catch (error) {
    failed = `failed: ${error.message}`;
  }
  if (failed === "cancelled") setStatus("cancelled", "cancelled");
  else if (failed) setStatus(failed, "failed");
  else setStatus("completed", "completed");
  startButton.disabled = false;
  cancelButton.disabled = true;
  protocolSelect.disabled = false;
});

cancelButton.addEventListener("click", () => {
  cancelButton.disabled = true;
  if (protocolSelect.value === "ag-ui") agUi.abortRun();
  else if (chatAbort) chatAbort.abort();
});
