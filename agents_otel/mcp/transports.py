"""The MCP servers an agent uses: ``MCPServerStdio`` and ``MCPServerStreamableHttp``.

Names and parameters as in the OpenAI Agents SDK (what it offers beyond these is refused as an unknown keyword,
never ignored), built on the official ``mcp`` client. The connection itself lives in :class:`MCPServer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, ClassVar, Generic, Literal, NotRequired, TypedDict, TypeVar
from urllib.parse import urlsplit

from ..exceptions import UserError
from ..tool_guardrails import ToolInputGuardrail, ToolOutputGuardrail
from . import _sdk, http_clients
from .client import UNSET, MCPServer, MessageHandler, ServerFailureErrorFunction
from .custom_data import MCPToolCustomDataExtractor
from .http_clients import HttpClientFactory
from .policies import RequireApprovalSetting
from .tool_filters import MCPToolMetaResolver, ToolFilter


class MCPServerStdioParams(TypedDict):
    """What starts a stdio server (mirrors ``mcp.StdioServerParameters``)."""

    command: str
    args: NotRequired[list[str]]
    env: NotRequired[dict[str, str]]
    cwd: NotRequired[str]
    encoding: NotRequired[str]
    encoding_error_handler: NotRequired[Literal["strict", "ignore", "replace"]]


class MCPServerSseParams(TypedDict):
    """Where an HTTP+SSE server (the 2024-11-05 transport) listens. ``timeout`` / ``sse_read_timeout`` in seconds;
    ``auth`` (an ``httpx2.Auth`` with mcp 2.x, ``httpx.Auth`` with 1.x) and ``httpx_client_factory`` as in
    :mod:`agents_otel.mcp.http_clients`."""

    url: str
    headers: NotRequired[dict[str, str]]
    timeout: NotRequired[float]
    sse_read_timeout: NotRequired[float]
    auth: NotRequired[Any]
    httpx_client_factory: NotRequired[HttpClientFactory]


class MCPServerStreamableHttpParams(TypedDict):
    """Where a Streamable HTTP server listens. ``timeout`` / ``sse_read_timeout`` in seconds; ``auth`` (an
    ``httpx2.Auth`` with mcp 2.x, ``httpx.Auth`` with 1.x) and ``httpx_client_factory`` as in
    :mod:`agents_otel.mcp.http_clients`."""

    url: str
    headers: NotRequired[dict[str, str]]
    timeout: NotRequired[float]
    sse_read_timeout: NotRequired[float]
    terminate_on_close: NotRequired[bool]
    httpx_client_factory: NotRequired[HttpClientFactory]
    auth: NotRequired[Any]


Params = TypeVar("Params", bound=Mapping[str, Any])


class _ConfiguredServer(MCPServer, Generic[Params]):
    """The constructor both transports share (the SDK's parameters, in its order); a transport names the one
    ``params`` key it cannot do without and the prefix of its default name (``"stdio: <command>"``)."""

    _required: ClassVar[str]
    _name_prefix: ClassVar[str]
    _params_type: ClassVar[type]

    def __init__(
        self,
        params: Params,
        cache_tools_list: bool = False,
        name: str | None = None,
        client_session_timeout_seconds: float | None = 5,
        tool_filter: ToolFilter = None,
        use_structured_content: bool = False,
        max_retry_attempts: int = 0,
        retry_backoff_seconds_base: float = 1.0,
        message_handler: MessageHandler | None = None,
        require_approval: RequireApprovalSetting = None,
        failure_error_function: ServerFailureErrorFunction = UNSET,
        tool_meta_resolver: MCPToolMetaResolver | None = None,
        custom_data_extractor: MCPToolCustomDataExtractor | None = None,
        retry_backoff_seconds_max: float | None = None,
        *,
        tool_input_guardrails: list[ToolInputGuardrail[Any]] | None = None,
        tool_output_guardrails: list[ToolOutputGuardrail[Any]] | None = None,
        max_list_pages: int | None = None,
        connect_timeout_seconds: float | None = 30,
    ) -> None:
        self._check_available()
        if not isinstance(params, dict) or not params.get(self._required):
            raise UserError(f"{type(self).__name__}(params=...) needs at least {{'{self._required}': ...}}")
        unknown = sorted(set(params) - set(self._params_type.__annotations__))
        if unknown:  # refused, never ignored
            raise UserError(f"{type(self).__name__}(params=...): unsupported keys {unknown}")
        http_clients.check_params(type(self).__name__, params)  # auth / httpx_client_factory: HTTP params only
        self.params = params
        super().__init__(
            name=name or f"{self._name_prefix}: {params[self._required]}",
            cache_tools_list=cache_tools_list,
            client_session_timeout_seconds=client_session_timeout_seconds,
            tool_filter=tool_filter,
            use_structured_content=use_structured_content,
            connect_timeout_seconds=connect_timeout_seconds,
            failure_error_function=failure_error_function,
            max_retry_attempts=max_retry_attempts,
            retry_backoff_seconds_base=retry_backoff_seconds_base,
            retry_backoff_seconds_max=retry_backoff_seconds_max,
            require_approval=require_approval,
            tool_meta_resolver=tool_meta_resolver,
            custom_data_extractor=custom_data_extractor,
            message_handler=message_handler,
            tool_input_guardrails=tool_input_guardrails,
            tool_output_guardrails=tool_output_guardrails,
            max_list_pages=max_list_pages,
        )

    @classmethod
    def _check_available(cls) -> None:
        """A transport the installed ``mcp`` lacks says so when the server is built (see ``MCPServerSse``)."""


class MCPServerStdio(_ConfiguredServer[MCPServerStdioParams]):
    """An MCP server run as a subprocess, spoken to over stdin/stdout.

    ``client_session_timeout_seconds`` bounds ``tools/list``; for ``tools/call`` it is an *idle* timeout: each
    progress notification restarts it (a tool that keeps reporting may run long, a silent one is ended).
    ``connect_timeout_seconds`` (ours, not the SDK's, keyword-only) bounds the start and the ``initialize``
    handshake. ``failure_error_function`` words this server's failed calls for the model, ``None`` makes them fail
    the run; given, it wins over the agent's ``mcp_config``, as in the SDK. The parameters are the SDK's, in its
    order (positional up to ``retry_backoff_seconds_max``).
    """

    network_transport = "pipe"
    _required = "command"
    _name_prefix = "stdio"
    _params_type = MCPServerStdioParams

    def create_streams(self) -> AbstractAsyncContextManager[tuple[Any, Any, _sdk.SessionIdGetter]]:
        return _sdk.stdio_transport(dict(self.params))


class MCPServerStreamableHttp(_ConfiguredServer[MCPServerStreamableHttpParams]):
    """An MCP server reached over Streamable HTTP at ``params["url"]``.

    Calls on one session are sent at once, never one after another (as the SDK since 0.25 with mcp 2.x): an
    agent's parallel calls to the server run in parallel, and a call in flight outlives a sibling that fails or is
    cancelled. So when the connection drops, several calls may have taken effect before their answers arrive: give
    ``max_retry_attempts`` only for tools whose calls are safe to send again."""

    network_transport = "tcp"
    _required = "url"
    _name_prefix = "streamable_http"
    _params_type = MCPServerStreamableHttpParams

    def server_address(self) -> tuple[str | None, int | None]:
        parts = urlsplit(self.params["url"])
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return parts.hostname, port

    def create_streams(self) -> AbstractAsyncContextManager[tuple[Any, Any, _sdk.SessionIdGetter]]:
        params = self.params
        return _sdk.http_transport(
            params["url"],
            params.get("headers"),
            float(params.get("timeout", 5)),
            float(params.get("sse_read_timeout", 300)),
            params.get("terminate_on_close", True),
            http_clients.client_factory(params),
            params.get("auth"),
        )


class MCPServerSse(_ConfiguredServer[MCPServerSseParams]):
    """An MCP server reached over HTTP with Server-Sent Events (the older transport) at ``params["url"]``."""

    network_transport = "tcp"
    _required = "url"
    _name_prefix = "sse"
    _params_type = MCPServerSseParams

    @classmethod
    def _check_available(cls) -> None:
        if not _sdk.HAS_SSE:
            raise UserError(f"MCPServerSse needs mcp.client.sse, which mcp {_sdk.MCP_VERSION} does not have")

    def server_address(self) -> tuple[str | None, int | None]:
        parts = urlsplit(self.params["url"])
        return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)

    def create_streams(self) -> AbstractAsyncContextManager[tuple[Any, Any, _sdk.SessionIdGetter]]:
        params = self.params
        return _sdk.sse_transport(
            params["url"],
            params.get("headers"),
            float(params.get("timeout", 5)),
            float(params.get("sse_read_timeout", 300)),
            http_clients.client_factory(params),
            params.get("auth"),
        )
