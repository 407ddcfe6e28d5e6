"""The SDK's ``agents.memory.sqlite_session`` path: the SQLite-backed session."""

from __future__ import annotations

from ..sessions import SQLiteSession

__all__ = ["SQLiteSession"]
