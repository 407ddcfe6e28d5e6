"""Workloads 2, 3 and 5: what ``ToolContext.send_progress`` costs, how fast it arrives, how much it holds.

No peer has a progress API (see docs/benchmarks.md), so each figure is held against a *floor* or a bare-asyncio
equivalent measured in the same process, interleaved with it:

W2  cost per ``send_progress`` call, timed by the tool itself around a tight loop of M calls
    (``ctx.send_progress({"status": "x", "i": i})``), in a streamed run whose consumer drains every event
    (after the loop for the async tool; concurrently for the sync tool, which runs in the runtime's worker
    thread). Floor, timed the same way inside the same kind of tool in the same kind of run: per call, one bare
    OTel SDK ``span.add_event`` with the same event name and the same five attributes (call id, sequence, JSON
    payload, the two scalar fields) on a recording span of the same provider, plus the cheapest hand-off to an
    asyncio consumer: ``asyncio.Queue.put_nowait(attributes)`` (async tool) or
    ``loop.call_soon_threadsafe(noop, attributes)`` (thread). ``max_buffered_events`` exceeds M, so no event is
    coalesced and every call takes the full path; the check asserts all M events arrive in order.

W3  delivery latency: 100 parallel async tools each send 1,000 events ``{"t": perf_counter_ns()}``, yielding
    (``await asyncio.sleep(0)``) after each, so the loop is saturated and fair; the consumer of
    ``stream_events()`` takes ``perf_counter_ns()`` as each event reaches it. p50 and p99 over the 100,000 events
    of a run. Baseline: the same 100 x 1,000 producer tasks, same pacing, handing ``perf_counter_ns()`` to one
    consumer through a bare ``asyncio.Queue`` (``put_nowait`` -> ``await get()``), in the same process. Under
    this load latency is mostly "how long until the loop comes back to the consumer", i.e. one pass over the 100
    ready producers, so the ratio says how much our per-event work stretches that pass.

W5  peak memory: one async tool emits N progress events (yielding every 10) to a slow consumer (one loop turn
    per event, so it keeps up with a tenth of the rate and the run's buffer, at its default size of 1,000,
    coalesces the rest); tracemalloc peak for N = 1,000,000 against N = 10,000. At this ratio both runs reach the
    steady state (a full delivered batch in the consumer's hands plus a full buffer) before the tool ends, so
    flat (ratio ~1) means memory is bounded by the buffer and the span's event cap, not by the event count.
"""

import asyncio
import collections
import time
from dataclasses import dataclass, field
from typing import Any

import agents_otel_side as otel
from harness import Case, Sample, ainterleave, apeak_memory, quantile

PROGRESS_EVENT = "agents_otel.tool.progress"
CALL_ID_ATTR = "gen_ai.tool.call.id"
SEQUENCE_ATTR = "agents_otel.progress.sequence"
DATA_ATTR = "agents_otel.progress.data"

W2_M = 2000
W3_TOOLS = 100
W3_EVENTS = 1000
W5_SMALL = 10_000
W5_LARGE = 1_000_000


def _noop(_arg: Any) -> None:
    pass


# --------------------------------------------------------------------------------------------
# tools (annotations evaluated eagerly: the runtime reads ToolContext from the type hints)
# --------------------------------------------------------------------------------------------


@dataclass
class W2State:
    mode: str  # "async" | "thread"
    side: str  # "otel" | "floor"
    m: int
    agent: Any = None
    run_config: Any = None
    floor_tracer: Any = None
    loop: Any = None
    queue: Any = None
    elapsed_ns: int = 0
    seqs: list[int] = field(default_factory=list)
    coalesced: int = 0
    floor_events: int = 0


_TOOLS: dict[str, Any] = {}


def _tools() -> dict[str, Any]:
    if _TOOLS:
        return _TOOLS
    api = otel.api()
    tool = api.function_tool

    def _timed_progress_loop(ctx: api.ToolContext, n: int) -> None:
        """The measured loop, shared by the async tool (on the loop) and the sync one (in a worker thread)."""
        st = ctx.context
        t0 = time.perf_counter_ns()
        for i in range(n):
            ctx.send_progress({"status": "x", "i": i})
        st.elapsed_ns = time.perf_counter_ns() - t0

    @tool
    async def progress_async(ctx: api.ToolContext, n: int) -> str:
        """Send n progress events in a tight loop.

        Args:
            n: How many.
        """
        _timed_progress_loop(ctx, n)
        return "ok"

    @tool
    def progress_thread(ctx: api.ToolContext, n: int) -> str:
        """Send n progress events in a tight loop, from a worker thread.

        Args:
            n: How many.
        """
        _timed_progress_loop(ctx, n)
        return "ok"

    @tool
    async def floor_async(ctx: api.ToolContext, n: int) -> str:
        """The floor of progress_async: bare span.add_event + asyncio.Queue.put_nowait.

        Args:
            n: How many.
        """
        st = ctx.context
        span = st.floor_tracer.start_span("floor")
        q = st.queue
        cid = ctx.tool_call_id
        t0 = time.perf_counter_ns()
        for i in range(n):
            attrs = {CALL_ID_ATTR: cid, SEQUENCE_ATTR: i + 1, DATA_ATTR: f'{{"status":"x","i":{i}}}',
                     DATA_ATTR + ".status": "x", DATA_ATTR + ".i": i}
            span.add_event(PROGRESS_EVENT, attrs)
            q.put_nowait(attrs)
        st.elapsed_ns = time.perf_counter_ns() - t0
        span.end()
        return "ok"

    @tool
    def floor_thread(ctx: api.ToolContext, n: int) -> str:
        """The floor of progress_thread: bare span.add_event + loop.call_soon_threadsafe.

        Args:
            n: How many.
        """
        st = ctx.context
        span = st.floor_tracer.start_span("floor")
        call_soon = st.loop.call_soon_threadsafe
        cid = ctx.tool_call_id
        t0 = time.perf_counter_ns()
        for i in range(n):
            attrs = {CALL_ID_ATTR: cid, SEQUENCE_ATTR: i + 1, DATA_ATTR: f'{{"status":"x","i":{i}}}',
                     DATA_ATTR + ".status": "x", DATA_ATTR + ".i": i}
            span.add_event(PROGRESS_EVENT, attrs)
            call_soon(_noop, attrs)
        st.elapsed_ns = time.perf_counter_ns() - t0
        span.end()
        return "ok"

    @tool
    async def burst(ctx: api.ToolContext, n: int) -> str:
        """Send n progress events stamped with perf_counter_ns, yielding to the loop after each.

        Args:
            n: How many.
        """
        for i in range(n):
            ctx.send_progress({"t": time.perf_counter_ns(), "i": i})
            await asyncio.sleep(0)
        return "ok"

    @tool
    async def flood(ctx: api.ToolContext, n: int) -> str:
        """Send n progress events, yielding to the loop every 10.

        Args:
            n: How many.
        """
        for i in range(n):
            ctx.send_progress({"i": i})
            if i % 10 == 9:
                await asyncio.sleep(0)
        return "ok"

    _TOOLS.update(progress_async=progress_async, progress_thread=progress_thread, floor_async=floor_async,
                  floor_thread=floor_thread, burst=burst, flood=flood)
    return _TOOLS


def _agent(tool_name: str, calls: list[tuple[str, dict[str, Any]]]) -> Any:
    """An agent whose scripted model calls ``calls`` (call_id, args) of ``tool_name`` in parallel, then answers."""
    api = otel.api()
    model = api.ScriptedModel([
        [api.function_call(tool_name, args, call_id=cid) for cid, args in calls],
        [api.assistant_message(otel.FINAL_TEXT)],
    ])
    return api.Agent(name="bench", instructions="Call the tools.", tools=[_tools()[tool_name]], model=model)


def _check_final(result: Any, k: int) -> None:
    if not result.is_complete or result.final_output != otel.FINAL_TEXT:
        raise AssertionError(f"run did not complete with {otel.FINAL_TEXT!r}: {result.final_output!r}")
    outputs = [it.output for it in result.new_items if getattr(it, "type", None) == "tool_call_output_item"]
    if outputs != ["ok"] * k:
        raise AssertionError(f"expected {k} tool outputs 'ok', got {outputs[:3]}...")


# --------------------------------------------------------------------------------------------
# W2: send_progress cost per call vs the floor
# --------------------------------------------------------------------------------------------


def _w2_setup(mode: str, side: str, m: int, tracing: otel.Tracing) -> W2State:
    api = otel.api()
    st = W2State(mode, side, m)
    tool_name = ("floor_" if side == "floor" else "progress_") + mode
    st.agent = _agent(tool_name, [("call_0", {"n": m})])
    st.run_config = api.RunConfig(tracer_provider=tracing.provider, max_buffered_events=m + 1000)
    if side == "otel-all":  # every event recorded on the span, like the floor (the default samples them)
        st.run_config.progress_sampling = api.ProgressSampling(first=m, max_events=m + 1)
    st.floor_tracer = tracing.provider.get_tracer("bench.floor")
    st.loop = asyncio.get_running_loop()
    st.queue = asyncio.Queue()
    tracing.exporter.reset()
    return st


async def _w2_run(st: W2State) -> Any:
    api = otel.api()
    result = api.Runner.run_streamed(st.agent, "go", context=st, run_config=st.run_config)
    async for event in result.stream_events():
        if type(event) is api.ToolProgressStreamEvent:
            st.seqs.append(event.sequence)
            st.coalesced += event.coalesced
    return result


def _w2_check(st: W2State, result: Any, tracing: otel.Tracing) -> None:
    _check_final(result, 1)
    if not tracing.provider.force_flush(30_000):
        raise AssertionError("force_flush timed out")
    events = tracing.exporter.events[PROGRESS_EVENT]
    if st.side != "floor":
        if st.seqs != list(range(1, st.m + 1)) or st.coalesced:
            raise AssertionError(f"stream got {len(st.seqs)} progress events ({st.coalesced} coalesced), "
                                 f"expected {st.m} in order")
        recorded = events + tracing.exporter.dropped_events
        if recorded < 1 or (st.side == "otel-all" and recorded != st.m):
            raise AssertionError(f"{recorded} progress events recorded on the tool span ({st.side}, M={st.m})")
    else:
        if st.seqs:
            raise AssertionError("the floor tool sent progress")
        if events + tracing.exporter.dropped_events != st.m:
            raise AssertionError(f"floor span got {events}+{tracing.exporter.dropped_events} events, not {st.m}")
        if st.mode == "async" and st.queue.qsize() != st.m:
            raise AssertionError(f"floor queue holds {st.queue.qsize()}, not {st.m}")
    if st.elapsed_ns <= 0:
        raise AssertionError("the tool did not time its loop")


def w2_cases(tracing: otel.Tracing, m: int = W2_M) -> dict[tuple[str, str], Case]:
    """{(mode, side): Case} for mode in async/thread, side in otel (default trace-side sampling), otel-all
    (every event recorded on the span) and floor; a sample is seconds per call."""
    _tools()
    return {
        (mode, side): Case(
            name=f"w2/{mode}/{side}",
            setup=lambda mode=mode, side=side: _w2_setup(mode, side, m, tracing),
            run=_w2_run,
            check=lambda st, result: _w2_check(st, result, tracing),
            measure=lambda st, _result: st.elapsed_ns / st.m / 1e9,
        )
        for mode in ("async", "thread")
        for side in ("otel", "otel-all", "floor")
    }


# --------------------------------------------------------------------------------------------
# W3: delivery latency, 100 parallel tools x 1,000 events
# --------------------------------------------------------------------------------------------


@dataclass
class W3State:
    tools: int
    events: int
    agent: Any = None
    run_config: Any = None
    latencies: list[int] = field(default_factory=list)
    coalesced: int = 0
    last_seq: dict[str, int] = field(default_factory=dict)


def _w3_setup(tracing: otel.Tracing, tools: int, events: int) -> W3State:
    api = otel.api()
    st = W3State(tools, events)
    st.agent = _agent("burst", [(f"call_{j}", {"n": events}) for j in range(tools)])
    # Room for every event: coalescing must not hide any (it is also asserted).
    st.run_config = api.RunConfig(tracer_provider=tracing.provider, max_buffered_events=tools * events + 1000)
    tracing.exporter.reset()
    return st


async def _w3_run(st: W3State) -> Any:
    api = otel.api()
    progress_type = api.ToolProgressStreamEvent
    now = time.perf_counter_ns
    lat = st.latencies
    last = st.last_seq
    result = api.Runner.run_streamed(st.agent, "go", run_config=st.run_config)
    async for event in result.stream_events():
        if type(event) is progress_type:
            lat.append(now() - event.data["t"])
            st.coalesced += event.coalesced
            last[event.tool_call_id] = event.sequence
    return result


def _w3_check(st: W3State, result: Any, tracing: otel.Tracing) -> None:
    _check_final(result, st.tools)
    total = st.tools * st.events
    if len(st.latencies) != total or st.coalesced:
        raise AssertionError(f"consumer got {len(st.latencies)} of {total} events ({st.coalesced} coalesced)")
    if sorted(st.last_seq.values()) != [st.events] * st.tools:
        raise AssertionError("some call's last progress event never arrived")
    if not tracing.provider.force_flush(30_000):
        raise AssertionError("force_flush timed out")
    if tracing.exporter.by_op[otel.OP_TOOL] != st.tools:
        raise AssertionError(f"{tracing.exporter.by_op[otel.OP_TOOL]} tool spans, expected {st.tools}")


@dataclass
class W3QueueState:
    tools: int
    events: int
    latencies: list[int] = field(default_factory=list)


async def _w3_queue_run(st: W3QueueState) -> W3QueueState:
    """The baseline: the same producers and pacing, a bare asyncio.Queue, one consumer."""
    q: asyncio.Queue[int] = asyncio.Queue()
    now = time.perf_counter_ns

    async def producer(n: int) -> None:
        for _ in range(n):
            q.put_nowait(now())
            await asyncio.sleep(0)

    async def consumer(total: int) -> None:
        lat = st.latencies
        for _ in range(total):
            t = await q.get()
            lat.append(now() - t)

    loop = asyncio.get_running_loop()
    consumer_task = loop.create_task(consumer(st.tools * st.events))
    await asyncio.gather(*(producer(st.events) for _ in range(st.tools)))
    await consumer_task
    return st


def _w3_queue_check(st: W3QueueState, _result: Any) -> None:
    if len(st.latencies) != st.tools * st.events:
        raise AssertionError(f"queue consumer got {len(st.latencies)} events")


def _quantiles(latencies: list[int]) -> dict[str, float]:
    xs = sorted(latencies)
    return {"p50": quantile(xs, 0.50) / 1e9, "p99": quantile(xs, 0.99) / 1e9}


def w3_cases(tracing: otel.Tracing, tools: int = W3_TOOLS, events: int = W3_EVENTS) -> list[Case]:
    """Two cases, ``w3/otel`` and ``w3/queue``; each sample yields ``:p50`` and ``:p99`` in seconds."""
    _tools()
    return [
        Case(
            name="w3/otel",
            setup=lambda: _w3_setup(tracing, tools, events),
            run=_w3_run,
            check=lambda st, result: _w3_check(st, result, tracing),
            measure=lambda st, _result: _quantiles(st.latencies),
        ),
        Case(
            name="w3/queue",
            setup=lambda: W3QueueState(tools, events),
            run=_w3_queue_run,
            check=_w3_queue_check,
            measure=lambda st, _result: _quantiles(st.latencies),
        ),
    ]


# --------------------------------------------------------------------------------------------
# W5: peak memory, 1,000,000 events vs 10,000 to a slow consumer
# --------------------------------------------------------------------------------------------


@dataclass
class W5Result:
    n: int
    peak: int
    received: int
    accounted: int
    seconds: float


async def w5_peak(tracing: otel.Tracing, n: int, *, slowness: int = 1) -> W5Result:
    """tracemalloc peak of one streamed run whose single tool emits ``n`` events to a slow consumer."""
    api = otel.api()
    agent = _agent("flood", [("call_0", {"n": n})])
    config = api.RunConfig(tracer_provider=tracing.provider)  # default max_buffered_events
    tracing.exporter.reset()
    got = collections.Counter[str]()
    last = [0]

    async def run() -> Any:
        result = api.Runner.run_streamed(agent, "go", run_config=config)
        async for event in result.stream_events():
            if type(event) is api.ToolProgressStreamEvent:
                got["received"] += 1
                got["accounted"] += 1 + event.coalesced
                last[0] = event.sequence
                for _ in range(slowness):
                    await asyncio.sleep(0)
        return result

    t0 = time.perf_counter()
    result, peak = await apeak_memory(run)
    seconds = time.perf_counter() - t0
    _check_final(result, 1)
    if last[0] != n or got["accounted"] != n:
        raise AssertionError(f"last sequence {last[0]}, {got['accounted']} accounted for, expected {n}")
    if not tracing.provider.force_flush(30_000):
        raise AssertionError("force_flush timed out")
    if tracing.exporter.events[PROGRESS_EVENT] < 1:
        raise AssertionError("no progress event on the tool span")
    return W5Result(n, peak, got["received"], got["accounted"], seconds)


def medians(samples: dict[str, Sample]) -> dict[str, float]:
    return {k: s.median for k, s in samples.items()}


async def _main() -> None:
    from harness import fmt_bytes, fmt_seconds

    tracing = otel.make_tracing()
    s = await ainterleave(list(w2_cases(tracing).values()), rounds=10, warmup=2)
    for k, v in s.items():
        print(f"{k}: {fmt_seconds(v.median)} / call (iqr {v.iqr_rel:.0%})")
    s = await ainterleave(w3_cases(tracing), rounds=2, warmup=1)
    for k, v in s.items():
        print(f"{k}: {fmt_seconds(v.median)}")
    for n in (W5_SMALL,):
        r = await w5_peak(tracing, n)
        print(f"W5 n={n}: peak {fmt_bytes(r.peak)}, received {r.received}, {r.seconds:.1f} s")


if __name__ == "__main__":
    asyncio.run(_main())
