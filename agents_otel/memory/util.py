"""The SDK's ``agents.memory.util`` path: the type of ``RunConfig(session_input_callback=...)``."""

from __future__ import annotations

from ..sessions import SessionInputCallback

__all__ = ["SessionInputCallback"]
