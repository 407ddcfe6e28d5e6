"""The MCP servers an agent uses: ``MCPServerStdio`` and ``MCPServerStreamableHttp``.

Names and parameters as in the OpenAI Agents SDK (what it offers beyond these is refused as an unknown keyword,
never ignored), built on the official ``mcp`` client. The connection itself lives in :class:`MCPServer`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, NotRequired, TypedDict
from urllib.parse import urlsplit

from ..exceptions import UserError
from . import _sdk
from .client import MCPServer, ToolFilterStatic


class MCPServerStdioParams(TypedDict):
    """What starts a stdio server (mirrors ``mcp.StdioServerParameters``)."""

    command: str
    args: NotRequired[list[str]]
    env: NotRequired[dict[str, str]]
    cwd: NotRequired[str]
    encoding: NotRequired[str]
    encoding_error_handler: NotRequired[Literal["strict", "ignore", "replace"]]


class MCPServerStreamableHttpParams(TypedDict):
    """Where a Streamable HTTP server listens. ``timeout`` / ``sse_read_timeout`` in seconds."""

    url: str
    headers: NotRequired[dict[str, str]]
    timeout: NotRequired[float]
    sse_read_timeout: NotRequired[float]
    terminate_on_close: NotRequired[bool]


class MCPServerStdio(MCPServer):
    """An MCP server run as a subprocess, spoken to over stdin/stdout.

    ``client_session_timeout_seconds`` bounds ``tools/list``; for ``tools/call`` it is an *idle* timeout: each
    progress notification restarts it (a tool that keeps reporting may run long, a silent one is ended).
    ``connect_timeout_seconds`` (ours, not the SDK's) bounds the start and the ``initialize`` handshake.
    """

    network_transport = "pipe"

    def __init__(
        self,
        params: MCPServerStdioParams,
        cache_tools_list: bool = False,
        name: str | None = None,
        client_session_timeout_seconds: float | None = 5,
        tool_filter: ToolFilterStatic | None = None,
        use_structured_content: bool = False,
        *,
        connect_timeout_seconds: float | None = 30,
    ) -> None:
        if not isinstance(params, dict) or not params.get("command"):
            raise UserError("MCPServerStdio(params=...) needs at least {'command': ...}")
        self.params = params
        default_name = f"stdio: {params['command']}"
        super().__init__(
            name=name or default_name,
            cache_tools_list=cache_tools_list,
            client_session_timeout_seconds=client_session_timeout_seconds,
            tool_filter=tool_filter,
            use_structured_content=use_structured_content,
            connect_timeout_seconds=connect_timeout_seconds,
        )

    def _transport(self) -> AbstractAsyncContextManager[tuple[Any, Any, _sdk.SessionIdGetter]]:
        return _sdk.stdio_transport(dict(self.params))


class MCPServerStreamableHttp(MCPServer):
    """An MCP server reached over Streamable HTTP at ``params["url"]``."""

    network_transport = "tcp"

    def __init__(
        self,
        params: MCPServerStreamableHttpParams,
        cache_tools_list: bool = False,
        name: str | None = None,
        client_session_timeout_seconds: float | None = 5,
        tool_filter: ToolFilterStatic | None = None,
        use_structured_content: bool = False,
        *,
        connect_timeout_seconds: float | None = 30,
    ) -> None:
        if not isinstance(params, dict) or not params.get("url"):
            raise UserError("MCPServerStreamableHttp(params=...) needs at least {'url': ...}")
        self.params = params
        super().__init__(
            name=name or f"streamable_http: {params['url']}",
            cache_tools_list=cache_tools_list,
            client_session_timeout_seconds=client_session_timeout_seconds,
            tool_filter=tool_filter,
            use_structured_content=use_structured_content,
            connect_timeout_seconds=connect_timeout_seconds,
        )

    def server_address(self) -> tuple[str | None, int | None]:
        parts = urlsplit(self.params["url"])
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return parts.hostname, port

    def _transport(self) -> AbstractAsyncContextManager[tuple[Any, Any, _sdk.SessionIdGetter]]:
        params = self.params
        return _sdk.http_transport(
            params["url"],
            params.get("headers"),
            float(params.get("timeout", 5)),
            float(params.get("sse_read_timeout", 300)),
            params.get("terminate_on_close", True),
        )
