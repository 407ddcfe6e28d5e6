"""The call record rides in the OTel context: the span processor, ``current_tool_context()`` and the run items all
read the one record, and its shortcuts give what the documented paths give.

Why these tests: the tool path builds the body's context in one dict (``SPAN_KEY``), lets the record reach child
spans (the listener must decline them), makes no ``ToolContext`` for tools that take none, and builds a
non-streamed run's tool items only when they are read. Each shortcut must be invisible to users.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import INVALID_SPAN
from support import Tracing, scripted_agent, streamed_events

from agents_otel import (
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    ToolContext,
    ToolProgressStreamEvent,
    current_tool_context,
    function_tool,
)
from agents_otel.testing import function_call
from agents_otel.tracing.spans import SPAN_KEY


def test_the_span_key_makes_a_span_current_as_set_span_in_context_does() -> None:
    parent = Context({"other": 1})
    ours = Context({**parent, SPAN_KEY: INVALID_SPAN})
    assert ours == trace.set_span_in_context(INVALID_SPAN, parent)
    assert trace.get_current_span(ours) is INVALID_SPAN


@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "unstreamed"])
async def test_spans_a_tool_starts_are_children_not_tool_spans(tracing: Tracing, streamed: bool) -> None:
    """Streamed, the processor forwards the tool span and must decline the children; unstreamed, the call reports
    its own span (the processor forwards nothing), and the children still must not count as a second start."""
    seen: dict[str, Any] = {}

    @function_tool
    async def inner_work(n: int) -> str:
        """Does traced work of its own."""
        tracer = tracing.provider.get_tracer("app")
        with tracer.start_as_current_span("app.child"), tracer.start_as_current_span("app.grandchild"):
            seen["ctx"] = current_tool_context()
        return f"ok {n}"

    agent = scripted_agent([inner_work], [function_call("inner_work", {"n": 1}, call_id="c1")])
    if streamed:
        events = await streamed_events(agent, tracing.config)
        tool_events = [e for e in events if getattr(e, "name", None) in ("tool_called", "tool_output")]
        assert [e.name for e in tool_events] == ["tool_called", "tool_output"]  # one pair, no child mistaken
        items = [e.item for e in tool_events]
    else:
        result = await Runner.run(agent, "go", run_config=tracing.config)
        items = [i for i in result.new_items if isinstance(i, ToolCallItem | ToolCallOutputItem)]
        assert [type(i) for i in items] == [ToolCallItem, ToolCallOutputItem]
    tool_span = tracing.tool_span("c1")
    (child,) = tracing.named("app.child")
    (grandchild,) = tracing.named("app.grandchild")
    assert child.parent is not None and child.parent.span_id == tool_span.context.span_id
    assert grandchild.parent is not None and grandchild.parent.span_id == child.context.span_id
    assert isinstance(seen["ctx"], ToolContext) and seen["ctx"].tool_call_id == "c1"  # found under the children
    assert [i.span_id for i in items] == [format(tool_span.context.span_id, "016x")] * 2


async def test_non_streamed_items_equal_streamed_items_and_carry_the_span_ids(tracing: Tracing) -> None:
    inside: dict[str, str] = {}

    @function_tool
    async def plain(x: int) -> str:
        """Takes no context: the runtime makes none unless asked."""
        ctx = current_tool_context()
        assert ctx is not None
        inside[ctx.tool_call_id] = ctx.trace_id
        return f"ok {x}"

    calls = [function_call("plain", {"x": i}, call_id=f"c{i}") for i in range(3)]
    result = await Runner.run(scripted_agent([plain], calls), "go", run_config=tracing.config)
    seen_inside = dict(inside)
    span_ids = {
        span.attributes["gen_ai.tool.call.id"]: format(span.context.span_id, "016x")
        for span in tracing.named("execute_tool")
        if span.attributes is not None
    }
    streamed = Runner.run_streamed(scripted_agent([plain], calls), "go", run_config=tracing.config)
    async for _ in streamed.stream_events():
        pass

    def shape(items: list[Any]) -> list[tuple[Any, ...]]:
        return [
            (type(i).__name__, i.tool_call_id, getattr(i, "arguments", None), getattr(i, "output", None))
            for i in items
            if isinstance(i, ToolCallItem | ToolCallOutputItem)
        ]

    assert shape(result.new_items) == shape(streamed.new_items)
    assert len(shape(result.new_items)) == 6
    for item in result.new_items:
        if isinstance(item, ToolCallItem | ToolCallOutputItem):
            assert (item.span_id, item.trace_id) == (span_ids[item.tool_call_id], result.trace_id)
    assert seen_inside == {f"c{i}": result.trace_id for i in range(3)}  # trace ids were there while the tool ran


async def test_new_items_of_an_unstreamed_run_are_built_on_first_read_and_stay_a_field(tracing: Tracing) -> None:
    @function_tool
    async def echo(x: int) -> str:
        """Echoes."""
        return f"ok {x}"

    calls = [function_call("echo", {"x": i}, call_id=f"c{i}") for i in range(2)]
    result = await Runner.run(scripted_agent([echo], calls), "go", run_config=tracing.config)
    assert [f.name for f in dataclasses.fields(result)][3] == "new_items"  # still a field, and the only addition
    assert "_unbuilt" in vars(result)  # nothing built yet: nobody asked
    first = result.new_items
    assert "_unbuilt" not in vars(result) and first is result.new_items
    kinds = [(type(i).__name__, getattr(i, "tool_call_id", None)) for i in first]
    for call_id in ("c0", "c1"):  # each call: its start item, then (later) its output item, in the run's order
        assert kinds.index(("ToolCallItem", call_id)) < kinds.index(("ToolCallOutputItem", call_id))
    assert len(kinds) == 5 and kinds[-1] == ("MessageOutputItem", None)
    assert "ToolCallItem(" in repr(result)
    assert dataclasses.replace(result).new_items == first


async def test_an_unread_result_pickles_and_copies_with_its_items(tracing: Tracing) -> None:
    @function_tool
    async def echo(x: int) -> str:
        """Echoes."""
        return f"ok {x}"

    calls = [function_call("echo", {"x": 1}, call_id="c1")]
    agent = scripted_agent([echo], calls)
    result = await Runner.run(agent, "go", run_config=tracing.config)
    copied = copy.copy(result)
    assert [type(i).__name__ for i in copied.new_items][:2] == ["ToolCallItem", "ToolCallOutputItem"]
    assert "_unbuilt" not in vars(result) and "_unbuilt" not in vars(copied)
    result2 = await Runner.run(scripted_agent([echo], calls), "go", run_config=tracing.config)
    state = result2.__getstate__()
    assert "_unbuilt" not in state and [type(i).__name__ for i in state["new_items"]][:1] == ["ToolCallItem"]


async def test_threads_asking_for_the_context_at_once_get_the_same_one(tracing: Tracing) -> None:
    @function_tool
    def fan_out(n: int) -> str:
        """A sync tool whose own threads all ask for the running call's context."""
        import contextvars
        from concurrent.futures import ThreadPoolExecutor

        barrier = threading.Barrier(8)

        def ask() -> int:
            barrier.wait()
            ctx = current_tool_context()
            assert ctx is not None
            return id(ctx)

        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(contextvars.copy_context().run, ask) for _ in range(8)]
            ids = {f.result() for f in futures}
        return str(len(ids))

    agent = scripted_agent([fan_out], [function_call("fan_out", {"n": 1}, call_id="c1")])
    result = await Runner.run(agent, "go", run_config=tracing.config)
    outputs = [i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert outputs == ["1"]


async def test_a_thread_reporting_while_its_call_ends_is_counted_or_dropped_never_lost(tracing: Tracing) -> None:
    """A call ends without taking its lock when no progress was ever reported (``ToolCall.close``): each tool here
    leaves a thread behind that reports until it is refused, racing the end. Every report the call accepted must be
    in the stream before its ``tool_output`` and in the span's totals; the first refused one must be in neither."""
    accepted: dict[str, int] = {}
    threads: list[threading.Thread] = []

    def keep_reporting(ctx: ToolContext[Any]) -> None:
        n = 0
        while ctx.send_progress({"n": n}):
            n += 1
        accepted[ctx.tool_call_id] = n

    @function_tool
    async def leaves_a_reporter(ctx: ToolContext[Any], i: int) -> str:
        """Starts a thread that outlives the call."""
        thread = threading.Thread(target=keep_reporting, args=(ctx,))
        threads.append(thread)
        thread.start()
        return f"ok {i}"

    calls = [function_call("leaves_a_reporter", {"i": i}, call_id=f"c{i}") for i in range(20)]
    events = await streamed_events(scripted_agent([leaves_a_reporter], calls), tracing.config)
    for thread in threads:
        thread.join()

    for i in range(20):
        call_id = f"c{i}"
        mine = [e for e in events if getattr(e, "tool_call_id", None) == call_id]
        assert [getattr(e, "name", None) for e in (mine[0], mine[-1])] == ["tool_called", "tool_output"]
        progress = [e for e in mine[1:-1] if isinstance(e, ToolProgressStreamEvent)]
        assert len(progress) == len(mine) - 2
        # a lagging consumer gets floods coalesced: each delivered event says how many it replaced
        assert sum(1 + e.coalesced for e in progress) == accepted[call_id]
        assert [e.sequence for e in progress[-1:]] == ([accepted[call_id]] if accepted[call_id] else [])
        span = tracing.tool_span(call_id)
        assert (span.attributes or {}).get("agents_otel.progress.emitted", 0) == accepted[call_id]
