"""The realtime layer's errors.

Why typed: a realtime session runs for minutes with audio flowing; a failure of its connection must reach the
program as an error it can catch by class, never end the session without a word.
"""

from __future__ import annotations

from ..exceptions import AgentsOtelError, UserError


class RealtimeNotSupportedError(UserError):
    """A part of the SDK's ``agents.realtime`` that ``agents_otel.realtime`` does not support. Every part is
    supported now (SIP calls were the last); the class stays so programs that catch it keep working."""


class RealtimeConnectionClosedError(AgentsOtelError):
    """The Realtime API's websocket closed without the session asking (a network failure, the server going away
    with an error code). The session yields a ``RealtimeError`` carrying it, then iteration raises it."""


__all__ = ["RealtimeConnectionClosedError", "RealtimeNotSupportedError"]
