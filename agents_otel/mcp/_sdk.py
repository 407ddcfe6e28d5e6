"""The one place that knows which major version of the official ``mcp`` package is installed.

2.x (current) and 1.x differ in names (``is_error`` / ``isError``), in the HTTP client (``httpx2``, two streams /
``httpx``, three streams), in how ``read_timeout_seconds`` is given and in what they do about OpenTelemetry.
Everything else in ``agents_otel.mcp`` talks to the SDK through these helpers.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    import mcp  # noqa: F401  (the import is the availability check)
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("agents_otel.mcp needs the official MCP SDK: pip install 'agents_otel[mcp]'") from exc

from mcp import ClientSession, StdioServerParameters, stdio_client

try:
    MCP_VERSION = version("mcp")
except PackageNotFoundError:  # pragma: no cover - a vendored copy without metadata
    MCP_VERSION = "2"
MCP_MAJOR = int(MCP_VERSION.split(".", 1)[0])

if MCP_MAJOR >= 2:
    from mcp.shared.exceptions import MCPError as _SDKError
else:  # pragma: no cover - 1.x
    from mcp.shared.exceptions import McpError as _SDKError  # type: ignore[attr-defined,no-redef]

SDKError: type[Exception] = _SDKError
"""The SDK's exception for a JSON-RPC error answer (``MCPError`` in 2.x, ``McpError`` in 1.x)."""

HAS_SSE = importlib.util.find_spec("mcp.client.sse") is not None
"""Whether this ``mcp`` has the HTTP+SSE client (``MCPServerSse``)."""

CONNECTION_CLOSED = -32000
REQUEST_TIMEOUT = -32001

ProgressCallback = Callable[[float, float | None, str | None], Awaitable[None]]
SessionIdGetter = Callable[[], str | None]


def connection_closed(exc: BaseException) -> bool:
    """The connection is gone: the SDK's CONNECTION_CLOSED error, or (1.x, after the peer died) a closed stream."""
    import anyio

    if isinstance(exc, anyio.ClosedResourceError | anyio.BrokenResourceError):
        return True
    return isinstance(exc, SDKError) and error_code(exc) == CONNECTION_CLOSED


def error_code(exc: BaseException) -> int:
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    return code if isinstance(code, int) else 0


def error_message(exc: BaseException) -> str:
    error = getattr(exc, "error", None)
    message = getattr(error, "message", None)
    return message if isinstance(message, str) else str(exc)


def _field(obj: Any, snake: str, camel: str, default: Any = None) -> Any:
    value = getattr(obj, snake, None)
    if value is None:
        value = getattr(obj, camel, default)
    return default if value is None else value


def tool_fields(tool: Any) -> tuple[str, str, dict[str, Any]]:
    """A listed tool's name, description and input schema."""
    schema = dict(_field(tool, "input_schema", "inputSchema", {}))
    schema.setdefault("type", "object")
    schema.setdefault("properties", {})
    return str(tool.name), str(tool.description or ""), schema


def result_fields(result: Any) -> tuple[bool, list[Any], Any]:
    """A ``CallToolResult``'s error flag, content blocks and structured content."""
    return (
        bool(_field(result, "is_error", "isError", False)),
        list(result.content or []),
        _field(result, "structured_content", "structuredContent"),
    )


def tool_annotations(tool: Any) -> Any:
    """A listed tool's ``annotations`` (the SDK's ``ToolAnnotations``) as a deep copy, else ``None``: the converted
    tool keeps what was listed, whatever the listing's owner or a reader later changes."""
    found = getattr(tool, "annotations", None)
    return found.model_copy(deep=True) if found is not None else None


async def list_page(session: Any, method: str, cursor: str | None) -> Any:
    """One page of ``session.<method>()`` (``list_tools``, ``list_prompts``, ...): the first, or the one at
    ``cursor``."""
    if cursor is None:
        return await getattr(session, method)()
    from mcp import types

    return await getattr(session, method)(params=types.PaginatedRequestParams(cursor=cursor))


async def read_resource(session: Any, uri: str) -> Any:
    if MCP_MAJOR >= 2:
        return await session.read_resource(uri)
    from pydantic import AnyUrl  # pragma: no cover - 1.x takes the URI as a pydantic URL

    return await session.read_resource(AnyUrl(uri))  # pragma: no cover - 1.x


def merged_listing(first: Any, field: str, entries: list[Any]) -> Any:
    """A listing of several pages as one result: the first page's, holding every page's ``field`` and no cursor."""
    cursor_field = "next_cursor" if "next_cursor" in type(first).model_fields else "nextCursor"
    return first.model_copy(update={field: entries, cursor_field: None})


def next_cursor(result: Any) -> str | None:
    cursor = _field(result, "next_cursor", "nextCursor")
    return cursor if isinstance(cursor, str) else None


def protocol_version(session: Any, init_result: Any) -> str | None:
    found = getattr(session, "protocol_version", None) if MCP_MAJOR >= 2 else None
    if not isinstance(found, str):
        found = _field(init_result, "protocol_version", "protocolVersion")
    return found if isinstance(found, str) else None


def progress_notification(message: Any) -> tuple[str | int, float, float | None, str | None] | None:
    """``(token, progress, total, message)`` if a client ``message_handler`` item is a progress notification."""
    root = getattr(message, "root", message)  # 1.x wraps notifications in a RootModel
    if getattr(root, "method", None) != "notifications/progress":
        return None
    params = root.params
    token = _field(params, "progress_token", "progressToken")
    if not isinstance(token, str | int) or isinstance(token, bool):
        return None
    total = params.total
    text = params.message
    return token, float(params.progress), (float(total) if total is not None else None), text


def predicted_request_id(session: Any) -> str | None:
    """1.x: the id (and progress token) the next request will get; 2.x reports it through its own span."""
    if MCP_MAJOR >= 2:
        return None
    value = getattr(session, "_request_id", None)
    return str(value) if isinstance(value, int) else None


async def call_tool(
    session: ClientSession,
    name: str,
    arguments: dict[str, Any],
    progress: ProgressCallback,
    meta: dict[str, Any],
    read_timeout: float | None,
) -> Any:
    sdk_session: Any = session  # the two majors' signatures differ; checked against 2.x by the tests
    if MCP_MAJOR >= 2:
        return await sdk_session.call_tool(
            name, arguments, read_timeout_seconds=read_timeout, progress_callback=progress, meta=meta
        )
    timeout = timedelta(seconds=read_timeout) if read_timeout is not None else None  # pragma: no cover - 1.x
    return await sdk_session.call_tool(name, arguments, timeout, progress, meta=meta)  # pragma: no cover - 1.x


def client_session(read: Any, write: Any, read_timeout: float | None, message_handler: Any) -> ClientSession:
    timeout: Any = read_timeout
    if MCP_MAJOR < 2 and read_timeout is not None:  # pragma: no cover - 1.x
        timeout = timedelta(seconds=read_timeout)
    return ClientSession(read, write, read_timeout_seconds=timeout, message_handler=message_handler)


@contextlib.asynccontextmanager
async def stdio_transport(params: dict[str, Any]) -> AsyncIterator[tuple[Any, Any, SessionIdGetter]]:
    server = StdioServerParameters(**params)
    async with stdio_client(server, errlog=sys.stderr) as (read, write):
        yield read, write, lambda: None


@contextlib.asynccontextmanager
async def http_transport(
    url: str,
    headers: dict[str, str] | None,
    http_timeout: float,
    sse_read_timeout: float,
    terminate_on_close: bool,
    client_factory: Callable[..., Any],
    auth: Any,
) -> AsyncIterator[tuple[Any, Any, SessionIdGetter]]:
    """Streamable HTTP; yields the streams and a getter for the ``Mcp-Session-Id`` the server assigned.

    ``client_factory`` has the SDK's ``McpHttpClientFactory`` shape (``http_clients.client_factory``): called once,
    with the headers, the timeouts and ``auth``; the transport enters and closes the client it returns."""
    if MCP_MAJOR >= 2:
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        session_id: list[str] = []

        async def remember_session(response: httpx2.Response) -> None:
            found = response.headers.get("mcp-session-id")
            if found:
                session_id[:] = [found]

        client = client_factory(
            headers=headers, timeout=httpx2.Timeout(http_timeout, read=sse_read_timeout), auth=auth
        )
        client.event_hooks.setdefault("response", []).append(remember_session)  # after the factory's own hooks
        async with (
            client,
            streamable_http_client(url, http_client=client, terminate_on_close=terminate_on_close) as (
                read,
                write,
            ),
        ):
            yield read, write, lambda: session_id[0] if session_id else None
        return
    import importlib  # pragma: no cover - 1.x

    import httpx  # pragma: no cover - 1.x

    module: Any = importlib.import_module("mcp.client.streamable_http")  # pragma: no cover - 1.x
    if hasattr(module, "streamable_http_client"):  # pragma: no cover - 1.x from 1.2x on: an httpx client of ours
        legacy_client: Any = client_factory(
            headers=headers, timeout=httpx.Timeout(http_timeout, read=sse_read_timeout), auth=auth
        )
        async with (
            legacy_client,
            module.streamable_http_client(url, http_client=legacy_client, terminate_on_close=terminate_on_close) as (
                read,
                write,
                get_session_id,
            ),
        ):
            yield read, write, get_session_id
        return
    async with module.streamablehttp_client(  # pragma: no cover - older 1.x
        url,
        headers=headers,
        timeout=http_timeout,
        sse_read_timeout=sse_read_timeout,
        terminate_on_close=terminate_on_close,
        httpx_client_factory=client_factory,
        auth=auth,
    ) as (read, write, get_session_id):
        yield read, write, get_session_id


@contextlib.asynccontextmanager
async def sse_transport(
    url: str,
    headers: dict[str, str] | None,
    http_timeout: float,
    sse_read_timeout: float,
    client_factory: Callable[..., Any],
    auth: Any,
) -> AsyncIterator[tuple[Any, Any, SessionIdGetter]]:
    """HTTP+SSE; the SDK tells the session id the server put in its endpoint URL (where it can: recent 1.x, 2.x).
    The SDK's ``sse_client`` calls ``client_factory`` itself, with the headers, the timeouts and ``auth``."""
    import inspect

    from mcp.client.sse import sse_client

    session_id: list[str] = []
    kwargs: dict[str, Any] = {
        "headers": headers,
        "timeout": http_timeout,
        "sse_read_timeout": sse_read_timeout,
        "httpx_client_factory": client_factory,
        "auth": auth,
    }
    if "on_session_created" in inspect.signature(sse_client).parameters:
        kwargs["on_session_created"] = lambda found: session_id.__setitem__(slice(None), [found])
    async with sse_client(url, **kwargs) as streams:
        yield streams[0], streams[1], lambda: session_id[0] if session_id else None
