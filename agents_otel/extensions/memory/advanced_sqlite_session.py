"""``AdvancedSQLiteSession``: a ``SQLiteSession`` with conversation branches and token usage per turn, as the SDK's
``agents.extensions.memory.AdvancedSQLiteSession``.

Every user message starts a turn. ``create_branch_from_turn(n)`` makes a branch holding the conversation before
turn ``n`` and makes it current, so the next run asks turn ``n`` again differently; the runs that follow read and
extend the current branch only. Branches share the message rows they have in common. ``store_run_usage(result)``,
called by you after a run as in the SDK, records the run's tokens against the current branch's latest turn.

It is ``SQLiteSession`` underneath: one connection, every statement in a worker thread under the session's lock,
so the event loop never waits on SQLite. The current branch is this object's: another object on the same session
id has its own (and is put back on ``main`` when the session is cleared). Operations make no spans, as for every
session; a run's spans carry the session id as ``gen_ai.conversation.id``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ...exceptions import UserError
from ...models.interface import Usage
from ...session_settings import SessionSettings, resolve_session_limit
from ...sessions import SessionItem, SQLiteSession
from . import advanced_sqlite_queries as queries
from .advanced_sqlite_store import MAIN, Tables, write
from .errors import SessionBranchError, SessionClosedError

T = TypeVar("T")


class AdvancedSQLiteSession(SQLiteSession):
    """History in SQLite with branches and usage analytics. ``create_tables=True`` creates the extra tables
    (the default expects them, made by an earlier session with ``True``). ``logger`` gets a line for each branch
    switched to or deleted (never message content)."""

    def __init__(
        self,
        *,
        session_id: str,
        db_path: str | Path = ":memory:",
        create_tables: bool = False,
        logger: logging.Logger | None = None,
        session_settings: SessionSettings | dict[str, Any] | None = None,
        sessions_table: str = "agent_sessions",
        messages_table: str = "agent_messages",
    ) -> None:
        super().__init__(session_id, db_path, sessions_table, messages_table, session_settings)
        self._tables = Tables(session_id, sessions_table, messages_table)
        self._create_tables = create_tables
        self._logger = logger if logger is not None else logging.getLogger(__name__)
        self._current_branch_id = MAIN  # the SDK's attribute name, which its users' code reads
        self._generation = 0
        """The session's clear count when this object last looked: a larger one means another object cleared it."""

    @property
    def current_branch_id(self) -> str:
        """The branch runs read and extend (``"main"`` until a branch is made or switched to)."""
        return self._current_branch_id

    # ---- the Session protocol, on the current branch --------------------------------------------------------

    async def add_items(self, items: list[SessionItem]) -> None:
        self._check_open()
        if not items:
            return
        for item in items:
            if not isinstance(item, dict):
                raise UserError(f"AdvancedSQLiteSession.add_items takes item dicts, got {type(item).__name__}")
        encoded = [json.dumps(item) for item in items]  # fails here, on the caller's data
        await self._write(lambda conn, branch: self._tables.add(conn, branch, items, encoded))

    async def get_items(self, limit: int | None = None, branch_id: str | None = None) -> list[SessionItem]:
        """The branch's history (the current one by default), oldest first; a row that is not a JSON object is
        skipped, and ``limit`` (else ``session_settings.limit``) counts only the items returned."""
        limit = resolve_session_limit(limit, self.session_settings)
        return await self._read(branch_id, lambda conn, branch: self._tables.items(conn, branch, limit))

    async def pop_item(self) -> SessionItem | None:
        """The current branch's latest item, removed from it; the row stays while another branch holds it."""
        return await self._write(lambda conn, branch: self._tables.pop(conn, branch))

    async def clear_session(self) -> None:
        """Every branch's items and usage gone, and back on ``main``; used branch names stay taken."""

        def clear(conn: sqlite3.Connection) -> None:
            self._generation = write(conn, lambda: self._tables.clear(conn))
            self._current_branch_id = MAIN

        await asyncio.to_thread(self._locked, clear)

    # ---- branches ---------------------------------------------------------------------------------------------

    async def create_branch_from_turn(self, turn_number: int, branch_name: str | None = None) -> str:
        """A branch holding the current branch's items before turn ``turn_number`` (a user message's turn, as
        ``get_conversation_turns`` numbers them), made current; returns its id (``branch_name``, or one made up).
        A name used before in this session, even by a deleted branch, is a ``SessionBranchError``."""
        if isinstance(turn_number, bool) or not isinstance(turn_number, int):
            raise SessionBranchError(f"turn_number must be an int, got {type(turn_number).__name__}")
        if branch_name is not None:
            branch_name = _branch_id(branch_name, "branch_name")
        stamp = int(time.time())

        def create(conn: sqlite3.Connection, source: str) -> str:
            branch = self._tables.copy_branch(conn, source, turn_number, branch_name, stamp)
            self._current_branch_id = branch
            return branch

        branch = await self._write(create)
        self._logger.debug("Created branch %r from turn %s", branch, turn_number)
        return branch

    async def create_branch_from_content(self, search_term: str, branch_name: str | None = None) -> str:
        """``create_branch_from_turn`` at the first user turn whose text contains ``search_term``."""
        found = await self.find_turns_by_content(search_term)
        if not found:
            raise SessionBranchError(f"No user turns found containing {search_term!r}")
        return await self.create_branch_from_turn(found[0]["turn"], branch_name)

    async def switch_to_branch(self, branch_id: str) -> None:
        """Make ``branch_id`` current: ``main``, or a branch holding items (``list_branches``)."""
        branch_id = _branch_id(branch_id, "branch_id")

        def switch(conn: sqlite3.Connection) -> str:
            self._current(conn, self._current_branch_id, self._generation)
            if branch_id != MAIN and not self._tables.branch_exists(conn, branch_id):
                raise SessionBranchError(f"Branch {branch_id!r} does not exist")
            previous, self._current_branch_id = self._current_branch_id, branch_id
            return previous

        previous = await asyncio.to_thread(self._locked, switch)
        self._logger.info("Switched from branch %r to %r", previous, branch_id)

    async def delete_branch(self, branch_id: str, force: bool = False) -> None:
        """Delete a branch's items and usage (its name stays taken). Not ``main``; the current branch only with
        ``force=True``, which goes back to ``main``."""
        if isinstance(branch_id, str) and not branch_id.strip():
            raise SessionBranchError("Branch ID cannot be empty")
        branch_id = _branch_id(branch_id, "branch_id").strip()
        if branch_id == MAIN:
            raise SessionBranchError("Cannot delete the 'main' branch")

        def delete(conn: sqlite3.Connection, current: str) -> None:
            if branch_id == current and not force:
                raise SessionBranchError(
                    f"Cannot delete the current branch {branch_id!r}: switch branches first, or pass force=True"
                )
            self._tables.delete_branch(conn, branch_id)
            if branch_id == current:
                self._current_branch_id = MAIN

        await self._write(delete)
        self._logger.info("Deleted branch %r", branch_id)

    async def list_branches(self) -> list[dict[str, Any]]:
        """Each branch holding items, oldest first: ``branch_id``, ``message_count``, ``user_turns``,
        ``is_current``, ``created_at``."""
        return await self._read(None, lambda conn, current: self._tables.branches(conn, current))

    # ---- structure ----------------------------------------------------------------------------------------

    async def get_conversation_turns(self, branch_id: str | None = None) -> list[dict[str, Any]]:
        """The branch's user turns: ``turn``, ``content`` (a string cut at 100 characters), ``full_content``,
        ``timestamp``, ``can_branch``."""
        return await self._read(branch_id, lambda conn, branch: queries.user_turns(conn, self._tables, branch))

    async def find_turns_by_content(self, search_term: str, branch_id: str | None = None) -> list[dict[str, Any]]:
        """The user turns whose message text contains ``search_term`` (ignoring case), as
        ``get_conversation_turns`` gives them, ``content`` not cut."""
        if not isinstance(search_term, str):
            raise UserError(f"search_term must be a str, got {type(search_term).__name__}")
        return await self._read(
            branch_id, lambda conn, branch: queries.user_turns(conn, self._tables, branch, search_term, None)
        )

    async def get_conversation_by_turns(self, branch_id: str | None = None) -> dict[int, list[dict[str, str | None]]]:
        """Turn number -> that turn's items as ``{"type": ..., "tool_name": ...}``, in order."""
        return await self._read(branch_id, lambda conn, branch: queries.by_turns(conn, self._tables, branch))

    async def get_tool_usage(self, branch_id: str | None = None) -> list[tuple[str, int, int]]:
        """``(tool name, calls, turn)`` for each tool used in each turn (``namespace.name`` for a namespaced
        function, ``server.tool`` for MCP)."""
        return await self._read(branch_id, lambda conn, branch: queries.tool_usage(conn, self._tables, branch))

    # ---- usage --------------------------------------------------------------------------------------------

    async def store_run_usage(self, result: Any) -> None:
        """Record a finished run's usage (``RunResult`` or ``RunResultStreaming``) as the current branch's latest
        turn's, replacing what that turn had. Call it after each run, as in the SDK; nothing records it for you."""
        usage = getattr(getattr(result, "context_wrapper", None), "usage", None)
        if not isinstance(usage, Usage):
            raise UserError(f"store_run_usage takes the result of a run, got {type(result).__name__}")
        await self._write(lambda conn, branch: queries.store_usage(conn, self._tables, branch, usage))

    async def get_session_usage(self, branch_id: str | None = None) -> dict[str, int] | None:
        """Summed usage of every branch (or of ``branch_id``): ``requests``, ``input_tokens``, ``output_tokens``,
        ``total_tokens``, ``total_turns``; ``None`` when no usage was stored."""
        if branch_id is not None:
            branch_id = _branch_id(branch_id, "branch_id")
        return await asyncio.to_thread(
            self._locked, lambda conn: queries.session_usage(conn, self._tables, branch_id)
        )

    async def get_turn_usage(
        self, user_turn_number: int | None = None, branch_id: str | None = None
    ) -> list[dict[str, Any]] | dict[str, Any]:
        """Every turn's usage on the branch (a list, with ``user_turn_number``), or one turn's (a dict, ``{}`` when
        none was stored); ``input_tokens_details`` / ``output_tokens_details`` are dicts."""
        turn = user_turn_number
        if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int)):
            raise UserError(f"user_turn_number must be an int or None, got {type(user_turn_number).__name__}")
        return await self._read(
            branch_id, lambda conn, branch: queries.turn_usage(conn, self._tables, branch, user_turn_number)
        )

    # ---- in the worker thread -----------------------------------------------------------------------------

    async def _read(self, branch_id: str | None, work: Callable[[sqlite3.Connection, str], T]) -> T:
        """``work`` on ``branch_id``, or on the branch current when this was called."""
        if branch_id is not None:
            branch_id = _branch_id(branch_id, "branch_id")
        snapshot = (self._current_branch_id, self._generation)

        def run(conn: sqlite3.Connection) -> T:
            return work(conn, branch_id if branch_id is not None else self._current(conn, *snapshot))

        result: T = await asyncio.to_thread(self._locked, run)
        return result

    async def _write(self, work: Callable[[sqlite3.Connection, str], T]) -> T:
        """``work`` on the branch current when this was called, in one write transaction."""
        snapshot = (self._current_branch_id, self._generation)

        def run(conn: sqlite3.Connection) -> T:
            return write(conn, lambda: work(conn, self._current(conn, *snapshot)))

        result: T = await asyncio.to_thread(self._locked, run)
        return result

    def _current(self, conn: sqlite3.Connection, branch: str, generation: int) -> str:
        """The branch an operation called on ``branch`` works on: ``main`` when the session was cleared since."""
        durable = self._tables.generation(conn)
        if durable != self._generation:  # cleared by another object: the branch it was on is gone
            self._generation, self._current_branch_id = durable, MAIN
        return branch if generation == durable else MAIN

    def _locked(self, work: Any, *args: Any) -> Any:
        with self._lock:
            self._check_open()
            return work(self._connection(), *args)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        conn = super()._connection()
        try:
            self._tables.prepare(conn, self._create_tables, str(self.db_path))
            self._generation = self._tables.generation(conn)
        except BaseException:
            conn.close()
            self._conn = None
            raise
        return conn

    def _check_open(self) -> None:
        if self._closed:
            raise SessionClosedError(f"AdvancedSQLiteSession {self.session_id!r} is closed")


def _branch_id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise SessionBranchError(f"{name} must be a non-empty str, got {value!r}")
    return value


__all__ = ["AdvancedSQLiteSession"]
