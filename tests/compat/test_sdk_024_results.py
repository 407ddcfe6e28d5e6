"""Compatibility (SDK 0.23/0.24): what results offer beside their fields.

``to_input_list(mode="preserve_all" | "normalized")``, ``max_turns``, ``RunResultStreaming.run_loop_exception``,
``release_agents()`` on results and ``release_agent()`` on items, ``RunState.max_turns``. Learnt from the SDK's
result.py and items.py (and its CHANGELOG); the scenarios are our own.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

from agents_otel import (
    Agent,
    MaxTurnsExceeded,
    Runner,
    UserError,
    function_tool,
    handoff,
)
from agents_otel.handoff_filters import remove_all_tools
from agents_otel.items import ToolCallItem, ToolCallOutputItem
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
def lookup() -> str:
    return "found"


def _filtered_handoff_run() -> tuple[Agent[Any], Agent[Any]]:
    b = Agent("B", model=ScriptedModel([[assistant_message("b")]]))
    model = ScriptedModel(
        [[function_call("lookup", {}, call_id="c1")], [function_call("transfer_to_b", {}, call_id="h1")]]
    )
    return Agent("A", model=model, tools=[lookup], handoffs=[handoff(b, input_filter=remove_all_tools)]), b


async def test_the_modes_agree_for_an_ordinary_run() -> None:
    model = ScriptedModel([[function_call("lookup", {}, call_id="c1")], [assistant_message("done")]])
    result = await Runner.run(Agent("A", model=model, tools=[lookup]), "go")
    plain = result.to_input_list()
    assert plain == result.to_input_list(mode="preserve_all") == result.to_input_list(mode="normalized")
    assert [i.get("type", i.get("role")) for i in plain] == ["user", "function_call", "function_call_output", "message"]


async def test_after_an_input_filter_preserve_all_keeps_what_the_filter_hid() -> None:
    agent, _ = _filtered_handoff_run()
    result = await Runner.run(agent, "go")
    normalized = result.to_input_list(mode="normalized")
    preserved = result.to_input_list()  # the SDK's default
    assert result.to_input_list(mode="preserve_all") == preserved
    assert not any(i.get("call_id") == "c1" for i in normalized)  # what B read: the tool calls filtered out
    assert [i.get("call_id") for i in preserved if i.get("type") == "function_call"] == ["c1", "h1"]
    assert preserved[0] == {"role": "user", "content": "go"}
    assert preserved[-1] == normalized[-1]  # B's answer ends both
    assert preserved == [{"role": "user", "content": "go"}, *(i.to_input_item() for i in result.new_items)]


async def test_an_unknown_mode_is_a_user_error() -> None:
    result = await Runner.run(Agent("A", model=ScriptedModel([[assistant_message("hi")]])), "go")
    with pytest.raises(UserError, match="preserve_all"):
        result.to_input_list(mode="everything")  # type: ignore[arg-type]


async def test_a_streamed_result_offers_the_modes_too() -> None:
    agent, _ = _filtered_handoff_run()
    result = Runner.run_streamed(agent, "go")
    assert result.to_input_list(mode="normalized") == [{"role": "user", "content": "go"}]  # not started: the input
    async for _ in result.stream_events():
        pass
    assert len(result.to_input_list()) > len(result.to_input_list(mode="normalized"))


async def test_max_turns_is_on_the_result_and_the_state() -> None:
    def agent() -> Agent[Any]:
        return Agent("A", model=ScriptedModel([[assistant_message("hi")]]))

    assert (await Runner.run(agent(), "go")).max_turns == 10
    assert (await Runner.run(agent(), "go", max_turns=3)).max_turns == 3
    assert (await Runner.run(agent(), "go", max_turns=None)).max_turns is None
    assert Runner.run_streamed(agent(), "go", max_turns=4).max_turns == 4

    @function_tool(needs_approval=True)
    def wipe() -> str:
        return "wiped"

    gated = Agent("A", tools=[wipe], model=ScriptedModel([[function_call("wipe", {})], [assistant_message("ok")]]))
    paused = await Runner.run(gated, "go", max_turns=5)
    state = paused.to_state()
    assert paused.max_turns == state.max_turns == 5
    state.approve(paused.interruptions[0])
    resumed = Runner.run_streamed(gated, state, max_turns=99)  # a resumed run keeps the limit it started with
    assert resumed.max_turns == 5
    async for _ in resumed.stream_events():
        pass
    assert resumed.max_turns == 5 and resumed.final_output == "ok"


async def test_run_loop_exception_is_what_ended_the_streamed_run() -> None:
    model = ScriptedModel([[function_call("lookup", {})]] * 3)
    result = Runner.run_streamed(Agent("A", model=model, tools=[lookup]), "go", max_turns=1)
    assert result.run_loop_exception is None  # still running
    with pytest.raises(MaxTurnsExceeded) as raised:
        async for _ in result.stream_events():
            pass
    assert result.run_loop_exception is raised.value

    ok = Runner.run_streamed(Agent("A", model=ScriptedModel([[assistant_message("hi")]])), "go")
    async for _ in ok.stream_events():
        pass
    assert ok.run_loop_exception is None


async def test_release_agents_leaves_the_agents_to_the_application() -> None:
    model = ScriptedModel([[function_call("lookup", {}, call_id="c1")], [assistant_message("done")]])
    agent: Agent[Any] | None = Agent("A", model=model, tools=[lookup])
    assert agent is not None
    result = await Runner.run(agent, "go")
    result.release_agents()
    assert result.last_agent is agent  # still held by the application
    assert all(item.agent is agent for item in result.new_items)

    del agent
    gc.collect()
    assert result.last_agent is None
    assert all(item.agent is None for item in result.new_items)
    assert result.final_output == "done" and result.to_input_list()[-1]["role"] == "assistant"


async def test_release_agents_can_keep_the_items_agents() -> None:
    agent: Agent[Any] | None = Agent("A", model=ScriptedModel([[assistant_message("hi")]]))
    result = await Runner.run(agent, "go")  # type: ignore[arg-type]
    result.release_agents(release_new_items=False)
    del agent
    gc.collect()
    kept = result.new_items[0].agent
    assert kept is not None and kept.name == "A"  # the item still holds it, as the SDK's does
    assert result.last_agent is kept  # so the result still reaches it


async def test_release_agent_on_one_tool_item() -> None:
    agent: Agent[Any] | None = Agent(
        "A", model=ScriptedModel([[function_call("lookup", {}, call_id="c1")], [assistant_message("done")]]),
        tools=[lookup],
    )
    result = await Runner.run(agent, "go")  # type: ignore[arg-type]
    call = next(i for i in result.new_items if isinstance(i, ToolCallItem))
    output = next(i for i in result.new_items if isinstance(i, ToolCallOutputItem))
    call.release_agent()
    call.release_agent()  # twice is harmless
    assert call.agent is agent
    result.release_agents()
    del agent
    gc.collect()
    assert call.agent is None and output.agent is None


async def test_a_streamed_result_releases_its_agents_once_ended() -> None:
    agent: Agent[Any] | None = Agent("A", model=ScriptedModel([[assistant_message("hi")]]))
    result = Runner.run_streamed(agent, "go")  # type: ignore[arg-type]
    async for _ in result.stream_events():
        pass
    result.release_agents()
    assert result.last_agent is agent and result.current_agent is agent
    del agent
    gc.collect()
    assert result.last_agent is None and result.new_items[0].agent is None


async def test_a_released_result_still_copies() -> None:
    import copy

    agent = Agent("A", model=ScriptedModel([[assistant_message("hi")]]))
    result = await Runner.run(agent, "go")
    result.release_agents()
    copied = copy.copy(result)
    assert copied.final_output == "hi" and copied.last_agent is agent


async def test_both_results_are_run_results_and_the_stream_shows_its_task() -> None:
    from agents_otel.result import RunResultBase

    agent = Agent("A", model=ScriptedModel([[assistant_message("hi")], [assistant_message("again")]]))
    assert isinstance(await Runner.run(agent, "go"), RunResultBase)
    streamed = Runner.run_streamed(agent, "go")
    assert isinstance(streamed, RunResultBase)
    task = streamed.run_loop_task
    assert task is not None and not task.done()
    async for _ in streamed.stream_events():
        pass
    assert task.done() and streamed.run_loop_exception is None
