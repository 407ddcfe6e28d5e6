"""Compatibility (SDK 0.24): approval decisions made through a run's context, and what contexts show.

The SDK lets code inside a run decide on tool calls ahead of the approval gate: ``RunContextWrapper`` (and so
``ToolContext`` and ``AgentHookContext``) has ``approve_tool`` / ``reject_tool`` / ``is_tool_approved`` /
``get_approval_status`` / ``get_rejection_message``, writing the same decisions ``RunState.approve`` / ``reject``
write. Learnt from the SDK's run_context.py, tool_context.py, run_internal/tool_execution.py (a call's status is read
before and after its ``needs_approval`` policy; a rejection answers even a tool that needs no approval) and tests
test_run_context_wrapper.py / test_run_context_approvals.py; the scenarios here are our own.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.responses import ResponseFunctionToolCall

from agents_otel import (
    Agent,
    AgentHooks,
    RunConfig,
    RunContextWrapper,
    RunHooks,
    Runner,
    ToolApprovalItem,
    UserError,
    function_tool,
)
from agents_otel.items import FunctionCall, FunctionCallOutput
from agents_otel.lifecycle import AgentHookContext
from agents_otel.models.interface import ModelResponse
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tool_context import ToolContext

ran: list[str] = []


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()


@function_tool(needs_approval=True)
def wipe(path: str) -> str:
    """Delete a file."""
    ran.append(f"wipe {path}")
    return f"wiped {path}"


@function_tool
def look(path: str) -> str:
    """Read a file."""
    ran.append(f"look {path}")
    return f"contents of {path}"


def _item(name: str, call_id: str, arguments: str = "{}") -> ToolApprovalItem:
    return ToolApprovalItem(FunctionCall(name, arguments, call_id), "Ops")


def _outputs(model: Any, request: int) -> dict[str, Any]:
    return {i.call_id: i.output for i in model.calls[request].input if isinstance(i, FunctionCallOutput)}


# ---- a wrapper made outside a run keeps decisions of its own -------------------------------------------------------


def test_a_standalone_wrapper_records_and_reads_back_decisions() -> None:
    wrapper: RunContextWrapper[None] = RunContextWrapper(None)
    assert wrapper.is_tool_approved("wipe", "c1") is None
    assert wrapper.turn_input == []

    wrapper.approve_tool(_item("wipe", "c1"))
    wrapper.reject_tool(_item("wipe", "c2"), rejection_message="not that one")
    assert wrapper.is_tool_approved("wipe", "c1") is True
    assert wrapper.get_approval_status("wipe", "c2") is False
    assert wrapper.get_rejection_message("wipe", "c2") == "not that one"
    assert wrapper.get_rejection_message("wipe", "c1") is None
    assert wrapper.is_tool_approved("wipe", "c3") is None  # a per-call decision reaches no other call

    wrapper.reject_tool(_item("wipe", "c4"), always_reject=True)
    assert wrapper.is_tool_approved("wipe", "c9") is False  # a standing one reaches every call of the tool
    assert wrapper.get_rejection_message("wipe", "c9") is None  # none given: the model reads the default
    wrapper.approve_tool(_item("wipe", "c9"))
    assert wrapper.is_tool_approved("wipe", "c9") is True  # the call's own decision wins


def test_decisions_are_per_wrapper_and_checked() -> None:
    one: RunContextWrapper[None] = RunContextWrapper(None)
    other: RunContextWrapper[None] = RunContextWrapper(None)
    one.approve_tool(_item("wipe", "c1"), always_approve=True)
    assert other.is_tool_approved("wipe", "c1") is None
    with pytest.raises(UserError, match="ToolApprovalItem"):
        one.approve_tool("c1")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="rejection_message"):
        one.reject_tool(_item("wipe", "c1"), rejection_message=3)  # type: ignore[arg-type]


def test_a_hosted_mcp_decision_stays_with_its_server() -> None:
    wrapper: RunContextWrapper[None] = RunContextWrapper(None)
    request = {"type": "mcp_approval_request", "id": "r1", "name": "search", "arguments": "{}", "server_label": "a"}
    item = ToolApprovalItem.for_mcp_request(request, "Ops")
    wrapper.approve_tool(item, always_approve=True)
    other = ToolApprovalItem.for_mcp_request({**request, "id": "r2", "server_label": "b"}, "Ops")
    same = ToolApprovalItem.for_mcp_request({**request, "id": "r3"}, "Ops")
    assert wrapper.get_approval_status("search", "r3", existing_pending=same) is True
    assert wrapper.get_approval_status("search", "r2", existing_pending=other) is None
    assert wrapper.is_tool_approved("search", "r2") is None  # never a function tool's of the same name


def test_tool_context_from_agent_context_shares_the_decisions() -> None:
    base: RunContextWrapper[dict[str, int]] = RunContextWrapper({"n": 1}, turn_input=[{"role": "user", "content": "x"}])
    call = FunctionCall("look", '{"path": "a"}', "c1")
    ctx = ToolContext.from_agent_context(base, "c1", call, tool_namespace="files", run_config=RunConfig())
    assert (ctx.tool_name, ctx.tool_arguments, ctx.tool_call_id) == ("look", '{"path": "a"}', "c1")
    assert ctx.context == {"n": 1} and ctx.usage is base.usage and ctx.turn_input == base.turn_input
    assert ctx.tool_namespace == "files" and isinstance(ctx.run_config, RunConfig)
    ctx.reject_tool(_item("wipe", "c7"), rejection_message="no")
    assert base.get_rejection_message("wipe", "c7") == "no"  # one record, as the SDK shares it
    again = ToolContext.from_agent_context(ctx, "c2", tool_name="look", tool_arguments="{}")
    assert again.run_config is ctx.run_config and again.is_tool_approved("wipe", "c7") is False
    with pytest.raises(UserError, match="tool_call"):
        ToolContext.from_agent_context(base, "c3")
    plain = ToolContext(None, tool_name="look", tool_call_id="c1")
    assert plain.tool_namespace is None and plain.run_config is None and plain.turn_input == []


# ---- decisions made in the run are honoured by its approval gate ---------------------------------------------------


class PreApprove(RunHooks[Any]):
    """Decides on the calls of each model answer as soon as it arrives, before the gate sees them."""

    def __init__(self, approve: bool, message: str | None = None, always: bool = False) -> None:
        self.approve, self.message, self.always = approve, message, always

    async def on_llm_end(self, context: RunContextWrapper[Any], agent: Any, response: ModelResponse) -> None:
        for call in response.output:  # the openai items, as an SDK hook reads them; the item built the SDK's way
            if isinstance(call, ResponseFunctionToolCall) and call.name == "wipe":
                item = ToolApprovalItem(agent=agent, raw_item=call)
                if self.approve:
                    context.approve_tool(item, always_approve=self.always)
                else:
                    context.reject_tool(item, always_reject=self.always, rejection_message=self.message)


async def test_a_hook_approving_a_call_lets_it_run_without_a_pause() -> None:
    model = ScriptedModel([[function_call("wipe", {"path": "a"}, call_id="c1")], [assistant_message("done")]])
    agent = Agent(name="Ops", tools=[wipe], model=model)
    result = await Runner.run(agent, "clean", hooks=PreApprove(approve=True))
    assert result.final_output == "done" and result.interruptions == []
    assert ran == ["wipe a"]
    assert result.context_wrapper is not None and result.context_wrapper.is_tool_approved("wipe", "c1") is True


async def test_a_hook_rejecting_a_call_answers_the_model_with_its_message() -> None:
    model = ScriptedModel([[function_call("wipe", {"path": "a"}, call_id="c1")], [assistant_message("ok")]])
    agent = Agent(name="Ops", tools=[wipe], model=model)
    result = await Runner.run(agent, "clean", hooks=PreApprove(approve=False, message="policy says no"))
    assert result.final_output == "ok" and ran == []
    assert _outputs(model, 1) == {"c1": "policy says no"}


async def test_a_per_call_decision_leaves_the_next_call_to_the_gate() -> None:
    class First(RunHooks[Any]):
        async def on_llm_end(self, context: RunContextWrapper[Any], agent: Any, response: ModelResponse) -> None:
            if context.usage.requests == 1:
                context.approve_tool(_item("wipe", "c1"))

    model = ScriptedModel(
        [
            [function_call("wipe", {"path": "a"}, call_id="c1")],
            [function_call("wipe", {"path": "b"}, call_id="c2")],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="Ops", tools=[wipe], model=model)
    result = await Runner.run(agent, "clean", hooks=First())
    assert ran == ["wipe a"]
    (waiting,) = result.interruptions
    assert waiting.call_id == "c2"

    state = result.to_state()
    state.approve(waiting)
    resumed = await Runner.run(agent, state)
    assert resumed.final_output == "done" and ran == ["wipe a", "wipe b"]


async def test_a_standing_decision_in_agent_start_covers_every_call_of_the_tool() -> None:
    class Trusting(AgentHooks[Any]):
        async def on_start(self, context: AgentHookContext[Any], agent: Any) -> None:
            context.approve_tool(_item("wipe", "seed"), always_approve=True)

    model = ScriptedModel(
        [
            [function_call("wipe", {"path": "a"}, call_id="c1"), function_call("wipe", {"path": "b"}, call_id="c2")],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="Ops", tools=[wipe], model=model, hooks=Trusting())
    result = await Runner.run(agent, "clean")
    assert result.final_output == "done" and sorted(ran) == ["wipe a", "wipe b"]


async def test_a_policy_may_decide_through_its_context() -> None:
    def policy(ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str) -> bool:
        item = _item("wipe_guarded", call_id, json.dumps(params))
        if params["path"] == "secret":
            ctx.reject_tool(item, rejection_message="secret files stay")
        else:
            ctx.approve_tool(item)
        return True

    @function_tool(needs_approval=policy)
    def wipe_guarded(path: str) -> str:
        ran.append(f"wipe {path}")
        return "ok"

    model = ScriptedModel(
        [
            [
                function_call("wipe_guarded", {"path": "secret"}, call_id="c1"),
                function_call("wipe_guarded", {"path": "tmp"}, call_id="c2"),
            ],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="Ops", tools=[wipe_guarded], model=model)
    result = await Runner.run(agent, "clean")
    assert result.final_output == "done" and result.interruptions == []
    assert ran == ["wipe tmp"]
    assert _outputs(model, 1) == {"c1": "secret files stay", "c2": "ok"}


async def test_a_tool_rejecting_another_tool_for_the_run_answers_its_later_calls() -> None:
    @function_tool
    def lock(ctx: ToolContext[Any]) -> str:
        """Lock the files: no more reads in this run."""
        ctx.reject_tool(_item("look", ctx.tool_call_id), always_reject=True, rejection_message="locked")
        return "locked"

    model = ScriptedModel(
        [
            [function_call("lock", {}, call_id="c1")],
            [function_call("look", {"path": "a"}, call_id="c2")],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="Ops", tools=[lock, look], model=model)
    result = await Runner.run(agent, "go")
    assert result.final_output == "done"
    assert ran == []  # look needs no approval, yet a rejection answers it, as in the SDK
    assert _outputs(model, 2)["c2"] == "locked"


async def test_a_streamed_run_honours_a_decision_made_in_a_tool_and_context_shows_it() -> None:
    seen: list[Any] = []

    @function_tool
    def grant(ctx: ToolContext[Any]) -> str:
        ctx.approve_tool(_item("wipe", "c2"))
        seen.append((ctx.turn_input, ctx.run_config, ctx.tool_namespace))
        return "granted"

    model = ScriptedModel(
        [
            [function_call("grant", {}, call_id="c1")],
            [function_call("wipe", {"path": "a"}, call_id="c2")],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="Ops", tools=[grant, wipe], model=model)
    config = RunConfig(workflow_name="ctx")
    result = Runner.run_streamed(agent, "go", run_config=config)
    async for _ in result.stream_events():
        pass
    assert result.final_output == "done" and ran == ["wipe a"]
    ((turn_input, run_config, namespace),) = seen
    assert turn_input == [{"role": "user", "content": "go"}]
    assert run_config is config and namespace is None
    assert result.context_wrapper.is_tool_approved("wipe", "c2") is True


async def test_turn_input_is_the_agent_turns_input_on_every_wrapper() -> None:
    seen: dict[str, Any] = {}

    class Watch(RunHooks[Any]):
        async def on_agent_start(self, context: AgentHookContext[Any], agent: Any) -> None:
            seen["hook"] = context.turn_input

        async def on_llm_start(self, context: RunContextWrapper[Any], agent: Any, *args: Any) -> None:
            seen["wrapper"] = context.turn_input

    model = ScriptedModel([[assistant_message("hi")]])
    await Runner.run(Agent(name="Ops", model=model), "hello", hooks=Watch())
    assert seen["hook"] == seen["wrapper"] == [{"role": "user", "content": "hello"}]


async def test_the_namespace_of_a_namespaced_tool() -> None:
    from agents_otel import tool_namespace

    seen: list[str | None] = []

    @function_tool
    def find(ctx: ToolContext[Any], q: str) -> str:
        seen.append(ctx.tool_namespace)
        return q

    tools = tool_namespace(name="docs", description="Search the docs", tools=[find])
    model = ScriptedModel([[function_call("find", {"q": "x"}, call_id="c1")], [assistant_message("done")]])
    await Runner.run(Agent(name="Ops", tools=list(tools), model=model), "go")
    assert seen == ["docs"]


async def test_a_decision_made_before_a_pause_travels_with_the_state() -> None:
    model = ScriptedModel(
        [
            [function_call("wipe", {"path": "a"}, call_id="c1")],
            [function_call("wipe", {"path": "b"}, call_id="c2")],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="Ops", tools=[wipe], model=model)
    first = await Runner.run(agent, "clean")
    assert first.context_wrapper is not None
    first.context_wrapper.approve_tool(first.interruptions[0])  # the SDK's result.context_wrapper, then to_state
    first.context_wrapper.reject_tool(_item("wipe", "c2"), rejection_message="only a")
    result = await Runner.run(agent, first.to_state())
    assert result.final_output == "done" and ran == ["wipe a"]
    assert _outputs(model, 2)["c2"] == "only a"


async def test_a_resumed_runs_contexts_show_its_turn_input() -> None:
    seen: list[Any] = []

    @function_tool(needs_approval=True)
    def guarded(ctx: ToolContext[Any]) -> str:
        seen.append(ctx.turn_input)
        return "ok"

    model = ScriptedModel([[function_call("guarded", {}, call_id="c1")], [assistant_message("done")]])
    agent = Agent(name="Ops", tools=[guarded], model=model)
    first = await Runner.run(agent, "start here")
    state = first.to_state()
    state.approve(first.interruptions[0])
    await Runner.run(agent, state)
    ((turn_input),) = seen
    assert turn_input[0] == {"role": "user", "content": "start here"}


def test_an_approval_item_is_built_with_the_sdks_constructor() -> None:
    agent = Agent(name="Ops", tools=[wipe])
    call = ResponseFunctionToolCall(type="function_call", call_id="c9", name="wipe", arguments='{"path": "b"}')
    for item in (ToolApprovalItem(agent, call), ToolApprovalItem(agent=agent, raw_item=call.model_dump())):
        assert (item.agent, item.tool_name, item.call_id, item.arguments) == (agent, "wipe", "c9", '{"path": "b"}')
        assert item.raw_item.call_id == "c9" and item.server_label is None
    named = ToolApprovalItem(agent, call, "wipe_v2")  # the SDK's third positional field: the tool's name
    assert named.tool_name == "wipe_v2" and named.call_id == "c9"
    request = {"type": "mcp_approval_request", "id": "mcpr_1", "name": "roll", "arguments": "{}"}
    request["server_label"] = "dice"
    hosted = ToolApprovalItem(agent=agent, raw_item=request)
    assert (hosted.server_label, hosted.call_id, hosted.tool_name) == ("dice", "mcpr_1", "roll")
    with pytest.raises(TypeError, match="takes the agent and the model's function_call"):
        ToolApprovalItem(agent=agent, raw_item=42)
    ours = ToolApprovalItem(FunctionCall("wipe", "{}", "c1"), "Ops")  # the runtime's own form is unchanged
    assert (ours.agent_name, ours.call_id, ours.agent) == ("Ops", "c1", None)
