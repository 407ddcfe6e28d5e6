"""The read side of :class:`AdvancedSQLiteSession` (turns, tool use, token usage) and the one usage write.

Each function runs in the session's worker thread on its connection; the shapes returned are the SDK's (the same
dict keys, tuples and ``None`` / ``{}`` for nothing found).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from typing import Any

from ...models.interface import Usage
from .advanced_sqlite_store import TOOL_CALL_TYPES, Tables, decode, message_text, preview


def user_turns(
    conn: sqlite3.Connection, tables: Tables, branch: str, search: str | None = None, limit: int | None = 100
) -> list[dict[str, Any]]:
    """The branch's user turns; with ``search``, only those whose message text contains it (ignoring case)."""
    rows = conn.execute(
        f"SELECT s.branch_turn_number, m.message_data, s.created_at FROM message_structure s JOIN {tables.messages} "
        "m ON m.id = s.message_id WHERE s.session_id = ? AND s.branch_id = ? AND s.message_type = 'user' "
        "ORDER BY s.branch_turn_number",
        (tables.session_id, branch),
    ).fetchall()
    needle = None if search is None else search.casefold()
    turns = []
    for turn, data, created_at in rows:
        item = decode(data)
        if item is None:
            continue
        content = item.get("content", "")
        if needle is not None and needle not in message_text(content).casefold():
            continue
        turns.append(
            {
                "turn": turn,
                "content": preview(content, limit),
                "full_content": content,
                "timestamp": created_at,
                "can_branch": True,
            }
        )
    return turns


def by_turns(conn: sqlite3.Connection, tables: Tables, branch: str) -> dict[int, list[dict[str, str | None]]]:
    turns: dict[int, list[dict[str, str | None]]] = {}
    for turn, kind, tool in conn.execute(
        "SELECT user_turn_number, message_type, tool_name FROM message_structure WHERE session_id = ? AND "
        "branch_id = ? ORDER BY sequence_number",
        (tables.session_id, branch),
    ):
        turns.setdefault(turn, []).append({"type": kind, "tool_name": tool})
    return turns


def tool_usage(conn: sqlite3.Connection, tables: Tables, branch: str) -> list[tuple[str, int, int]]:
    """``(tool name, calls, turn)`` per tool and turn; a ``tool_search_output`` counts as a call only in a turn
    without a ``tool_search_call`` (a server-side search whose call was not kept)."""
    kinds = ", ".join("?" for _ in TOOL_CALL_TYPES)
    key = (tables.session_id, branch)
    rows = conn.execute(
        "SELECT tool_name, COUNT(*), user_turn_number FROM (SELECT tool_name, user_turn_number FROM "
        f"message_structure WHERE session_id = ? AND branch_id = ? AND message_type IN ({kinds}) UNION ALL "
        "SELECT o.tool_name, o.user_turn_number FROM message_structure o WHERE o.session_id = ? AND o.branch_id = ? "
        "AND o.message_type = 'tool_search_output' AND NOT EXISTS (SELECT 1 FROM message_structure c WHERE "
        "c.session_id = o.session_id AND c.branch_id = o.branch_id AND c.user_turn_number = o.user_turn_number "
        "AND c.message_type = 'tool_search_call')) GROUP BY tool_name, user_turn_number "
        "ORDER BY user_turn_number, tool_name",
        (*key, *TOOL_CALL_TYPES, *key),
    ).fetchall()
    return [(str(name), int(count), int(turn)) for name, count, turn in rows]


def session_usage(conn: sqlite3.Connection, tables: Tables, branch: str | None) -> dict[str, int] | None:
    where, args = "session_id = ?", [tables.session_id]
    if branch is not None:
        where, args = where + " AND branch_id = ?", [*args, branch]
    row = conn.execute(
        "SELECT SUM(requests), SUM(input_tokens), SUM(output_tokens), SUM(total_tokens), COUNT(*) FROM turn_usage "
        f"WHERE {where}",
        args,
    ).fetchone()
    if row is None or row[4] == 0:
        return None
    keys = ("requests", "input_tokens", "output_tokens", "total_tokens", "total_turns")
    return {key: int(value or 0) for key, value in zip(keys, row, strict=True)}


def turn_usage(
    conn: sqlite3.Connection, tables: Tables, branch: str, turn: int | None
) -> list[dict[str, Any]] | dict[str, Any]:
    """Every turn's usage (a list), or one turn's (a dict, ``{}`` when it has none)."""
    query = (
        "SELECT user_turn_number, requests, input_tokens, output_tokens, total_tokens, input_tokens_details, "
        "output_tokens_details FROM turn_usage WHERE session_id = ? AND branch_id = ?"
    )
    if turn is not None:
        row = conn.execute(query + " AND user_turn_number = ?", (tables.session_id, branch, turn)).fetchone()
        if row is None:
            return {}
        found = _usage_row(row)
        del found["user_turn_number"]
        return found
    rows = conn.execute(query + " ORDER BY user_turn_number", (tables.session_id, branch)).fetchall()
    return [_usage_row(row) for row in rows]


def _usage_row(row: tuple[Any, ...]) -> dict[str, Any]:
    keys = ("user_turn_number", "requests", "input_tokens", "output_tokens", "total_tokens")
    found: dict[str, Any] = dict(zip(keys, row[:5], strict=True))
    found["input_tokens_details"] = _details(row[5])
    found["output_tokens_details"] = _details(row[6])
    return found


def _details(raw: Any) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def store_usage(conn: sqlite3.Connection, tables: Tables, branch: str, usage: Usage) -> int:
    """``usage`` recorded as the branch's latest turn's (replacing what that turn had); returns the turn."""
    turn = conn.execute(
        "SELECT COALESCE(MAX(user_turn_number), 0) FROM message_structure WHERE session_id = ? AND branch_id = ?",
        (tables.session_id, branch),
    ).fetchone()[0]
    conn.execute(f"INSERT OR IGNORE INTO {tables.sessions} (session_id) VALUES (?)", (tables.session_id,))
    conn.execute(
        "INSERT OR REPLACE INTO turn_usage (session_id, branch_id, user_turn_number, requests, input_tokens, "
        "output_tokens, total_tokens, input_tokens_details, output_tokens_details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            tables.session_id,
            branch,
            turn,
            usage.requests,
            usage.input_tokens,
            usage.output_tokens,
            usage.total_tokens,
            json.dumps(dataclasses.asdict(usage.input_tokens_details)),
            json.dumps(dataclasses.asdict(usage.output_tokens_details)),
        ),
    )
    return int(turn)
