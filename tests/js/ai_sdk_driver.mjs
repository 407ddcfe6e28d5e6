// Drives POST /ai-sdk/chat the way useChat does: the AI SDK's DefaultChatTransport sends the chat request and
// parses the UI message stream (validating every chunk), readUIMessageStream assembles the assistant message
// (and fails on out-of-order chunks). Prints one JSON report on stdout for the Python test.
//
//   node ai_sdk_driver.mjs '{"url": ..., "chatId": ..., "turns": ["question", "follow-up"],
//                            "abortOnProgress": false, "headers": {}, "cancelOn": null}'
//
// "cancelOn": a chunk type; when the first such chunk arrives the run is cancelled at /runs/{id}/cancel.
import { DefaultChatTransport, readUIMessageStream } from "ai";

const scenario = JSON.parse(process.argv[2]);
const transport = new DefaultChatTransport({ api: scenario.url, headers: scenario.headers ?? {} });
const messages = [];
const turns = [];

for (const [index, text] of scenario.turns.entries()) {
  messages.push({ id: `user-${index}`, role: "user", parts: [{ type: "text", text }] });
  const abort = new AbortController();
  const turn = { chunks: [], snapshots: 0, error: null, message: null, aborted: false };
  try {
    const stream = await transport.sendMessages({
      chatId: scenario.chatId,
      messages,
      trigger: "submit-message",
      messageId: undefined,
      abortSignal: abort.signal,
    });
    const recorded = stream.pipeThrough(
      new TransformStream({
        async transform(chunk, controller) {
          turn.chunks.push(structuredClone(chunk)); // the reader mutates chunks it keeps as parts
          controller.enqueue(chunk);
          if (chunk.type === "start") turn.servedRunId = chunk.messageMetadata?.agentsOtelRunId;
          if (scenario.cancelOn && chunk.type === scenario.cancelOn && !turn.cancelled) {
            turn.cancelled = true;
            await fetch(`${new URL(scenario.url).origin}/runs/${turn.servedRunId}/cancel`, { method: "POST" });
          }
          if (scenario.abortOnProgress && chunk.type === "data-tool-progress") {
            turn.aborted = true;
            abort.abort();
          }
        },
      }),
    );
    for await (const message of readUIMessageStream({
      stream: recorded,
      terminateOnError: true,
      onError: (error) => {
        turn.error = String(error?.message ?? error);
      },
    })) {
      turn.snapshots += 1;
      turn.message = message;
    }
  } catch (error) {
    turn.error = String(error?.message ?? error);
  }
  turns.push(turn);
  if (turn.error || turn.aborted || !turn.message) break;
  messages.push(turn.message);
}

process.stdout.write(JSON.stringify({ turns }));
