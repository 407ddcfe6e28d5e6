"""The SQL of :class:`AdvancedSQLiteSession`: branches, turns and usage over ``SQLiteSession``'s tables.

Every function runs in the session's worker thread, on its connection, under its lock. The extra tables are the
SDK's (``message_structure``, ``turn_usage``, ``branch_reservations``, ``session_clear_generations``, same columns),
so a database either wrote the other reads. A message row is shared by every branch whose ``message_structure``
rows point at it, and is deleted with the last of them. Writes begin with ``BEGIN IMMEDIATE``: a transaction that
reads before it writes holds the write lock from its start, so another connection (another session object, another
process) waits for it (SQLite's busy timeout) instead of failing on a read snapshot gone stale.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import SessionBranchError, SessionSchemaError

T = TypeVar("T")

MAIN = "main"

TOOL_CALL_TYPES = (
    "tool_call",
    "function_call",
    "custom_tool_call",
    "computer_call",
    "file_search_call",
    "web_search_call",
    "code_interpreter_call",
    "image_generation_call",
    "local_shell_call",
    "shell_call",
    "apply_patch_call",
    "tool_search_call",
    "mcp_call",
    "mcp_approval_request",
)
"""The item types ``get_tool_usage`` counts: the SDK's, plus the tools it leaves out (image generation, shell,
apply_patch) that also run on a model's request."""

_NAMELESS_TOOLS = {
    "computer_call": "computer_call",
    "file_search_call": "file_search_call",
    "web_search_call": "web_search_call",
    "code_interpreter_call": "code_interpreter_call",
    "image_generation_call": "image_generation_call",
    "local_shell_call": "local_shell_call",
    "shell_call": "shell_call",
    "apply_patch_call": "apply_patch_call",
    "tool_search_call": "tool_search",
    "tool_search_output": "tool_search",
}
"""Tool items without a ``name``: the name they are counted under."""


def classify(item: dict[str, Any]) -> tuple[str, str | None]:
    """An item's ``message_type`` (``user``, ``assistant`` or its ``type``) and tool name, as the SDK records them."""
    role = item.get("role")
    kind = role if role in ("user", "assistant") else str(item.get("type") or "other")
    return kind, _tool_name(item)


def _tool_name(item: dict[str, Any]) -> str | None:
    kind = item.get("type")
    if kind in ("mcp_call", "mcp_approval_request") and item.get("server_label"):
        name = item.get("name")
        return f"{item['server_label']}.{name}" if name else str(item["server_label"])
    if isinstance(kind, str) and kind in _NAMELESS_TOOLS:
        return _NAMELESS_TOOLS[kind]
    name = item.get("name")
    if name is None:
        return None
    namespace = item.get("namespace")
    # A namespace named as its tool is the wire shape of a deferred top-level tool, not a real namespace.
    return f"{namespace}.{name}" if namespace and namespace != name else str(name)


def message_text(content: Any) -> str:
    """The text of a user message's ``content``: the string, or its text parts joined (images have none)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [part.get("text") for part in content if isinstance(part, dict)]
        return "\n".join(part for part in parts if isinstance(part, str))
    return ""


def preview(content: Any, limit: int | None) -> str:
    """``content`` as a string (a list of parts as JSON, as the SDK shows it), cut to ``limit`` characters."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return text[:limit] + "..." if limit is not None and len(text) > limit else text


def decode(raw: Any) -> dict[str, Any] | None:
    """A stored item, or ``None`` for a row that is not a JSON object (written by something else)."""
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def write(conn: sqlite3.Connection, work: Callable[[], T]) -> T:
    """``work`` in one write transaction: all of it is committed, or none of it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


@dataclass(frozen=True)
class Tables:
    """Whose rows (``session_id``) in which base tables; the structure tables' names are fixed, as in the SDK."""

    session_id: str
    sessions: str
    messages: str

    # ---- schema -------------------------------------------------------------------------------------------

    def prepare(self, conn: sqlite3.Connection, create: bool, db_path: str) -> None:
        """Create the structure tables (``create``), or check they exist; either way check they belong to this
        session's base tables, since their foreign keys name one pair of base tables per database file."""
        if create:
            write(conn, lambda: self._create(conn))
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in ("message_structure", "turn_usage") if t not in present]
        if missing:
            raise SessionSchemaError(
                f"{db_path} has no {' / '.join(missing)} table: make the first AdvancedSQLiteSession on it with "
                "create_tables=True"
            )
        for table, column, target in (("message_structure", "message_id", self.messages),
                                      ("message_structure", "session_id", self.sessions),
                                      ("turn_usage", "session_id", self.sessions)):
            owners = [row[2] for row in conn.execute(f"PRAGMA foreign_key_list({table})") if row[3] == column]
            if len(owners) != 1 or owners[0].lower() != target.lower():
                raise SessionSchemaError(
                    f"the {table} table in {db_path} belongs to the base table {owners or None}, not {target!r}: "
                    "give each sessions_table / messages_table pair its own database file"
                )
        if not create:
            write(conn, lambda: self._create_bookkeeping(conn))

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS message_structure (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT "
            "NULL, message_id INTEGER NOT NULL, branch_id TEXT NOT NULL DEFAULT 'main', message_type TEXT NOT NULL, "
            "sequence_number INTEGER NOT NULL, user_turn_number INTEGER, branch_turn_number INTEGER, tool_name TEXT, "
            f"created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, FOREIGN KEY (session_id) REFERENCES {self.sessions}"
            f"(session_id) ON DELETE CASCADE, FOREIGN KEY (message_id) REFERENCES {self.messages}(id) ON DELETE "
            "CASCADE)"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS turn_usage (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, "
            "branch_id TEXT NOT NULL DEFAULT 'main', user_turn_number INTEGER NOT NULL, requests INTEGER DEFAULT 0, "
            "input_tokens INTEGER DEFAULT 0, output_tokens INTEGER DEFAULT 0, total_tokens INTEGER DEFAULT 0, "
            "input_tokens_details JSON, output_tokens_details JSON, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, "
            f"FOREIGN KEY (session_id) REFERENCES {self.sessions}(session_id) ON DELETE CASCADE, "
            "UNIQUE(session_id, branch_id, user_turn_number))"
        )
        for name, columns in (("idx_structure_session_seq", "message_structure(session_id, sequence_number)"),
                              ("idx_structure_branch", "message_structure(session_id, branch_id)"),
                              ("idx_structure_turn", "message_structure(session_id, branch_id, user_turn_number)"),
                              ("idx_structure_branch_seq", "message_structure(session_id, branch_id, sequence_number)"),
                              ("idx_turn_usage_session_turn", "turn_usage(session_id, branch_id, user_turn_number)")):
            conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")
        self._create_bookkeeping(conn)

    def _create_bookkeeping(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS branch_reservations (session_id TEXT NOT NULL, branch_id TEXT NOT NULL, "
            "PRIMARY KEY (session_id, branch_id))"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS session_clear_generations (session_id TEXT PRIMARY KEY, generation INTEGER "
            "NOT NULL DEFAULT 0)"
        )
        # Branches written by a store that kept no reservations (an older SDK) are taken, too.
        conn.execute(
            "INSERT OR IGNORE INTO branch_reservations (session_id, branch_id) SELECT DISTINCT session_id, branch_id "
            "FROM message_structure WHERE session_id = ?",
            (self.session_id,),
        )

    def generation(self, conn: sqlite3.Connection) -> int:
        """How many times the session was cleared: a branch chosen before a clear no longer exists after it."""
        row = conn.execute(
            "SELECT generation FROM session_clear_generations WHERE session_id = ?", (self.session_id,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    # ---- items --------------------------------------------------------------------------------------------

    def add(self, conn: sqlite3.Connection, branch: str, items: list[dict[str, Any]], encoded: list[str]) -> None:
        """Append ``items`` to ``branch``: each user message starts the branch's next turn."""
        conn.execute(f"INSERT OR IGNORE INTO {self.sessions} (session_id) VALUES (?)", (self.session_id,))
        conn.execute(
            "INSERT OR IGNORE INTO branch_reservations (session_id, branch_id) VALUES (?, ?)", (self.session_id, branch)
        )
        sequence = self._last_sequence(conn)
        turn, branch_turn = conn.execute(
            "SELECT COALESCE(MAX(user_turn_number), 0), COALESCE(MAX(branch_turn_number), 0) FROM message_structure "
            "WHERE session_id = ? AND branch_id = ?",
            (self.session_id, branch),
        ).fetchone()
        rows = []
        for item, data in zip(items, encoded, strict=True):
            message_id = conn.execute(
                f"INSERT INTO {self.messages} (session_id, message_data) VALUES (?, ?)", (self.session_id, data)
            ).lastrowid
            kind, tool = classify(item)
            if kind == "user":
                turn, branch_turn = turn + 1, branch_turn + 1
            sequence += 1
            rows.append((self.session_id, message_id, branch, kind, sequence, turn, branch_turn, tool))
        conn.executemany(
            "INSERT INTO message_structure (session_id, message_id, branch_id, message_type, sequence_number, "
            "user_turn_number, branch_turn_number, tool_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute(
            f"UPDATE {self.sessions} SET updated_at = CURRENT_TIMESTAMP WHERE session_id = ?", (self.session_id,)
        )

    def items(self, conn: sqlite3.Connection, branch: str, limit: int | None) -> list[dict[str, Any]]:
        """The branch's items, oldest first; with ``limit``, the latest ``limit`` readable ones."""
        query = (
            f"SELECT m.message_data FROM message_structure s JOIN {self.messages} m ON m.id = s.message_id "
            "WHERE s.session_id = ? AND s.branch_id = ? ORDER BY s.sequence_number DESC"
        )
        if limit is None:
            rows = conn.execute(query, (self.session_id, branch)).fetchall()
            return [item for item in (decode(r[0]) for r in reversed(rows)) if item is not None]
        if limit <= 0:
            return []
        window = limit
        while True:  # widen the window past unreadable rows, so the limit counts items returned
            rows = conn.execute(query + " LIMIT ?", (self.session_id, branch, window)).fetchall()
            found = [item for item in (decode(r[0]) for r in reversed(rows)) if item is not None]
            if len(found) >= limit or len(rows) < window:
                return found[-limit:]
            window *= 2

    def pop(self, conn: sqlite3.Connection, branch: str) -> dict[str, Any] | None:
        """The branch's latest readable item, removed from the branch (the row too when no branch shares it);
        a turn left empty loses its usage row."""
        while True:
            claimed = conn.execute(
                "DELETE FROM message_structure WHERE id = (SELECT id FROM message_structure WHERE session_id = ? AND "
                "branch_id = ? ORDER BY sequence_number DESC LIMIT 1) RETURNING message_id, user_turn_number",
                (self.session_id, branch),
            ).fetchone()
            if claimed is None:
                return None
            message_id, turn = claimed
            row = conn.execute(f"SELECT message_data FROM {self.messages} WHERE id = ?", (message_id,)).fetchone()
            self._drop_orphans(conn)
            left = conn.execute(
                "SELECT 1 FROM message_structure WHERE session_id = ? AND branch_id = ? AND user_turn_number = ?",
                (self.session_id, branch, turn),
            ).fetchone()
            if left is None:
                conn.execute(
                    "DELETE FROM turn_usage WHERE session_id = ? AND branch_id = ? AND user_turn_number = ?",
                    (self.session_id, branch, turn),
                )
            item = None if row is None else decode(row[0])
            if item is not None:
                return item

    def clear(self, conn: sqlite3.Connection) -> int:
        """Every branch's items and usage gone (branch names stay taken); returns the new clear generation."""
        for table in ("turn_usage", "message_structure", self.messages, self.sessions):
            conn.execute(f"DELETE FROM {table} WHERE session_id = ?", (self.session_id,))
        conn.execute(
            "INSERT INTO session_clear_generations (session_id, generation) VALUES (?, 1) "
            "ON CONFLICT(session_id) DO UPDATE SET generation = generation + 1",
            (self.session_id,),
        )
        return self.generation(conn)

    def _last_sequence(self, conn: sqlite3.Connection) -> int:
        row = conn.execute(
            "SELECT COALESCE(MAX(sequence_number), 0) FROM message_structure WHERE session_id = ?", (self.session_id,)
        ).fetchone()
        return int(row[0])

    def _drop_orphans(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            f"DELETE FROM {self.messages} WHERE session_id = ? AND id NOT IN (SELECT message_id FROM "
            "message_structure WHERE session_id = ?)",
            (self.session_id, self.session_id),
        )

    # ---- branches -----------------------------------------------------------------------------------------

    def branch_exists(self, conn: sqlite3.Connection, branch: str) -> bool:
        """A branch exists while it holds items, as in the SDK (an empty new branch is current, not listed)."""
        row = conn.execute(
            "SELECT 1 FROM message_structure WHERE session_id = ? AND branch_id = ? LIMIT 1", (self.session_id, branch)
        ).fetchone()
        return row is not None

    def copy_branch(self, conn: sqlite3.Connection, source: str, turn: int, name: str | None, stamp: int) -> str:
        """A new branch holding ``source``'s items before its turn ``turn`` (which must start with a user
        message); returns its name, ``name`` or one made from ``turn`` and ``stamp``."""
        found = conn.execute(
            "SELECT 1 FROM message_structure WHERE session_id = ? AND branch_id = ? AND branch_turn_number = ? "
            "AND message_type = 'user'",
            (self.session_id, source, turn),
        ).fetchone()
        if found is None:
            raise SessionBranchError(f"Turn {turn} does not contain a user message in branch {source!r}")
        branch = name if name is not None else f"branch_from_turn_{turn}_{stamp}"
        suffix = 1
        while not self._reserve(conn, branch):
            if name is not None:
                raise SessionBranchError(f"Branch ID {name!r} has already been used in this session: choose a new one")
            suffix += 1
            branch = f"branch_from_turn_{turn}_{stamp}_{suffix}"
        conn.execute(
            "INSERT INTO message_structure (session_id, message_id, branch_id, message_type, sequence_number, "
            "user_turn_number, branch_turn_number, tool_name) SELECT session_id, message_id, ?, message_type, "
            "? + ROW_NUMBER() OVER (ORDER BY sequence_number), user_turn_number, branch_turn_number, tool_name "
            "FROM message_structure WHERE session_id = ? AND branch_id = ? AND branch_turn_number < ? "
            "ORDER BY sequence_number",
            (branch, self._last_sequence(conn), self.session_id, source, turn),
        )
        return branch

    def _reserve(self, conn: sqlite3.Connection, branch: str) -> bool:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO branch_reservations (session_id, branch_id) VALUES (?, ?)", (self.session_id, branch)
        )
        return cursor.rowcount == 1

    def delete_branch(self, conn: sqlite3.Connection, branch: str) -> None:
        if not self.branch_exists(conn, branch):
            raise SessionBranchError(f"Branch {branch!r} does not exist")
        for table in ("turn_usage", "message_structure"):
            conn.execute(f"DELETE FROM {table} WHERE session_id = ? AND branch_id = ?", (self.session_id, branch))
        self._drop_orphans(conn)

    def branches(self, conn: sqlite3.Connection, current: str) -> list[dict[str, Any]]:
        rows = conn.execute(
            "SELECT branch_id, COUNT(*), SUM(message_type = 'user'), MIN(created_at), MIN(sequence_number) "
            "FROM message_structure WHERE session_id = ? GROUP BY branch_id ORDER BY MIN(sequence_number)",
            (self.session_id,),
        ).fetchall()
        return [
            {"branch_id": b, "message_count": n, "user_turns": u, "is_current": b == current, "created_at": c}
            for b, n, u, c, _ in rows
        ]
