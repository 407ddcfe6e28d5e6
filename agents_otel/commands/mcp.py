"""``agents-otel mcp MODULE:ATTR``: serve the function tools of an agent (or a list of tools) as an MCP server.

``ATTR`` is an ``Agent``, a list of ``FunctionTool``s, or a zero-argument callable returning either. With
``--transport stdio`` (the default) stdout carries the protocol, so every message of ours goes to stderr; with
``--transport streamable-http`` the socket is bound before the address is printed (``--port 0``: the OS picks).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from ..exceptions import UserError
from .arguments import import_target, port_number


class MCPTargetError(UserError):
    """``MODULE:ATTR`` does not name an agent, a list of function tools, or a callable returning one."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mcp",
        help="serve an agent's function tools over MCP (stdio or Streamable HTTP); see docs/mcp.md",
        description="Serve the function tools of an Agent (or a list of FunctionTools) as an MCP server. "
        "Needs the 'mcp' extra.",
    )
    parser.add_argument("target", metavar="MODULE:ATTR", help="an Agent, a list of FunctionTool, or a callable")
    parser.add_argument("--transport", choices=("stdio", "streamable-http"), default="stdio")
    parser.add_argument("--host", default="127.0.0.1", help="streamable-http: interface (default: %(default)s)")
    parser.add_argument(
        "--port", type=port_number, default=8000, help="streamable-http: port, 0 = any (default: %(default)s)"
    )
    parser.set_defaults(handler=_run)


def load_tools_target(target: str) -> Any:
    value = import_target(target, MCPTargetError)
    from ..agent import Agent

    if not isinstance(value, Agent | list | tuple) and callable(value):
        value = value()
    if not isinstance(value, Agent | list | tuple):
        raise MCPTargetError(f"{target} is a {type(value).__name__}, not an Agent or a list of FunctionTool")
    return value


def _run(args: argparse.Namespace) -> int:
    try:
        from ..mcp import create_mcp_server
        from ..mcp.serving import bind, serve_stdio, serve_streamable_http
    except ImportError as exc:
        print(f"agents-otel mcp: {exc}", file=sys.stderr)
        return 2
    import anyio

    try:
        server = create_mcp_server(load_tools_target(args.target))
    except UserError as exc:
        print(f"agents-otel mcp: {exc}", file=sys.stderr)
        return 2
    if args.transport == "stdio":
        anyio.run(serve_stdio, server)
        return 0
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"agents-otel mcp: serving {args.target} at http://{host}:{port}/mcp", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(lambda: serve_streamable_http(server, args.host, port, sock=sock))
    return 0
