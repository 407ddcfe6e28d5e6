"""Compatibility (SDK 0.25): approvals of runs nested in agent tools, and tool guardrail verdicts across a resume.

Learnt from the SDK 0.25 changelog entries "resume nested approval checkpoints with output guardrails" (#5629) and
"retain tool guardrail results after approval and resume" (#5643), and tool_context.py's routing of a decision made
through a kept ``ToolContext`` to the nested run that waits (tests test_agent_runner_streamed.py,
test_agent_runner.py, test_agent_as_tool.py). The first two already behaved the 0.25 way here and are pinned; the
third is new: such a decision used to land on the outer run, where the nested call never read it. The scenarios
here are our own.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import run_in_mode

from agents_otel import (
    Agent,
    FunctionTool,
    GuardrailFunctionOutput,
    OutputGuardrail,
    RunConfig,
    RunContextWrapper,
    RunHooks,
    Runner,
    RunState,
    SQLiteSession,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrailData,
    ToolOutputGuardrailData,
    function_tool,
    tool_input_guardrail,
    tool_output_guardrail,
)
from agents_otel.run_config import ToolExecutionConfig
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tool_context import ToolContext


async def _run(agent: Agent[Any], value: Any, streamed: bool, **kwargs: Any) -> Any:
    return await run_in_mode(agent, "streamed" if streamed else "plain", value, **kwargs)


@pytest.mark.parametrize("pre_approval", [False, True], ids=["after-approval", "pre-approval"])
@pytest.mark.parametrize("streamed", [False, True], ids=["run", "streamed"])
async def test_tool_guardrail_verdicts_of_an_approved_call_survive_resume(streamed: bool, pre_approval: bool) -> None:
    judged = 0
    ran = 0

    @tool_input_guardrail
    def count_inputs(_data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        nonlocal judged
        judged += 1
        return ToolGuardrailFunctionOutput.allow(output_info=judged)

    @tool_output_guardrail
    def note_output(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
        return ToolGuardrailFunctionOutput.allow(output_info=data.context.tool_call_id)

    @function_tool(needs_approval=True, tool_input_guardrails=[count_inputs], tool_output_guardrails=[note_output])
    def transfer() -> str:
        """Move money."""
        nonlocal ran
        ran += 1
        return "moved"

    agent = Agent(
        name="bank",
        model=ScriptedModel([[function_call("transfer", {}, call_id="tx")], [assistant_message("done")]]),
        tools=[transfer],
    )
    config = RunConfig(tool_execution=ToolExecutionConfig(pre_approval_tool_input_guardrails=pre_approval))
    first = await _run(agent, "pay", streamed, run_config=config)
    assert (len(first.interruptions), judged, ran) == (1, int(pre_approval), 0)
    assert len(first.tool_input_guardrail_results) == int(pre_approval)
    state = first.to_state()
    state.approve(first.interruptions[0])
    resumed = await _run(agent, await RunState.from_string(agent, state.to_string()), streamed, run_config=config)
    inputs = [1, 2] if pre_approval else [1]
    assert (resumed.final_output, ran) == ("done", 1)
    assert [r.output.output_info for r in resumed.tool_input_guardrail_results] == inputs
    assert [r.output.output_info for r in resumed.tool_output_guardrail_results] == ["tx"]
    stored = resumed.to_state().to_json()["guardrail_results"]
    assert [r["output_info"] for r in stored["tool_input"]] == inputs
    assert [r["output_info"] for r in stored["tool_output"]] == ["tx"]


@pytest.mark.parametrize("streamed", [False, True], ids=["run", "streamed"])
async def test_stored_nested_approvals_resume_under_a_parent_output_guardrail(streamed: bool) -> None:
    ran: list[str] = []
    judged: list[str] = []

    @function_tool(needs_approval=True)
    def check(label: str) -> str:
        """Check a label."""
        ran.append(label)
        return label

    def guard(_ctx: RunContextWrapper[Any], _agent: Agent[Any], output: str) -> GuardrailFunctionOutput:
        judged.append(output)
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    # The child's second call reuses the id of the parent's first (finished) agent-tool call.
    child_steps: list[Any] = []
    parent_steps: list[Any] = []
    for label, inner_id in (("alpha", "inner-alpha"), ("beta", "outer-alpha")):
        child_steps += [[function_call("check", {"label": label}, call_id=inner_id)], [assistant_message(label)]]
        parent_steps.append([function_call("ask", {"input": label}, call_id=f"outer-{label}")])
    parent_steps.append([assistant_message("done")])
    child = Agent(name="child", model=ScriptedModel(child_steps), tools=[check])
    parent = Agent(
        name="parent",
        model=ScriptedModel(parent_steps),
        tools=[child.as_tool(tool_name="ask", tool_description="Check a label")],
        output_guardrails=[OutputGuardrail(guardrail_function=guard)],
    )
    session = SQLiteSession("nested-guarded")
    result = await _run(parent, "check alpha and beta", streamed, session=session)
    for index, inner_id in enumerate(("inner-alpha", "outer-alpha")):
        state = await RunState.from_string(parent, result.to_state().to_string())
        (waiting,) = state.get_interruptions()
        assert waiting.agent is child and waiting.raw_item.call_id == inner_id
        assert ran == ["alpha", "beta"][:index]
        state.approve(waiting)
        result = await _run(parent, state, streamed, session=session)
    assert (result.final_output, ran, judged) == ("done", ["alpha", "beta"], ["done"])
    calls = [i.get("name") for i in await session.get_items() if i.get("type") == "function_call"]
    assert calls == ["ask", "ask"]


class _KeepDelegateContext(RunHooks[Any]):
    """Keeps the ToolContext of the agent-tool call, as an application's hook may."""

    def __init__(self, delegate: FunctionTool) -> None:
        self.delegate = delegate
        self.context: ToolContext[Any] | None = None

    async def on_tool_start(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any) -> None:
        if tool is self.delegate:
            assert isinstance(context, ToolContext)
            self.context = context


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
@pytest.mark.parametrize("through_middle", [False, True], ids=["direct", "through-middle"])
async def test_a_kept_tool_context_decides_the_nested_run_that_waits(approve: bool, through_middle: bool) -> None:
    booked: list[str] = []

    @function_tool(needs_approval=True)
    def book(room: str) -> str:
        """Book a room."""
        booked.append(room)
        return f"booked {room}"

    worker = Agent(
        name="Worker",
        model=ScriptedModel([[function_call("book", {"room": "Oak"}, call_id="inner")]]),
        tools=[book],
        tool_use_behavior="stop_on_first_tool",
    )
    delegate = worker.as_tool("rooms", "Book rooms")
    if through_middle:

        @function_tool
        def wrap_up() -> str:
            """End."""
            return "wrapped"

        # The middle run's own later call reuses the worker's call id: the decision must not reach it.
        middle = Agent(
            name="Middle",
            model=ScriptedModel(
                [
                    [function_call("rooms", {"input": "book Oak"}, call_id="middle")],
                    [function_call("wrap_up", {}, call_id="inner")],
                ]
            ),
            tools=[delegate, wrap_up],
            tool_use_behavior={"stop_at_tool_names": ["wrap_up"]},
        )
        delegate = middle.as_tool("rooms", "Delegate rooms")
    lead = Agent(
        name="Lead",
        model=ScriptedModel([[function_call("rooms", {"input": "book Oak"}, call_id="outer")]]),
        tools=[delegate],
        tool_use_behavior="stop_on_first_tool",
    )
    hooks = _KeepDelegateContext(delegate)
    paused = await Runner.run(lead, "book Oak", hooks=hooks)
    (waiting,) = paused.interruptions
    assert hooks.context is not None and waiting.tool_name == "book"
    if approve:
        hooks.context.approve_tool(waiting)
    else:
        hooks.context.reject_tool(waiting, rejection_message="no rooms today")
    resumed = await Runner.run(lead, paused.to_state())
    assert resumed.interruptions == []
    assert booked == (["Oak"] if approve else [])
    worker_output = "booked Oak" if approve else "no rooms today"
    assert resumed.final_output == ("wrapped" if through_middle else worker_output)


async def test_a_kept_tool_context_tells_sibling_nested_runs_apart() -> None:
    confirmed: list[str] = []

    @function_tool(needs_approval=True)
    def confirm(ctx: ToolContext[Any]) -> str:
        """Confirm."""
        assert ctx.agent is not None
        confirmed.append(ctx.agent.name)
        return "confirmed"

    workers = [
        Agent(
            name=name,
            model=ScriptedModel([[function_call("confirm", {}, call_id="same")]]),
            tools=[confirm],
            tool_use_behavior="stop_on_first_tool",
        ).as_tool(name, "Confirm")
        for name in ("ann", "ben")
    ]
    team = Agent(
        name="Team",
        model=ScriptedModel([[function_call(w.name, {"input": "go"}, call_id=w.name) for w in workers]]),
        tools=workers,
        tool_use_behavior="stop_on_first_tool",
    )
    delegate = team.as_tool("team", "Ask both")
    top = Agent(
        name="Top",
        model=ScriptedModel([[function_call("team", {"input": "go"}, call_id="top")]]),
        tools=[delegate],
        tool_use_behavior="stop_on_first_tool",
    )
    hooks = _KeepDelegateContext(delegate)
    paused = await Runner.run(top, "go", hooks=hooks)
    waiting = {item.agent.name: item for item in paused.interruptions}
    assert set(waiting) == {"ann", "ben"} and hooks.context is not None
    hooks.context.approve_tool(waiting["ann"])
    hooks.context.reject_tool(waiting["ben"])
    resumed = await Runner.run(top, paused.to_state())
    assert (resumed.interruptions, confirmed) == ([], ["ann"])
