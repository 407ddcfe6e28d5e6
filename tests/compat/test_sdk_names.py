"""Compatibility: the OpenAI Agents SDK's small module-level names that SDK programs import first —
``TResponseInputItem`` and ``Tool`` (annotations of input and tool lists), ``HandoffInputFilter``,
``flush_traces()`` (export before a script or handler returns) and ``enable_verbose_stdout_logging()``.

A missing one stops an SDK program at its import line, before anything else could run; each test below runs the
name the way the SDK's examples use it."""

from __future__ import annotations

import logging
import typing
from collections.abc import Iterator, Sequence

import pytest
from openai.types.responses import ResponseInputItemParam
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from agents_otel import (
    Agent,
    FunctionTool,
    HandoffInputData,
    HandoffInputFilter,
    RunConfig,
    Runner,
    Tool,
    TResponseInputItem,
    enable_verbose_stdout_logging,
    flush_traces,
    function_tool,
    handoff,
)
from agents_otel.handoff_filters import remove_all_tools
from agents_otel.testing import ScriptedModel, assistant_message


@function_tool
def ping() -> str:
    """Answer pong."""
    return "pong"


def test_input_and_tool_lists_annotated_with_the_sdk_names_run() -> None:
    assert TResponseInputItem is ResponseInputItemParam and FunctionTool in typing.get_args(Tool)
    assert {a.__name__ for a in typing.get_args(Tool)} == {
        "FunctionTool",
        "WebSearchTool",
        "FileSearchTool",
        "CodeInterpreterTool",
        "ImageGenerationTool",
        "HostedMCPTool",
        "ShellTool",
        "LocalShellTool",
        "ApplyPatchTool",
        "ComputerTool",
    }
    input_items: list[TResponseInputItem] = [{"role": "user", "content": "hi"}]
    tools: list[Tool] = [ping]
    agent = Agent("A", tools=tools, model=ScriptedModel([[assistant_message("hello")]]))
    result = Runner.run_sync(agent, input_items, run_config=RunConfig(tracing_disabled=True))
    follow_up: list[TResponseInputItem] = result.to_input_list()  # type: ignore[assignment]
    assert [item.get("role") for item in follow_up] == ["user", "assistant"]


def test_a_handoff_input_filter_annotated_with_the_sdk_name_is_taken() -> None:
    keep: HandoffInputFilter = remove_all_tools

    def only_new(data: HandoffInputData) -> HandoffInputData:
        return keep(data)  # type: ignore[return-value]

    target = Agent("B", model=ScriptedModel([[assistant_message("done")]]))
    assert handoff(target, input_filter=only_new).input_filter is only_new


class _Collecting(SpanExporter):
    def __init__(self) -> None:
        self.names: list[str] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.names.extend(span.name for span in spans)
        return SpanExportResult.SUCCESS


def test_flush_traces_exports_what_a_runs_provider_still_holds() -> None:
    exporter = _Collecting()
    provider = TracerProvider()
    # a batch that would wait ten minutes: only a flush exports it
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=600_000, max_export_batch_size=512))
    agent = Agent("A", model=ScriptedModel([[assistant_message("hello")]]))
    Runner.run_sync(agent, "hi", run_config=RunConfig(tracer_provider=provider))
    assert exporter.names == []
    flush_traces()
    assert sorted(exporter.names) == ["chat scripted", "invoke_agent A"]
    provider.shutdown()


class _BrokenProvider(TracerProvider):
    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        raise RuntimeError("exporter gone")


def test_flush_traces_never_raises_into_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    provider = _BrokenProvider()
    agent = Agent("A", model=ScriptedModel([[assistant_message("hello")]]))
    Runner.run_sync(agent, "hi", run_config=RunConfig(tracer_provider=provider))
    flush_traces()
    assert "flushing _BrokenProvider failed" in caplog.text
    provider.shutdown()


@pytest.fixture
def agents_otel_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("agents_otel")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_verbose_stdout_logging_shows_the_runtimes_debug_lines_once(
    agents_otel_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    enable_verbose_stdout_logging()
    enable_verbose_stdout_logging()
    logging.getLogger("agents_otel.server").debug("a debug line")
    assert capsys.readouterr().out == "a debug line\n"
