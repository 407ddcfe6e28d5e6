"""The agents_otel side of the benchmarks (the system under test).

Mirrors ``peer_openai_agents.py`` case for case, so ``run.py`` can interleave both in one loop.

Workload 1 — parallel tool fan-out: ``ScriptedModel`` answers turn 1 with K parallel calls of a
trivial async ``@function_tool`` and turn 2 with the final text; one run is ``Runner.run`` (or
``Runner.run_streamed`` with every event consumed) with ``RunConfig(tracer_provider=provider)``.

Tracing: an OTel SDK ``TracerProvider`` with a ``BatchSpanProcessor`` whose exporter only counts
spans and drops them. The queue and the export batch are large enough that nothing is dropped and
the worker thread does not wake up during a timed window; ``force_flush`` runs in each sample's
check, after the clock stops. The check asserts the final output, one trace per run, one
``execute_tool`` span per tool call (with the expected ``gen_ai.tool.call.id`` values), one
``invoke_agent`` span and two ``chat`` spans.

Every public function raises :class:`NotImplementedError` while ``agents_otel`` is not importable
(its runtime is still being written); ``run.py`` then shows the rows as *pending*.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from harness import Case, Sample, Scaling, ainterleave, apeak_memory
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

FINAL_TEXT = "done"
TOOL_NAME = "echo"
DEFAULT_KS: tuple[int, ...] = (1, 10, 100)

# Span classification, by the OTel GenAI semantic conventions agents_otel follows
# (see agents_otel/tracing/attributes.py).
OP_ATTR = "gen_ai.operation.name"
CALL_ID_ATTR = "gen_ai.tool.call.id"
OP_TOOL, OP_AGENT, OP_CHAT = "execute_tool", "invoke_agent", "chat"

QUEUE_SIZE = 1 << 16  # >> spans per run (K=100 -> ~103); nothing may be dropped


_APIS: dict[str, Any] = {}


def _import(package: str = "agents_otel") -> Any:
    """The agents_otel API as one namespace, or NotImplementedError saying why it is not usable yet. ``package``:
    another importable copy of it (``benchmarks/ab.py`` measures two commits side by side).

    (importlib rather than ``from ... import`` so the import sorter does not flip-flop while
    ``agents_otel.testing`` does not exist yet.)
    """
    api = _APIS.get(package)
    if api is None:
        if package == "agents_otel" and importlib.util.find_spec("agents_otel") is None:  # not installed: the tree
            sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
        try:
            core = importlib.import_module(package)
            testing = importlib.import_module(f"{package}.testing")
            api = _APIS[package] = SimpleNamespace(
                Agent=core.Agent, Runner=core.Runner, RunConfig=core.RunConfig,
                function_tool=core.function_tool, ScriptedModel=testing.ScriptedModel,
                ToolContext=core.ToolContext, ProgressSampling=core.ProgressSampling,
                ToolProgressStreamEvent=core.ToolProgressStreamEvent,
                function_call=testing.function_call, assistant_message=testing.assistant_message,
            )
        except (ImportError, AttributeError) as exc:  # the runtime is not there (yet)
            raise NotImplementedError(f"{package} not usable yet ({exc})") from exc
    return api


# --------------------------------------------------------------------------------------------
# tracing: a real OTel SDK pipeline whose exporter counts and discards
# --------------------------------------------------------------------------------------------


class CountingExporter(SpanExporter):
    """An OTel ``SpanExporter`` that counts spans (by ``gen_ai.operation.name``) and drops them."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.by_op: Counter[str] = Counter()
        self.trace_ids: set[int] = set()
        self.tool_call_ids: list[str] = []
        self.total = 0
        self.events: Counter[str] = Counter()  # span events by name, over every exported span
        self.dropped_events = 0  # events the SDK's span event limit dropped
        self.spans: list[ReadableSpan] = []  # kept only while ``keep`` is set
        self.keep = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        for span in spans:
            self.total += 1
            attrs = span.attributes or {}
            op = attrs.get(OP_ATTR, "")
            self.by_op[str(op)] += 1
            if span.context is not None:
                self.trace_ids.add(span.context.trace_id)
            if op == OP_TOOL:
                self.tool_call_ids.append(str(attrs.get(CALL_ID_ATTR)))
            for event in span.events:
                self.events[event.name] += 1
            self.dropped_events += span.dropped_events
        if self.keep:
            self.spans.extend(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


@dataclass
class Tracing:
    provider: TracerProvider
    exporter: CountingExporter


def make_tracing() -> Tracing:
    """A TracerProvider + BatchSpanProcessor(CountingExporter); never set as the global provider."""
    _import()
    return make_counting_provider()


def make_counting_provider() -> Tracing:
    """The same pipeline, without importing agents_otel (for floors measured on bare SDK spans)."""
    exporter = CountingExporter()
    provider = TracerProvider()
    provider.add_span_processor(
        BatchSpanProcessor(
            exporter,
            max_queue_size=QUEUE_SIZE,
            max_export_batch_size=QUEUE_SIZE,  # worker only wakes on force_flush / the long delay
            schedule_delay_millis=600_000,
        )
    )
    return Tracing(provider, exporter)


# --------------------------------------------------------------------------------------------
# workload 1
# --------------------------------------------------------------------------------------------


_tools: dict[str, Any] = {}


def _echo_tool(package: str) -> Any:
    tool = _tools.get(package)
    if tool is None:

        @_import(package).function_tool
        async def echo(x: int) -> str:
            """Return a short string.

            Args:
                x: Any integer.
            """
            return f"ok {x}"

        tool = _tools[package] = echo
    return tool


@dataclass
class _State:
    k: int
    agent: Any
    run_config: Any
    api: Any


def setup_run(k: int, tracing: Tracing, package: str = "agents_otel") -> _State:
    api = _import(package)
    model = api.ScriptedModel(
        [
            [api.function_call(TOOL_NAME, {"x": i}, call_id=f"call_{i}") for i in range(k)],
            [api.assistant_message(FINAL_TEXT)],
        ],
        check_calls=False,  # the script's own sanity check is test tooling, not runtime: the peers' models have none
    )
    agent = api.Agent(name="bench", instructions="Call the tools.", tools=[_echo_tool(package)], model=model)
    tracing.exporter.reset()
    return _State(k, agent, api.RunConfig(tracer_provider=tracing.provider), api)


async def run_once(state: _State) -> Any:
    return await state.api.Runner.run(state.agent, "go", run_config=state.run_config)


async def _run_streamed(state: _State) -> Any:
    result = state.api.Runner.run_streamed(state.agent, "go", run_config=state.run_config)
    async for _event in result.stream_events():
        pass
    return result


def check_run(state: _State, result: Any, tracing: Tracing, items: bool = True) -> None:
    """Flush (untimed), then raise unless the run produced the expected output, run items and spans. ``items=False``
    only for ``benchmarks/ablation.py``, whose stripped tool paths keep no call records."""
    k = state.k
    if not tracing.provider.force_flush(30_000):
        raise AssertionError("force_flush timed out")
    exp = tracing.exporter
    if getattr(result, "is_complete", True) is not True:
        raise AssertionError("streamed run not complete after consuming all events")
    if result.final_output != FINAL_TEXT:
        raise AssertionError(f"final_output {result.final_output!r} != {FINAL_TEXT!r}")
    outputs = [it.output for it in result.new_items if getattr(it, "type", None) == "tool_call_output_item"]
    if items and sorted(outputs) != sorted(f"ok {i}" for i in range(k)):
        raise AssertionError(f"expected {k} tool outputs 'ok i', got {len(outputs)}: {outputs[:3]}...")
    if exp.by_op[OP_TOOL] != k:
        raise AssertionError(
            f"{exp.by_op[OP_TOOL]} execute_tool spans for {k} tool calls ({dict(exp.by_op)})"
        )
    if sorted(exp.tool_call_ids) != sorted(f"call_{i}" for i in range(k)):
        raise AssertionError(f"unexpected tool call ids on spans: {exp.tool_call_ids[:5]}...")
    if exp.by_op[OP_AGENT] != 1:
        raise AssertionError(f"{exp.by_op[OP_AGENT]} invoke_agent spans, expected 1 ({dict(exp.by_op)})")
    if exp.by_op[OP_CHAT] != 2:
        raise AssertionError(f"{exp.by_op[OP_CHAT]} chat spans, expected 2 ({dict(exp.by_op)})")
    if len(exp.trace_ids) != 1:
        raise AssertionError(f"spans spread over {len(exp.trace_ids)} traces, expected 1")


async def _run_reading_items(state: _State) -> Any:
    result = await run_once(state)
    len(result.new_items)  # built on first read (RunResult.new_items): here inside the timed window
    return result


def workload1_cases(
    tracing: Tracing,
    ks: Sequence[int] = DEFAULT_KS,
    *,
    streamed: bool = False,
    prefix: str = "otel",
    read_items: bool = False,
    package: str = "agents_otel",
    check_items: bool = True,
) -> dict[int, Case]:
    """One :class:`Case` per K, same shape as ``peer_openai_agents.workload1_cases``. ``read_items``: a ``Runner.run``
    that also reads ``RunResult.new_items`` while timed (a run nobody streams builds its tool items on that read).
    ``package``: see :func:`_import`; ``check_items``: see :func:`check_run`."""
    _import(package)
    run = _run_streamed if streamed else _run_reading_items if read_items else run_once
    mode = "streamed" if streamed else "run+items" if read_items else "run"
    return {
        k: Case(
            name=f"{prefix}/{mode}/K={k}",
            setup=lambda k=k: setup_run(k, tracing, package),
            run=run,
            check=lambda state, result: check_run(state, result, tracing, check_items),
        )
        for k in ks
    }


async def measure_workload1(
    ks: Sequence[int] = DEFAULT_KS, *, streamed: bool = False, rounds: int = 30, warmup: int = 5,
    tracing: Tracing | None = None,
) -> Scaling:
    tracing = tracing or make_tracing()
    cases = workload1_cases(tracing, ks, streamed=streamed)
    samples: dict[str, Sample] = await ainterleave(list(cases.values()), rounds=rounds, warmup=warmup)
    return Scaling({k: samples[c.name] for k, c in cases.items()})


async def peak_memory_workload1(
    k: int = 100, *, streamed: bool = False, tracing: Tracing | None = None
) -> int:
    tracing = tracing or make_tracing()
    state = setup_run(k, tracing)
    result, peak = await apeak_memory(_run_streamed if streamed else run_once, state)
    check_run(state, result, tracing)
    return peak


def api() -> Any:
    """The agents_otel API namespace (Agent, Runner, RunConfig, function_tool, ScriptedModel, ...)."""
    return _import()
