"""The app tests/test_prometheus_live.py scrapes: a fresh process whose tools hang, run slow, fail and time out.

It serves /metrics through the runtime's own metrics export (the test sets OTEL_METRICS_EXPORTER=prometheus and
OTEL_EXPORTER_PROMETHEUS_HOST/PORT) while it set its own TracerProvider, so metrics must not depend on tracing's
zero-config setup. It runs until the test stops it: the hanging call never ends.
"""

from __future__ import annotations

import asyncio
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from agents_otel import Agent, Runner, ToolContext, function_tool
from agents_otel.models.interface import ModelRequest, ModelResponse
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SLOW_SECONDS = 1.5


@function_tool(stall_timeout=0.3)
async def hang(ctx: ToolContext[Any]) -> str:
    """Never answers and never reports progress."""
    await asyncio.Event().wait()
    return "unreachable"


@function_tool
async def slow() -> str:
    """Answers, slowly."""
    await asyncio.sleep(SLOW_SECONDS)
    return "late"


@function_tool
def fail() -> str:
    """Always fails."""
    raise ValueError("broken on purpose")


@function_tool(timeout=0.2)
async def limited() -> str:
    """Outlives its timeout."""
    await asyncio.Event().wait()
    return "unreachable"


class SlowModel(ScriptedModel):
    async def get_response(self, request: ModelRequest) -> ModelResponse:
        await asyncio.sleep(SLOW_SECONDS)
        return await super().get_response(request)


async def main() -> None:
    trace.set_tracer_provider(TracerProvider())  # the app's own tracing, without any exporter
    hanging = Agent(name="Ops", tools=[hang], model=ScriptedModel([[function_call("hang", {}, call_id="h")]]))
    busy = Agent(
        name="Ops",
        tools=[slow, fail, limited],
        model=ScriptedModel(
            [
                [function_call("slow", {}, call_id="s"), function_call("limited", {}, call_id="l")]
                + [function_call("fail", {}, call_id=f"f{i}") for i in range(5)],
                [assistant_message("done")],
            ]
        ),
    )
    writer = Agent(name="Writer", model=SlowModel([[assistant_message("a slow answer")]], model_name="big"))
    await asyncio.gather(Runner.run(hanging, "hang"), Runner.run(busy, "work"), Runner.run(writer, "write"))


if __name__ == "__main__":
    asyncio.run(main())
