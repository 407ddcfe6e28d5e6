"""SDK 0.23 / 0.24 run-loop fixes, each driven through a real run.

- "validate tool_use_behavior callback results": a callable that returns anything but ``ToolsToFinalOutputResult``
  fails the run with a ``UserError`` (sync or async, streamed or not), before the model is called again.
- "preserve completed tool results when resuming approvals": a resumed turn's ``tool_use_behavior`` sees the calls
  that completed before the pause too.
- "resolve tools after agent start hooks": ``on_agent_start`` / ``AgentHooks.on_start`` may change the agent's
  tools (or what ``is_enabled`` reads) and the first model call offers, and the turn runs, the changed set.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agents_otel import (
    Agent,
    AgentHooks,
    ModelBehaviorError,
    RunContextWrapper,
    RunHooks,
    Runner,
    RunState,
    StopAtTools,
    ToolsToFinalOutputResult,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


async def finish(agent: Agent[Any], value: Any, streamed: bool, **kwargs: Any) -> Any:
    if streamed:
        result = Runner.run_streamed(agent, value, **kwargs)
        async for _ in result.stream_events():
            pass
        return result
    return await Runner.run(agent, value, **kwargs)


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("is_async", [False, True])
@pytest.mark.parametrize("valid", [False, True])
async def test_a_tool_use_behavior_callable_must_return_its_result_type(
    streamed: bool, is_async: bool, valid: bool
) -> None:
    asked: list[str] = []

    @function_tool
    def ping() -> str:
        return "pong"

    def decide(context: RunContextWrapper[Any], results: list[Any]) -> Any:
        asked.append(results[0].output)
        return ToolsToFinalOutputResult(is_final_output=True, final_output="done") if valid else "done"

    async def decide_async(context: RunContextWrapper[Any], results: list[Any]) -> Any:
        return decide(context, results)

    model = ScriptedModel([[function_call("ping", {}, call_id="p")]])
    agent = Agent(name="A", model=model, tools=[ping], tool_use_behavior=decide_async if is_async else decide)
    if valid:
        assert (await finish(agent, "go", streamed)).final_output == "done"
    else:
        with pytest.raises(UserError, match="tool_use_behavior callable must return ToolsToFinalOutputResult"):
            await finish(agent, "go", streamed)
    assert asked == ["pong"] and len(model.calls) == 1


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("serialized", [False, True])
@pytest.mark.parametrize("behavior", ["stop_at", "first", "custom"])
@pytest.mark.parametrize("gated_first", [False, True])
async def test_a_resumed_turn_decides_with_the_calls_completed_before_the_pause(
    streamed: bool, serialized: bool, behavior: str, gated_first: bool
) -> None:
    effects: list[str] = []
    seen: list[str] = []

    @function_tool
    def submit_order() -> str:
        effects.append("submit")
        return "order submitted"

    @function_tool(needs_approval=True)
    def notify_manager() -> str:
        effects.append("notify")
        return "manager notified"

    def finalize(ctx: RunContextWrapper[Any], results: list[Any]) -> ToolsToFinalOutputResult:
        seen.extend(r.tool.name for r in results)
        return ToolsToFinalOutputResult(is_final_output=True, final_output=results[0].output)

    calls = [function_call("submit_order", {}, call_id="s"), function_call("notify_manager", {}, call_id="n")]
    if gated_first:
        calls.reverse()
    model = ScriptedModel([calls])
    chosen: Any = {"stop_at": StopAtTools(stop_at_tool_names=["submit_order"]), "first": "stop_on_first_tool"}
    agent = Agent(
        name="orders", model=model, tools=[submit_order, notify_manager],
        tool_use_behavior=chosen.get(behavior, finalize),
    )
    state = (await finish(agent, "order", streamed)).to_state()
    if serialized:
        state = await RunState.from_string(agent, state.to_string())
    for interruption in state.get_interruptions():
        state.approve(interruption)
    result = await finish(agent, state, streamed)
    expected = "manager notified" if gated_first and behavior != "stop_at" else "order submitted"
    assert result.final_output == expected
    assert len(model.calls) == 1 and effects == ["submit", "notify"]
    if behavior == "custom":
        names = [c.name for c in calls]
        assert seen == names


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("hook_kind", ["run", "agent"])
@pytest.mark.parametrize("change", ["replace", "disable"])
@pytest.mark.parametrize("call_removed", [False, True])
async def test_tools_are_resolved_after_the_start_hooks(
    streamed: bool, hook_kind: str, change: str, call_removed: bool
) -> None:
    effects: list[str] = []
    enabled_seen: list[bool] = []

    def is_enabled(context: RunContextWrapper[dict[str, bool]], agent: Agent[Any]) -> bool:
        enabled_seen.append(context.context["enabled"])
        return context.context["enabled"]

    @function_tool(is_enabled=is_enabled)
    async def removed() -> str:
        effects.append("removed")
        return "removed"

    @function_tool
    async def permitted() -> str:
        effects.append("permitted")
        return "permitted"

    async def update(context: Any, agent: Agent[Any]) -> None:
        await asyncio.sleep(0)
        if change == "replace":
            agent.tools = [permitted]
        else:
            context.context["enabled"] = False

    class Run(RunHooks[Any]):
        async def on_agent_start(self, context: Any, agent: Agent[Any]) -> None:
            await update(context, agent)

    class Own(AgentHooks[Any]):
        async def on_start(self, context: Any, agent: Agent[Any]) -> None:
            await update(context, agent)

    model = ScriptedModel(
        [[function_call("removed" if call_removed else "permitted", {})], [assistant_message("done")]],
        check_calls=False,
    )
    agent = Agent(
        name="A", model=model, tools=[removed] if change == "replace" else [removed, permitted],
        hooks=Own() if hook_kind == "agent" else None,
    )
    kwargs: dict[str, Any] = {"context": {"enabled": True}, "hooks": Run() if hook_kind == "run" else None}
    if call_removed:
        with pytest.raises(ModelBehaviorError, match="removed"):
            await finish(agent, "go", streamed, **kwargs)
        assert effects == []
    else:
        assert (await finish(agent, "go", streamed, **kwargs)).final_output == "done"
        assert effects == ["permitted"]
    assert all([t.name for t in call.tools] == ["permitted"] for call in model.calls)
    if change == "disable":
        assert enabled_seen and not any(enabled_seen)
