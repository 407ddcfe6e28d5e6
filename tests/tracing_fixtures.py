"""Fixtures for asserting traces: a fresh SDK TracerProvider per test with an InMemorySpanExporter.

Each test gets its own provider passed through ``RunConfig(tracer_provider=...)``, so tests never depend on (or
disturb) the process-wide global provider.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents_otel import RunConfig


@dataclass
class Tracing:
    provider: TracerProvider
    exporter: InMemorySpanExporter

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
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield Tracing(provider, exporter)
    provider.shutdown()
