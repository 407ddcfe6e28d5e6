"""SDK 0.25 "preserve structured tool input in agent lifecycle hooks" (#6037).

An agent run as a tool with structured ``parameters`` sees the tool's validated input on its hooks' context:
``AgentHookContext.tool_input`` in ``on_start`` and ``on_end`` (and the calling agent's own hooks see ``None``),
with and without ``on_stream``. Ours already behaved so; this pins it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from agents_otel import Agent, AgentHookContext, AgentHooks, Runner
from agents_otel.testing import ScriptedModel, assistant_message, function_call


class Purchase(BaseModel):
    quantity: int
    unit_price: int


@pytest.mark.parametrize("outer_streamed", [False, True])
@pytest.mark.parametrize("streamed", [False, True])
async def test_the_nested_agents_hooks_get_the_structured_tool_input(streamed: bool, outer_streamed: bool) -> None:
    starts: list[tuple[str, Any]] = []
    ends: list[tuple[str, Any, Any]] = []

    class Recorder(AgentHooks[Any]):
        async def on_start(self, context: AgentHookContext[Any], agent: Agent[Any]) -> None:
            starts.append((agent.name, context.tool_input))

        async def on_end(self, context: AgentHookContext[Any], agent: Agent[Any], output: Any) -> None:
            ends.append((agent.name, context.tool_input, output))

    hooks = Recorder()
    calculator = Agent(name="Calculator", model=ScriptedModel([[assistant_message("50")]]), hooks=hooks)
    purchase = {"quantity": 2, "unit_price": 25}
    buyer = Agent(
        name="Buyer",
        model=ScriptedModel([[function_call("calculate", json.dumps(purchase))]]),
        hooks=hooks,
        tools=[
            calculator.as_tool(
                "calculate",
                "Calculate the total",
                parameters=Purchase,
                on_stream=(lambda _event: None) if streamed else None,
            )
        ],
        tool_use_behavior="stop_on_first_tool",
    )
    if outer_streamed:
        run = Runner.run_streamed(buyer, "Calculate the purchase total.")
        async for _ in run.stream_events():
            pass
    else:
        await Runner.run(buyer, "Calculate the purchase total.")
    assert starts == [("Buyer", None), ("Calculator", purchase)]
    assert ends == [("Calculator", purchase, "50"), ("Buyer", None, "50")]
