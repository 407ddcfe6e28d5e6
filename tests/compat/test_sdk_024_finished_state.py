"""Compatibility (SDK 0.24): ``to_state()`` of a run that finished, with no interruptions, is a ``RunState`` too.

The SDK gives a state for any result; one of a finished run has no current step, which its runner resumes as "run
the agent again": the last agent's model is called with the run's conversation (the input, then what the run
added), turns are counted on from the finished run's against the ``max_turns`` it started with, the input
guardrails do not run again, ``on_agent_start`` does, and a session gets only what the new turn adds. Its own
``examples/memory/file_hitl_example.py`` saves ``result.to_state().to_json()`` after every run and resumes from it.
Learnt from the SDK's result.py (``to_state``), run.py and run_state.py (``add_input`` on a terminal state), checked
against the SDK itself; the scenarios are our own.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    MaxTurnsExceeded,
    RunHooks,
    Runner,
    RunState,
    SQLiteSession,
    UserError,
    function_tool,
    handoff,
    input_guardrail,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

seen: list[str] = []


@function_tool
def lookup() -> str:
    return "profile 101"


@function_tool(needs_approval=True)
def wipe() -> str:
    seen.append("wipe")
    return "wiped"


@input_guardrail
def watch(ctx: Any, agent: Agent[Any], given: Any) -> GuardrailFunctionOutput:
    seen.append("guardrail")
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)


class Starts(RunHooks[Any]):
    async def on_agent_start(self, context: Any, agent: Agent[Any]) -> None:
        seen.append(f"start {agent.name}")


def _agent(*answers: str) -> tuple[Agent[Any], ScriptedModel]:
    """A first turn that looks the profile up, then one text answer per model call."""
    model = ScriptedModel([[function_call("lookup", {}, call_id="c1")], *[[assistant_message(a)] for a in answers]])
    return Agent(name="Support", tools=[lookup, wipe], input_guardrails=[watch], model=model), model


async def _run(agent: Agent[Any], given: Any, streamed: bool, **kwargs: Any) -> Any:
    if not streamed:
        return await Runner.run(agent, given, hooks=Starts(), **kwargs)
    result = Runner.run_streamed(agent, given, hooks=Starts(), **kwargs)
    async for _ in result.stream_events():
        pass
    return result


def _kinds(items: list[dict[str, Any]]) -> list[str]:
    return [item.get("role") or item["type"] for item in items]


CONVERSATION = ["user", "function_call", "function_call_output", "assistant"]


@pytest.fixture(autouse=True)
def _clear() -> None:
    seen.clear()


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_finished_runs_state_calls_the_model_again_with_its_conversation(streamed: bool) -> None:
    agent, model = _agent("one", "two")
    first = await _run(agent, "hi", streamed)
    assert first.final_output == "one" and not first.interruptions
    state = first.to_state()
    assert isinstance(state, RunState) and state.interruptions == [] and state.original_input == "hi"
    resumed = await _run(agent, state, streamed)
    assert resumed.final_output == "two"
    sent = model.last_call.input
    assert _kinds(sent) == CONVERSATION and sent[0] == {"role": "user", "content": "hi"}
    assert resumed.input == "hi" and len(resumed.raw_responses) == 3
    assert [type(i).__name__ for i in resumed.new_items] == [
        "ToolCallItem", "ToolCallOutputItem", "MessageOutputItem", "MessageOutputItem"
    ]
    # The input guardrail ran on the first turn only; on_agent_start runs again for the resumed agent, as the SDK's.
    assert seen == ["start Support", "guardrail", "start Support"]


@pytest.mark.parametrize("streamed", [False, True])
async def test_the_state_round_trips_through_json(streamed: bool) -> None:
    agent, model = _agent("one", "two", "three")
    first = await _run(agent, "hi", streamed)
    data = json.loads(json.dumps(first.to_state().to_json()))
    assert data["turn"]["finished"] is True and data["turn"]["pending"] == []
    resumed = await _run(agent, await RunState.from_json(agent, data), streamed)
    assert resumed.final_output == "two" and _kinds(model.last_call.input) == CONVERSATION
    again = await _run(agent, await RunState.from_string(agent, resumed.to_state().to_string()), streamed)
    assert again.final_output == "three"
    assert _kinds(model.last_call.input) == [*CONVERSATION, "assistant"]  # the resumed run's answer too


async def test_a_stored_finished_turn_with_a_waiting_call_is_refused() -> None:
    agent, _ = _agent("one")
    data = (await Runner.run(agent, "hi")).to_state().to_json()
    waiting = Agent(name="Support", tools=[wipe], model=ScriptedModel([[function_call("wipe", {}, call_id="w1")]]))
    paused = (await Runner.run(waiting, "wipe it")).to_state().to_json()
    data["turn"]["pending"] = data["turn"]["calls"] = paused["turn"]["pending"]
    with pytest.raises(UserError, match=r"state\.turn\.pending .*finished run's turn"):
        await RunState.from_json(agent, data)


@pytest.mark.parametrize("streamed", [False, True])
async def test_with_a_session_only_the_new_turn_is_saved(streamed: bool) -> None:
    agent, model = _agent("one", "two")
    session = SQLiteSession("finished")
    first = await _run(agent, "hi", streamed, session=session)
    assert _kinds(await session.get_items()) == CONVERSATION
    state = await RunState.from_json(agent, first.to_state().to_json())
    with pytest.raises(UserError, match="same session"):
        await _run(agent, state, streamed)
    resumed = await _run(agent, state, streamed, session=session)
    assert resumed.final_output == "two"
    assert _kinds(model.last_call.input) == CONVERSATION  # the state's conversation: the session is not read again
    saved = await session.get_items()
    assert _kinds(saved) == [*CONVERSATION, "assistant"] and saved[-1]["content"][0]["text"] == "two"


async def test_turns_are_counted_on_against_the_runs_max_turns() -> None:
    agent, model = _agent("one", "two", "three")
    first = await Runner.run(agent, "hi", max_turns=3)  # two model calls
    resumed = await Runner.run(agent, first.to_state())
    assert resumed.final_output == "two" and resumed.max_turns == 3
    with pytest.raises(MaxTurnsExceeded):
        await Runner.run(agent, resumed.to_state())
    assert len(model.calls) == 3


async def test_the_last_agent_is_the_one_called_again() -> None:
    billing_model = ScriptedModel([[assistant_message("billing one")], [assistant_message("billing two")]])
    billing = Agent(name="Billing", model=billing_model)
    triage = Agent(
        name="Triage", handoffs=[handoff(billing)], model=ScriptedModel([[function_call("transfer_to_billing", {})]])
    )
    first = await Runner.run(triage, "refund")
    assert first.last_agent is billing
    state = await RunState.from_json(triage, first.to_state().to_json())
    resumed = await Runner.run(triage, state)
    assert resumed.final_output == "billing two" and resumed.last_agent is billing
    assert _kinds(billing_model.last_call.input)[0] == "user" and len(billing_model.calls) == 2


async def test_a_finished_state_takes_no_input() -> None:
    agent, _ = _agent("one")
    state = (await Runner.run(agent, "hi")).to_state()
    with pytest.raises(UserError, match="terminal RunState"):
        state.add_input("more")


async def test_a_copied_result_has_no_state() -> None:
    agent, _ = _agent("one")
    result = copy.copy(await Runner.run(agent, "hi"))  # as pickled: the run it came from is not kept
    with pytest.raises(UserError, match="pickled"):
        result.to_state()


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_paused_runs_state_is_unchanged(streamed: bool) -> None:
    model = ScriptedModel([[function_call("wipe", {}, call_id="w1")], [assistant_message("done")]])
    agent = Agent(name="Support", tools=[wipe], model=model)
    paused = await _run(agent, "wipe it", streamed)
    assert [i.call_id for i in paused.interruptions] == ["w1"]
    data = paused.to_state().to_json()
    assert "finished" not in data["turn"] and [c["call_id"] for c in data["turn"]["pending"]] == ["w1"]
    state = await RunState.from_json(agent, data)
    state.approve(state.interruptions[0])
    resumed = await _run(agent, state, streamed)
    assert resumed.final_output == "done" and seen == ["start Support", "wipe"]  # no start hook for the paused turn
    assert len(model.calls) == 2 and _kinds(model.last_call.input) == ["user", "function_call", "function_call_output"]


# ---- a streamed run that failed: its state retries from what its to_input_list() holds --------------------------


async def test_a_failed_streamed_runs_state_calls_the_model_again_from_the_completed_calls() -> None:
    import asyncio

    done = asyncio.Event()

    @function_tool
    async def save() -> str:
        done.set()
        return "saved"

    @function_tool(failure_error_function=None)
    async def deploy() -> str:
        await done.wait()  # fails once its sibling completed: that call's output is kept
        raise ValueError("deploy failed")

    model = ScriptedModel([
        [function_call("save", {}, call_id="s1"), function_call("deploy", {}, call_id="d1")],
        [assistant_message("retried")],
    ])
    agent = Agent(name="Ops", tools=[save, deploy], model=model)
    result = Runner.run_streamed(agent, "ship it")
    with pytest.raises(UserError, match="deploy failed"):
        async for _ in result.stream_events():
            pass
    state = result.to_state()
    assert isinstance(state, RunState) and state.interruptions == [] and state.original_input == "ship it"
    data = json.loads(json.dumps(state.to_json()))
    assert data["turn"]["finished"] is True
    resumed = await Runner.run(agent, await RunState.from_json(agent, data))
    assert resumed.final_output == "retried"
    sent = model.last_call.input
    assert _kinds(sent) == ["user", "function_call", "function_call_output"]  # the completed call only
    assert sent[1]["call_id"] == "s1"
    assert sent[2] == {"type": "function_call_output", "call_id": "s1", "output": "saved"}
    assert result.to_input_list() == sent


async def test_a_running_streamed_run_has_no_state_yet() -> None:
    agent, _ = _agent("one")
    result = Runner.run_streamed(agent, "hi")
    with pytest.raises(UserError, match="has not ended"):
        result.to_state()
    async for _ in result.stream_events():
        pass
    assert isinstance(result.to_state(), RunState)
