"""The realtime layer's errors.

Why typed: a realtime session runs for minutes with audio flowing; a part of the SDK's realtime API this runtime
does not have yet (SIP calls) must stop the program where it is asked for, with
an error a program can catch by class, never let the session run without it.
"""

from __future__ import annotations

from ..exceptions import AgentsOtelError, UserError


class RealtimeNotSupportedError(UserError):
    """A part of the SDK's ``agents.realtime`` that ``agents_otel.realtime`` does not support yet; the message names
    it. Raised when it is configured or called, never later."""


class RealtimeConnectionClosedError(AgentsOtelError):
    """The Realtime API's websocket closed without the session asking (a network failure, the server going away
    with an error code). The session yields a ``RealtimeError`` carrying it, then iteration raises it."""


def not_supported(what: str) -> RealtimeNotSupportedError:
    return RealtimeNotSupportedError(
        f"{what} is not supported by agents_otel.realtime yet (see docs/migrating.md, 'Not supported yet')"
    )


__all__ = ["RealtimeConnectionClosedError", "RealtimeNotSupportedError", "not_supported"]
