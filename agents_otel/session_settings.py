"""``SessionSettings``: a session's defaults for how a run reads it, as the OpenAI Agents SDK's
``agents.memory.SessionSettings``.

A plain record, so both ``RunConfig(session_settings=...)`` and a session's own ``session_settings`` attribute can
hold one without either knowing the other; the run overlays the first on the second (``resolve``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .exceptions import UserError


@dataclass
class SessionSettings:
    """How a run reads a session: e.g. ``SessionSettings(limit=20)`` starts each run from the latest 20 items."""

    limit: int | None = None
    """How many of the latest history items ``get_items()`` returns, oldest first. ``None``: all of them."""

    def __post_init__(self) -> None:
        limit = self.limit
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise UserError(f"SessionSettings limit must be a non-negative int or None, got {limit!r}")

    def resolve(self, override: SessionSettings | dict[str, Any] | None) -> SessionSettings:
        """These settings with each field ``override`` sets (not ``None``) taking its place, as in the SDK; a dict
        of the fields is taken too."""
        if override is None:
            return self
        given = coerce_session_settings(override, "SessionSettings.resolve override")
        changes = {f.name: value for f in dataclasses.fields(self) if (value := getattr(given, f.name)) is not None}
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict (the SDK's method)."""
        return dataclasses.asdict(self)


def coerce_session_settings(value: Any, where: str) -> SessionSettings:
    """A ``SessionSettings``, or a dict of its fields as the SDK accepts; anything else is a ``UserError``."""
    if isinstance(value, SessionSettings):
        return value
    if not isinstance(value, dict):
        raise UserError(f"{where} must be a SessionSettings or a dict, got {type(value).__name__}")
    unknown = sorted(set(value) - {f.name for f in dataclasses.fields(SessionSettings)})
    if unknown:
        raise UserError(f"{where}: unknown SessionSettings field(s) {unknown}")
    return SessionSettings(**value)


def resolve_session_limit(explicit: int | None, settings: SessionSettings | None) -> int | None:
    """A ``get_items(limit=...)`` argument wins over the session's settings."""
    if explicit is not None:
        return explicit
    return settings.limit if settings is not None else None


__all__ = ["SessionSettings", "coerce_session_settings", "resolve_session_limit"]
