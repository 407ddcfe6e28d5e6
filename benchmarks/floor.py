"""The floor of one tool call: what any runtime pays that traces each call as an OTel span and runs it in a Task.

Per call: one SDK span with the six attributes agents_otel puts on ``execute_tool`` spans, made current while a
trivial body runs and then ended, through the same ``BatchSpanProcessor`` pipeline as the agents_otel side, inside
one ``asyncio`` Task per call (created the ordinary way). No model, no run items, no stream: nothing a runtime could
leave out and still produce the same trace. Issue 16's target is agents_otel's marginal cost per tool call within
1.15x of this floor's, measured in the same run.

The same trace means one trace per run: each call's span is a child of the run's span (made current around the
calls, as an agent span is), not a root span of a trace of its own. A child span costs the SDK more than a root one
(the sampler and the span read the parent's context; ~0.7 µs on 3.12), so the floor first measured, with root spans,
understated what any runtime that keeps a run in one trace pays. ``parented=False`` still measures that one, shown
next to it in ``make bench``.

The floor has a ``TracerProvider`` of its own (``make_counting_provider()``: the same pipeline, never agents_otel's
span processor), so it pays for no part of agents_otel, and is measured the same way in every peer's process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agents_otel_side import OP_TOOL, Tracing
from harness import Case
from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Tracer


@dataclass
class _State:
    k: int
    tracer: Tracer
    parented: bool


async def _one_call(tracer: Tracer, i: int) -> str:
    span = tracer.start_span(
        "execute_tool echo",
        kind=SpanKind.INTERNAL,
        attributes={
            "gen_ai.operation.name": OP_TOOL,
            "gen_ai.tool.name": "echo",
            "gen_ai.tool.call.id": f"call_{i}",
            "gen_ai.tool.type": "function",
            "gen_ai.agent.name": "bench",
            "gen_ai.tool.description": "Return a short string.",
        },
    )
    token = context_api.attach(trace.set_span_in_context(span))
    try:
        return f"ok {i}"
    finally:
        context_api.detach(token)
        span.end()


async def _calls(state: _State) -> list[str]:
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(_one_call(state.tracer, i)) for i in range(state.k)]
    return [await t for t in tasks]


async def _run(state: _State) -> list[str]:
    if not state.parented:
        return await _calls(state)
    run_span = state.tracer.start_span("invoke_agent bench", attributes={"gen_ai.operation.name": "invoke_agent"})
    token = context_api.attach(trace.set_span_in_context(run_span))
    try:
        return await _calls(state)
    finally:
        context_api.detach(token)
        run_span.end()


def _check(state: _State, result: Any, tracing: Tracing) -> None:
    if not tracing.provider.force_flush(30_000):
        raise AssertionError("force_flush timed out")
    if sorted(result) != sorted(f"ok {i}" for i in range(state.k)):
        raise AssertionError("floor: wrong outputs")
    if tracing.exporter.by_op[OP_TOOL] != state.k:
        raise AssertionError(f"floor: {tracing.exporter.by_op[OP_TOOL]} spans for {state.k} calls")
    if len(tracing.exporter.trace_ids) != (1 if state.parented else state.k):
        raise AssertionError(f"floor: {len(tracing.exporter.trace_ids)} traces for {state.k} calls")


def floor_cases(tracing: Tracing, ks: Sequence[int], *, parented: bool = True) -> dict[int, Case]:
    """One :class:`Case` per K, same shape as the agents_otel and SDK W1 cases. ``tracing``: a provider of the
    floor's own (``make_counting_provider()``), not one agents_otel has registered its processor on."""

    def setup(k: int) -> _State:
        tracing.exporter.reset()
        return _State(k, tracing.provider.get_tracer("floor"), parented)

    return {
        k: Case(
            name=f"floor{'' if parented else '-root'}/K={k}",
            setup=lambda k=k: setup(k),
            run=_run,
            check=lambda state, result: _check(state, result, tracing),
        )
        for k in ks
    }
