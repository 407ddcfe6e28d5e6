"""An MCP server built with the official SDK's ``MCPServer`` only (no agents_otel): the far side of the client tests.

Its tools are ``servers.OFFICIAL_TOOLS`` (``add`` carries annotations); it also offers a prompt (``review``), a
resource (``notes://readme``) and a resource template (``notes://topics/{topic}``).

Run as ``python official_server.py`` for stdio, or ``python official_server.py --http`` for Streamable HTTP (``--sse``
for HTTP+SSE) on a free port, printed as ``PORT <n>`` on stdout once the socket is bound.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

import anyio
from mcp.types import ToolAnnotations

try:  # mcp 2.x
    from mcp.server.mcpserver import Context, MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.shared.exceptions import MCPError

    def _jsonrpc_error(message: str) -> Exception:
        return MCPError(-32603, message)
except ImportError:  # mcp 1.x: the same server under its old name
    from mcp.server.fastmcp import Context  # type: ignore[no-redef,import-not-found,unused-ignore]
    from mcp.server.fastmcp import FastMCP as MCPServer
    from mcp.server.fastmcp.exceptions import ToolError  # type: ignore[no-redef,import-not-found,unused-ignore]

    def _jsonrpc_error(message: str) -> Exception:
        from mcp.shared.exceptions import McpError  # type: ignore[attr-defined,unused-ignore]
        from mcp.types import ErrorData

        return McpError(ErrorData(code=-32603, message=message))  # type: ignore[no-any-return,unused-ignore]

server = MCPServer("official-test-server")
_remembered: list[tuple[Any, Any]] = []
_attempts: dict[str, int] = {}

if os.environ.get("MCP_TEST_PIDFILE"):
    with open(os.environ["MCP_TEST_PIDFILE"], "w") as pidfile:
        pidfile.write(str(os.getpid()))


def _meta(ctx: Context) -> dict[str, Any]:
    """The request's ``_meta``: a dict in 2.x; in 1.x a model with ``progressToken`` and the rest as extras."""
    meta: Any = ctx.request_context.meta
    if not meta:
        return {}
    if isinstance(meta, dict):
        return dict(meta)
    found = dict(meta.model_extra or {})
    found["progress_token"] = meta.progressToken
    return found


@server.tool()
async def count(n: int, ctx: Context) -> str:
    """Count to n, reporting progress at each step."""
    for i in range(1, n + 1):
        await ctx.report_progress(i, n, f"step {i}")
    meta = _meta(ctx)
    return json.dumps(
        {"counted": n, "traceparent": meta.get("traceparent"), "progress_token": meta.get("progress_token")}
    )


@server.tool()
async def slow_count(n: int, pause: float, ctx: Context) -> str:
    """Count to n, pausing between steps, reporting progress at each step."""
    for i in range(1, n + 1):
        await anyio.sleep(pause)
        await ctx.report_progress(i, n, f"step {i}")
    return f"counted {n} slowly"


@server.tool()
async def fail(reason: str) -> str:
    """Always fails with the given reason."""
    raise ToolError(f"refused: {reason}")


@server.tool()
async def work_forever(ctx: Context) -> str:
    """Reports progress once, then works forever (the tests kill the process mid-call)."""
    await ctx.report_progress(1, 2, "working")
    await anyio.sleep(3600)
    return "unreachable"


@server.tool()
async def hang() -> str:
    """Never answers."""
    await anyio.sleep(3600)
    return "unreachable"


@server.tool(annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=True))
async def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
async def remember(ctx: Context) -> str:
    """Keep this call's progress token, for send_late."""
    _remembered.append((ctx.request_context.session, _meta(ctx).get("progress_token")))
    return "remembered"


@server.tool()
async def send_late() -> str:
    """Send a progress notification for the call remember() answered already (a late one), then answer."""
    session, token = _remembered.pop()
    await session.send_progress_notification(token, 99, 100, "too late")
    return "sent"


@server.tool()
async def flaky(key: str, failures: int) -> str:
    """A JSON-RPC error for the first `failures` calls with this key, then an answer saying which attempt it was."""
    _attempts[key] = _attempts.get(key, 0) + 1
    if _attempts[key] <= failures:
        raise _jsonrpc_error(f"flaky {key}: attempt {_attempts[key]} fails")
    return f"{key} answered on attempt {_attempts[key]}"


@server.tool()
async def attempts(key: str) -> int:
    """How many calls flaky() got with this key."""
    return _attempts.get(key, 0)


@server.tool(meta={"listed": "by the server"})
async def show_meta(ctx: Context) -> str:
    """The request's _meta (progress token and W3C trace context left out), as JSON."""
    meta = {k: v for k, v in _meta(ctx).items() if k not in ("progress_token", "traceparent", "tracestate")}
    return json.dumps(meta, sort_keys=True)


@server.tool()
async def charted(label: str) -> Any:
    """A result with its own _meta and structuredContent (what a custom_data_extractor reads)."""
    from mcp.types import CallToolResult

    return CallToolResult.model_validate(
        {
            "content": [{"type": "text", "text": f"chart {label}"}],
            "structuredContent": {"label": label, "points": [1, 2, 3]},
            "_meta": {"chart": {"type": "line", "label": label}},
        }
    )


_arrived: dict[str, anyio.Event] = {}


def _arrival(name: str) -> anyio.Event:
    return _arrived.setdefault(name, anyio.Event())


@server.tool()
async def meet(me: str, peer: str) -> str:
    """Say that `me` has arrived, then wait for `peer` to arrive: two calls that meet must run at once (two that
    run one after the other never meet; the wait gives up after a minute, so a test fails instead of hanging)."""
    _arrival(me).set()
    with anyio.move_on_after(60):
        await _arrival(peer).wait()
        return f"{me} met {peer}"
    return f"{me} waited alone"


@server.prompt()
def review(topic: str) -> str:
    """Ask for a review of a topic."""
    return f"Please review {topic}."


@server.resource("notes://readme", mime_type="text/plain")
def readme() -> str:
    """The server's readme."""
    return "read me first"


@server.resource("notes://topics/{topic}")
def topic_notes(topic: str) -> str:
    """Notes on one topic."""
    return f"notes on {topic}"


async def serve_http(server: Any) -> None:
    """``server`` over Streamable HTTP (``--sse``: HTTP+SSE) on a free port, announced as ``PORT <n>`` on stdout
    (tests/mcp_support/servers.py reads it); header_server.py serves its own server through this too."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # listening before the port is announced: a client may connect at once (the kernel queues it)
    port = sock.getsockname()[1]
    app = server.sse_app() if "--sse" in sys.argv else server.streamable_http_app()
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    print(f"PORT {port}", flush=True)
    await uvicorn.Server(config).serve(sockets=[sock])


if __name__ == "__main__":
    if "--http" in sys.argv or "--sse" in sys.argv:
        anyio.run(serve_http, server)
    else:
        server.run("stdio")
