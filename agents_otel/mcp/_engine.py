"""The few run-state facts the MCP surface needs, read in one place so a core refactor touches one file.

The client needs the tracer and meter provider of the run a tool call belongs to (its CLIENT span and metric go
where the run's spans go: ``RunConfig(tracer_provider=..., meter_provider=...)``).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import Tracer

from ..tool_context import ToolContext, tool_call_of


def run_tracer(ctx: ToolContext[Any]) -> Tracer:
    tracer: Tracer = tool_call_of(ctx).run.tracer
    return tracer


def run_meter_provider(ctx: ToolContext[Any]) -> MeterProvider | None:
    provider: MeterProvider | None = tool_call_of(ctx).run.config.meter_provider
    return provider
