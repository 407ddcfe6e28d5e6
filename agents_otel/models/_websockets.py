"""websockets for the Responses API's websocket transport, or an error naming the extra that installs it.

Why a module of its own: websockets is an optional dependency. ``import agents_otel`` never loads it; making an
``OpenAIResponsesWSModel`` does, through here, so a missing package fails there, once, saying what to install.
"""

from __future__ import annotations

from ..extensions.errors import ExtensionUnavailableError

try:
    from websockets.asyncio.client import ClientConnection, connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
    from websockets.protocol import State
except ModuleNotFoundError as _exc:
    raise ExtensionUnavailableError(
        "OpenAIResponsesWSModel (the Responses API over a websocket) needs websockets: "
        "pip install 'agents_otel[websocket]'"
    ) from _exc

__all__ = [
    "ClientConnection", "ConnectionClosed", "InvalidHandshake", "InvalidStatus", "InvalidURI", "State", "connect",
]
