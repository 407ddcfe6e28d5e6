"""``AdvancedSQLiteSession`` as the SDK pins it down: turns numbered by user messages, branches copied from a turn
(runs then read and extend the current branch only), branch names never reused, structure and tool-use queries,
usage stored per turn by ``store_run_usage``; plus this package's rules: typed errors, work off the event loop,
concurrent runs and branches on one file, and the session id as the runs' ``gen_ai.conversation.id``."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from agents_otel import Agent, Runner, SQLiteSession, UserError, function_tool
from agents_otel.extensions.memory import (
    AdvancedSQLiteSession,
    SessionBranchError,
    SessionClosedError,
    SessionSchemaError,
)
from agents_otel.extensions.memory.advanced_sqlite_store import message_text
from agents_otel.input_items import input_list
from agents_otel.models.interface import ModelRequest
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def echo_model() -> ScriptedModel:
    """Answers with the user messages it was sent, so each answer shows the history the run started from."""

    def answer(request: ModelRequest) -> list[Any]:
        asked = [i["content"] for i in input_list(request.input) if i.get("role") == "user"]
        return [assistant_message(" | ".join(asked))]

    return ScriptedModel([answer], repeat=True)


def session_on(tmp_path: Path, session_id: str = "s", **kwargs: Any) -> AdvancedSQLiteSession:
    return AdvancedSQLiteSession(session_id=session_id, db_path=tmp_path / "history.db", create_tables=True, **kwargs)


def turn(n: int) -> list[dict[str, Any]]:
    return [{"role": "user", "content": f"question {n}"}, {"role": "assistant", "content": f"answer {n}"}]


async def three_turns(session: AdvancedSQLiteSession) -> None:
    for n in (1, 2, 3):
        await session.add_items(turn(n))


# ---- runs -------------------------------------------------------------------------------------------------------


async def test_runs_store_turns_and_usage(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    agent = Agent("a", model=echo_model())
    first = await Runner.run(agent, "Where is the bridge?", session=session)
    await session.store_run_usage(first)
    second = await Runner.run(agent, "Which state?", session=session)
    await session.store_run_usage(second)
    assert second.final_output == "Where is the bridge? | Which state?"  # the history was read back
    assert [t["content"] for t in await session.get_conversation_turns()] == ["Where is the bridge?", "Which state?"]
    by_turn = await session.get_conversation_by_turns()
    assert {n: [i["type"] for i in items] for n, items in by_turn.items()} == {
        1: ["user", "assistant"],
        2: ["user", "assistant"],
    }
    turns = await session.get_turn_usage()
    assert isinstance(turns, list)
    assert [(t["user_turn_number"], t["requests"], t["input_tokens"]) for t in turns] == [
        (1, 1, first.usage.input_tokens),
        (2, 1, second.usage.input_tokens),
    ]
    assert turns[0]["input_tokens_details"] == {"cached_tokens": 0}
    assert turns[0]["output_tokens_details"] == {"reasoning_tokens": 0}
    totals = await session.get_session_usage()
    assert totals == {
        "requests": 2,
        "input_tokens": first.usage.input_tokens + second.usage.input_tokens,
        "output_tokens": first.usage.output_tokens + second.usage.output_tokens,
        "total_tokens": first.usage.total_tokens + second.usage.total_tokens,
        "total_turns": 2,
    }
    assert await session.get_turn_usage(2) == {k: v for k, v in turns[1].items() if k != "user_turn_number"}
    session.close()


async def test_a_branch_run_reads_only_that_branch(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    agent = Agent("a", model=echo_model())
    for question in ("q1", "q2", "q3"):
        await Runner.run(agent, question, session=session)
    assert await session.create_branch_from_turn(2, "alt") == "alt"
    assert session.current_branch_id == "alt"
    items = await session.get_items()  # turn 1, before the branch point
    assert [(i["role"], message_text(i["content"])) for i in items] == [("user", "q1"), ("assistant", "q1")]
    result = await Runner.run(agent, "q2 again", session=session)
    assert result.final_output == "q1 | q2 again"
    await session.switch_to_branch("main")
    result = await Runner.run(agent, "q4", session=session)
    assert result.final_output == "q1 | q2 | q3 | q4"
    branches = {b["branch_id"]: b for b in await session.list_branches()}
    assert {b: (v["user_turns"], v["message_count"], v["is_current"]) for b, v in branches.items()} == {
        "main": (4, 8, True),
        "alt": (2, 4, False),
    }
    assert [t["turn"] for t in await session.get_conversation_turns(branch_id="alt")] == [1, 2]
    session.close()


async def test_store_run_usage_counts_per_branch(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    agent = Agent("a", model=echo_model())
    await session.store_run_usage(await Runner.run(agent, "main question", session=session))
    await session.create_branch_from_turn(1, "fresh")  # nothing before turn 1: an empty branch, current
    assert await session.get_items() == []
    await session.store_run_usage(await Runner.run(agent, "branch question", session=session))
    assert (await session.get_session_usage(branch_id="main") or {})["total_turns"] == 1
    assert (await session.get_session_usage(branch_id="fresh") or {})["total_turns"] == 1
    assert (await session.get_session_usage() or {})["total_turns"] == 2
    assert [t["full_content"] for t in await session.get_conversation_turns(branch_id="main")] == ["main question"]
    session.close()


@function_tool
def lookup(city: str) -> str:
    """Look a city up."""
    return f"{city}: sunny"


async def test_tool_use_of_a_run_is_counted_by_turn(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    model = ScriptedModel(
        [
            [function_call("lookup", {"city": "Paris"}), function_call("lookup", {"city": "Rome"})],
            [assistant_message("sunny both")],
        ]
    )
    await Runner.run(Agent("a", model=model, tools=[lookup]), "weather?", session=session)
    assert await session.get_tool_usage() == [("lookup", 2, 1)]
    types = [i["type"] for i in (await session.get_conversation_by_turns())[1]]
    assert types == ["user", "function_call", "function_call", "function_call_output", "function_call_output",
                     "assistant"]
    session.close()


async def test_session_id_is_the_runs_conversation_id_and_sessions_make_no_spans(
    tmp_path: Path, tracing: Any
) -> None:
    session = session_on(tmp_path, "conv-7")
    await session.add_items(turn(1))
    await session.create_branch_from_turn(1, "b")
    await Runner.run(Agent("a", model=echo_model()), "hi", session=session, run_config=tracing.config)
    spans = tracing.spans()
    assert {s.name.split()[0] for s in spans} == {"invoke_agent", "chat"}
    assert {s.attributes["gen_ai.conversation.id"] for s in spans} == {"conv-7"}
    session.close()


# ---- item tracking ----------------------------------------------------------------------------------------------


async def test_tool_names_namespaces_and_tool_search() -> None:
    session = AdvancedSQLiteSession(session_id="tools", create_tables=True)
    await session.add_items(
        [
            {"role": "user", "content": "look it up everywhere"},
            {"type": "function_call", "name": "lookup", "namespace": "crm", "arguments": "{}", "call_id": "1"},
            {"type": "function_call", "name": "lookup", "namespace": "billing", "arguments": "{}", "call_id": "2"},
            {"type": "function_call", "name": "weather", "namespace": "weather", "arguments": "{}", "call_id": "3"},
            {"type": "function_call", "name": "weather", "arguments": "{}", "call_id": "4"},
            {"type": "tool_search_call", "id": "ts", "arguments": {"query": "x"}, "execution": "server"},
            {"type": "tool_search_output", "id": "to", "execution": "server", "tools": []},
            {"type": "mcp_call", "server_label": "docs", "name": "read", "arguments": "{}", "id": "m"},
            {"type": "web_search_call", "id": "w", "status": "completed"},
            {"type": "shell_call", "call_id": "sh", "action": {"commands": ["ls"]}},
            {"role": "user", "content": "search only"},
            {"type": "tool_search_output", "id": "to2", "execution": "server", "tools": []},
        ]
    )
    usage = {(name, n): count for name, count, n in await session.get_tool_usage()}
    assert usage == {
        ("crm.lookup", 1): 1,
        ("billing.lookup", 1): 1,
        ("weather", 1): 2,  # a namespace named as its tool is no namespace
        ("tool_search", 1): 1,  # its output is not counted again
        ("docs.read", 1): 1,
        ("web_search_call", 1): 1,
        ("shell_call", 1): 1,
        ("tool_search", 2): 1,  # an output whose call was not kept counts once
    }
    structure = await session.get_conversation_by_turns()
    assert [i["type"] for i in structure[2]] == ["user", "tool_search_output"]
    session.close()


async def test_turn_listing_and_search() -> None:
    session = AdvancedSQLiteSession(session_id="find", create_tables=True)
    await session.add_items([{"role": "user", "content": "Tell me about CATS"}, {"role": "assistant", "content": "x"}])
    await session.add_items([{"role": "user", "content": "dogs? 100% sure"}])
    long_parts = [{"type": "input_text", "text": f"cats part {i}"} for i in range(20)]
    await session.add_items([{"role": "user", "content": long_parts}])
    turns = await session.get_conversation_turns()
    assert [t["turn"] for t in turns] == [1, 2, 3]
    assert turns[2]["full_content"] == long_parts
    assert isinstance(turns[2]["content"], str) and turns[2]["content"].endswith("...")
    assert len(turns[2]["content"]) == 103 and all(t["can_branch"] and t["timestamp"] for t in turns)
    assert [t["turn"] for t in await session.find_turns_by_content("cats")] == [1, 3]  # any case, text parts too
    assert [t["turn"] for t in await session.find_turns_by_content("100%")] == [2]  # literal, not a LIKE pattern
    assert await session.find_turns_by_content("input_text") == []  # the text is searched, not the JSON
    assert await session.find_turns_by_content("elephants") == []
    await session.add_items([{"role": "user", "content": "Un café ?"}])  # stored as "caf\\u00e9"
    assert [t["turn"] for t in await session.find_turns_by_content("CAFÉ")] == [4]
    assert await session.create_branch_from_content("dogs", "dog_branch") == "dog_branch"
    assert [i["content"] for i in await session.get_items()] == ["Tell me about CATS", "x"]
    session.close()


async def test_empty_session() -> None:
    session = AdvancedSQLiteSession(session_id="empty", create_tables=True)
    assert await session.get_items() == []
    assert await session.pop_item() is None
    assert await session.get_conversation_turns() == []
    assert await session.get_conversation_by_turns() == {}
    assert await session.get_tool_usage() == []
    assert await session.get_session_usage() is None
    assert await session.get_turn_usage() == []
    assert await session.get_turn_usage(1) == {}
    assert await session.list_branches() == []
    session.close()


async def test_get_items_limit_and_session_settings() -> None:
    session = AdvancedSQLiteSession(session_id="lim", create_tables=True, session_settings={"limit": 3})
    await three_turns(session)
    assert [i["content"] for i in await session.get_items()] == ["answer 2", "question 3", "answer 3"]
    assert [i["content"] for i in await session.get_items(limit=1)] == ["answer 3"]
    assert await session.get_items(limit=0) == []
    assert len(await session.get_items(branch_id="main", limit=10)) == 6
    session.close()


# ---- pop and clear ----------------------------------------------------------------------------------------------


async def test_pop_on_a_branch_leaves_the_shared_message_to_main(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    await three_turns(session)
    await session.create_branch_from_turn(3, "b")
    assert await session.pop_item() == turn(2)[1]  # the branch's copy of a message main still holds
    assert len(await session.get_items(branch_id="main")) == 6
    await session.switch_to_branch("main")
    assert await session.pop_item() == turn(3)[1]
    rows = sqlite3.connect(tmp_path / "history.db").execute("SELECT COUNT(*) FROM agent_messages").fetchone()
    assert rows == (5,)  # main's popped answer is gone; the one popped from the branch is still main's
    session.close()


async def test_popping_a_whole_turn_drops_its_usage() -> None:
    session = AdvancedSQLiteSession(session_id="pop", create_tables=True)
    await session.add_items(turn(1))
    result = await Runner.run(Agent("a", model=echo_model()), "second", session=session)
    await session.store_run_usage(result)
    await session.pop_item()
    assert await session.get_turn_usage(2) != {}  # the turn still has its question
    await session.pop_item()
    assert await session.get_turn_usage(2) == {}
    assert (await session.get_session_usage()) is None
    session.close()


async def test_clear_goes_back_to_main_and_names_stay_taken(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    other = session_on(tmp_path)  # another object on the same session and file
    await three_turns(session)
    await session.create_branch_from_turn(2, "used")
    await other.create_branch_from_turn(3, "other")
    await session.clear_session()
    assert session.current_branch_id == "main" and await session.get_items() == []
    assert await other.get_items() == []
    assert other.current_branch_id == "main"  # its branch was cleared under it
    await other.add_items(turn(1))
    assert await session.get_items() == turn(1)
    for name in ("used", "other", "main"):
        with pytest.raises(SessionBranchError, match="already been used"):
            await session.create_branch_from_turn(1, name)
    assert session.current_branch_id == "main"
    session.close()
    other.close()


# ---- typed errors -----------------------------------------------------------------------------------------------


async def test_branch_misuse_is_a_typed_error() -> None:
    session = AdvancedSQLiteSession(session_id="err", create_tables=True)
    await three_turns(session)
    cases: list[tuple[Any, str]] = [
        (session.create_branch_from_turn(5, "x"), "Turn 5 does not contain a user message"),
        (session.create_branch_from_turn("2", "x"), "turn_number must be an int"),  # type: ignore[arg-type]
        (session.create_branch_from_turn(2, ""), "branch_name must be a non-empty str"),
        (session.create_branch_from_content("nowhere"), "No user turns found containing 'nowhere'"),
        (session.switch_to_branch("nonexistent"), "Branch 'nonexistent' does not exist"),
        (session.delete_branch("nonexistent"), "Branch 'nonexistent' does not exist"),
        (session.delete_branch("main"), "Cannot delete the 'main' branch"),
        (session.delete_branch("   "), "Branch ID cannot be empty"),
        (session.get_items(branch_id=3), "branch_id must be a non-empty str"),  # type: ignore[arg-type]
    ]
    for call, message in cases:
        with pytest.raises(SessionBranchError, match=message) as caught:
            await call
        assert isinstance(caught.value, UserError) and isinstance(caught.value, ValueError)
    assert session.current_branch_id == "main" and len(await session.get_items()) == 6
    session.close()


async def test_deleting_the_current_branch_needs_force() -> None:
    session = AdvancedSQLiteSession(session_id="force", create_tables=True)
    await three_turns(session)
    await session.create_branch_from_turn(3, "temp")
    with pytest.raises(SessionBranchError, match="Cannot delete the current branch 'temp'"):
        await session.delete_branch("temp")
    assert [b["branch_id"] for b in await session.list_branches()] == ["main", "temp"]
    await session.delete_branch("temp", force=True)
    assert session.current_branch_id == "main"
    assert [b["branch_id"] for b in await session.list_branches()] == ["main"]
    assert len(await session.get_items()) == 6  # main keeps the messages the branch shared
    session.close()


async def test_bad_arguments_and_closed_session() -> None:
    session = AdvancedSQLiteSession(session_id="bad", create_tables=True)
    with pytest.raises(UserError, match="store_run_usage takes the result of a run, got dict"):
        await session.store_run_usage({"usage": 1})
    with pytest.raises(UserError, match="add_items takes item dicts, got str"):
        await session.add_items(["hello"])  # type: ignore[list-item]
    with pytest.raises(UserError, match="search_term must be a str"):
        await session.find_turns_by_content(None)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="user_turn_number must be an int"):
        await session.get_turn_usage("1")  # type: ignore[arg-type]
    assert await session.get_items() == []  # nothing was written
    session.close()
    with pytest.raises(SessionClosedError, match="is closed") as caught:
        await session.add_items([])
    assert isinstance(caught.value, RuntimeError)
    with pytest.raises(SessionClosedError):
        await session.get_items()


async def test_the_structure_tables_must_exist_and_belong_to_this_pair(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    bare = AdvancedSQLiteSession(session_id="s", db_path=db)  # create_tables=False on a new file
    with pytest.raises(SessionSchemaError, match="create_tables=True") as caught:
        await bare.get_items()
    assert isinstance(caught.value, ValueError)
    bare.close()
    custom = AdvancedSQLiteSession(
        session_id="s", db_path=db, create_tables=True, sessions_table="my_sessions", messages_table="my_messages"
    )
    await custom.add_items(turn(1))
    assert await AdvancedSQLiteSession(
        session_id="s", db_path=db, sessions_table="my_sessions", messages_table="my_messages"
    ).get_items() == turn(1)  # create_tables=False once they exist
    default_pair = AdvancedSQLiteSession(session_id="s", db_path=db, create_tables=True)
    with pytest.raises(SessionSchemaError, match="give each sessions_table / messages_table pair its own"):
        await default_pair.get_items()
    custom.close()
    default_pair.close()


async def test_the_sdk_tables_and_sqlite_session_interop(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    await session.add_items(turn(1))
    conn = sqlite3.connect(tmp_path / "history.db")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"agent_sessions", "agent_messages", "message_structure", "turn_usage", "branch_reservations",
            "session_clear_generations"} <= tables
    columns = [row[1] for row in conn.execute("PRAGMA table_info(message_structure)")]
    assert columns == ["id", "session_id", "message_id", "branch_id", "message_type", "sequence_number",
                       "user_turn_number", "branch_turn_number", "tool_name", "created_at"]
    assert await SQLiteSession("s", tmp_path / "history.db").get_items() == turn(1)
    session.close()


# ---- threads and concurrency ------------------------------------------------------------------------------------


async def test_database_work_runs_off_the_event_loop() -> None:
    session = AdvancedSQLiteSession(session_id="t", create_tables=True)
    threads: list[str] = []
    original = session._locked

    def spy(work: Any, *args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(work, *args)

    session._locked = spy  # type: ignore[method-assign]
    await session.add_items(turn(1))
    await session.create_branch_from_turn(1, "b")
    await session.get_tool_usage()
    assert len(threads) == 3 and threading.main_thread().name not in threads
    session.close()


async def test_two_branches_run_at_once(tmp_path: Path) -> None:
    main_view = session_on(tmp_path)
    await three_turns(main_view)
    branch_view = session_on(tmp_path)  # a second object on the same conversation, on its own branch
    await branch_view.create_branch_from_turn(2, "alt")
    agent = Agent("a", model=echo_model())
    runs = [Runner.run(agent, f"{view} {n}", session=s) for n in range(3) for view, s in
            (("main", main_view), ("alt", branch_view))]
    await asyncio.gather(*runs)
    main_questions = [t["full_content"] for t in await main_view.get_conversation_turns()]
    alt_questions = [t["full_content"] for t in await main_view.get_conversation_turns(branch_id="alt")]
    assert main_questions[:3] == ["question 1", "question 2", "question 3"]
    assert sorted(main_questions[3:]) == ["main 0", "main 1", "main 2"]
    assert alt_questions[0] == "question 1" and sorted(alt_questions[1:]) == ["alt 0", "alt 1", "alt 2"]
    for branch, count in (("main", 6), ("alt", 4)):  # every turn numbered once, none lost or shared
        assert [t["turn"] for t in await main_view.get_conversation_turns(branch_id=branch)] == list(
            range(1, count + 1)
        )
    assert len(await branch_view.get_items()) == 8
    main_view.close()
    branch_view.close()


async def test_concurrent_runs_on_one_object_keep_their_turns_whole() -> None:
    session = AdvancedSQLiteSession(session_id="c", create_tables=True)
    model = ScriptedModel([[assistant_message("ok")]], repeat=True)
    await asyncio.gather(*(Runner.run(Agent("a", model=model), f"q{n}", session=session) for n in range(5)))
    by_turn = await session.get_conversation_by_turns()
    assert sorted(by_turn) == [1, 2, 3, 4, 5]  # each run's question started a turn of its own
    items = await session.get_items()
    assert sorted(i["content"] for i in items if i.get("role") == "user") == [f"q{n}" for n in range(5)]
    assert sum(i.get("role") == "assistant" for i in items) == 5
    session.close()
