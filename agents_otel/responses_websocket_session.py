"""The SDK's ``agents.responses_websocket_session`` path: ``from agents_otel.responses_websocket_session import
ResponsesWebSocketSession, responses_websocket_session`` gives the root's two objects.

Why this module ends by replacing itself: importing a submodule binds the package's attribute of that name to
whatever ``sys.modules`` holds for it once the import finishes, and the package root exports a *function* of this
very name (``agents_otel.responses_websocket_session()``, as the SDK's root does). A plain module here would replace
that function for the whole process the first time anyone imported the path. So the function itself is what this
import leaves in ``sys.modules``: the root's attribute stays the function, and ``from ... import X`` reads ``X`` from
it, which carries the module's two names (itself and ``ResponsesWebSocketSession``) and its ``__all__``. The
function works as before; ``importlib.import_module`` of this path returns it.
"""

from __future__ import annotations

import sys

from .responses_ws_session import ResponsesWebSocketSession, responses_websocket_session

__all__ = ["ResponsesWebSocketSession", "responses_websocket_session"]

for _name, _value in (
    ("ResponsesWebSocketSession", ResponsesWebSocketSession),
    ("responses_websocket_session", responses_websocket_session),
    ("__all__", __all__),
):
    setattr(responses_websocket_session, _name, _value)
sys.modules[__name__] = responses_websocket_session  # type: ignore[assignment]
