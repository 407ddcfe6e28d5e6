"""EventStream on its own: the bound, what coalescing keeps, and wake-ups from other threads."""

from __future__ import annotations

import asyncio
import threading

from agents_otel.event_stream import EventStream
from agents_otel.items import MessageOutputItem, ToolCallIdentity
from agents_otel.stream_events import RunItemStreamEvent, StreamEvent, ToolProgressStreamEvent


def progress(call_id: str, sequence: int) -> ToolProgressStreamEvent:
    call = ToolCallIdentity(tool_call_id=call_id, tool_name="t", agent_name="a", trace_id="0" * 32, span_id="0" * 16)
    return ToolProgressStreamEvent(call=call, data={"n": sequence}, sequence=sequence, timestamp=0)


def lifecycle(text: str) -> RunItemStreamEvent:
    return RunItemStreamEvent("message_output_created", MessageOutputItem(text, "a"))


async def consume_into(stream: EventStream, received: list[StreamEvent]) -> None:
    while batch := await stream.get_batch():
        received.extend(batch)


async def drain(stream: EventStream) -> list[StreamEvent]:
    stream.close()
    out: list[StreamEvent] = []
    while batch := await stream.get_batch():
        out.extend(batch)
    return out


async def test_below_the_bound_every_event_is_delivered_as_is() -> None:
    stream = EventStream(asyncio.get_running_loop(), max_buffered=10)
    events = [progress("c", i) for i in range(1, 6)]
    for event in events:
        stream.put_progress(event)
    assert await drain(stream) == events


async def test_past_the_bound_progress_coalesces_but_keeps_first_last_and_lifecycle() -> None:
    stream = EventStream(asyncio.get_running_loop(), max_buffered=4)
    stream.put(lifecycle("before"))
    for i in range(1, 1001):
        stream.put_progress(progress("a", i))
        stream.put_progress(progress("b", i))
        if i == 500:
            stream.put(lifecycle("middle"))
        assert len(stream) <= 4 + 2 + 1  # the bound, one slot per call, and lifecycle events
    stream.put(lifecycle("after"))
    out = await drain(stream)
    texts = [e.item.text for e in out if isinstance(e, RunItemStreamEvent)]  # type: ignore[union-attr]
    assert texts == ["before", "middle", "after"]
    for call in ("a", "b"):
        mine = [e for e in out if isinstance(e, ToolProgressStreamEvent) and e.tool_call_id == call]
        sequences = [e.sequence for e in mine]
        assert sequences[0] == 1 and sequences[-1] == 1000 and sequences == sorted(sequences)
        # Every event is either delivered or counted by the event that replaced it.
        assert len(mine) + sum(e.coalesced for e in mine) == 1000
    assert stream.coalesced_total == 2000 - sum(1 for e in out if isinstance(e, ToolProgressStreamEvent))


async def test_a_thread_producer_wakes_the_waiting_consumer() -> None:
    stream = EventStream(asyncio.get_running_loop(), max_buffered=100_000)
    received: list[StreamEvent] = []
    consumer = asyncio.ensure_future(consume_into(stream, received))

    def produce() -> None:
        for i in range(1, 2001):
            stream.put_progress(progress("t", i))
        stream.close()

    thread = threading.Thread(target=produce)
    thread.start()
    await consumer
    thread.join()
    assert [e.sequence for e in received] == list(range(1, 2001))  # type: ignore[union-attr]


async def test_events_put_after_close_are_ignored() -> None:
    stream = EventStream(asyncio.get_running_loop())
    stream.close()
    stream.put(lifecycle("late"))
    stream.put_progress(progress("c", 1))
    assert await stream.get_batch() == []


async def test_loop_and_worker_producers_at_once_lose_nothing_and_keep_each_order() -> None:
    """The loop thread's ``put`` takes no lock (the consumer runs on that thread); worker threads putting at the
    same time, lifecycle and progress, must neither lose an event nor leave the consumer asleep."""
    stream = EventStream(asyncio.get_running_loop(), max_buffered=1_000_000)
    received: list[StreamEvent] = []
    consumer = asyncio.ensure_future(consume_into(stream, received))

    def produce(name: str) -> None:
        for i in range(1, 3001):
            stream.put_progress(progress(name, i))
            if i % 100 == 0:
                stream.put(lifecycle(f"{name}-{i}"))

    threads = [threading.Thread(target=produce, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for i in range(3000):
        stream.put(lifecycle(f"loop-{i}"))
        if i % 7 == 0:
            await asyncio.sleep(0)  # let the consumer take a batch between loop puts
    for thread in threads:
        await asyncio.to_thread(thread.join)
    stream.close()
    await consumer

    texts = [e.item.text for e in received if isinstance(e, RunItemStreamEvent)]  # type: ignore[union-attr]
    assert [t for t in texts if t.startswith("loop-")] == [f"loop-{i}" for i in range(3000)]
    for name in ("w1", "w2"):
        assert [t for t in texts if t.startswith(name)] == [f"{name}-{i}" for i in range(100, 3001, 100)]
        mine = [e.sequence for e in received if isinstance(e, ToolProgressStreamEvent) and e.tool_call_id == name]
        assert mine == list(range(1, 3001))
