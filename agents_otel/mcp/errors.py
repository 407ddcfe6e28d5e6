"""Typed errors of the MCP client, so callers and the model can tell a failing tool from a dead server.

Errors of one tool call derive from :class:`~agents_otel.exceptions.ToolError`: the run goes on and the model
reads ``Error: ...`` (the normal tool path does that). Errors of the connection itself (a server that does not
start, a tool list that cannot be fetched) reach the caller.
"""

from __future__ import annotations

from ..exceptions import AgentsOtelError, ToolError


class MCPToolError(ToolError):
    """The server ran the tool and it reported failure (``isError: true``); the message is the tool's text."""

    error_type = "tool_error"


class MCPRequestError(ToolError):
    """The server answered ``tools/call`` with a JSON-RPC error (unknown tool, invalid params, ...).

    ``error_type`` is the JSON-RPC error code as a string, as the MCP semantic conventions ask for ``error.type``.
    """

    tool_worded = True

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code
        self.error_type = str(code)


class MCPConnectionError(ToolError):
    """The server went away during the call (process exited, connection closed) or was never connected."""

    error_type = "connection_closed"
    tool_worded = True


class MCPServerError(AgentsOtelError):
    """A server-level failure the caller sees: starting, listing tools."""


class MCPServerStartError(MCPServerError):
    """``connect()`` failed: the command could not be started, exited early, or never answered ``initialize``.

    No process is left behind: the transport is torn down before this is raised.
    """


__all__ = [
    "MCPConnectionError",
    "MCPRequestError",
    "MCPServerError",
    "MCPServerStartError",
    "MCPToolError",
]
