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


class SessionSettingsTypeError(UserError, TypeError):
    """Something that is not session settings where they are expected: a ``UserError`` as this runtime's other
    misuses, and a ``TypeError`` as the SDK raises for it (a third-party adapter's ``except TypeError`` catches it)."""


def coerce_session_settings(
    value: SessionSettings | dict[str, Any], where: str = "session_settings"
) -> SessionSettings:
    """``value`` as a ``SessionSettings``, the SDK's ``agents.memory.coerce_session_settings``: a ``SessionSettings``
    (a subclass too) as it is, a dict of its fields as a new one. An unknown field, or anything else, is a
    ``SessionSettingsTypeError`` (``where`` names the setting); a bad ``limit`` is the ``UserError`` of
    ``SessionSettings`` itself. ``None`` is not settings: a caller that takes ``None`` makes ``SessionSettings()``."""
    if isinstance(value, SessionSettings):
        return value
    if not isinstance(value, dict):
        raise SessionSettingsTypeError(f"{where} must be a SessionSettings or a dict, got {type(value).__name__}")
    unknown = sorted(map(str, set(value) - {f.name for f in dataclasses.fields(SessionSettings)}))
    if unknown:
        raise SessionSettingsTypeError(f"{where}: unknown SessionSettings field(s) {unknown}")
    return SessionSettings(**value)


def resolve_session_limit(
    explicit_limit: int | None, settings: SessionSettings | dict[str, Any] | None
) -> int | None:
    """The limit a ``get_items(limit=...)`` reads with, the SDK's ``agents.memory.resolve_session_limit``: the
    explicit argument when given (``0`` and below kept: such a read returns no items), else the settings' ``limit``
    (a dict of settings coerced first), else ``None`` (all items). It only chooses; the session does the reading."""
    if explicit_limit is not None:
        return explicit_limit
    if settings is None:
        return None
    return coerce_session_settings(settings).limit


__all__ = ["SessionSettings", "SessionSettingsTypeError", "coerce_session_settings", "resolve_session_limit"]
