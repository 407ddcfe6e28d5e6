// Drives POST /ai-sdk/chat through the AI SDK's own chat state machine (AbstractChat: what useChat wraps in React
// state), with an in-memory ChatState like @ai-sdk/react's. Prints one JSON report on stdout for the Python test.
//
//   node ai_sdk_chat_driver.mjs '{"url": ..., "turns": ["question", "follow-up"], "stopOnProgress": false}'
//
// A turn may instead answer the tool approvals the last response asked for: {"approvals": {approvalId:
// {"approved": bool, "reason"?: str}}} calls the chat's addToolApprovalResponse for each, then sendMessage()
// with no message, which is how useChat sends the answers.
import { AbstractChat, DefaultChatTransport } from "ai";

class MemoryState {
  constructor() {
    this.status = "ready";
    this.error = undefined;
    this.messages = [];
    this.statuses = [];
  }
  pushMessage = (message) => {
    this.messages = this.messages.concat(message);
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index, message) => {
    this.messages = [...this.messages.slice(0, index), message, ...this.messages.slice(index + 1)];
  };
  snapshot = (thing) => structuredClone(thing);
}

class Chat extends AbstractChat {
  constructor(init) {
    const state = new MemoryState();
    super({ ...init, state });
    this.memory = state;
  }
}

const scenario = JSON.parse(process.argv[2]);
const data = [];
const errors = [];
let chat;
chat = new Chat({
  transport: new DefaultChatTransport({ api: scenario.url }),
  onData: (part) => {
    data.push(structuredClone(part));
    if (scenario.stopOnProgress && part.type === "data-tool-progress") chat.stop();
  },
  onError: (error) => errors.push(String(error?.message ?? error)),
});

for (const turn of scenario.turns) {
  if (typeof turn === "string") {
    await chat.sendMessage({ text: turn });
  } else {
    for (const [id, answer] of Object.entries(turn.approvals)) {
      await chat.addToolApprovalResponse({ id, ...answer });
    }
    await chat.sendMessage();
  }
  if (chat.status === "error" || scenario.stopOnProgress) break;
}

process.stdout.write(JSON.stringify({ messages: chat.messages, status: chat.status, data, errors }));
