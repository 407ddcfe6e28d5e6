"""SDK 0.24 "preserve completed tool outputs when a sibling fails" / "... after callback failures".

When one call of a parallel batch fails the run, the siblings that finished did their work. The failed turn is cut
to those calls (each with the reasoning just before it) and their outputs, in the model's order; the failed call
and the turn's other items are left out. That cut turn is what the session keeps, what ``error.run_data.new_items``
holds and what a failed streamed result's ``to_input_list()`` gives, so a retry does not repeat the work. Learnt
from the SDK's test_tool_batch_failure_history.py and test_tool_failure_boundaries.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agents_otel import (
    Agent,
    AgentsException,
    RunContextWrapper,
    RunHooks,
    Runner,
    SQLiteSession,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrailTripwireTriggered,
    ToolOutputGuardrailTripwireTriggered,
    ToolsToFinalOutputResult,
    UserError,
    function_tool,
    tool_input_guardrail,
    tool_output_guardrail,
)
from agents_otel.items import RawInputItem
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def shape(items: list[dict[str, Any]]) -> list[str]:
    return [
        f"{i['type']}:{i['call_id']}" if "call_id" in i else f"reasoning:{i['id']}" if i.get("type") == "reasoning"
        else i.get("type", i.get("role", "?"))
        for i in items
    ]


def reasoning(item_id: str) -> RawInputItem:
    return RawInputItem({"type": "reasoning", "id": item_id, "summary": []})


async def drive(agent: Agent[Any], session: SQLiteSession, streamed: bool, **kwargs: Any) -> tuple[Any, BaseException]:
    """The run's result (streamed: the result object) and the error it failed with."""
    result: Any = None
    try:
        if streamed:
            result = Runner.run_streamed(agent, "go", session=session, **kwargs)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "go", session=session, **kwargs)
    except Exception as error:
        return result, error
    raise AssertionError("the run was expected to fail")


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("failure", ["raises", "input_tripwire", "output_tripwire", "end_hook"])
async def test_a_completed_sibling_survives_the_batch_failure(failure: str, streamed: bool) -> None:
    ticket_done = asyncio.Event()
    effects: list[str] = []

    @function_tool
    async def create_ticket() -> str:
        effects.append("ticket")
        return "ticket T-1"

    @tool_input_guardrail
    async def reject_input(data: Any) -> ToolGuardrailFunctionOutput:
        await ticket_done.wait()
        return ToolGuardrailFunctionOutput.raise_exception(output_info="blocked")

    @tool_output_guardrail
    async def reject_output(data: Any) -> ToolGuardrailFunctionOutput:
        return ToolGuardrailFunctionOutput.raise_exception(output_info="blocked")

    @function_tool(
        failure_error_function=None,
        tool_input_guardrails=[reject_input] if failure == "input_tripwire" else None,
        tool_output_guardrails=[reject_output] if failure == "output_tripwire" else None,
    )
    async def send_email() -> str:
        await ticket_done.wait()
        if failure == "raises":
            raise ValueError("smtp down")
        return "email sent"

    class Hooks(RunHooks[Any]):
        async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: Any) -> None:
            if tool.name == "create_ticket":
                ticket_done.set()
            elif failure == "end_hook":
                raise UserError("hook failed")

    model = ScriptedModel(
        [
            [
                reasoning("rs_email"),
                function_call("send_email", {}, call_id="email"),
                reasoning("rs_ticket"),
                function_call("create_ticket", {}, call_id="ticket"),
                assistant_message("working on it"),
            ],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="support", model=model, tools=[send_email, create_ticket])
    session = SQLiteSession("sibling")
    result, error = await drive(agent, session, streamed, hooks=Hooks())
    expected_error = {
        "raises": UserError,
        "input_tripwire": ToolInputGuardrailTripwireTriggered,
        "output_tripwire": ToolOutputGuardrailTripwireTriggered,
        "end_hook": UserError,
    }[failure]
    assert isinstance(error, expected_error) and isinstance(error, AgentsException)
    expected = ["reasoning:rs_ticket", "function_call:ticket", "function_call_output:ticket"]
    if failure == "end_hook":  # the email's output was accepted before its end hook failed: it completed
        expected = [
            "reasoning:rs_email", "function_call:email", "reasoning:rs_ticket", "function_call:ticket",
            "function_call_output:email", "function_call_output:ticket",
        ]
    assert error.run_data is not None
    assert shape([i.to_input_item() for i in error.run_data.new_items]) == expected
    assert shape(await session.get_items()) == ["user", *expected]
    if result is not None:
        assert shape(result.to_input_list()) == ["user", *expected]
    # The next run goes on from what is true: the ticket exists, the model is not asked to create it again.
    await Runner.run(agent, "finish", session=session)
    assert shape([i.model_dump() if hasattr(i, "model_dump") else i for i in _inputs(model)]) == [
        "user", *expected, "user"
    ]
    assert effects == ["ticket"]


def _inputs(model: ScriptedModel) -> list[dict[str, Any]]:
    from agents_otel.input_items import input_list

    return input_list(model.calls[-1].input)  # type: ignore[arg-type]


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_failing_tool_use_behavior_keeps_the_turns_outputs(streamed: bool) -> None:
    @function_tool
    def create_ticket() -> str:
        return "ticket T-1"

    def decide(context: RunContextWrapper[Any], results: list[Any]) -> ToolsToFinalOutputResult:
        raise UserError("behaviour failed")

    model = ScriptedModel([[function_call("create_ticket", {}, call_id="ticket")], [assistant_message("done")]])
    agent = Agent(name="support", model=model, tools=[create_ticket], tool_use_behavior=decide)
    session = SQLiteSession("behaviour")
    _, error = await drive(agent, session, streamed)
    assert isinstance(error, UserError) and error.run_data is not None
    expected = ["function_call:ticket", "function_call_output:ticket"]
    assert shape([i.to_input_item() for i in error.run_data.new_items]) == expected
    assert shape(await session.get_items()) == ["user", *expected]


async def test_a_session_that_fails_to_save_the_cut_turn_keeps_the_tools_error() -> None:
    class FailingSession(SQLiteSession):
        async def add_items(self, items: list[Any]) -> None:
            if any(i.get("type") == "function_call_output" for i in items):
                raise RuntimeError("session store down")
            await super().add_items(items)

    done = asyncio.Event()

    @function_tool
    async def fine() -> str:
        done.set()
        return "fine"

    @function_tool(failure_error_function=None)
    async def broken() -> str:
        await done.wait()
        raise ValueError("boom")

    model = ScriptedModel([[function_call("fine", {}, call_id="f"), function_call("broken", {}, call_id="b")]])
    session = FailingSession("failing")
    _, error = await drive(Agent(name="A", model=model, tools=[fine, broken]), session, streamed=False)
    assert isinstance(error, UserError) and "boom" in str(error)
    assert error.run_data is not None
    assert shape([i.to_input_item() for i in error.run_data.new_items]) == ["function_call:f", "function_call_output:f"]
    assert shape(await session.get_items()) == ["user"]


async def test_nothing_completed_leaves_the_record_as_it_was() -> None:
    @function_tool(failure_error_function=None)
    def broken() -> str:
        raise ValueError("boom")

    model = ScriptedModel([[assistant_message("trying"), function_call("broken", {}, call_id="b")]])
    session = SQLiteSession("nothing")
    _, error = await drive(Agent(name="A", model=model, tools=[broken]), session, streamed=False)
    assert isinstance(error, UserError) and error.run_data is not None
    assert "message" in shape([i.to_input_item() for i in error.run_data.new_items])
    assert shape(await session.get_items()) == ["user"]


async def test_a_cancelled_run_keeps_nothing_of_its_turn() -> None:
    started = asyncio.Event()

    @function_tool
    def fine() -> str:
        return "fine"

    @function_tool
    async def hangs() -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    model = ScriptedModel([[function_call("fine", {}, call_id="f"), function_call("hangs", {}, call_id="h")]])
    session = SQLiteSession("cancelled")
    task = asyncio.ensure_future(Runner.run(Agent(name="A", model=model, tools=[fine, hangs]), "go", session=session))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert shape(await session.get_items()) == ["user"]
