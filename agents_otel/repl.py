"""``run_demo_loop``: the SDK's terminal chat with an agent, for trying one out by hand.

Each line read from stdin is a user message; the conversation (and the agent a handoff passed it to) carries over
to the next line. ``exit``, ``quit``, end of input or Ctrl-C ends it. Every turn is an ordinary run, so it is
traced as any other.
"""

from __future__ import annotations

from typing import Any

from .agent import Agent
from .result import RunResult, RunResultStreaming
from .run import DEFAULT_MAX_TURNS, Runner
from .stream_events import AgentUpdatedStreamEvent, RawResponsesStreamEvent, RunItemStreamEvent


async def run_demo_loop(
    agent: Agent[Any], *, stream: bool = True, context: Any = None, max_turns: int | None = DEFAULT_MAX_TURNS
) -> None:
    """Chat with ``agent`` in the terminal, as in the SDK: answers are printed as they stream (``stream=False``:
    when each run ends), with a line for each tool call, tool output and handoff."""
    current = agent
    conversation: list[dict[str, Any]] = []
    while True:
        try:
            # Blocking, as in the SDK: between turns nothing else runs, and Ctrl-C must reach this frame.
            line = input(" > ")  # noqa: ASYNC250
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if line.strip().lower() in ("exit", "quit"):
            return
        if not line:
            continue
        conversation.append({"role": "user", "content": line})
        result: RunResult | RunResultStreaming
        if stream:
            result = Runner.run_streamed(current, conversation, context=context, max_turns=max_turns)
            async for event in result.stream_events():
                _print_event(event)
            print()
        else:
            result = await Runner.run(current, conversation, context=context, max_turns=max_turns)
            if result.final_output is not None:
                print(result.final_output)
        current = result.last_agent
        conversation = result.to_input_list()


def _print_event(event: object) -> None:
    if isinstance(event, RawResponsesStreamEvent):
        delta = event.text_delta
        if delta is not None:
            print(delta, end="", flush=True)
    elif isinstance(event, RunItemStreamEvent):
        if event.item.type == "tool_call_item":
            print("\n[tool called]", flush=True)
        elif event.item.type == "tool_call_output_item":
            print(f"\n[tool output: {event.item.output}]", flush=True)
    elif isinstance(event, AgentUpdatedStreamEvent):
        print(f"\n[Agent updated: {event.new_agent.name}]", flush=True)
