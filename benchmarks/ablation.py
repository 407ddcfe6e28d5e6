"""Where a tool call's time goes: the tool path rebuilt piece by piece, each variant patched into the installed
package and measured against the unchanged package (a copy of the base commit) and the floor, as ``ab.py`` does.

    .venv-3.12/bin/python benchmarks/ablation.py bare --gc disable
    # variants: bare, record, lifecycle, processor (see VARIANTS); "full" measures the real tool path

Each variant is a stripped copy of ``tool_execution.execute_tool_call`` for the W1 tool (a plain async
``@function_tool``, no hooks, no timeouts, no errors): read them as a breakdown, never as a runtime.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import ab
from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind

import agents_otel.tool_execution as tool_execution
from agents_otel.tool_call import ToolCall
from agents_otel.tracing import attributes as A
from agents_otel.tracing.processor import TOOL_CALL_CONTEXT_KEY
from agents_otel.tracing.spans import SPAN_KEY


def _attributes(agent: Any, call: Any, tool: Any) -> dict[str, Any]:
    attributes = {
        A.GEN_AI_OPERATION_NAME: A.OP_EXECUTE_TOOL,
        A.GEN_AI_TOOL_NAME: call.name,
        A.GEN_AI_TOOL_CALL_ID: call.call_id,
        A.GEN_AI_TOOL_TYPE: "function",
        A.GEN_AI_AGENT_NAME: agent.name,
    }
    if tool.description:
        attributes[A.GEN_AI_TOOL_DESCRIPTION] = tool.description
    return attributes


async def bare(run: Any, agent: Any, call: Any, tool: Any, batch: Any = None, **_: Any) -> Any:
    """The span with its attributes, current while the tool is validated and called: what any runtime pays."""
    span = run.tracer.start_span(f"execute_tool {call.name}", None, SpanKind.INTERNAL, _attributes(agent, call, tool))
    token = context_api.attach(trace.set_span_in_context(span))
    try:
        return await tool.on_invoke_tool.raw(None, call.arguments)
    finally:
        context_api.detach(token)
        span.end()


def _with_record(forwarded: bool, lifecycle: bool) -> Callable[..., Coroutine[Any, Any, Any]]:
    async def variant(run: Any, agent: Any, call: Any, tool: Any, batch: Any = None, **_: Any) -> Any:
        record = ToolCall(run, call, agent)
        parent = context_api.get_current()
        span = run.tracer.start_span(
            f"execute_tool {call.name}",
            Context({**parent, TOOL_CALL_CONTEXT_KEY: record}) if forwarded else parent,
            SpanKind.INTERNAL,
            _attributes(agent, call, tool),
        )
        if lifecycle:
            record.start(span)
        token = context_api.attach(Context({**parent, SPAN_KEY: span, TOOL_CALL_CONTEXT_KEY: record}))
        try:
            value = await tool.on_invoke_tool.raw(None, call.arguments)
        finally:
            context_api.detach(token)
        if lifecycle:
            record.finish(value, None)
        else:
            span.end()
        return value

    return variant


VARIANTS: dict[str, Callable[..., Coroutine[Any, Any, Any]] | None] = {
    "bare": bare,
    "record": _with_record(forwarded=False, lifecycle=False),  # + the ToolCall, in the body's context
    "lifecycle": _with_record(forwarded=False, lifecycle=True),  # + its start and finish, reported by itself
    "processor": _with_record(forwarded=True, lifecycle=True),  # the record in the start context too, forwarded
    "full": None,  # the real tool path
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variant", choices=sorted(VARIANTS))
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--gc", choices=("collect", "disable"), default="collect")
    args = parser.parse_args()
    variant = VARIANTS[args.variant]
    if variant is not None:
        tool_execution.execute_tool_call = variant  # type: ignore[assignment]
    base, new = ab.load_copies(args.base, "agents_otel")
    print(f"variant {args.variant}")
    # the stripped variants keep no call records, hence no run items: everything else is still checked
    print(asyncio.run(ab.compare(base, new, ["r"], args.rounds, args.gc, check_items=args.variant == "full")))


if __name__ == "__main__":
    main()
