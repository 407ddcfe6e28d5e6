"""W1 on Pydantic AI, instrumented with OpenTelemetry as a user would (content capture off, like ours).

A ``FunctionModel`` answers turn 1 with K parallel calls of a trivial async tool and turn 2 with "done"; spans go
to the same counting ``BatchSpanProcessor`` pipeline as every other side. Runs in its own venv (``make bench``);
prints one JSON line for run.py (see peer_common.py).
"""

from __future__ import annotations

from typing import Any

from agents_otel_side import make_counting_provider
from peer_common import main
from pydantic_ai import Agent, InstrumentationSettings
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

TRACING = make_counting_provider()
SETTINGS = InstrumentationSettings(tracer_provider=TRACING.provider, include_content=False)


def _agent(k: int) -> Agent[None, str]:
    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse(parts=[ToolCallPart("echo", {"x": i}, tool_call_id=f"call_{i}") for i in range(k)])
        return ModelResponse(parts=[TextPart("done")])

    agent: Agent[None, str] = Agent(FunctionModel(model))
    agent.instrument = SETTINGS

    @agent.tool_plain
    async def echo(x: int) -> str:
        """Return a short string."""
        return f"ok {x}"

    return agent


_AGENTS: dict[int, Agent[None, str]] = {}


async def run_k(k: int) -> Any:
    agent = _AGENTS.get(k) or _AGENTS.setdefault(k, _agent(k))
    return await agent.run("go")


def outputs(result: Any) -> list[str]:
    if result.output != "done":
        raise AssertionError(f"output {result.output!r}")
    TRACING.provider.force_flush()
    returns: list[Any] = [
        p.content
        for m in result.all_messages()
        if isinstance(m, ModelRequest)
        for p in m.parts
        if isinstance(p, ToolReturnPart)
    ]
    return [str(r) for r in returns]


if __name__ == "__main__":
    main("pydantic-ai", "pydantic-ai-slim", run_k, outputs, "OTel (InstrumentationSettings, content off)")
