// Drives POST /ag-ui with the official AG-UI client (@ag-ui/client's HttpAgent), which validates every event
// against @ag-ui/core's schemas and checks their order. Prints one JSON report on stdout for the Python test.
//
//   node ag_ui_driver.mjs '{"url": ..., "threadId": ..., "turns": ["first question", "follow-up"],
//                           "abortOnProgress": false, "headers": {}}'
import { HttpAgent } from "@ag-ui/client";

const scenario = JSON.parse(process.argv[2]);
const agent = new HttpAgent({ url: scenario.url, threadId: scenario.threadId, headers: scenario.headers ?? {} });
const runs = [];

for (const [index, text] of scenario.turns.entries()) {
  agent.addMessage({ id: `user-${index}`, role: "user", content: text });
  const run = { runId: `${scenario.threadId}-run-${index}`, events: [], error: null, result: undefined };
  const subscriber = {
    onEvent({ event }) {
      run.events.push(structuredClone(event));
      if (scenario.abortOnProgress && event.type === "CUSTOM" && event.name === "tool_progress") {
        agent.abortRun();
      }
    },
    onRunFailed({ error }) {
      run.error = String(error?.message ?? error);
    },
  };
  try {
    const outcome = await agent.runAgent({ runId: run.runId }, subscriber);
    run.result = outcome.result;
  } catch (error) {
    run.error = String(error?.message ?? error);
  }
  runs.push(run);
  if (run.error) break;
}

process.stdout.write(JSON.stringify({ runs, messages: agent.messages }));
