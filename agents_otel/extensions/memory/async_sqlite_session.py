"""``AsyncSQLiteSession``: the SDK's SQLite session with an awaitable ``close()``.

The SDK builds it on ``aiosqlite``; here it is :class:`agents_otel.SQLiteSession` underneath, which already runs
every statement in a worker thread under one lock, so the event loop never waits on SQLite and no extra package
is needed. Same tables, same constructor, same behaviour as the SDK's: after ``close()`` every operation raises
(``SessionClosedError``, a ``RuntimeError`` as in the SDK) instead of reopening the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

from ...exceptions import UserError
from ...session_settings import SessionSettings, coerce_session_settings, resolve_session_limit
from ...sessions import SessionABC, SessionItem, SQLiteSession
from .errors import SessionClosedError

T = TypeVar("T")


class AsyncSQLiteSession(SessionABC):
    """History in SQLite (``db_path=":memory:"``, the default, lives as long as this object), in the SDK's
    table layout, so ``SQLiteSession`` and the SDK's sessions read what this one writes."""

    def __init__(
        self,
        session_id: str,
        db_path: str | Path = ":memory:",
        sessions_table: str = "agent_sessions",
        messages_table: str = "agent_messages",
        session_settings: SessionSettings | dict[str, Any] | None = None,
    ) -> None:
        # The store gets no settings of its own: get_items resolves the limit from this object's, which a caller
        # may replace after construction, as on the SDK's sessions.
        self._store = SQLiteSession(session_id, db_path, sessions_table, messages_table)
        self.session_settings = SessionSettings()
        if session_settings is not None:
            self.session_settings = coerce_session_settings(session_settings, "session_settings")
        self.session_id = session_id
        self.db_path = db_path
        self.sessions_table = sessions_table
        self.messages_table = messages_table
        self._closed = False

    async def get_items(self, limit: int | None = None) -> list[SessionItem]:
        self._check_open()
        return await self._guard(self._store.get_items(resolve_session_limit(limit, self.session_settings)))

    async def add_items(self, items: list[SessionItem]) -> None:
        self._check_open()
        await self._guard(self._store.add_items(items))

    async def pop_item(self) -> SessionItem | None:
        self._check_open()
        return await self._guard(self._store.pop_item())

    async def clear_session(self) -> None:
        self._check_open()
        await self._guard(self._store.clear_session())

    async def close(self) -> None:
        """Close the database connection; calling it again does nothing."""
        self._closed = True
        # In a thread: closing takes the store's lock, so it waits for a statement in flight without blocking the loop.
        await asyncio.to_thread(self._store.close)

    def _check_open(self) -> None:
        if self._closed:
            raise SessionClosedError(f"AsyncSQLiteSession {self.session_id!r} is closed")

    async def _guard(self, operation: Awaitable[T]) -> T:
        """The store's own 'closed' error, for a close that came while the operation waited, as ours."""
        try:
            return await operation
        except UserError as exc:
            if self._closed and not isinstance(exc, SessionClosedError):
                raise SessionClosedError(f"AsyncSQLiteSession {self.session_id!r} is closed") from exc
            raise


__all__ = ["AsyncSQLiteSession"]
