"""The SDK's ``agents.memory.session_settings`` path: how much history a session reads back."""

from __future__ import annotations

from ..session_settings import SessionSettings, coerce_session_settings, resolve_session_limit

__all__ = ["SessionSettings", "coerce_session_settings", "resolve_session_limit"]
