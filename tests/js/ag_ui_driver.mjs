// Drives POST /ag-ui with the official AG-UI client (@ag-ui/client's HttpAgent), which validates every event
// against @ag-ui/core's schemas and checks their order. Prints one JSON report on stdout for the Python test.
//
//   node ag_ui_driver.mjs '{"url": ..., "threadId": ..., "turns": ["first question", "follow-up"],
//                           "abortOnProgress": false, "headers": {}, "cancelOn": null}'
//
// "cancelOn": an event type; when the first such event arrives the run is cancelled at /runs/{id}/cancel (the
// server ends the stream with its cancelled outcome, which the client checks like any other).
//
// A turn may instead answer the interrupts the previous run ended with: {"resume": {interruptId: {"status":
// "resolved", "payload": {...}}}, "forwardedProps": {...}} runs the agent with the client's own buildResumeArray
// (which checks every pending interrupt is answered); "*" answers every pending interrupt alike.
import { HttpAgent, buildResumeArray } from "@ag-ui/client";

const scenario = JSON.parse(process.argv[2]);
const agent = new HttpAgent({ url: scenario.url, threadId: scenario.threadId, headers: scenario.headers ?? {} });
const runs = [];

for (const [index, turn] of scenario.turns.entries()) {
  const parameters = { runId: `${scenario.threadId}-run-${index}` };
  if (typeof turn === "string") {
    agent.addMessage({ id: `user-${index}`, role: "user", content: turn });
  } else {
    const responses = {};
    for (const interrupt of agent.pendingInterrupts) {
      const answer = turn.resume[interrupt.id] ?? turn.resume["*"];
      if (answer !== undefined) responses[interrupt.id] = answer;
    }
    for (const [id, answer] of Object.entries(turn.resume)) {
      if (id !== "*" && !(id in responses)) responses[id] = answer; // an unknown id: the server must refuse it
    }
    try {
      parameters.resume = buildResumeArray(agent.pendingInterrupts, responses);
    } catch {
      // buildResumeArray refuses what the server must refuse too: send the answers as they are
      parameters.resume = Object.entries(responses).map(([interruptId, r]) => ({ interruptId, ...r }));
      agent.pendingInterrupts = [];
    }
    if (turn.forwardedProps) parameters.forwardedProps = turn.forwardedProps;
  }
  const run = { runId: parameters.runId, events: [], error: null, result: undefined };
  const subscriber = {
    async onEvent({ event }) {
      run.events.push(structuredClone(event));
      if (event.type === "RUN_STARTED") run.servedRunId = event.metadata?.agentsOtelRunId;
      if (scenario.cancelOn && event.type === scenario.cancelOn && !run.cancelled) {
        run.cancelled = true;
        await fetch(`${new URL(scenario.url).origin}/runs/${run.servedRunId}/cancel`, { method: "POST" });
      }
      if (scenario.abortOnProgress && event.type === "CUSTOM" && event.name === "tool_progress") {
        agent.abortRun();
      }
    },
    onRunFailed({ error }) {
      run.error = String(error?.message ?? error);
    },
  };
  try {
    const outcome = await agent.runAgent(parameters, subscriber);
    run.result = outcome.result;
  } catch (error) {
    run.error = String(error?.message ?? error);
  }
  runs.push(run);
  if (run.error) break;
}

process.stdout.write(JSON.stringify({ runs, messages: agent.messages, pendingInterrupts: agent.pendingInterrupts }));
