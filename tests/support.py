"""The tests' one helper module: traces to assert on, scripted agents, and collecting a streamed run.

Each test gets its own provider passed through ``RunConfig(tracer_provider=...)``, so tests never depend on (or
disturb) the process-wide global provider. Server helpers live in ``server_support`` and OTLP receivers in
``otlp_receivers``; everything else a test file would otherwise write again belongs here.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Sampler

from agents_otel import (
    Agent,
    FunctionTool,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    StreamEvent,
)
from agents_otel.items import FunctionCall
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@dataclass
class Tracing:
    """An SDK provider whose finished spans are kept in memory."""

    provider: TracerProvider
    exporter: InMemorySpanExporter

    @classmethod
    def new(cls, sampler: Sampler | None = None) -> Tracing:
        """For tests that need a provider outside the ``tracing`` fixture (a server app, a custom sampler)."""
        exporter = InMemorySpanExporter()
        provider = TracerProvider(sampler=sampler) if sampler is not None else TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        return cls(provider, exporter)

    @property
    def config(self) -> RunConfig:
        return RunConfig(tracer_provider=self.provider)

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def named(self, prefix: str) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.name.startswith(prefix)]

    def tool_span(self, call_id: str) -> ReadableSpan:
        (span,) = [s for s in self.named("execute_tool") if (s.attributes or {}).get("gen_ai.tool.call.id") == call_id]
        return span


@pytest.fixture
def tracing() -> Iterator[Tracing]:
    traced = Tracing.new()
    yield traced
    traced.provider.shutdown()


@pytest.fixture
def meter() -> Iterator[tuple[MeterProvider, InMemoryMetricReader]]:
    """A meter provider of the test's own (give it as ``RunConfig(meter_provider=...)``) and its reader."""
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    yield provider, reader
    provider.shutdown()


def scripted_agent(
    tools: Sequence[FunctionTool],
    calls: list[FunctionCall],
    *,
    name: str = "Worker",
    answer: str = "done",
    check_calls: bool = True,
) -> Agent[Any]:
    """An agent whose model makes ``calls`` in one turn, then answers ``answer``. ``check_calls=False`` lets a call
    the agent cannot accept through (see ``ScriptedModel``), for tests of exactly that."""
    model = ScriptedModel([calls, [assistant_message(answer)]], check_calls=check_calls)
    return Agent(name=name, tools=list(tools), model=model)


def one_call_agent(
    tool: FunctionTool,
    args: dict[str, Any] | None = None,
    *,
    call_id: str = "call_1",
    name: str = "Worker",
    check_calls: bool = True,
) -> Agent[Any]:
    """An agent that calls ``tool`` once with ``args``, then answers "done"."""
    call = function_call(tool.name, args or {}, call_id=call_id)
    return scripted_agent([tool], [call], name=name, check_calls=check_calls)


async def streamed_events(agent: Agent[Any], config: RunConfig, input: str = "go") -> list[StreamEvent]:
    """Every event of a streamed run, in order."""
    return [e async for e in Runner.run_streamed(agent, input, run_config=config).stream_events()]


async def run_in_mode(agent: Agent[Any], mode: str, input: Any, **kwargs: Any) -> Any:
    """``Runner.run`` when ``mode`` is ``"plain"``, else ``Runner.run_streamed`` with every event consumed: the
    result either way, for tests that check one behaviour in both kinds of run."""
    if mode == "plain":
        return await Runner.run(agent, input, **kwargs)
    result = Runner.run_streamed(agent, input, **kwargs)
    async for _ in result.stream_events():
        pass
    return result


def missing(message: str) -> NoReturn:
    """A test's machine part (a Debian package, npm clients, a built example) is not here: skip on a developer's
    machine, fail under CI (``CI=1/true/yes``), where ``make test`` installs every one of them."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """A loopback port nobody listens on right now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wire_model(api: str, client: Any, name: str = "gpt-test") -> OpenAIResponsesModel | OpenAIChatCompletionsModel:
    """A model on one of the two OpenAI APIs (``"responses"``, else Chat Completions) using ``client`` (the
    ``client`` fixture: the official client talking to the fake server)."""
    if api == "responses":
        return OpenAIResponsesModel(name, openai_client=client)
    return OpenAIChatCompletionsModel(name, openai_client=client)


def histogram_points(reader: InMemoryMetricReader, name: str) -> list[HistogramDataPoint]:
    """Every data point of the histogram ``name`` that ``reader`` collected (all resources and scopes)."""
    data = reader.get_metrics_data()
    return [
        point
        for rm in (data.resource_metrics if data else ())
        for sm in rm.scope_metrics
        for metric in sm.metrics
        if metric.name == name
        for point in metric.data.data_points
        if isinstance(point, HistogramDataPoint)
    ]
