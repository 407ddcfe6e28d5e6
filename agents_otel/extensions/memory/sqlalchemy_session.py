"""``SQLAlchemySession``: a conversation history in any database SQLAlchemy's asyncio engine reaches, as the SDK's
``agents.extensions.memory.SQLAlchemySession``.

The tables are the SDK's (``agent_sessions`` / ``agent_messages``, items as compact JSON, by default ASCII-escaped),
which are also ``SQLiteSession``'s, so a history one of them wrote the others read. Order is the append order (the
autoincrement ``id``), as in the SDK since 0.25: ``created_at`` is the database's clock, second-grained on SQLite and
able to step back, so it cannot order items. Every write is one transaction: a turn's items land together or not at all.

SQLite gets care the others do not need. Its write transactions begin with ``BEGIN IMMEDIATE`` on connections with a
busy timeout, so a writer waits for the lock rather than failing on a stale read snapshot (no retry loop with
sleeps). An in-memory database has one connection for the whole engine (SQLAlchemy's ``StaticPool``): operations on
such an engine take turns, since two transactions on one connection would commit or roll back each other's work.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import (
    TIMESTAMP,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from ...session_mutation import await_session_mutation
from ...session_settings import SessionSettings, coerce_session_settings, resolve_session_limit
from ...sessions import SessionABC, SessionItem
from .errors import SessionStoreUnavailableError

T = TypeVar("T")

_SQLITE_BUSY_TIMEOUT_MS = 5000
_CREATE_ATTEMPTS = 5
"""Table creation racing another session or process: each failed attempt finds more of the tables made."""

_SHARED_CONNECTION_LOCKS: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """On every new SQLite connection: wait for a busy writer instead of failing at once, and WAL, so readers
    never wait for writers (both as the SDK sets them)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


class SQLAlchemySession(SessionABC):
    """History in a database through a SQLAlchemy ``AsyncEngine`` (``postgresql+asyncpg://...``,
    ``mysql+aiomysql://...``, ``sqlite+aiosqlite:///file.db``). ``create_tables``: create the tables if missing
    (``False``, the default, expects them to exist, e.g. made by migrations). ``ensure_ascii``: ``False`` stores
    non-ASCII text readably rather than as ``\\u`` escapes. The engine stays the caller's; ``from_url`` makes one
    that ``session.engine.dispose()`` releases."""

    def __init__(
        self,
        session_id: str,
        *,
        engine: AsyncEngine,
        create_tables: bool = False,
        sessions_table: str = "agent_sessions",
        messages_table: str = "agent_messages",
        session_settings: SessionSettings | dict[str, Any] | None = None,
        ensure_ascii: bool = True,
    ) -> None:
        self.session_id = session_id
        self.session_settings = SessionSettings()
        if session_settings is not None:
            self.session_settings = coerce_session_settings(session_settings, "session_settings")
        self._engine = engine
        self._ensure_ascii = ensure_ascii
        self._create_tables = create_tables
        self._sqlite = engine.dialect.name == "sqlite"
        if self._sqlite and not event.contains(engine.sync_engine, "connect", _sqlite_pragmas):
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        self._metadata = MetaData()
        self._sessions = Table(
            sessions_table,
            self._metadata,
            Column("session_id", String, primary_key=True),
            Column("created_at", TIMESTAMP(timezone=False), server_default=text("CURRENT_TIMESTAMP"), nullable=False),
            Column("updated_at", TIMESTAMP(timezone=False), server_default=text("CURRENT_TIMESTAMP"), nullable=False),
        )
        self._messages = Table(
            messages_table,
            self._metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column(
                "session_id",
                String,
                ForeignKey(f"{sessions_table}.session_id", ondelete="CASCADE"),
                nullable=False,
            ),
            Column("message_data", Text, nullable=False),
            Column("created_at", TIMESTAMP(timezone=False), server_default=text("CURRENT_TIMESTAMP"), nullable=False),
            Index(f"idx_{messages_table}_session_id", "session_id", "id"),
            sqlite_autoincrement=True,
        )
        pool = engine.sync_engine.pool
        self._shared_lock: asyncio.Lock | None = None
        if isinstance(pool, StaticPool | SingletonThreadPool):
            self._shared_lock = _SHARED_CONNECTION_LOCKS.setdefault(engine.sync_engine, asyncio.Lock())

    @classmethod
    def from_url(
        cls,
        session_id: str,
        *,
        url: str,
        engine_kwargs: dict[str, Any] | None = None,
        session_settings: SessionSettings | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SQLAlchemySession:
        """A session on an engine of its own for ``url`` (an async driver's URL); ``engine_kwargs`` go to
        ``create_async_engine``, ``kwargs`` (``create_tables``, table names, ``ensure_ascii``) to the
        constructor."""
        try:
            engine = create_async_engine(url, **(engine_kwargs or {}))
        except ModuleNotFoundError as exc:  # the URL's driver (aiosqlite, asyncpg, ...) is not installed
            package = (exc.name or "").partition(".")[0]
            hint = "pip install 'agents_otel[sqlalchemy]'" if package == "aiosqlite" else f"pip install {package}"
            raise SessionStoreUnavailableError(
                f"SQLAlchemySession.from_url: the driver of {url.partition(':')[0]!r} needs the {package!r} "
                f"package: {hint}"
            ) from exc
        return cls(session_id, engine=engine, session_settings=session_settings, **kwargs)

    @property
    def engine(self) -> AsyncEngine:
        """The engine (read-only), e.g. to ``dispose()`` one ``from_url`` made."""
        return self._engine

    # ---- the Session protocol ----------------------------------------------------------------------------

    async def get_items(self, limit: int | None = None) -> list[SessionItem]:
        """Oldest first; a stored row that is not a JSON object (written by something else) is skipped, and
        ``limit`` counts only the items returned."""
        limit = resolve_session_limit(limit, self.session_settings)
        if limit is not None and limit <= 0:
            return []
        newest_first = self._messages_query(newest_first=True)
        async with self._connection() as conn:
            if limit is None:
                rows = (await conn.execute(self._messages_query(newest_first=False))).all()
                return [item for item in (_decode(row.message_data) for row in rows) if item is not None]
            window = limit
            while True:
                rows = (await conn.execute(newest_first.limit(window))).all()
                items = [item for item in (_decode(row.message_data) for row in reversed(rows)) if item is not None]
                if len(items) >= limit or len(rows) < window:
                    return items[-limit:]
                window *= 2

    async def add_items(self, items: list[SessionItem]) -> None:
        if not items:
            return
        rows = [  # fails here, on the caller's data, before any transaction
            {"session_id": self.session_id, "message_data": self._encode(item)} for item in items
        ]
        await await_session_mutation(self._add_rows(rows))

    async def pop_item(self) -> SessionItem | None:
        """The latest item, removed; rows that are not JSON objects are removed on the way to it."""
        return await await_session_mutation(self._pop_item())

    async def clear_session(self) -> None:
        await await_session_mutation(self._clear())

    # ---- transactions ------------------------------------------------------------------------------------

    @asynccontextmanager
    async def _connection(self, *, write: bool = False) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction (committed when the block ends without an error)."""
        if self._shared_lock is None:
            async with self._transaction(write) as conn:
                yield conn
        else:
            async with self._shared_lock, self._transaction(write) as conn:
                yield conn

    @asynccontextmanager
    async def _transaction(self, write: bool) -> AsyncIterator[AsyncConnection]:
        await self._ensure_tables()
        async with self._engine.connect() as conn, conn.begin():
            if write and self._sqlite and not await _driver_in_transaction(conn):
                # Take the write lock first (waiting up to the busy timeout), so nothing read in this
                # transaction can go stale before its writes.
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    async def _ensure_tables(self) -> None:
        if not self._create_tables:
            return
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                async with self._engine.begin() as conn:
                    await conn.run_sync(self._metadata.create_all)
                break
            except DBAPIError:  # another session (or process) created a table between the check and the CREATE
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise
        self._create_tables = False

    async def _add_rows(self, rows: list[dict[str, str]]) -> None:
        async with self._connection(write=True) as conn:
            await self._ensure_session_row(conn)
            await conn.execute(insert(self._messages), rows)
            await conn.execute(
                update(self._sessions)
                .where(self._sessions.c.session_id == self.session_id)
                .values(updated_at=text("CURRENT_TIMESTAMP"))
            )

    async def _ensure_session_row(self, conn: AsyncConnection) -> None:
        if self._sqlite:  # the writer holds SQLite's lock: no one else can insert the row meanwhile
            await conn.execute(insert(self._sessions).prefix_with("OR IGNORE").values(session_id=self.session_id))
            return
        exists = await conn.execute(
            select(self._sessions.c.session_id).where(self._sessions.c.session_id == self.session_id)
        )
        if exists.first() is not None:
            return
        try:
            async with conn.begin_nested():
                await conn.execute(insert(self._sessions).values(session_id=self.session_id))
        except IntegrityError:
            pass  # a concurrent first write made it: the row this transaction needs exists now

    async def _pop_item(self) -> SessionItem | None:
        newest = self._messages_query(newest_first=True).limit(1)
        async with self._connection(write=True) as conn:
            while True:
                if self._engine.dialect.delete_returning:
                    # The DELETE is the claim: of two concurrent pops, only one gets a given row back.
                    claimed = await conn.execute(
                        delete(self._messages)
                        .where(self._messages.c.id == newest.with_only_columns(self._messages.c.id).scalar_subquery())
                        .returning(self._messages.c.message_data)
                    )
                    data = claimed.scalar_one_or_none()
                    if data is None:
                        if (await conn.execute(newest)).first() is None:
                            return None
                        continue  # another transaction took that row first; the next newest is ours to try
                else:
                    row = (await conn.execute(newest.with_for_update())).first()
                    if row is None:
                        return None
                    await conn.execute(delete(self._messages).where(self._messages.c.id == row.id))
                    data = row.message_data
                item = _decode(data)
                if item is not None:
                    return item

    async def _clear(self) -> None:
        async with self._connection(write=True) as conn:
            await conn.execute(delete(self._messages).where(self._messages.c.session_id == self.session_id))
            await conn.execute(delete(self._sessions).where(self._sessions.c.session_id == self.session_id))

    def _encode(self, item: SessionItem) -> str:
        return json.dumps(item, ensure_ascii=self._ensure_ascii, separators=(",", ":"))

    def _messages_query(self, *, newest_first: bool) -> Any:
        columns = self._messages.c
        order = columns.id.desc() if newest_first else columns.id
        return select(columns.id, columns.message_data).where(columns.session_id == self.session_id).order_by(order)


async def _driver_in_transaction(conn: AsyncConnection) -> bool:
    """Whether the SQLite connection already is in a transaction (an engine whose ``begin`` event emits its own
    ``BEGIN``, as SQLAlchemy's SQLite recipe does): then ``BEGIN IMMEDIATE`` would fail."""
    raw = await conn.get_raw_connection()
    return bool(getattr(raw.driver_connection, "in_transaction", False))


def _decode(raw: Any) -> SessionItem | None:
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


__all__ = ["SQLAlchemySession"]
