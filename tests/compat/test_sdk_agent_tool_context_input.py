"""Compatibility: ``ctx.tool_input`` in the run of an agent used as a tool, as in the OpenAI Agents SDK.

With ``as_tool(parameters=...)`` (or an ``input_builder``) every context of the nested run — the inner agent's
dynamic instructions, its tools, its hooks, its result's ``context_wrapper`` — shows the tool call's validated
arguments as JSON-ready data; the plain free-text agent tool, the enclosing run and a tool context built by hand
show ``None``.
"""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import BaseModel
from support import Tracing

from agents_otel import (
    Agent,
    AgentHookContext,
    AgentHooks,
    RunContextWrapper,
    Runner,
    ToolContext,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


class Translation(BaseModel):
    text: str
    target: str
    day: datetime.date | None = None


def outer_agent(tool: Any, arguments: dict[str, Any], seen: list[Any]) -> Agent[Any]:
    @function_tool
    def outer_probe(ctx: ToolContext[Any]) -> str:
        seen.append(("outer tool", ctx.tool_input))
        return "ok"

    def instructions(ctx: RunContextWrapper[Any], agent: Agent[Any]) -> str:
        seen.append(("outer instructions", ctx.tool_input))
        return "Orchestrate."

    model = ScriptedModel(
        [
            [function_call(tool.name, arguments, call_id="c1"), function_call("outer_probe", {}, call_id="c2")],
            [assistant_message("done")],
        ]
    )
    return Agent(name="Orchestrator", instructions=instructions, tools=[tool, outer_probe], model=model)


def inner_agent(seen: list[Any]) -> Agent[Any]:
    @function_tool
    def lookup(ctx: ToolContext[Any]) -> str:
        seen.append(("inner tool", ctx.tool_input))
        return "found"

    def instructions(ctx: RunContextWrapper[Any], agent: Agent[Any]) -> str:
        seen.append(("inner instructions", ctx.tool_input))
        target = (ctx.tool_input or {}).get("target")
        return f"Translate into {target}." if target else "Translate."

    class Hooks(AgentHooks[Any]):
        async def on_start(self, context: AgentHookContext[Any], agent: Agent[Any]) -> None:
            seen.append(("inner on_start", context.tool_input))

    model = ScriptedModel([[function_call("lookup", {}, call_id="i1")], [assistant_message("hello")]])
    return Agent(name="Translator", instructions=instructions, tools=[lookup], hooks=Hooks(), model=model)


async def test_the_nested_runs_contexts_show_the_structured_arguments(tracing: Tracing) -> None:
    seen: list[Any] = []
    inner = inner_agent(seen)
    tool = inner.as_tool("translate", "Translate.", parameters=Translation)
    agent = outer_agent(tool, {"text": "hola", "target": "en", "day": "2024-02-29"}, seen)
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "done"
    args = {"text": "hola", "target": "en", "day": "2024-02-29"}  # JSON-ready, as the SDK dumps it
    assert ("inner instructions", args) in seen
    assert ("inner tool", args) in seen
    assert ("inner on_start", args) in seen
    assert ("outer instructions", None) in seen and ("outer tool", None) in seen
    assert all(value == args for where, value in seen if where.startswith("inner"))
    assert all(value is None for where, value in seen if where.startswith("outer"))
    assert result.context_wrapper is not None and result.context_wrapper.tool_input is None
    assert inner.model.calls[0].system_instructions == "Translate into en."  # type: ignore[union-attr]


async def test_an_input_builder_without_parameters_shows_the_input_field(tracing: Tracing) -> None:
    seen: list[Any] = []
    inner = inner_agent(seen)
    tool = inner.as_tool("translate", "Translate.", input_builder=lambda options: options["params"]["input"])
    agent = outer_agent(tool, {"input": "hola"}, seen)
    await Runner.run(agent, "go", run_config=tracing.config)
    assert ("inner tool", {"input": "hola"}) in seen


async def test_the_plain_agent_tool_shows_none(tracing: Tracing) -> None:
    seen: list[Any] = []
    inner = inner_agent(seen)
    agent = outer_agent(inner.as_tool("translate", "Translate."), {"input": "hola"}, seen)
    await Runner.run(agent, "go", run_config=tracing.config)
    assert [value for _, value in seen] == [None] * len(seen) and len(seen) >= 4


def test_hand_made_contexts_default_to_none_and_take_it_by_keyword() -> None:
    assert RunContextWrapper(None).tool_input is None
    assert ToolContext(None, tool_name="t", tool_call_id="c").tool_input is None
    assert ToolContext(None, tool_name="t", tool_call_id="c", tool_input={"a": 1}).tool_input == {"a": 1}
    hook_context = AgentHookContext(None, None, ["turn"], tool_input={"a": 1})  # type: ignore[arg-type]
    assert hook_context.turn_input == ["turn"] and hook_context.tool_input == {"a": 1}
