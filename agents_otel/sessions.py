"""Sessions: conversation history kept between runs, ``Runner.run(agent, "next question", session=session)``.

The ``Session`` protocol and ``SQLiteSession`` follow the OpenAI Agents SDK (same methods, same table layout, items
as Responses-format dicts), so a history database written by one is read by the other. The run loads the history
before its first turn and appends each turn's items when the turn is done; the session's id becomes the run's
``gen_ai.conversation.id``. All database work happens in a worker thread under one lock: the event loop never waits
on SQLite, and concurrent runs on one session never interleave half-written turns.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

from .conversation import without_ids
from .exceptions import UserError
from .input_items import conversation_items, input_item, input_list
from .session_orphans import without_orphans
from .session_settings import SessionSettings, coerce_session_settings, resolve_session_limit

if TYPE_CHECKING:
    from .context_wrapper import RunContextWrapper
    from .items import ConversationItem

SessionItem = dict[str, Any]
"""One Responses-format input item (``{"role": "user", "content": ...}``, ``{"type": "function_call", ...}``)."""

SessionInputCallback: TypeAlias = Callable[
    [list[SessionItem], list[SessionItem]], "list[SessionItem] | Awaitable[list[SessionItem]]"
]
"""``RunConfig(session_input_callback=...)``, as the SDK's ``agents.memory.SessionInputCallback``: a sync or async
function of the session's history and the run's new input (both lists of Responses-format dicts) returning the list
the run starts from."""


@runtime_checkable
class Session(Protocol):
    """What ``Runner.run(..., session=...)`` needs. Implement it for any store (Redis, a database, a file).

    A session may also have a ``session_settings`` attribute (a :class:`SessionSettings`, as the SDK's sessions
    do): the run reads it when present. It is not a member of the protocol, so a store without it still is a
    ``Session``."""

    session_id: str

    async def get_items(self, limit: int | None = None) -> list[SessionItem]:
        """The history, oldest first; with ``limit``, only the latest ``limit`` items (still oldest first)."""
        ...

    async def add_items(self, items: list[SessionItem]) -> None:
        """Append ``items`` to the history."""
        ...

    async def pop_item(self) -> SessionItem | None:
        """Remove and return the latest item (``None`` when empty), e.g. to undo or correct the last turn."""
        ...

    async def clear_session(self) -> None:
        """Forget the whole history."""
        ...


class SessionABC(ABC):
    """A base class for sessions of this package; third-party stores need only satisfy ``Session``."""

    session_id: str
    session_settings: SessionSettings | None = None
    """The defaults a run reads this session with (``limit``); ``RunConfig(session_settings=...)`` overrides them."""

    @abstractmethod
    async def get_items(self, limit: int | None = None) -> list[SessionItem]: ...

    @abstractmethod
    async def add_items(self, items: list[SessionItem]) -> None: ...

    @abstractmethod
    async def pop_item(self) -> SessionItem | None: ...

    @abstractmethod
    async def clear_session(self) -> None: ...


def takes_wrapper(method: Any) -> bool:
    """Whether ``method`` has a ``wrapper`` parameter that can be passed by keyword: the SDK's opt-in for a session
    that wants the run's ``RunContextWrapper`` (``**kwargs`` alone does not opt in, as in the SDK)."""
    try:
        parameters = inspect.signature(method).parameters.values()
    except Exception:  # a callable whose signature cannot be read keeps its plain calls
        return False
    return any(p.name == "wrapper" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in parameters)


def session_wrapper(session: Any, wrapper: RunContextWrapper[Any] | None) -> RunContextWrapper[Any] | None:
    """``wrapper`` when all four history methods of ``session`` take it, else ``None``, as the SDK decides: a store
    that scopes its history by the run's context must read, write, pop and clear in the same scope, so one that
    opted in for only some of them gets the wrapper for none. Asked once per run, not per call."""
    if wrapper is None:
        return None
    try:
        methods = (session.get_items, session.add_items, session.pop_item, session.clear_session)
    except Exception:
        return None
    return wrapper if all(takes_wrapper(method) for method in methods) else None


async def call_session(method: Any, /, *args: Any, wrapper: RunContextWrapper[Any] | None = None, **kwargs: Any) -> Any:
    """Call a session method, with ``wrapper=`` only when given one (from ``session_wrapper``): a store written
    before the keyword existed is called as it always was. A plain function (not ``async``) works too, as in the
    SDK."""
    if wrapper is not None:
        kwargs["wrapper"] = wrapper
    result = method(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result


async def combine_session_input(
    callback: SessionInputCallback, history: list[ConversationItem], new_input: list[ConversationItem]
) -> tuple[list[ConversationItem], list[ConversationItem]]:
    """What a run with ``session_input_callback`` starts from, and which of those items the session gets.

    The callback gets copies, so editing them in place cannot reach the caller's input. Only the new turn goes
    into the session, as in the SDK: an item of the returned list is the session's already when it is one of the
    history objects the callback was given, or equal to a history item not yet matched (a callback that copies
    items), in the order of the list; every other item (the new input, or one the callback made) is saved. So a
    callback that filters, reorders or repeats the history objects it got never makes the session grow, and new
    input it drops is not saved. The history items it returned lose their orphaned calls (``session_orphans``;
    an output stays, as in the SDK: the callback chose the history, so a missing call is no cut's doing).
    """
    given_history = copy.deepcopy(input_list(history))
    given_new = copy.deepcopy(input_list(new_input))
    combined: Any = callback(given_history, given_new)
    if inspect.isawaitable(combined):
        combined = await combined
    if not isinstance(combined, list):
        raise UserError(f"session_input_callback must return a list of input items, got {type(combined).__name__}")
    try:
        items = conversation_items(combined)
    except UserError as exc:
        raise UserError(f"session_input_callback returned an item no model could be given: {exc}") from exc
    history_ids = {id(entry) for entry in given_history}
    new_ids = {id(entry) for entry in given_new}
    unmatched = Counter(_content_key(item) for item in history)
    matched: set[int] = set()
    saved: list[ConversationItem] = []
    kept_history: list[int] = []  # positions of the returned items that came from the session
    for position, (entry, item) in enumerate(zip(combined, items, strict=True)):
        if id(entry) in new_ids:
            saved.append(item)
            continue
        if id(entry) in history_ids:
            kept_history.append(position)
            if id(entry) not in matched:  # a history object repeated counts once against its content
                matched.add(id(entry))
                key = _content_key(item)
                if unmatched[key] > 0:
                    unmatched[key] -= 1
            continue
        key = _content_key(item)
        if unmatched[key] > 0:
            unmatched[key] -= 1
            kept_history.append(position)
            continue
        saved.append(item)
    return without_orphans(items, kept_history, outputs=False), saved


async def session_history(
    session: Session,
    run_settings: SessionSettings | None,
    omit_ids: bool,
    *,
    wrapper: RunContextWrapper[Any] | None = None,
) -> tuple[list[ConversationItem], bool]:
    """The history a run starts from, read as the SDK reads it: ``get_items(limit=...)`` when the session's own
    ``session_settings``, overlaid with ``RunConfig.session_settings``, set a limit, else ``get_items()``; and
    whether a limit cut it (``with_history`` then leaves out outputs whose calls were cut off). ``omit_ids``:
    ``reasoning_item_id_policy="omit"`` applies to stored reasoning too; ``wrapper``: the run's, for a session that
    takes it (``session_wrapper``)."""
    own = getattr(session, "session_settings", None)
    settings = SessionSettings() if own is None else coerce_session_settings(own, "session.session_settings")
    limit = settings.resolve(run_settings).limit
    stored = await (
        call_session(session.get_items, wrapper=wrapper)
        if limit is None
        else call_session(session.get_items, limit=limit, wrapper=wrapper)
    )
    items = conversation_items(stored)
    return (without_ids(items) if omit_ids else items), limit is not None


def with_history(
    history: list[ConversationItem], new_input: list[ConversationItem], limited: bool
) -> list[ConversationItem]:
    """What a run without a ``session_input_callback`` starts from: the history, without its orphaned tool items
    (``session_orphans``: outputs too when ``limited``), then the new input as given."""
    return without_orphans([*history, *new_input], range(len(history)), outputs=limited)


def _content_key(item: ConversationItem) -> str:
    """An item's identity by content, in the one normalised form (``{"role": "user", ...}`` and its
    ``{"type": "message", ...}`` spelling compare equal)."""
    return json.dumps(input_item(item), sort_keys=True, default=str)


_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SQLiteSession(SessionABC):
    """History in SQLite: ``db_path=":memory:"`` (the default; lives as long as this object) or a file.
    ``session_settings``: its default ``limit`` for ``get_items()`` and for the runs that read it.

    Several ``SQLiteSession`` objects may share one file (one per conversation id); each keeps its own connection.
    """

    def __init__(
        self,
        session_id: str,
        db_path: str | Path = ":memory:",
        sessions_table: str = "agent_sessions",
        messages_table: str = "agent_messages",
        session_settings: SessionSettings | dict[str, Any] | None = None,
    ) -> None:
        for table in (sessions_table, messages_table):
            if not _TABLE_NAME.match(table):
                raise UserError(f"Invalid SQLite table name {table!r}")
        self.session_id = session_id
        self.db_path = db_path
        self.sessions_table = sessions_table
        self.messages_table = messages_table
        self.session_settings = (
            None if session_settings is None else coerce_session_settings(session_settings, "session_settings")
        )
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    # ---- the Session protocol ----------------------------------------------------------------------------

    async def get_items(self, limit: int | None = None) -> list[SessionItem]:
        """The history, oldest first; only the latest ``limit`` items, or ``session_settings.limit`` when
        ``limit`` is ``None`` (as in the SDK)."""
        limit = resolve_session_limit(limit, self.session_settings)
        return await asyncio.to_thread(self._locked, self._get_items, limit)

    async def add_items(self, items: list[SessionItem]) -> None:
        if not items:
            return
        rows = [(self.session_id, json.dumps(item)) for item in items]  # fails here, on the caller's data
        await asyncio.to_thread(self._locked, self._add_rows, rows)

    async def pop_item(self) -> SessionItem | None:
        return await asyncio.to_thread(self._locked, self._pop_item)

    async def clear_session(self) -> None:
        await asyncio.to_thread(self._locked, self._clear)

    def close(self) -> None:
        """Close the connection (an in-memory history is gone after this)."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # ---- in the worker thread -----------------------------------------------------------------------------

    def _locked(self, work: Any, *args: Any) -> Any:
        with self._lock:
            if self._closed:
                raise UserError(f"SQLiteSession {self.session_id!r} is closed")
            return work(self._connection(), *args)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(str(self.db_path), check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            if str(self.db_path) != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.sessions_table} (session_id TEXT PRIMARY KEY, "
                "created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
            )
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.messages_table} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                "session_id TEXT NOT NULL, message_data TEXT NOT NULL, created_at TIMESTAMP DEFAULT "
                f"CURRENT_TIMESTAMP, FOREIGN KEY (session_id) REFERENCES {self.sessions_table} (session_id) "
                "ON DELETE CASCADE)"
            )
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS idx_{self.messages_table}_session_id "
                f"ON {self.messages_table} (session_id, id)"
            )
            self._conn = conn
        return self._conn

    def _get_items(self, conn: sqlite3.Connection, limit: int | None) -> list[SessionItem]:
        if limit is None:
            rows = conn.execute(
                f"SELECT message_data FROM {self.messages_table} WHERE session_id = ? ORDER BY id ASC",
                (self.session_id,),
            ).fetchall()
        else:
            rows = conn.execute(
                f"SELECT message_data FROM {self.messages_table} WHERE session_id = ? ORDER BY id DESC LIMIT ?",
                (self.session_id, max(limit, 0)),
            ).fetchall()
            rows.reverse()
        return [json.loads(row[0]) for row in rows]

    def _add_rows(self, conn: sqlite3.Connection, rows: list[tuple[str, str]]) -> None:
        with conn:  # one transaction: a turn's items land together or not at all
            conn.execute("BEGIN")
            conn.execute(f"INSERT OR IGNORE INTO {self.sessions_table} (session_id) VALUES (?)", (self.session_id,))
            conn.executemany(f"INSERT INTO {self.messages_table} (session_id, message_data) VALUES (?, ?)", rows)
            conn.execute(
                f"UPDATE {self.sessions_table} SET updated_at = CURRENT_TIMESTAMP WHERE session_id = ?",
                (self.session_id,),
            )

    def _pop_item(self, conn: sqlite3.Connection) -> SessionItem | None:
        row = conn.execute(
            f"DELETE FROM {self.messages_table} WHERE id = (SELECT id FROM {self.messages_table} "
            "WHERE session_id = ? ORDER BY id DESC LIMIT 1) RETURNING message_data",
            (self.session_id,),
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def _clear(self, conn: sqlite3.Connection) -> None:
        with conn:
            conn.execute("BEGIN")
            conn.execute(f"DELETE FROM {self.messages_table} WHERE session_id = ?", (self.session_id,))
            conn.execute(f"DELETE FROM {self.sessions_table} WHERE session_id = ?", (self.session_id,))


__all__ = [
    "SQLiteSession",
    "Session",
    "SessionABC",
    "SessionInputCallback",
    "SessionItem",
    "SessionSettings",
    "call_session",
    "combine_session_input",
    "session_history",
    "session_wrapper",
    "takes_wrapper",
    "with_history",
]
