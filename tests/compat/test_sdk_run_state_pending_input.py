"""Compatibility: input added to a paused ``RunState`` before it resumes, as in the OpenAI Agents SDK.

``state.add_input("...")`` (or a list of input items) stages input; the resumed run admits it right before its next
model call, after the paused turn's tool outputs, as ``InputItem`` run items; the agent's and the run's input
guardrails check the added input alone; ``pending_input`` / ``clear_pending_input()`` read and drop it; it survives
``to_json`` / ``from_json``. A state whose resumed run may end without a model call refuses input (``UserError``).
Learnt from the SDK's docs/results.md ("Add input before resuming") and tests/test_run_state_pending_input.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailTripwireTriggered,
    InputItem,
    RunConfig,
    RunContextWrapper,
    Runner,
    RunState,
    SQLiteSession,
    StopAtTools,
    UserError,
    function_tool,
)
from agents_otel.input_items import input_list
from agents_otel.testing import ScriptedModel, assistant_message, function_call

ran: list[str] = []


@pytest.fixture(autouse=True)
def _clear() -> None:
    ran.clear()


@function_tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    ran.append(path)
    return f"deleted {path}"


def _agent(*steps: list[Any], **kwargs: Any) -> Agent[Any]:
    return Agent(name="Ops", tools=[delete_file], model=ScriptedModel(list(steps)), **kwargs)


def _sent(agent: Agent[Any], request: int = -1) -> list[dict[str, Any]]:
    model = agent.model
    assert isinstance(model, ScriptedModel)
    return input_list(model.calls[request].input)


async def _paused(agent: Agent[Any], session: Any = None) -> RunState[Any]:
    result = await Runner.run(agent, "clean up", session=session)
    assert result.interruptions
    return result.to_state()


async def test_added_input_reaches_the_model_after_the_tool_output_as_input_items() -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")], [assistant_message("done")])
    state = await _paused(agent)
    state.add_input("Also keep the report.")
    state.add_input([{"role": "user", "content": "And tell me when done."}])
    assert [i["content"] for i in state.pending_input] == ["Also keep the report.", "And tell me when done."]

    state.approve(state.get_interruptions()[0])
    result = await Runner.run(agent, state)

    assert result.final_output == "done" and ran == ["a.txt"]
    sent = _sent(agent)
    assert [i.get("type") or i.get("role") for i in sent[-3:]] == ["function_call_output", "user", "user"]
    assert [i["content"] for i in sent[-2:]] == ["Also keep the report.", "And tell me when done."]
    admitted = [i for i in result.new_items if isinstance(i, InputItem)]
    assert [(i.type, i.agent, i.raw_item["content"]) for i in admitted] == [
        ("input_item", agent, "Also keep the report."),
        ("input_item", agent, "And tell me when done."),
    ]
    assert len({i.input_id for i in admitted}) == 2
    assert [i["content"] for i in result.to_input_list() if i.get("role") == "user"] == [
        "clean up",
        "Also keep the report.",
        "And tell me when done.",
    ]


async def test_pending_input_is_a_copy_and_clear_drops_it() -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")], [assistant_message("done")])
    state = await _paused(agent)
    state.add_input("late")
    view = state.pending_input
    view[0]["content"] = "changed"
    assert state.pending_input == [{"role": "user", "content": "late"}]

    state.clear_pending_input()
    assert state.pending_input == []
    state.approve(state.get_interruptions()[0])
    result = await Runner.run(agent, state)
    assert not any(isinstance(i, InputItem) for i in result.new_items)
    assert [i["content"] for i in _sent(agent) if i.get("role") == "user"] == ["clean up"]


async def test_added_input_survives_the_json_round_trip() -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")], [assistant_message("done")])
    state = await _paused(agent)
    state.add_input("keep the report")
    data = state.to_json()
    assert data["pending_input"] == [{"role": "user", "content": "keep the report"}]

    restored = await RunState.from_string(agent, state.to_string())
    assert restored.pending_input == [{"role": "user", "content": "keep the report"}]
    restored.approve(restored.get_interruptions()[0])
    result = await Runner.run(agent, restored)

    assert result.final_output == "done"
    assert _sent(agent)[-1] == {"role": "user", "content": "keep the report"}
    # a state without added input writes what it always wrote
    assert "pending_input" not in (await _paused(_agent([function_call("delete_file", {"path": "b"})]))).to_json()


async def test_malformed_pending_input_in_json_is_a_user_error() -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")])
    data = (await _paused(agent)).to_json()
    data["pending_input"] = "not a list"
    with pytest.raises(UserError, match="pending_input"):
        await RunState.from_json(agent, data)


async def test_a_run_that_stops_again_keeps_the_input_for_the_next_resume() -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")], [assistant_message("done")])
    state = await _paused(agent)
    state.add_input("late input")

    still = await Runner.run(agent, state)  # nothing decided: stops again before any model call
    assert still.interruptions and ran == []
    again = still.to_state()
    assert again.pending_input == [{"role": "user", "content": "late input"}]
    assert state.pending_input == [{"role": "user", "content": "late input"}]

    again.approve(again.get_interruptions()[0])
    result = await Runner.run(agent, again)
    assert result.final_output == "done"
    assert _sent(agent)[-1] == {"role": "user", "content": "late input"}
    assert sum(isinstance(i, InputItem) for i in result.new_items) == 1


async def test_guardrails_check_only_the_added_input_and_a_tripwire_stops_before_the_model() -> None:
    seen: list[tuple[str, Any]] = []

    def guard(source: str, trip: bool) -> InputGuardrail[Any]:
        def check(ctx: RunContextWrapper[Any], agent: Agent[Any], input: Any) -> GuardrailFunctionOutput:
            seen.append((source, input))
            return GuardrailFunctionOutput(output_info=None, tripwire_triggered=trip)

        return InputGuardrail(guardrail_function=check, name=source)

    agent = _agent(
        [function_call("delete_file", {"path": "a.txt"}, call_id="c1")],
        [assistant_message("done")],
        input_guardrails=[guard("agent", False)],
    )
    state = await _paused(agent)
    seen.clear()
    state.add_input("Guard only this")
    state.approve(state.get_interruptions()[0])
    result = await Runner.run(agent, state, run_config=RunConfig(input_guardrails=[guard("config", False)]))
    assert result.final_output == "done"
    assert sorted(s for s, _ in seen) == ["agent", "config"]
    assert all(batch == [{"role": "user", "content": "Guard only this"}] for _, batch in seen)

    tripping = _agent(
        [function_call("delete_file", {"path": "a.txt"}, call_id="c1")],
        [assistant_message("must not run")],
        input_guardrails=[guard("agent", True)],
    )
    tripping.input_guardrails = []
    paused = await _paused(tripping)
    tripping.input_guardrails = [guard("agent", True)]
    paused.add_input("unsafe")
    paused.approve(paused.get_interruptions()[0])
    with pytest.raises(InputGuardrailTripwireTriggered):
        await Runner.run(tripping, paused)
    model = tripping.model
    assert isinstance(model, ScriptedModel) and len(model.calls) == 1  # the model was not called again
    assert paused.pending_input == [{"role": "user", "content": "unsafe"}]


async def test_admitted_input_is_saved_to_the_session_in_order() -> None:
    session = SQLiteSession("pending")
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")], [assistant_message("done")])
    state = await _paused(agent, session)
    state.add_input("late")
    state.approve(state.get_interruptions()[0])
    await Runner.run(agent, state, session=session)

    kinds = [i.get("type") or i.get("role") for i in await session.get_items()]
    assert kinds[-3:] == ["function_call_output", "user", "message"]
    assert (await session.get_items())[-2] == {"role": "user", "content": "late"}


@pytest.mark.parametrize(
    "behavior", ["stop_on_first_tool", StopAtTools(stop_at_tool_names=["delete_file"]), lambda ctx, results: None]
)
async def test_a_state_whose_tool_result_may_end_the_run_refuses_input(behavior: Any) -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")], tool_use_behavior=behavior)
    state = await _paused(agent)
    before = state.to_json()
    with pytest.raises(UserError, match="tool result may end the run"):
        state.add_input("late")
    assert state.to_json() == before


async def test_no_turns_left_and_bad_input_are_user_errors() -> None:
    agent = _agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")])
    result = await Runner.run(agent, "clean up", max_turns=1)
    state = result.to_state()
    with pytest.raises(UserError, match="no remaining model turns"):
        state.add_input("late")

    state = await _paused(_agent([function_call("delete_file", {"path": "a.txt"}, call_id="c1")]))
    with pytest.raises(UserError):
        state.add_input(42)  # type: ignore[arg-type]
    with pytest.raises(UserError):
        state.add_input([42])
    assert state.pending_input == []


async def test_an_admitted_input_item_of_a_run_that_stops_again_is_stored_and_streamed_runs_admit_too() -> None:
    agent = _agent(
        [function_call("delete_file", {"path": "a.txt"}, call_id="c1")],
        [function_call("delete_file", {"path": "b.txt"}, call_id="c2")],
        [assistant_message("done")],
    )
    state = await _paused(agent)
    state.add_input("then b too")
    state.approve(state.get_interruptions()[0])
    streamed = Runner.run_streamed(agent, state)
    async for _ in streamed.stream_events():
        pass
    assert [i.call_id for i in streamed.interruptions] == ["c2"]
    assert _sent(agent)[-1] == {"role": "user", "content": "then b too"}

    second = streamed.to_state()
    assert second.pending_input == []
    stored = [i for i in second.to_json()["items"] if i["type"] == "input_item"]
    assert [(i["raw_item"], i["agent_name"]) for i in stored] == [({"role": "user", "content": "then b too"}, "Ops")]
    restored = await RunState.from_json(agent, second.to_json())
    restored.approve(restored.get_interruptions()[0])
    result = await Runner.run(agent, restored)
    assert result.final_output == "done" and ran == ["a.txt", "b.txt"]
    (admitted,) = [i for i in result.new_items if isinstance(i, InputItem)]
    assert admitted.input_id == stored[0]["input_id"] and admitted.agent is agent
    assert [i.get("content") for i in _sent(agent) if i.get("role") == "user"] == ["clean up", "then b too"]
