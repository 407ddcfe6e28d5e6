"""Compatibility: approvals raised inside an agent used as a tool (``Agent.as_tool``), as in the OpenAI Agents SDK.

A tool of the nested agent that needs approval stops the nested run, and with it the outer run: the waiting call is
one of the outer ``result.interruptions`` (its ``agent`` the nested agent). ``state.approve`` / ``state.reject`` on
the outer state, then ``Runner.run(outer_agent, state)``: the nested run resumes where it stopped, and the outer turn
goes on with its answer. Learnt from the SDK's tests/test_hitl_error_scenarios.py (nested agent tool cases),
tests/test_run_state.py (recursive nesting) and tests/test_agent_as_tool.py; deliberate differences are marked.
"""

from __future__ import annotations

from typing import Any

import pytest
from approval_tools import delete_file, ran, read_file
from nested_approval_agents import two_deep, two_nested_runs_one_call_id
from support import Tracing

from agents_otel import (
    Agent,
    RunHooks,
    Runner,
    RunResult,
    RunResultStreaming,
    RunState,
    ToolGuardrailFunctionOutput,
    UserError,
    tool_input_guardrail,
    tool_output_guardrail,
)
from agents_otel.items import FunctionCallOutput
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()


def _inner(*steps: list[Any], name: str = "Inner") -> Agent[Any]:
    return Agent(name=name, tools=[delete_file, read_file], model=ScriptedModel(list(steps)))


def _outer(tool: Any, *steps: list[Any], tools: list[Any] | None = None) -> Agent[Any]:
    return Agent(name="Outer", tools=[tool, *(tools or [])], model=ScriptedModel(list(steps)))


def _outputs(agent: Agent[Any], request: int) -> dict[str, Any]:
    model: Any = agent.model
    return {i.call_id: i.output for i in model.calls[request].input if isinstance(i, FunctionCallOutput)}


async def _run(agent: Agent[Any], input: Any, streamed: bool, **kwargs: Any) -> RunResult | RunResultStreaming:
    if not streamed:
        return await Runner.run(agent, input, **kwargs)
    result = Runner.run_streamed(agent, input, **kwargs)
    async for _ in result.stream_events():
        pass
    return result


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_nested_approval_stops_the_outer_run_and_approving_resumes_both(streamed: bool) -> None:
    inner = _inner([function_call("delete_file", {"path": "a"}, call_id="i1")], [assistant_message("inner done")])
    outer = _outer(
        inner.as_tool("ask_inner", "Ask."),
        [function_call("ask_inner", {"input": "q"}, call_id="o1")],
        [assistant_message("done")],
    )
    first = await _run(outer, "go", streamed)

    assert first.final_output is None
    (item,) = first.interruptions
    assert (item.tool_name, item.call_id, item.agent) == ("delete_file", "i1", inner)
    assert ran == []
    assert len(outer.model.calls) == 1  # type: ignore[union-attr]
    state = first.to_state()
    assert [i.call_id for i in state.get_interruptions()] == ["i1"]
    state.approve(item)

    result = await _run(outer, state, streamed)

    assert result.final_output == "done"
    assert result.interruptions == []
    assert ran == ["delete a"]
    assert _outputs(inner, 1) == {"i1": "deleted a"}  # the nested run resumed with its own conversation
    assert _outputs(outer, 1) == {"o1": "inner done"}
    assert result.usage.requests == 4  # both runs' model calls, before and after the pause, once each
    kinds = [(type(i).__name__, getattr(i, "call_id", None)) for i in result.new_items]
    assert kinds.count(("ToolCallItem", "o1")) == 1 and kinds.count(("ToolCallOutputItem", "o1")) == 1


async def test_the_agent_tool_approval_comes_first_then_the_nested_one() -> None:
    inner = _inner([function_call("delete_file", {"path": "a"}, call_id="i1")], [assistant_message("hola")])
    outer = _outer(
        inner.as_tool("respond", "Respond.", needs_approval=True),
        [function_call("respond", {"input": "hola"}, call_id="o1")],
        [assistant_message("done")],
    )
    first = await Runner.run(outer, "go")
    assert [i.tool_name for i in first.interruptions] == ["respond"]
    state = first.to_state()
    state.approve(first.interruptions[0], always_approve=True)

    second = await Runner.run(outer, state)
    assert [i.tool_name for i in second.interruptions] == ["delete_file"]
    assert ran == []
    assert isinstance(second.to_input_list(), list)
    state = second.to_state()
    state.approve(second.interruptions[0])

    final = await Runner.run(outer, state)
    assert final.final_output == "done"
    assert ran == ["delete a"]


async def test_a_nested_rejection_resumes_the_nested_run_which_may_ask_again() -> None:
    inner = _inner(
        [function_call("delete_file", {"path": "a"}, call_id="i1")],
        [function_call("delete_file", {"path": "b"}, call_id="i2")],
        [assistant_message("gave up")],
    )
    outer = _outer(
        inner.as_tool("ask_inner", "Ask."),
        [function_call("ask_inner", {"input": "q"}, call_id="o1")],
        [assistant_message("done")],
    )
    first = await Runner.run(outer, "go")
    state = first.to_state()
    state.reject(first.interruptions[0], rejection_message="not that one")

    second = await Runner.run(outer, state)

    assert _outputs(inner, 1) == {"i1": "not that one"}  # the nested model read the rejection, not the outer one
    assert [i.call_id for i in second.interruptions] == ["i2"]
    assert len(outer.model.calls) == 1  # type: ignore[union-attr]
    assert not any(getattr(i, "call_id", None) == "o1" and type(i).__name__ == "ToolCallOutputItem"
                   for i in second.new_items)
    state = second.to_state()
    state.reject(second.interruptions[0])
    final = await Runner.run(outer, state)
    assert final.final_output == "done"
    assert _outputs(outer, 1) == {"o1": "gave up"}
    assert ran == []


async def test_several_nested_calls_pause_together_and_resume_each_with_its_own_decision() -> None:
    outer = two_nested_runs_one_call_id(function_call("read_file", {"path": "r"}, call_id="r1"), tools=[read_file])
    first = await Runner.run(outer, "go")

    assert [(i.call_id, i.arguments) for i in first.interruptions] == [
        ("same", '{"path": "a"}'),
        ("same", '{"path": "b"}'),
    ]
    assert ran == ["read r"]  # the turn's other call ran once, before the pause
    state = first.to_state()
    state.approve(first.interruptions[0])
    state.reject(first.interruptions[1])  # the same call id in another nested run: its own decision

    result = await Runner.run(outer, state)

    assert result.final_output == "done"
    assert ran == ["read r", "delete a"]
    assert _outputs(outer, 1) == {"o1": "a done", "r1": "contents", "o2": "b done"}


@pytest.mark.parametrize("approve", [True, False])
@pytest.mark.parametrize("streamed", [False, True])
async def test_a_decision_reaches_a_tool_two_agent_tools_deep(streamed: bool, approve: bool) -> None:
    agent = two_deep()
    first = await _run(agent, "start", streamed)
    state = first.to_state()
    (item,) = state.get_interruptions()
    if approve:
        state.approve(item)
    else:
        state.reject(item)

    result = await _run(agent, state, streamed)

    assert result.final_output == "d1"
    assert result.interruptions == []
    assert ran == (["delete x"] if approve else [])


async def test_nested_runs_do_not_inherit_the_outer_runs_decisions() -> None:
    inner = _inner([function_call("delete_file", {"path": "in"}, call_id="dup")], [assistant_message("x")])
    outer = _outer(
        inner.as_tool("ask_inner", "Ask."),
        [function_call("delete_file", {"path": "out"}, call_id="dup")],
        [function_call("ask_inner", {"input": "q"}, call_id="o1")],
        [assistant_message("done")],
        tools=[delete_file],
    )
    first = await Runner.run(outer, "go")
    state = first.to_state()
    state.approve(first.interruptions[0], always_approve=True)

    second = await Runner.run(outer, state)

    assert [(i.tool_name, i.agent) for i in second.interruptions] == [("delete_file", inner)]
    assert ran == ["delete out"]


async def test_decisions_on_one_state_do_not_reach_another() -> None:
    inner = _inner([function_call("delete_file", {"path": "a"}, call_id="i1")], [assistant_message("ok")])
    outer = _outer(
        inner.as_tool("ask_inner", "Ask."),
        [function_call("ask_inner", {"input": "q"}, call_id="o1")],
        [assistant_message("done")],
    )
    first = await Runner.run(outer, "go")
    approved, untouched = first.to_state(), first.to_state()
    approved.approve(first.interruptions[0])

    again = await Runner.run(outer, untouched)

    assert [i.call_id for i in again.interruptions] == ["i1"]  # still waiting: the decision was on the other state
    assert ran == []
    assert inner.model.calls[-1] is inner.model.calls[0]  # type: ignore[union-attr]  # no new model call


async def test_the_outer_tools_hooks_and_guardrails_run_once_across_the_pause() -> None:
    counts = {"start": 0, "end": 0, "input": 0, "output": 0}

    @tool_input_guardrail
    def count_input(data: Any) -> ToolGuardrailFunctionOutput:
        counts["input"] += 1
        return ToolGuardrailFunctionOutput.allow()

    @tool_output_guardrail
    def count_output(data: Any) -> ToolGuardrailFunctionOutput:
        counts["output"] += 1
        return ToolGuardrailFunctionOutput.allow()

    class Hooks(RunHooks[Any]):
        async def on_tool_start(self, context: Any, agent: Any, tool: Any) -> None:
            counts["start"] += tool.name == "delegate"

        async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: Any) -> None:
            counts["end"] += tool.name == "delegate"

    inner = _inner([function_call("delete_file", {"path": "a"}, call_id="i1")], [assistant_message("nested done")])
    tool = inner.as_tool("delegate", "Delegate.")
    tool.tool_input_guardrails = [count_input]
    tool.tool_output_guardrails = [count_output]
    outer = _outer(tool, [function_call("delegate", {"input": "q"}, call_id="o1")], [assistant_message("done")])

    first = await Runner.run(outer, "go", hooks=Hooks())
    assert counts == {"start": 1, "end": 0, "input": 1, "output": 0}
    state = first.to_state()
    state.approve(first.interruptions[0])
    result = await Runner.run(outer, state, hooks=Hooks())

    assert result.final_output == "done"
    assert counts == {"start": 1, "end": 1, "input": 1, "output": 1}


async def test_the_resumed_nested_run_stays_in_the_trace_under_the_outer_tool_and_links_back(tracing: Tracing) -> None:
    inner = _inner([function_call("delete_file", {"path": "a"}, call_id="i1")], [assistant_message("ok")])
    outer = _outer(
        inner.as_tool("ask_inner", "Ask."),
        [function_call("ask_inner", {"input": "q"}, call_id="o1")],
        [assistant_message("done")],
    )
    first = await Runner.run(outer, "go", run_config=tracing.config)
    (paused_tool,) = [s for s in tracing.named("execute_tool") if s.attributes["gen_ai.tool.call.id"] == "o1"]
    assert paused_tool.attributes["agents_otel.approvals.pending"] == 1
    nested_paused = next(s for s in tracing.named("invoke_agent") if s.attributes["gen_ai.agent.name"] == "Inner")
    assert nested_paused.parent.span_id == paused_tool.context.span_id  # type: ignore[union-attr]
    assert nested_paused.attributes["agents_otel.approvals.pending"] == 1
    state = first.to_state()
    state.approve(first.interruptions[0])

    await Runner.run(outer, state, run_config=tracing.config)

    tool_spans = [s for s in tracing.named("execute_tool") if s.attributes["gen_ai.tool.call.id"] == "o1"]
    resumed_tool = next(s for s in tool_spans if s is not paused_tool)
    assert resumed_tool.attributes["agents_otel.run.resumed"] is True
    nested = [s for s in tracing.named("invoke_agent") if s.attributes["gen_ai.agent.name"] == "Inner"]
    resumed_nested = next(s for s in nested if s is not nested_paused)
    assert resumed_nested.parent.span_id == resumed_tool.context.span_id  # type: ignore[union-attr]
    assert resumed_nested.attributes["agents_otel.run.resumed"] is True
    (link,) = resumed_nested.links
    assert link.context.span_id == nested_paused.context.span_id
    assert link.attributes["agents_otel.link.type"] == "resumes"
    assert all(s.context.trace_id == paused_tool.context.trace_id for s in tracing.spans())
    assert tracing.tool_span("i1").attributes["agents_otel.tool.approval"] == "approved"


async def test_a_state_is_resumed_with_the_outer_agent_only() -> None:
    inner = _inner([function_call("delete_file", {"path": "a"}, call_id="i1")])
    outer = _outer(inner.as_tool("ask_inner", "Ask."), [function_call("ask_inner", {"input": "q"}, call_id="o1")])
    state = (await Runner.run(outer, "go")).to_state()
    assert isinstance(state, RunState)
    with pytest.raises(UserError, match="resume with the agent the run started with"):
        await Runner.run(inner, state)
