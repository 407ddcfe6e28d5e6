"""``agents.extensions.memory.SQLAlchemySession`` as the SDK's tests pin it down, as
``agents_otel.extensions.memory.SQLAlchemySession``, against real SQLite databases (in memory and in files) through
SQLAlchemy's asyncio engine and ``aiosqlite``: the protocol, limits over readable rows, the SDK's tables (shared with
``SQLiteSession``), concurrent first writes and pops, a writer waiting for SQLite's
lock, cancellation after the transaction settles, and a real ``Runner.run``. The append order (SDK 0.25) is pinned
in test_sdk_025_sessions.py."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from agents_otel import Agent, RunConfig, Runner, Session, SessionSettings, SQLiteSession, UserError
from agents_otel.extensions import memory
from agents_otel.extensions.memory import SessionStoreUnavailableError, SQLAlchemySession
from agents_otel.testing import ScriptedModel, assistant_message

MEMORY_URL = "sqlite+aiosqlite:///:memory:"


def _items(*texts: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": value} for value in texts]


def _contents(items: list[dict[str, Any]]) -> list[Any]:
    return [item.get("content") for item in items]


@pytest.fixture
async def engines() -> AsyncIterator[list[AsyncEngine]]:
    """Engines a test made, disposed after it."""
    made: list[AsyncEngine] = []
    yield made
    for engine in made:
        await engine.dispose()


def _from_url(engines: list[AsyncEngine], session_id: str, url: str = MEMORY_URL, **kwargs: Any) -> SQLAlchemySession:
    kwargs.setdefault("create_tables", True)
    session = SQLAlchemySession.from_url(session_id, url=url, **kwargs)
    engines.append(session.engine)
    return session


async def _raw(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.begin() as conn:
        result = await conn.execute(text(sql), params)
        return list(result.all()) if result.returns_rows else []


# ---- the Session protocol ---------------------------------------------------------------------------------------


async def test_add_get_pop_clear(engines: list[AsyncEngine]) -> None:
    session = _from_url(engines, "s")
    assert isinstance(session, Session)
    await session.add_items([{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi there!"}])
    assert _contents(await session.get_items()) == ["Hello", "Hi there!"]
    assert await session.pop_item() == {"role": "assistant", "content": "Hi there!"}
    assert _contents(await session.get_items()) == ["Hello"]
    await session.clear_session()
    assert await session.get_items() == [] and await session.pop_item() is None
    assert await _raw(session.engine, "SELECT * FROM agent_sessions") == []  # the session row goes too


async def test_limits_and_session_settings(engines: list[AsyncEngine]) -> None:
    session = _from_url(engines, "s")
    assert session.session_settings == SessionSettings()
    await session.add_items(_items("1", "2", "3", "4"))
    assert _contents(await session.get_items(limit=2)) == ["3", "4"]
    assert _contents(await session.get_items(limit=10)) == ["1", "2", "3", "4"]
    assert await session.get_items(limit=0) == []
    session.session_settings = SessionSettings(limit=3)  # read on each call
    assert _contents(await session.get_items()) == ["2", "3", "4"]
    assert _contents(await session.get_items(limit=1)) == ["4"]  # an explicit limit wins
    for settings in ({"limit": 5}, SessionSettings(limit=5)):
        configured = _from_url(engines, "t", session_settings=settings)
        assert configured.session_settings == SessionSettings(limit=5)
    with pytest.raises(UserError):
        _from_url(engines, "bad", session_settings=42)  # type: ignore[arg-type]


async def test_empty_and_unserialisable_input(engines: list[AsyncEngine]) -> None:
    session = _from_url(engines, "s")
    await session.add_items([])
    assert await session.get_items() == []
    assert await _raw(session.engine, "SELECT * FROM agent_sessions") == []  # nothing written for nothing
    with pytest.raises(TypeError):
        await session.add_items([{"role": "user", "content": "ok"}, {"role": "user", "content": object()}])
    assert await session.get_items() == []  # refused before the transaction: no half turn


async def test_non_ascii_storage(engines: list[AsyncEngine]) -> None:
    item = {"role": "user", "content": "café"}
    escaped = _from_url(engines, "escaped")
    readable = _from_url(engines, "readable", ensure_ascii=False)
    for session in (escaped, readable):
        await session.add_items([item])
        assert await session.get_items() == [item]
    [(stored,)] = await _raw(escaped.engine, "SELECT message_data FROM agent_messages")
    assert stored == '{"role":"user","content":"caf\\u00e9"}'  # the SDK's compact, escaped default
    [(stored,)] = await _raw(readable.engine, "SELECT message_data FROM agent_messages")
    assert stored == '{"role":"user","content":"café"}'


async def test_rows_that_are_not_json_objects_are_skipped(engines: list[AsyncEngine]) -> None:
    session = _from_url(engines, "s")
    await session.add_items(_items("0", "1", "2"))
    for junk in ("not json {{{", "[1, 2]"):
        await _raw(session.engine, "INSERT INTO agent_messages (session_id, message_data) VALUES ('s', :d)", d=junk)
    assert _contents(await session.get_items(limit=2)) == ["1", "2"]  # the limit counts readable items
    assert _contents(await session.get_items(limit=5)) == ["0", "1", "2"]
    assert _contents(await session.get_items()) == ["0", "1", "2"]
    assert await session.pop_item() == _items("2")[0]  # the junk above it is removed on the way
    assert await _raw(session.engine, "SELECT COUNT(*) FROM agent_messages") == [(2,)]
    only_junk = _from_url(engines, "junk")
    assert await only_junk.get_items() == []  # makes the tables
    await _raw(only_junk.engine, "INSERT INTO agent_sessions (session_id) VALUES ('junk')")
    await _raw(only_junk.engine, "INSERT INTO agent_messages (session_id, message_data) VALUES ('junk', '{{')")
    assert await only_junk.pop_item() is None
    assert await _raw(only_junk.engine, "SELECT COUNT(*) FROM agent_messages") == [(0,)]


# ---- engines, tables, other stores ------------------------------------------------------------------------------


async def test_engine_property_and_from_url(engines: list[AsyncEngine]) -> None:
    session = _from_url(engines, "s", engine_kwargs={"echo": True})
    assert isinstance(session.engine, AsyncEngine) and session.engine.echo is True
    with pytest.raises(AttributeError):
        session.engine = create_async_engine(MEMORY_URL)  # type: ignore[misc]
    external = create_async_engine(MEMORY_URL)
    engines.append(external)
    assert SQLAlchemySession("x", engine=external).engine is external


async def test_sessions_share_an_engine_and_stay_isolated(engines: list[AsyncEngine]) -> None:
    engine = create_async_engine(MEMORY_URL)  # one in-memory database, one connection: operations take turns
    engines.append(engine)
    first = SQLAlchemySession("a", engine=engine, create_tables=True)
    second = SQLAlchemySession("b", engine=engine, create_tables=True)
    await asyncio.gather(*(s.add_items(_items(f"{s.session_id}{i}")) for i in range(10) for s in (first, second)))
    assert sorted(_contents(await first.get_items())) == sorted(f"a{i}" for i in range(10))
    await second.clear_session()
    assert len(await first.get_items()) == 10 and await second.get_items() == []


async def test_the_sdks_tables_are_sqlite_sessions_tables(tmp_path: Path, engines: list[AsyncEngine]) -> None:
    db = tmp_path / "history.db"
    session = _from_url(engines, "s", f"sqlite+aiosqlite:///{db}")
    await session.add_items(_items("from sqlalchemy"))
    plain = SQLiteSession("s", db)
    assert await plain.get_items() == _items("from sqlalchemy")
    await plain.add_items(_items("from sqlite"))
    plain.close()
    assert _contents(await session.get_items()) == ["from sqlalchemy", "from sqlite"]
    # A database SQLiteSession made is read as it is, with create_tables=False (tables made elsewhere).
    other_db = tmp_path / "made_by_sqlite.db"
    maker = SQLiteSession("t", other_db, sessions_table="s_tab", messages_table="m_tab")
    await maker.add_items(_items("old"))
    maker.close()
    reader = _from_url(
        engines, "t", f"sqlite+aiosqlite:///{other_db}", create_tables=False, sessions_table="s_tab",
        messages_table="m_tab",
    )
    await reader.add_items(_items("new"))
    assert _contents(await reader.get_items()) == ["old", "new"]
    columns = await _raw(session.engine, "SELECT name FROM pragma_table_info('agent_messages')")
    assert [c for (c,) in columns] == ["id", "session_id", "message_data", "created_at"]


async def test_missing_tables_without_create_tables_fail_loudly(engines: list[AsyncEngine]) -> None:
    session = _from_url(engines, "s", create_tables=False)
    with pytest.raises(OperationalError, match="no such table"):
        await session.add_items(_items("x"))


async def test_sqlite_connections_wait_for_the_write_lock(tmp_path: Path, engines: list[AsyncEngine]) -> None:
    db = tmp_path / "locked.db"
    session = _from_url(engines, "s", f"sqlite+aiosqlite:///{db}")
    await session.get_items()
    assert await _raw(session.engine, "PRAGMA busy_timeout") == [(5000,)]
    assert await _raw(session.engine, "PRAGMA journal_mode") == [("wal",)]
    begun = asyncio.Event()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "BEGIN IMMEDIATE":
            begun.set()

    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds SQLite's lock
    event.listen(session.engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        write = asyncio.create_task(session.add_items(_items("after the lock")))
        await begun.wait()
        for _ in range(5):
            await asyncio.sleep(0)
        assert not write.done()  # waiting for the lock, not failed with "database is locked"
        holder.execute("COMMIT")
        await write
    finally:
        event.remove(session.engine.sync_engine, "before_cursor_execute", on_statement)
        holder.close()
    assert _contents(await session.get_items()) == ["after the lock"]


async def test_concurrent_first_writes(tmp_path: Path, engines: list[AsyncEngine]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'first.db'}"
    session = _from_url(engines, "s", url)
    others = [_from_url(engines, f"other{i}", url) for i in range(3)]  # engines of their own, tables made once
    results = await asyncio.gather(
        *(session.add_items(_items(f"m{i}")) for i in range(25)),
        *(other.add_items(_items(other.session_id)) for other in others),
        return_exceptions=True,
    )
    assert [r for r in results if r is not None] == []
    assert sorted(_contents(await session.get_items())) == sorted(f"m{i}" for i in range(25))
    for other in others:
        assert _contents(await other.get_items()) == [other.session_id]
    late = _from_url(engines, "late", url, create_tables=False)  # tables exist; its first writes race each other
    await asyncio.gather(*(late.add_items(_items(str(i))) for i in range(10)))
    assert len(await late.get_items()) == 10
    assert await _raw(late.engine, "SELECT COUNT(*) FROM agent_sessions WHERE session_id = 'late'") == [(1,)]


async def test_concurrent_pops_return_each_row_once(tmp_path: Path, engines: list[AsyncEngine]) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'pop.db'}")
    engines.append(engine)
    writer = SQLAlchemySession("s", engine=engine, create_tables=True)
    await writer.add_items(_items(*(str(i) for i in range(6))))
    poppers = [writer, SQLAlchemySession("s", engine=engine), *(_from_url(engines, "s", str(engine.url)) for _ in "ab")]
    popped = await asyncio.gather(*(p.pop_item() for p in poppers for _ in range(2)))
    assert sorted(_contents([p for p in popped if p is not None])) == [str(i) for i in range(6)]
    assert popped.count(None) == 2


async def test_sessions_in_two_event_loops_share_a_file(tmp_path: Path) -> None:
    """Each thread's loop has its own session and engine (SQLAlchemy's engines are not shared across loops); their
    first writes race to create the tables."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'loops.db'}"
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def in_own_loop(session_id: str) -> None:
        async def write() -> list[dict[str, Any]]:
            session = SQLAlchemySession.from_url(session_id, url=url, create_tables=True)
            try:
                barrier.wait()
                await session.add_items(_items(session_id))
                return await session.get_items()
            finally:
                await session.engine.dispose()

        try:
            results[session_id] = asyncio.run(write())
        except BaseException as exc:  # reported by the assertion below
            results[session_id] = exc

    threads = [threading.Thread(target=in_own_loop, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        await asyncio.to_thread(thread.join)
    assert results == {"one": _items("one"), "two": _items("two")}


@pytest.mark.parametrize("operation", ["add", "pop", "clear"])
async def test_cancellation_waits_for_the_transaction(
    operation: str, tmp_path: Path, engines: list[AsyncEngine]
) -> None:
    session = _from_url(engines, "s", f"sqlite+aiosqlite:///{tmp_path / 'cancel.db'}")
    await session.add_items(_items("kept", "last"))
    in_transaction = asyncio.Event()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(("INSERT INTO agent_messages", "DELETE FROM agent_messages")):
            in_transaction.set()

    event.listen(session.engine.sync_engine, "before_cursor_execute", on_statement)
    calls = {"add": lambda: session.add_items(_items("new")), "pop": session.pop_item, "clear": session.clear_session}
    task = asyncio.create_task(calls[operation]())
    await in_transaction.wait()
    task.cancel()
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    event.remove(session.engine.sync_engine, "before_cursor_execute", on_statement)
    pool: Any = session.engine.sync_engine.pool
    assert pool.checkedout() == 0  # the connection is back: the transaction ended
    expected = {"add": ["kept", "last", "new"], "pop": ["kept"], "clear": []}[operation]
    assert _contents(await session.get_items()) == expected  # committed whole, though the caller was cancelled


# ---- runs ------------------------------------------------------------------------------------------------------


async def test_runs_read_and_extend_the_history(engines: list[AsyncEngine]) -> None:
    session = _from_url(engines, "run")
    other = _from_url(engines, "other")
    model = ScriptedModel([[assistant_message("Paris")], [assistant_message("dogs")], [assistant_message("2M")]])
    agent = Agent("A", model=model)
    await Runner.run(agent, "Capital of France?", session=session)
    await Runner.run(agent, "I like dogs.", session=other)
    result = await Runner.run(agent, "Its population?", session=session)
    assert result.final_output == "2M"
    texts = [getattr(item, "content", None) or getattr(item, "text", None) for item in model.calls[2].input]
    assert texts[0] == "Capital of France?" and "Its population?" in texts and "I like dogs." not in texts
    assert [i.get("role") for i in await session.get_items()] == ["user", "assistant", "user", "assistant"]


async def test_run_config_session_settings_override_the_sessions(engines: list[AsyncEngine]) -> None:
    session = _from_url(engines, "run", session_settings=SessionSettings(limit=100))
    await session.add_items(_items(*(f"Turn {i}" for i in range(10))))
    model = ScriptedModel([[assistant_message("Got it")]])
    config = RunConfig(session_settings=SessionSettings(limit=2))
    await Runner.run(Agent("A", model=model), "New question", session=session, run_config=config)
    texts = [getattr(item, "content", None) for item in model.calls[0].input]
    assert texts == ["Turn 8", "Turn 9", "New question"]


# ---- packages ----------------------------------------------------------------------------------------------------


def test_a_missing_sqlalchemy_names_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for loaded in [m for m in sys.modules if m == "sqlalchemy" or m.startswith("sqlalchemy.")]:
        monkeypatch.setitem(sys.modules, loaded, None)  # importing it now fails, as when it is not installed
    monkeypatch.delitem(sys.modules, "agents_otel.extensions.memory.sqlalchemy_session")
    monkeypatch.delattr(memory, "SQLAlchemySession")
    expected = r"SQLAlchemySession needs the 'sqlalchemy' package: pip install 'agents_otel\[sqlalchemy\]'"
    with pytest.raises(SessionStoreUnavailableError, match=expected):
        memory.SQLAlchemySession  # noqa: B018


def test_a_missing_driver_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiosqlite", None)
    expected = r"'aiosqlite' package: pip install 'agents_otel\[sqlalchemy\]'"
    with pytest.raises(SessionStoreUnavailableError, match=expected):
        SQLAlchemySession.from_url("s", url=MEMORY_URL)
