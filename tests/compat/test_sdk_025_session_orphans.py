"""A run that starts from a session's history leaves the orphaned tool items out of what the model reads, as the SDK
does (its ``drop_orphan_function_calls`` on a committed session read; pinned by SDK 0.25's
tests/memory/test_session_pending_async_calls.py and the ``prepare_input_with_session`` tests of
test_agent_runner.py):

* a call whose output is nowhere in the history or the new input goes, with the reasoning just before it (not the
  reasoning after it); so do the other paired call kinds (custom, shell, apply_patch, computer, local shell, tool
  search, program) and a program's own items with an orphan program;
* a pending async API call (``"async": true``, a non-empty ``call_id``, status completed or unset) stays; any other
  ``async`` value, an empty or null ``call_id``, or an ``incomplete`` / ``in_progress`` emission does not;
* an output whose call is missing goes only when ``SessionSettings(limit=...)`` cut the history and no
  ``session_input_callback`` chose it;
* a ``session_input_callback``'s edits are what is pruned (a call it made sync goes, one it redacted stays), and the
  run's new input is never pruned;
* the session itself keeps every item; only the model's request loses them.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer

from agents_otel import (
    Agent,
    AgentsException,
    OpenAIResponsesModel,
    RunConfig,
    RunHooks,
    Runner,
    RunState,
    SessionSettings,
    SQLiteSession,
    function_tool,
)
from agents_otel.input_items import conversation_items, input_list
from agents_otel.testing import ScriptedModel, assistant_message, function_call

CONTINUE = {"role": "user", "content": "Continue."}


def imported_history(kind: str = "function_call") -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "Start the external job."},
        {"type": "reasoning", "id": "rs_before", "summary": [], "encrypted_content": "before"},
        {
            "type": kind, "id": "tool_external", "call_id": "call_external", "name": "external_job",
            "arguments" if kind == "function_call" else "input": "{}", "async": True, "status": "completed",
        },
        {"type": "reasoning", "id": "rs_after", "summary": [], "encrypted_content": "after"},
        {"role": "assistant", "content": "The external job is pending."},
    ]


def wire(items: list[Any]) -> list[dict[str, Any]]:
    """Items as the model's request holds them (our items and stored dicts compared in one form)."""
    return input_list(conversation_items(items))


async def run_once(session: SQLiteSession, items: list[dict[str, Any]] | None = None, **config: Any) -> list[Any]:
    """What the model read on one run over ``session`` whose history is ``items``."""
    model = ScriptedModel([[assistant_message("ok")]])
    if items is not None:
        await session.add_items(items)
    await Runner.run(Agent(name="a", model=model), "Continue.", session=session, run_config=RunConfig(**config))
    return wire(list(model.calls[0].input))


@pytest.mark.parametrize("kind", ["function_call", "custom_tool_call"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("async", False), ("async", None), ("async", "true"), ("async", 1), ("async", "omit"),
        ("call_id", ""), ("call_id", None), ("status", "incomplete"), ("status", "in_progress"),
    ],
)
async def test_a_sync_or_unsupported_orphan_call_is_left_out_with_its_reasoning(
    kind: str, field: str, value: Any
) -> None:
    history = imported_history(kind)
    if value == "omit":
        del history[2][field]
    else:
        history[2][field] = value
    session = SQLiteSession("orphan")
    try:
        sent = await run_once(session, history)
        assert sent == wire([history[0], *history[3:], CONTINUE])  # rs_before goes with the call, rs_after stays
        assert (await session.get_items())[: len(history)] == history  # the session keeps them
    finally:
        session.close()


@pytest.mark.parametrize("kind", ["function_call", "custom_tool_call"])
@pytest.mark.parametrize("status", ["completed", None, "omit"])
async def test_a_pending_async_call_is_kept(kind: str, status: str | None) -> None:
    history = imported_history(kind)
    if status == "omit":
        del history[2]["status"]
    else:
        history[2]["status"] = status
    session = SQLiteSession("pending")
    try:
        assert await run_once(session, history) == wire([*history, CONTINUE])
    finally:
        session.close()


@pytest.mark.parametrize(
    ("call", "output"),
    [
        ({"type": "custom_tool_call", "call_id": "c", "name": "n", "input": "x"},
         {"type": "custom_tool_call_output", "call_id": "c", "output": "ok"}),
        ({"type": "shell_call", "call_id": "c", "action": {"commands": ["ls"]}, "status": "completed"},
         {"type": "shell_call_output", "call_id": "c", "output": []}),
        ({"type": "apply_patch_call", "call_id": "c", "operation": {}, "status": "completed"},
         {"type": "apply_patch_call_output", "call_id": "c", "status": "completed"}),
        ({"type": "computer_call", "call_id": "c", "id": "cu_1", "actions": [], "status": "completed"},
         {"type": "computer_call_output", "call_id": "c", "output": {}}),
        ({"type": "local_shell_call", "call_id": "c", "id": "ls_1", "action": {}, "status": "completed"},
         {"type": "local_shell_call_output", "call_id": "c", "output": "{}"}),
        ({"type": "tool_search_call", "call_id": "c", "arguments": {}, "status": "completed"},
         {"type": "tool_search_output", "call_id": "c", "tools": [], "status": "completed"}),
    ],
)
async def test_the_other_call_kinds_pair_alike(call: dict[str, Any], output: dict[str, Any]) -> None:
    orphan = {**call, "call_id": "c_orphan"}
    if "id" in orphan:
        orphan["id"] += "_orphan"
    history = [{"role": "user", "content": "go"}, orphan, call, output]
    session = SQLiteSession("kinds")
    try:
        assert await run_once(session, history) == wire([history[0], call, output, CONTINUE])
    finally:
        session.close()


def test_an_anonymous_tool_search_pairs_with_a_later_anonymous_output() -> None:
    from agents_otel.session_orphans import without_orphans

    search = {"type": "tool_search_call", "call_id": None, "arguments": {}, "execution": "server"}
    answer = {"type": "tool_search_output", "call_id": None, "tools": [], "execution": "server"}
    items = conversation_items([search, search, answer])
    assert input_list(without_orphans(items, range(3), outputs=True)) == [search, answer]  # the latest call pairs


@pytest.mark.parametrize("limit", [None, 1])
async def test_an_output_without_its_call_goes_only_under_a_limit(limit: int | None) -> None:
    output = {"type": "function_call_output", "call_id": "call_cut", "output": "ok"}
    session = SQLiteSession("outputs")
    try:
        sent = await run_once(session, [output], session_settings=SessionSettings(limit=limit))
        assert sent == wire([CONTINUE] if limit else [output, CONTINUE])
    finally:
        session.close()


async def test_a_callback_chooses_the_outputs_it_keeps_under_a_limit() -> None:
    output = {"type": "function_call_output", "call_id": "call_cut", "output": "ok"}
    session = SQLiteSession("callback-outputs")
    try:
        sent = await run_once(
            session,
            [output],
            session_settings=SessionSettings(limit=1),
            session_input_callback=lambda history, new: history + new,
        )
        assert sent == wire([output, CONTINUE])
    finally:
        session.close()


async def test_a_program_without_its_output_takes_its_items_with_it() -> None:
    program = {"type": "program", "call_id": "prog", "code": "await tools.lookup({})", "fingerprint": "f"}
    owned = {
        "type": "function_call", "call_id": "call_owned", "name": "lookup", "arguments": "{}",
        "caller": {"type": "program", "caller_id": "prog"},
    }
    owned_output = {"type": "function_call_output", "call_id": "call_owned", "output": "ok"}
    session = SQLiteSession("program")
    try:
        sent = await run_once(session, [program, owned, owned_output], session_settings=SessionSettings(limit=3))
        assert sent == wire([CONTINUE])
    finally:
        session.close()


@pytest.mark.parametrize("edit", ["remove", "redact", "make-sync"])
async def test_the_callbacks_edits_are_what_is_pruned(edit: str) -> None:
    history = imported_history()
    expected = copy.deepcopy(history)
    if edit == "redact":
        expected[2]["arguments"] = '{"redacted":true}'
    else:
        del expected[1:3]  # removed by the callback, or made sync and so an orphan

    def callback(items: list[Any], new: list[Any]) -> list[Any]:
        if edit == "remove":
            del items[1:3]
        elif edit == "redact":
            items[2]["arguments"] = '{"redacted":true}'
        else:
            items[2]["async"] = False
        return items + new

    session = SQLiteSession("edited")
    try:
        assert await run_once(session, history, session_input_callback=callback) == wire([*expected, CONTINUE])
        assert (await session.get_items())[: len(history)] == history
    finally:
        session.close()


async def test_the_new_input_is_never_pruned_and_may_answer_a_stored_call() -> None:
    stored_call = {"type": "function_call", "call_id": "call_stored", "name": "f", "arguments": "{}"}
    new_orphan = {"type": "function_call", "call_id": "call_new", "name": "f", "arguments": "{}"}
    answer = {"type": "function_call_output", "call_id": "call_stored", "output": "done"}
    model = ScriptedModel([[assistant_message("ok")]])
    session = SQLiteSession("new-input")
    try:
        await session.add_items([stored_call])
        await Runner.run(Agent(name="a", model=model), [new_orphan, answer], session=session)
        assert wire(list(model.calls[0].input)) == wire([stored_call, new_orphan, answer])
    finally:
        session.close()


@pytest.mark.parametrize("limit", [None, 2])
async def test_the_next_request_over_the_wire_carries_no_orphan(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, limit: int | None
) -> None:
    """Over the wire: a run calls a tool after some reasoning and answers; the application then takes back the last
    two items (``pop_item``: the answer and the tool's output), so the session ends on the call and its reasoning.
    The next run sends neither (the Responses API would reject the call without its output). With a limit of 2 the
    window starts at the first run's output, whose call was cut off: that output is not sent either."""

    @function_tool
    def lookup() -> str:
        """Looks something up."""
        return "found"

    agent = Agent("A", model=OpenAIResponsesModel("gpt-test", openai_client=client), tools=[lookup])
    session = SQLiteSession("popped")
    try:
        fake_openai.enqueue(reasoning="Let me look.", tool_calls=[("lookup", "{}")])
        fake_openai.enqueue(text="Found it.")
        await Runner.run(agent, "Look it up.", session=session)
        stored = await session.get_items()
        assert [item.get("type", item.get("role")) for item in stored] == [
            "user", "reasoning", "function_call", "function_call_output", "message"
        ]
        if limit is None:
            await session.pop_item()
            await session.pop_item()

        fake_openai.enqueue(text="Sure.")
        config = RunConfig(session_settings=SessionSettings(limit=limit))
        await Runner.run(agent, "Thanks.", session=session, run_config=config)
        sent = fake_openai.requests_to("/responses")[-1].body["input"]
        types = [item.get("type", item.get("role")) for item in sent]
        assert "function_call" not in types and "function_call_output" not in types and "reasoning" not in types
        assert sent[-1] == {"role": "user", "content": "Thanks."}
        assert len(await session.get_items()) == (3 if limit is None else 5) + 2  # the session kept everything
    finally:
        session.close()


@pytest.mark.parametrize("serialized", [False, True])
async def test_an_approval_resume_goes_on_from_the_pruned_history(serialized: bool) -> None:
    @function_tool(needs_approval=True)
    def approve_me() -> str:
        """Needs approval."""
        return "approved"

    orphan = {"type": "function_call", "call_id": "call_orphan", "name": "approve_me", "arguments": "{}"}
    model = ScriptedModel(
        [[function_call("approve_me", {}, call_id="call_new")], [assistant_message("Done.")]]
    )
    agent = Agent(name="a", model=model, tools=[approve_me])
    session = SQLiteSession("resume")
    try:
        await session.add_items([{"role": "user", "content": "earlier"}, orphan])
        first = await Runner.run(agent, "Continue.", session=session)
        assert wire(list(model.calls[0].input)) == wire([{"role": "user", "content": "earlier"}, CONTINUE])
        state = first.to_state()
        if serialized:
            state = await RunState.from_string(agent, state.to_string())
        state.approve(state.get_interruptions()[0])
        resumed = await Runner.run(agent, state, session=session)
        assert resumed.final_output == "Done."
        sent = wire(list(model.calls[1].input))
        assert [item.get("call_id") for item in sent if "call_id" in item] == ["call_new", "call_new"]
    finally:
        session.close()


async def test_a_failed_runs_saved_turn_reads_back_whole() -> None:
    """A failed run saves its last turn cut to the calls that completed (``failed_run``): each with its reasoning
    and output, so the next run reads all of it and nothing of it is an orphan."""

    ticket_done = asyncio.Event()

    @function_tool
    async def create_ticket() -> str:
        """Creates a ticket."""
        return "ticket T-1"

    @function_tool(failure_error_function=None)
    async def send_email() -> str:
        """Sends an email."""
        await ticket_done.wait()  # fails once its sibling has finished
        raise ValueError("smtp down")

    class Hooks(RunHooks[Any]):
        async def on_tool_end(self, context: Any, agent: Any, tool: Any, result: Any) -> None:
            if tool.name == "create_ticket":
                ticket_done.set()

    rs_ticket = {"type": "reasoning", "id": "rs_ticket", "summary": []}
    model = ScriptedModel(
        [
            [
                function_call("send_email", {}, call_id="email"),
                conversation_items([rs_ticket])[0],
                function_call("create_ticket", {}, call_id="ticket"),
            ],
            [assistant_message("ok")],
        ]
    )
    agent = Agent(name="a", model=model, tools=[send_email, create_ticket])
    session = SQLiteSession("failed")
    try:
        with pytest.raises(AgentsException):
            await Runner.run(agent, "go", session=session, hooks=Hooks())
        stored = await session.get_items()
        assert [item.get("call_id", item.get("type")) for item in stored[1:]] == ["reasoning", "ticket", "ticket"]
        await Runner.run(agent, "again", session=session)
        assert wire(list(model.calls[1].input)) == wire([*stored, {"role": "user", "content": "again"}])
    finally:
        session.close()
