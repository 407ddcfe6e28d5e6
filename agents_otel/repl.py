"""``run_demo_loop``: the SDK's terminal chat with an agent, for trying one out by hand.

Each line read from stdin is a user message; the conversation (and the agent a handoff passed it to) carries over
to the next line. ``exit``, ``quit``, end of input or Ctrl-C ends it. A tool call that needs approval is shown with
its arguments and asked about (``y`` / ``yes`` approves it, anything else rejects it), and the run goes on from its
state, as in the SDK since 0.25. Every turn is an ordinary run, so it is traced as any other.
"""

from __future__ import annotations

from typing import Any

from .agent import Agent
from .result import RunResult, RunResultStreaming
from .run import DEFAULT_MAX_TURNS, Runner
from .run_resume_state import RunState
from .stream_events import AgentUpdatedStreamEvent, RawResponsesStreamEvent, RunItemStreamEvent


async def run_demo_loop(
    agent: Agent[Any], *, stream: bool = True, context: Any = None, max_turns: int | None = DEFAULT_MAX_TURNS
) -> None:
    """Chat with ``agent`` in the terminal, as in the SDK: answers are printed as they stream (``stream=False``:
    when each run ends), with a line for each tool call, tool output and handoff; a call waiting for approval is
    asked about at a ``[y/N]`` prompt (``exit`` / ``quit`` / end of input there ends the loop too)."""
    current = agent
    conversation: list[dict[str, Any]] = []
    while True:
        line = _read_line(" > ")
        if line is None:
            return
        if not line.strip():
            continue
        conversation.append({"role": "user", "content": line})
        run_input: list[dict[str, Any]] | RunState[Any] = conversation
        while True:
            result = await _run(current, run_input, stream, context, max_turns)
            if not result.interruptions:
                break
            state = result.to_state()
            for item in result.interruptions:
                details = {"server_label": item.server_label} if item.server_label is not None else {}
                details["arguments"] = item.arguments
                print(f"\n{item.agent_name!r} requested {item.name!r}: {details!r}")
                answer = _read_line("Approve this tool call? [y/N] ")
                if answer is None:
                    return
                if answer.strip().lower() in ("y", "yes"):
                    state.approve(item)
                else:
                    state.reject(item)
            run_input = state  # the state carries the run's context (a handoff may have changed it)
        current = result.last_agent
        conversation = result.to_input_list()


def _read_line(prompt: str) -> str | None:
    """A line from the terminal; ``None`` for end of input, Ctrl-C, ``exit`` or ``quit``."""
    try:
        # Blocking, as in the SDK: between turns nothing else runs, and Ctrl-C must reach this frame.
        line = input(prompt)
    except (EOFError, KeyboardInterrupt):
        print()
        return None
    return None if line.strip().lower() in ("exit", "quit") else line


async def _run(
    agent: Agent[Any], run_input: Any, stream: bool, context: Any, max_turns: int | None
) -> RunResult | RunResultStreaming:
    """One run (or a resumed one: a ``RunState`` brings its own context), printed as the loop prints it."""
    run_context = None if isinstance(run_input, RunState) else context
    if stream:
        streamed = Runner.run_streamed(agent, run_input, context=run_context, max_turns=max_turns)
        async for event in streamed.stream_events():
            _print_event(event)
        print()
        return streamed
    result = await Runner.run(agent, run_input, context=run_context, max_turns=max_turns)
    if result.final_output is not None:
        print(result.final_output)
    return result


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
