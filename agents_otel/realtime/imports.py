"""websockets for the OpenAI Realtime transport, or an error naming the extra that installs it.

Why a module of its own: websockets is an optional dependency — ``import agents_otel`` never loads it; only
``agents_otel.realtime`` does, through here, so a missing one fails once, at import, with what to install.
"""

from __future__ import annotations

from ..extensions.errors import ExtensionUnavailableError

try:
    import websockets
    from websockets.asyncio.client import ClientConnection
    from websockets.exceptions import ConnectionClosed, ConnectionClosedOK
except ModuleNotFoundError as _exc:  # pragma: no cover - the test venvs have websockets
    raise ExtensionUnavailableError(
        "agents_otel.realtime needs websockets: pip install 'agents_otel[realtime]'"
    ) from _exc

__all__ = ["ClientConnection", "ConnectionClosed", "ConnectionClosedOK", "websockets"]
