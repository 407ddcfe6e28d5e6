"""Compatibility: human-in-the-loop tool approvals, as in the OpenAI Agents SDK.

``@function_tool(needs_approval=True)`` (or a callable ``(ctx, params, call_id) -> bool``, sync or async) stops the
run before the call: ``result.interruptions`` lists the waiting calls, ``result.to_state()`` takes decisions
(``approve`` / ``reject``, ``always_approve`` / ``always_reject``, ``rejection_message``) and ``Runner.run(agent,
state)`` goes on. Learnt from the SDK's docs/human_in_the_loop.md and tests/test_hitl_error_scenarios.py,
test_agent_runner.py and test_agent_tracing.py; deliberate differences are marked.
"""

from __future__ import annotations

from typing import Any

import pytest
from approval_tools import delete_file, ran, read_file
from opentelemetry.trace import SpanKind
from support import Tracing

from agents_otel import (
    Agent,
    MaxTurnsExceeded,
    RunConfig,
    RunContextWrapper,
    Runner,
    RunState,
    SQLiteSession,
    ToolApprovalItem,
    ToolErrorFormatterArgs,
    UserError,
    function_tool,
)
from agents_otel.items import FunctionCallOutput
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()


def _agent(*steps: list[Any], tools: list[Any] | None = None, name: str = "Ops") -> Agent[Any]:
    return Agent(name=name, tools=tools or [delete_file, read_file], model=ScriptedModel(list(steps)))


def _outputs(model: Any, request: int) -> dict[str, str]:
    return {i.call_id: i.output for i in model.calls[request].input if isinstance(i, FunctionCallOutput)}


async def test_needs_approval_true_stops_the_run_before_the_call() -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")], [assistant_message("done")])
    result = await Runner.run(agent, "clean up")

    assert result.final_output is None
    assert ran == []
    (item,) = result.interruptions
    assert isinstance(item, ToolApprovalItem)
    assert (item.tool_name, item.name, item.call_id, item.arguments) == (
        "delete_file",
        "delete_file",
        "c1",
        '{"path": "a.txt"}',
    )
    assert item.agent is agent and item.type == "tool_approval_item"
    assert item.raw_item.call_id == "c1" and item.raw_item.type == "function_call"
    assert result.new_items[-1] is item
    assert len(agent.model.calls) == 1  # type: ignore[union-attr]


async def test_approve_runs_the_call_on_resume_and_the_run_goes_on() -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")], [assistant_message("done")])
    first = await Runner.run(agent, "clean up")
    state = first.to_state()
    assert isinstance(state, RunState)
    state.approve(first.interruptions[0])

    result = await Runner.run(agent, state)

    assert result.final_output == "done"
    assert result.interruptions == []
    assert ran == ["delete a.txt"]
    assert _outputs(agent.model, 1) == {"c1": "deleted a.txt"}
    assert result.usage.requests == 2  # the stopped run's model call counts too
    assert [type(i).__name__ for i in result.new_items] == ["ToolCallItem", "ToolCallOutputItem", "MessageOutputItem"]
    assert result.input == "clean up"


async def test_reject_tells_the_model_the_sdk_message_or_the_given_one() -> None:
    steps = ([function_call("delete_file", {"path": "a"}, call_id="c1")], [assistant_message("ok")])
    agent = _agent(*steps)
    first = await Runner.run(agent, "clean up")
    state = first.to_state()
    state.reject(first.interruptions[0])
    assert (await Runner.run(agent, state)).final_output == "ok"
    assert _outputs(agent.model, 1) == {"c1": "Tool execution was not approved."}

    agent = _agent(*steps)
    first = await Runner.run(agent, "clean up")
    state = first.to_state()
    state.reject(first.interruptions[0], rejection_message="The reviewer said no.")
    await Runner.run(agent, state)
    assert _outputs(agent.model, 1) == {"c1": "The reviewer said no."}
    assert ran == []


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_callable_decides_per_call_with_parsed_params_and_the_call_id(kind: str) -> None:
    seen: list[tuple[Any, dict[str, Any], str]] = []

    def sync_policy(ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str) -> bool:
        seen.append((ctx.context, params, call_id))
        return "refund" in params["subject"]

    async def async_policy(ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str) -> bool:
        return sync_policy(ctx, params, call_id)

    @function_tool(needs_approval=sync_policy if kind == "sync" else async_policy)
    def send_email(subject: str) -> str:
        ran.append(subject)
        return "sent"

    agent = _agent(
        [
            function_call("send_email", {"subject": "status"}, call_id="c1"),
            function_call("send_email", {"subject": "refund 20"}, call_id="c2"),
        ],
        [assistant_message("done")],
        tools=[send_email],
    )
    result = await Runner.run(agent, "mail", context={"user": "ann"})

    assert [i.call_id for i in result.interruptions] == ["c2"]
    assert ran == ["status"]
    assert seen == [({"user": "ann"}, {"subject": "status"}, "c1"), ({"user": "ann"}, {"subject": "refund 20"}, "c2")]


async def test_a_mixed_turn_runs_the_other_calls_once() -> None:
    """As in the SDK: calls that need no approval run in the turn that stopped, and are not run again."""
    agent = _agent(
        [
            function_call("delete_file", {"path": "a"}, call_id="c1"),
            function_call("read_file", {"path": "b"}, call_id="c2"),
        ],
        [assistant_message("done")],
    )
    first = await Runner.run(agent, "go")
    assert ran == ["read b"]
    state = first.to_state()
    state.approve(first.interruptions[0])
    await Runner.run(agent, state)

    assert ran == ["read b", "delete a"]
    assert _outputs(agent.model, 1) == {"c1": "deleted a", "c2": "contents"}


async def test_undecided_calls_stop_the_resumed_run_again_without_a_model_call() -> None:
    agent = _agent(
        [
            function_call("delete_file", {"path": "a"}, call_id="c1"),
            function_call("delete_file", {"path": "b"}, call_id="c2"),
        ],
        [assistant_message("done")],
    )
    first = await Runner.run(agent, "go")
    state = first.to_state()
    state.approve(first.interruptions[0])

    second = await Runner.run(agent, state)

    assert [i.call_id for i in second.interruptions] == ["c2"]
    assert ran == ["delete a"]
    assert len(agent.model.calls) == 1  # type: ignore[union-attr]
    state = second.to_state()
    state.reject(second.interruptions[0])
    assert (await Runner.run(agent, state)).final_output == "done"
    assert _outputs(agent.model, 1) == {"c1": "deleted a", "c2": "Tool execution was not approved."}


async def test_always_approve_decides_the_later_calls_of_that_tool() -> None:
    agent = _agent(
        [function_call("delete_file", {"path": "a"}, call_id="c1")],
        [function_call("delete_file", {"path": "b"}, call_id="c2")],
        [assistant_message("done")],
    )
    first = await Runner.run(agent, "go")
    state = first.to_state()
    state.approve(first.interruptions[0], always_approve=True)

    result = await Runner.run(agent, state)

    assert result.final_output == "done"
    assert ran == ["delete a", "delete b"]


async def test_always_reject_answers_the_later_calls_with_the_same_message() -> None:
    agent = _agent(
        [function_call("delete_file", {"path": "a"}, call_id="c1")],
        [function_call("delete_file", {"path": "b"}, call_id="c2")],
        [assistant_message("done")],
    )
    first = await Runner.run(agent, "go")
    state = first.to_state()
    state.reject(first.interruptions[0], always_reject=True, rejection_message="never")

    assert (await Runner.run(agent, state)).final_output == "done"
    assert ran == []
    assert _outputs(agent.model, 2) == {"c1": "never", "c2": "never"}


async def test_each_to_state_is_its_own_and_a_state_can_be_resumed_again() -> None:
    agent = _agent(
        [function_call("delete_file", {"path": "a"}, call_id="c1")],
        [assistant_message("one")],
        [assistant_message("two")],
    )
    first = await Runner.run(agent, "go")
    approved, untouched = first.to_state(), first.to_state()
    approved.approve(first.interruptions[0])
    assert (await Runner.run(agent, approved)).final_output == "one"
    # the other state's call is still undecided: the run stops again
    again = await Runner.run(agent, untouched)
    assert [i.call_id for i in again.interruptions] == ["c1"]


async def test_resuming_with_another_agent_is_a_user_error() -> None:
    """Deliberate difference: the SDK ignores the agent given with a RunState and goes on with the state's own;
    passing an unrelated agent is a mistake we report rather than silently run something else."""
    agent = _agent([function_call("delete_file", {"path": "a"}, call_id="c1")], [assistant_message("done")])
    first = await Runner.run(agent, "go")
    state = first.to_state()
    state.approve(first.interruptions[0])
    with pytest.raises(UserError, match="resume with the agent the run started with"):
        await Runner.run(Agent(name="Other"), state)
    assert ran == []


async def test_decisions_take_only_this_states_waiting_calls() -> None:
    agent = _agent([function_call("delete_file", {"path": "a"}, call_id="c1")], [assistant_message("done")])
    other = _agent([function_call("delete_file", {"path": "z"}, call_id="z1")], [assistant_message("done")])
    state = (await Runner.run(agent, "go")).to_state()
    foreign = (await Runner.run(other, "go")).interruptions[0]
    with pytest.raises(UserError, match="not waiting in this run"):
        state.approve(foreign)
    with pytest.raises(UserError, match="ToolApprovalItem"):
        state.reject("c1")  # type: ignore[arg-type]


async def test_to_state_of_a_finished_run_is_a_state_with_nothing_waiting() -> None:
    """As in the SDK (resuming it calls the model again: test_sdk_024_finished_state.py; saving a paused state as
    JSON: test_sdk_run_state_json.py)."""
    done = await Runner.run(_agent([assistant_message("hi")]), "hello")
    assert done.to_state().interruptions == []


def test_needs_approval_of_the_wrong_type_is_a_user_error() -> None:
    with pytest.raises(UserError, match="needs_approval"):

        @function_tool(needs_approval="always")  # type: ignore[arg-type]
        def bad() -> str:
            return "x"


async def test_a_policy_returning_a_non_bool_is_a_user_error() -> None:
    """Deliberate difference: the SDK takes the truthiness, so a policy that forgot its ``return`` lets the call run."""

    @function_tool(needs_approval=lambda ctx, params, call_id: None)  # type: ignore[arg-type,return-value]
    def tool() -> str:
        return "x"

    agent = _agent([function_call("tool", {}, call_id="c1")], tools=[tool])
    with pytest.raises(UserError, match="needs_approval returned NoneType"):
        await Runner.run(agent, "go")


@pytest.mark.parametrize("arguments", ["", '{"subject": "x"', "null", "[]", '{"n": NaN}'])
async def test_a_policy_is_not_asked_about_arguments_it_cannot_read(arguments: str) -> None:
    asked: list[Any] = []

    def policy(ctx: Any, params: dict[str, Any], call_id: str) -> bool:
        asked.append(params)
        return False

    @function_tool(needs_approval=policy)
    def send(subject: str = "") -> str:
        ran.append("send")
        return "sent"

    model = ScriptedModel([[function_call("send", arguments, call_id="c1")]], check_calls=False)
    result = await Runner.run(Agent(name="A", tools=[send], model=model), "go")
    assert [i.call_id for i in result.interruptions] == ["c1"]
    assert asked == [] and ran == []


async def test_streamed_run_ends_its_stream_with_interruptions_and_resumes_streamed() -> None:
    """As in the SDK: no event for the waiting call; the stream ends, then ``interruptions`` and ``to_state()``."""
    agent = _agent(
        [
            function_call("delete_file", {"path": "a"}, call_id="c1"),
            function_call("read_file", {"path": "b"}, call_id="c2"),
        ],
        [assistant_message("all done")],
    )
    streamed = Runner.run_streamed(agent, "go")
    with pytest.raises(UserError, match="has not ended"):
        streamed.to_state()
    events = [e async for e in streamed.stream_events()]

    names = [getattr(e, "name", None) for e in events if e.type == "run_item_stream_event"]
    assert names == ["tool_called", "tool_output"]  # read_file only: the waiting call never started
    assert streamed.is_complete and streamed.final_output is None
    assert [i.call_id for i in streamed.interruptions] == ["c1"]
    state = streamed.to_state()
    state.approve(streamed.interruptions[0])

    resumed = Runner.run_streamed(agent, state)
    events = [e async for e in resumed.stream_events()]
    assert resumed.final_output == "all done"
    assert [getattr(e, "name", None) for e in events if e.type == "run_item_stream_event"] == [
        "tool_called",
        "tool_output",
        "message_output_created",
    ]
    assert ran == ["read b", "delete a"]


async def test_approval_of_an_agent_tool_and_inside_one() -> None:
    inner = Agent(name="Inner", model=ScriptedModel([[assistant_message("inner answer")]]))
    tool = inner.as_tool("ask_inner", "Ask.", needs_approval=True)
    steps = [function_call("ask_inner", {"input": "q"}, call_id="c1")], [assistant_message("done")]
    agent = _agent(*steps, tools=[tool])
    first = await Runner.run(agent, "go")
    assert [i.tool_name for i in first.interruptions] == ["ask_inner"]
    state = first.to_state()
    state.approve(first.interruptions[0])
    assert (await Runner.run(agent, state)).final_output == "done"
    assert _outputs(agent.model, 1) == {"c1": "inner answer"}
    # Approvals raised inside the agent tool: tests/compat/test_sdk_nested_approvals.py


async def test_the_trace_shows_the_waiting_call_and_links_the_resumed_run(tracing: Tracing) -> None:
    agent = _agent(
        [
            function_call("delete_file", {"path": "a"}, call_id="c1"),
            function_call("delete_file", {"path": "b"}, call_id="c2"),
        ],
        [assistant_message("done")],
    )
    first = await Runner.run(agent, "go", run_config=tracing.config)
    (paused,) = tracing.named("invoke_agent")
    assert paused.attributes["agents_otel.approvals.pending"] == 2
    events = [e for e in paused.events if e.name == "agents_otel.tool.approval_requested"]
    assert [(e.attributes["gen_ai.tool.name"], e.attributes["gen_ai.tool.call.id"]) for e in events] == [
        ("delete_file", "c1"),
        ("delete_file", "c2"),
    ]
    assert tracing.named("execute_tool") == []  # nothing ran
    assert paused.status.is_ok or paused.status.status_code.name == "UNSET"

    state = first.to_state()
    state.approve(first.interruptions[0])
    state.reject(first.interruptions[1], rejection_message="no")
    result = await Runner.run(agent, state, run_config=tracing.config)

    resumed = [s for s in tracing.named("invoke_agent") if s is not paused]
    assert len(resumed) == 1
    top = resumed[0]
    assert top.kind == SpanKind.INTERNAL
    assert top.context.trace_id == paused.context.trace_id  # the same trace
    assert top.parent is not None and top.parent.span_id == paused.context.span_id
    assert top.attributes["agents_otel.run.resumed"] is True
    (link,) = top.links
    assert link.context.span_id == paused.context.span_id
    assert link.attributes["agents_otel.link.type"] == "resumes"
    assert tracing.tool_span("c1").attributes["agents_otel.tool.approval"] == "approved"
    assert tracing.tool_span("c2").attributes["agents_otel.tool.approval"] == "rejected"
    assert all(s.context.trace_id == paused.context.trace_id for s in tracing.spans())
    assert result.trace_id == first.trace_id


async def test_a_run_resumed_inside_the_applications_span_nests_there_and_still_links(tracing: Tracing) -> None:
    agent = _agent([function_call("delete_file", {"path": "a"}, call_id="c1")], [assistant_message("done")])
    first = await Runner.run(agent, "go", run_config=tracing.config)
    (paused,) = tracing.named("invoke_agent")
    state = first.to_state()
    state.approve(first.interruptions[0])
    with tracing.provider.get_tracer("app").start_as_current_span("handle approval") as app_span:
        await Runner.run(agent, state, run_config=tracing.config)
    top = next(s for s in tracing.named("invoke_agent") if s is not paused)
    assert top.parent is not None and top.parent.span_id == app_span.get_span_context().span_id
    assert [link.context.span_id for link in top.links] == [paused.context.span_id]


async def test_a_session_gets_the_stopped_turn_once_it_has_finished() -> None:
    agent = _agent([function_call("delete_file", {"path": "a"}, call_id="c1")], [assistant_message("done")])
    session = SQLiteSession("approvals")
    first = await Runner.run(agent, "clean up", session=session)
    assert [i.get("role") or i.get("type") for i in await session.get_items()] == ["user"]
    state = first.to_state()
    state.approve(first.interruptions[0])
    with pytest.raises(UserError, match="same session"):
        await Runner.run(agent, state)

    await Runner.run(agent, state, session=session)

    kinds = [i.get("type") or i.get("role") for i in await session.get_items()]
    assert kinds == ["user", "function_call", "function_call_output", "message"]


async def test_turns_count_across_the_resume_and_max_turns_is_the_first_runs() -> None:
    agent = _agent(
        [function_call("delete_file", {"path": "a"}, call_id="c1")],
        [function_call("read_file", {"path": "b"}, call_id="c2")],
        [assistant_message("never")],
    )
    first = await Runner.run(agent, "go", max_turns=2)
    state = first.to_state()
    state.approve(first.interruptions[0])
    with pytest.raises(MaxTurnsExceeded):
        await Runner.run(agent, state)  # the default max_turns (10) does not replace the run's 2
    assert ran == ["delete a", "read b"]


async def test_tool_error_formatter_words_a_rejection_without_a_message_of_its_own() -> None:
    seen: list[tuple[str, str, str, str]] = []

    def formatter(args: ToolErrorFormatterArgs[Any]) -> str | None:
        seen.append((args.kind, args.tool_name, args.call_id, args.default_message))
        return f"{args.tool_name} was refused by the reviewer" if args.call_id == "c1" else None

    calls = [function_call("delete_file", {"path": p}, call_id=c) for p, c in (("a", "c1"), ("b", "c2"), ("c", "c3"))]
    agent = _agent(calls, [assistant_message("ok")])
    config = RunConfig(tool_error_formatter=formatter)
    first = await Runner.run(agent, "clean up", run_config=config)
    state = first.to_state()
    for item in first.interruptions:  # c3 with the person's own message: the formatter is not asked
        state.reject(item, rejection_message="no" if item.call_id == "c3" else None)
    await Runner.run(agent, state, run_config=config)
    assert _outputs(agent.model, 1) == {
        "c1": "delete_file was refused by the reviewer",
        "c2": "Tool execution was not approved.",  # the formatter's None: the default
        "c3": "no",
    }
    assert sorted(seen) == [
        ("approval_rejected", "delete_file", "c1", "Tool execution was not approved."),
        ("approval_rejected", "delete_file", "c2", "Tool execution was not approved."),
    ]
    assert ran == []
