"""SDK 0.25's session changes, as ``agents_otel`` has them:

* ``agents.memory`` exports the helpers a third-party session adapter needs (#5428): ``await_session_mutation``
  (a cancelled write settles before the cancellation goes on), ``coerce_session_settings`` and
  ``resolve_session_limit``;
* a history cut by ``SessionSettings.limit`` replays its leading assistant answer by value (#5637): here every
  stored assistant message goes back without its ``id``, so the boundary one does too;
* ``SQLAlchemySession`` keeps append order whatever the rows' ``created_at`` says (#5645);
* an imported async API call still waiting for its output (``"async": true``) reaches the model as it was stored,
  also after an approval resume (``RunState`` serialized or not), and its later output is not dropped as an orphan
  under a limit; Chat Completions, which has no such flag, gets it as a plain tool call (#6039);
* ``OpenAIConversationsSession`` reads items with their wire names (``async``, not ``async_``) (#6047);
* ``OpenAIResponsesCompactionSession`` compacts with ``gpt-6-luna`` by default (#5646).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from agents_otel import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIConversationsSession,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    RunState,
    SessionSettings,
    SQLiteSession,
    UserError,
    function_tool,
)
from agents_otel.extensions.memory import SQLAlchemySession
from agents_otel.input_items import input_list
from agents_otel.memory import (
    OpenAIResponsesCompactionSession,
    await_session_mutation,
    coerce_session_settings,
    resolve_session_limit,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

# ---- agents.memory's adapter helpers ------------------------------------------------------------------------------


def test_the_helpers_are_at_the_sdk_paths() -> None:
    from agents_otel.memory import session, session_settings

    assert session.await_session_mutation is await_session_mutation
    assert session_settings.coerce_session_settings is coerce_session_settings
    assert session_settings.resolve_session_limit is resolve_session_limit


async def test_await_session_mutation_returns_or_raises_the_outcome() -> None:
    async def write() -> str:
        return "saved"

    async def fail() -> str:
        raise ValueError("disk full")

    assert await await_session_mutation(write()) == "saved"
    with pytest.raises(ValueError, match="disk full"):
        await await_session_mutation(fail())


@pytest.mark.parametrize("write_fails", [False, True])
async def test_a_cancelled_caller_waits_for_the_write_then_gets_its_cancellation(write_fails: bool) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    outcome: list[str] = []

    async def write() -> None:
        started.set()
        await release.wait()
        outcome.append("written")
        if write_fails:
            raise ValueError("rejected")

    caller = asyncio.ensure_future(await_session_mutation(write()))
    await started.wait()
    caller.cancel()
    caller.cancel()  # asked again: still deferred until the write settles
    await asyncio.sleep(0)
    assert not caller.done()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert outcome == ["written"]  # the write ran to its end; the caller got its cancellation, not the error


def test_coerce_session_settings_as_the_sdk() -> None:
    @dataclasses.dataclass
    class Mine(SessionSettings):
        pass

    mine = Mine(limit=3)
    assert coerce_session_settings(mine) is mine  # an instance (a subclass too) as it is
    assert coerce_session_settings({"limit": 4}) == SessionSettings(limit=4)
    assert coerce_session_settings({}) == SessionSettings()
    for bad in ({"limt": 4}, "limit=4", None):
        with pytest.raises(TypeError) as raised:  # the SDK's TypeError, and our UserError
            coerce_session_settings(bad)  # type: ignore[arg-type]
        assert isinstance(raised.value, UserError)


def test_resolve_session_limit_as_the_sdk() -> None:
    assert resolve_session_limit(5, SessionSettings(limit=2)) == 5
    assert resolve_session_limit(0, SessionSettings(limit=2)) == 0  # kept: such a read returns nothing
    assert resolve_session_limit(-1, None) == -1
    assert resolve_session_limit(None, SessionSettings(limit=2)) == 2
    assert resolve_session_limit(None, {"limit": 7}) == 7  # dict settings coerced
    assert resolve_session_limit(None, SessionSettings()) is None
    assert resolve_session_limit(None, None) is None
    with pytest.raises(TypeError):
        resolve_session_limit(None, {"max": 1})


# ---- bounded replay ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_limited_history_replays_its_boundary_answer_by_value(streamed: bool) -> None:
    """A history as the SDK stores it (assistant messages with their ``msg_`` ids), cut so that it begins with an
    answer whose reasoning item fell outside the window: the answer goes to the model without its id (the API
    would reject an id whose reasoning is missing); the stored items keep theirs."""
    session = SQLiteSession("window")
    model = ScriptedModel([[assistant_message("done")]])
    agent = Agent(name="a", model=model)
    stored: list[dict[str, Any]] = []
    for turn in (1, 2):
        stored += [
            {"role": "user", "content": f"question {turn}"},
            {"type": "reasoning", "id": f"rs_{turn}", "summary": []},
            {
                "type": "message", "id": f"msg_{turn}", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": f"answer {turn}", "annotations": []}],
            },
        ]
    try:
        await session.add_items(stored)
        config = RunConfig(session_settings=SessionSettings(limit=4))
        if streamed:
            result = Runner.run_streamed(agent, "continue", session=session, run_config=config)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "continue", session=session, run_config=config)
        sent = input_list(model.calls[-1].input)
        assert len(sent) == 5 and sent[-1] == {"role": "user", "content": "continue"}
        assert sent[0]["role"] == "assistant" and "id" not in sent[0]  # the answer whose reasoning was cut off
        assert sent[0]["content"][0]["text"] == "answer 1"
        assert sent[2] == stored[4]  # the reasoning inside the window keeps its id
        assert (await session.get_items())[: len(stored)] == stored  # the stored items keep theirs
    finally:
        session.close()


# ---- SQLAlchemySession order -------------------------------------------------------------------------------------


@pytest.fixture
async def sqlalchemy_session() -> AsyncIterator[SQLAlchemySession]:
    session = SQLAlchemySession.from_url("s", url="sqlite+aiosqlite:///:memory:", create_tables=True)
    yield session
    await session.engine.dispose()


async def _raw(engine: AsyncEngine, sql: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql))


async def test_sqlalchemy_items_keep_append_order_whatever_created_at_says(
    sqlalchemy_session: SQLAlchemySession,
) -> None:
    session = sqlalchemy_session
    items = [{"role": "user", "content": c} for c in ("first", "second", "third")]
    await session.add_items(items)
    # A clock that stepped: the first row looks newest, the last oldest.
    await _raw(session.engine, "UPDATE agent_messages SET created_at = '2030-01-01 00:00:00' WHERE id = 1")
    await _raw(session.engine, "UPDATE agent_messages SET created_at = '2000-01-01 00:00:00' WHERE id = 3")
    assert await session.get_items() == items
    assert await session.get_items(limit=2) == items[1:]
    assert await session.pop_item() == items[2]
    assert await session.pop_item() == items[1]
    assert await session.get_items() == items[:1]


# ---- pending async calls -----------------------------------------------------------------------------------------


def _imported_history() -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "Start the external job."},
        {"type": "reasoning", "id": "rs_before", "summary": [], "encrypted_content": "before"},
        {
            "type": "function_call", "id": "fc_external", "call_id": "call_external", "name": "external_job",
            "arguments": "{}", "async": True, "status": "completed",
        },
        {"type": "reasoning", "id": "rs_after", "summary": [], "encrypted_content": "after"},
    ]


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_pending_async_call_reaches_the_api_as_stored(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, streamed: bool
) -> None:
    history = _imported_history()
    session = SQLiteSession("pending")
    agent = Agent("A", model=OpenAIResponsesModel("gpt-test", openai_client=client))

    async def run(config: RunConfig | None = None) -> None:
        config = config or RunConfig()
        if streamed:
            result = Runner.run_streamed(agent, "Continue.", session=session, run_config=config)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "Continue.", session=session, run_config=config)

    try:
        await session.add_items(history)
        fake_openai.enqueue(text="Still pending.")
        await run()
        sent = fake_openai.requests_to("/responses")[-1].body["input"]
        assert sent[1:4] == history[1:4]  # async, id and status kept: the API reads the call as pending
        assert (await session.get_items())[: len(history)] == history

        output = {"type": "function_call_output", "call_id": "call_external", "output": "job result"}
        await session.add_items([output])
        fake_openai.enqueue(text="Done.")
        # A window that starts at the pending call still pairs its later output with it.
        await run(RunConfig(session_settings=SessionSettings(limit=6)))
        sent = fake_openai.requests_to("/responses")[-1].body["input"]
        assert history[2] in sent and output in sent
    finally:
        session.close()


# ---- OpenAIConversationsSession's wire names ---------------------------------------------------------------------


async def test_conversation_items_keep_their_wire_names(client: openai.AsyncOpenAI) -> None:
    session = OpenAIConversationsSession(openai_client=client)
    call = {
        "type": "function_call", "call_id": "call_1", "name": "lookup", "arguments": "{}", "async": True,
        "status": "completed",
    }
    await session.add_items([call])
    (read,) = await session.get_items()
    assert read["async"] is True and "async_" not in read
    assert await session.get_items(limit=1) == [read]
    popped = await session.pop_item()
    assert popped == read
    await session.add_items([popped])  # what was read goes back as the API's own item
    (again,) = await session.get_items()
    assert again["async"] is True and "async_" not in again


# ---- compaction default model ------------------------------------------------------------------------------------


def test_compaction_defaults_to_gpt_6_luna() -> None:
    import inspect

    default = inspect.signature(OpenAIResponsesCompactionSession).parameters["model"].default
    assert default == "gpt-6-luna"
    session = OpenAIResponsesCompactionSession("s", SQLiteSession("s"))
    assert session.model == "gpt-6-luna"


@pytest.mark.parametrize("serialized", [False, True])
async def test_a_pending_async_call_survives_an_unrelated_approval_resume(serialized: bool) -> None:
    history = _imported_history()

    @function_tool(needs_approval=True)
    def unrelated_tool() -> str:
        """Needs a person's approval."""
        return "approved result"

    model = ScriptedModel(
        [[function_call("unrelated_tool", {}, call_id="call_approval")], [assistant_message("Done.")]]
    )
    agent = Agent(name="a", model=model, tools=[unrelated_tool])
    session = SQLiteSession("approval")
    expected = [*history, {"role": "user", "content": "Continue."}]
    try:
        await session.add_items(history)
        first = await Runner.run(agent, "Continue.", session=session)
        assert input_list(model.calls[0].input) == expected
        state = first.to_state()
        if serialized:
            state = await RunState.from_string(agent, state.to_string())
        state.approve(state.get_interruptions()[0])
        resumed = await Runner.run(agent, state, session=session)
        assert resumed.final_output == "Done."
        sent = input_list(model.calls[1].input)
        assert sent[: len(expected)] == expected
        assert [item.get("type") for item in sent[len(expected) :]] == ["function_call", "function_call_output"]
        committed = await session.get_items()
        assert committed[: len(expected)] == expected and committed.count(history[2]) == 1
    finally:
        session.close()


async def test_a_committed_async_call_goes_to_chat_completions_as_a_tool_call(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    """Chat Completions has no ``async`` flag: the call and its later output go as a tool call and its answer."""
    history = [_imported_history()[0], _imported_history()[2]]
    history.append({"type": "function_call_output", "call_id": "call_external", "output": "job result"})
    session = SQLiteSession("chat")
    try:
        await session.add_items(history)
        fake_openai.enqueue(text="Done.")
        agent = Agent("A", model=OpenAIChatCompletionsModel("gpt-test", openai_client=client))
        await Runner.run(agent, "Continue.", session=session)
    finally:
        session.close()
    messages = fake_openai.requests_to("/chat/completions")[-1].body["messages"]
    assert messages[1:3] == [
        {
            "role": "assistant", "content": None,
            "tool_calls": [
                {"id": "call_external", "type": "function", "function": {"name": "external_job", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_external", "content": "job result"},
    ]
