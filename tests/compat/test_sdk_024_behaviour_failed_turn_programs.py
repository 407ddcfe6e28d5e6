"""SDK 0.24 "preserve completed tool outputs when a sibling fails", for programmatic tool calling.

A program's calls run here (``function_call`` items whose ``caller`` is the program). When a sibling fails the run,
the SDK keeps each program call that completed, with its ``function_call_output`` (carrying the same ``caller``),
and keeps the ``program`` item (with the reasoning before it) while the program has a completed call or a
completed ``program_output`` of its own: without its program, a kept call could not be placed by the API. A program
none of whose calls completed goes, with its reasoning and its calls. This holds for the session, for
``error.run_data.new_items`` and for a failed streamed result's ``to_input_list()``, and a retry does not run the
completed call again. Learnt from the SDK's test_tool_failure_boundaries.py
(``test_completed_program_child_retains_parent_after_sibling_failure``) and ``run_internal/items.py``
(``drop_orphan_function_calls``); the other kinds are in test_sdk_024_behaviour_failed_turn_kinds.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agents_otel import Agent, ProgrammaticToolCallingTool, RunHooks, Runner, SQLiteSession, UserError, function_tool
from agents_otel.input_items import input_list
from agents_otel.items import RawInputItem
from agents_otel.testing import ScriptedModel, assistant_message, function_call

CALLER = {"type": "program", "caller_id": "program"}
REASONING = {"type": "reasoning", "id": "rs_program", "summary": []}
PROGRAM = {"type": "program", "id": "pg_1", "call_id": "program", "code": "lookup()", "fingerprint": "f"}
PROGRAM_DONE = {"type": "program_output", "id": "po_1", "call_id": "program", "result": "found", "status": "completed"}


def child(name: str = "lookup") -> dict[str, Any]:
    """The program's call of ``name`` (its call id is the tool's name)."""
    return {"type": "function_call", "id": f"fc_{name}", "call_id": name, "name": name, "arguments": "{}",
            "caller": CALLER}


def answer(*items: Any) -> list[Any]:
    return [RawInputItem(i) if isinstance(i, dict) else i for i in items]


class ToolsDone(RunHooks[Any]):
    """Sets ``done`` once a tool's output was accepted (the SDK's tests wait on ``on_tool_end`` the same way)."""

    def __init__(self, done: asyncio.Event) -> None:
        self.done = done

    async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: Any) -> None:
        self.done.set()


async def drive(agent: Agent[Any], session: SQLiteSession, streamed: bool, done: asyncio.Event) -> tuple[Any, Any]:
    """The run's result (streamed: the result object) and the error it failed with."""
    result: Any = None
    try:
        if streamed:
            result = Runner.run_streamed(agent, "go", session=session, hooks=ToolsDone(done))
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "go", session=session, hooks=ToolsDone(done))
    except Exception as error:
        return result, error
    raise AssertionError("the run was expected to fail")


def failing(done: asyncio.Event, **kwargs: Any) -> Any:
    @function_tool(failure_error_function=None, **kwargs)
    async def fail() -> str:
        await done.wait()
        raise ValueError("sibling failed")

    return fail


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("finished_next_turn", [False, True])
async def test_a_programs_completed_call_keeps_its_program(streamed: bool, finished_next_turn: bool) -> None:
    done = asyncio.Event()
    effects: list[str] = []

    @function_tool(allowed_callers=["programmatic"])
    async def lookup() -> str:
        effects.append("lookup")
        return "found"

    started = answer(REASONING, PROGRAM, child())
    fail_call = function_call("fail", {}, call_id="fail")
    if finished_next_turn:  # the program's call ran in a turn that ended; the program finishes with the failing turn
        turns = [started, answer(PROGRAM_DONE, fail_call), [assistant_message("done")]]
    else:
        turns = [[*started, fail_call], [assistant_message("done")]]
    model = ScriptedModel(turns)
    agent = Agent(name="program", model=model, tools=[ProgrammaticToolCallingTool(), lookup, failing(done)])
    session = SQLiteSession(f"program-{finished_next_turn}")
    result, error = await drive(agent, session, streamed, done)
    assert isinstance(error, UserError) and "sibling failed" in str(error)
    output = {"type": "function_call_output", "call_id": "lookup", "output": "found", "caller": CALLER}
    expected = [REASONING, PROGRAM, child(), output, *([PROGRAM_DONE] if finished_next_turn else [])]
    saved = await session.get_items()
    assert saved[1:] == expected
    assert error.run_data is not None
    assert [i.to_input_item() for i in error.run_data.new_items] == expected  # the program's items, caller and all
    if result is not None:
        assert result.to_input_list()[1:] == expected
    finished = await Runner.run(agent, "finish", session=session)  # the retry goes on from what is true
    assert finished.final_output == "done"
    # A session read drops a program without its program_output as an orphan, with its items and the reasoning
    # before it, as the SDK's does (its prepare_input_with_session test of an orphan program's answered call): the
    # session keeps them; a retry from the failed run's RunState would send them.
    sent = expected if finished_next_turn else []
    assert input_list(model.calls[-1].input)[1:-1] == sent  # type: ignore[arg-type]
    assert (await session.get_items())[1 : 1 + len(expected)] == expected
    assert effects == ["lookup"]


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_program_whose_call_failed_goes_with_its_reasoning(streamed: bool) -> None:
    done = asyncio.Event()

    @function_tool
    async def note() -> str:
        return "noted"

    turn = answer(
        REASONING, PROGRAM, child("fail"),
        {"type": "reasoning", "id": "rs_note", "summary": []}, function_call("note", {}, call_id="note"),
        assistant_message("working"),
    )
    model = ScriptedModel([turn, [assistant_message("done")]])
    fail = failing(done, allowed_callers=["programmatic"])
    agent = Agent(name="program", model=model, tools=[ProgrammaticToolCallingTool(), note, fail])
    session = SQLiteSession("program-failed")
    result, error = await drive(agent, session, streamed, done)
    assert isinstance(error, UserError) and "sibling failed" in str(error)
    expected = [
        {"type": "reasoning", "id": "rs_note", "summary": []},
        {"type": "function_call", "call_id": "note", "name": "note", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "note", "output": "noted"},
    ]
    assert (await session.get_items())[1:] == expected
    assert error.run_data is not None
    assert [i.to_input_item() for i in error.run_data.new_items] == expected
    if result is not None:
        assert result.to_input_list()[1:] == expected
    await Runner.run(agent, "finish", session=session)
    assert input_list(model.calls[-1].input)[1:-1] == expected  # type: ignore[arg-type]


async def test_a_programs_calls_given_back_as_input_keep_their_caller() -> None:
    """A program's call and its answer given back as input (``to_input_list()``, a session's items) go to the model
    as they came: read as a plain ``function_call`` they would lose the ``caller`` that places them in the program."""

    @function_tool(allowed_callers=["programmatic"])
    async def lookup() -> str:
        return "found"

    model = ScriptedModel(
        [answer(PROGRAM, child()), answer(PROGRAM_DONE, assistant_message("done")), [assistant_message("again")]]
    )
    agent = Agent(name="program", model=model, tools=[ProgrammaticToolCallingTool(), lookup])
    first = await Runner.run(agent, "go")
    given = [*first.to_input_list(), {"role": "user", "content": "more"}]
    await Runner.run(agent, given)
    output = {"type": "function_call_output", "call_id": "lookup", "output": "found", "caller": CALLER}
    sent = input_list(model.calls[-1].input)  # type: ignore[arg-type]
    assert sent[1:4] == [PROGRAM, child(), output]
