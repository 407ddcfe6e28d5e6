"""``agents-otel serve MODULE:ATTR``: serve an agent over HTTP with the ``agents_otel.server`` app and uvicorn.

``ATTR`` is an ``Agent`` (shared by all runs) or a zero-argument callable returning one (called per run). The
current directory is importable, as with ``python -m``, so ``agents-otel serve myapp:agent`` finds ``myapp.py``.
The listening socket is bound before the banner is printed, so the printed address is connectable at once (with
``--port 0`` it names the port the OS chose).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..agent import Agent
from ..exceptions import UserError
from .arguments import import_target, port_number


class ServeTargetError(UserError):
    """``MODULE:ATTR`` does not name an importable agent or agent factory."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve an agent over HTTP: POST /runs, GET /runs/{id}/events (SSE); see docs/server.md",
        description="Serve an agent over HTTP (Server-Sent Events). Needs the 'server' extra.",
    )
    parser.add_argument("target", metavar="MODULE:ATTR", help="an Agent, or a zero-argument callable returning one")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=port_number, default=8000, help="port; 0 lets the OS choose (default: %(default)s)"
    )
    parser.add_argument("--trace-url-template", default=None, help="link to a trace, with {trace_id} (and {span_id})")
    parser.add_argument("--replay-buffer-size", type=int, default=None, help="events kept per run for reconnects")
    parser.add_argument("--retention-seconds", type=float, default=None, help="how long finished runs stay readable")
    parser.add_argument(
        "--broker",
        default=os.environ.get("AGENTS_OTEL_BROKER_URL") or None,
        help="redis://HOST:PORT/DB to share runs with other replicas (default: $AGENTS_OTEL_BROKER_URL, else none)",
    )
    parser.add_argument(
        "--lease-seconds", type=float, default=None, help="how long a replica's hold on its runs lasts (default: 10)"
    )
    parser.add_argument("--log-level", default="info", help="uvicorn's log level (default: %(default)s)")
    parser.add_argument(
        "--graceful-timeout",
        type=float,
        default=10.0,
        help="on SIGTERM/SIGINT: seconds to let watchers receive run_cancelled and connections close, "
        "after which the rest are cut (default: %(default)s)",
    )
    parser.add_argument(
        "--auth-token",
        default=None,
        help="require 'Authorization: Bearer TOKEN' (prefer the AGENTS_OTEL_SERVER_TOKEN variable: flags are visible)",
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=None,
        metavar="HOST",
        help="a Host name this server answers to (repeatable; default: loopback names and --host)",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        default=None,
        metavar="ORIGIN",
        help="an origin whose pages may call the API cross-origin (CORS; repeatable)",
    )
    parser.add_argument("--replay-buffer-bytes", type=int, default=None, help="bytes of events kept per run")
    parser.add_argument("--max-event-bytes", type=int, default=None, help="largest stream event (default 256 KiB)")
    parser.add_argument("--send-timeout", type=float, default=None, help="close a watcher stalled this long (30 s)")
    parser.add_argument("--max-body-bytes", type=int, default=None, help="largest request body (default 1 MiB)")
    parser.add_argument("--max-running-runs", type=int, default=None, help="runs going at once (default 100)")
    parser.add_argument("--max-running-runs-per-principal", type=int, default=None, help="runs going per client")
    parser.add_argument("--max-retained-runs", type=int, default=None, help="finished runs kept (default 1000)")
    parser.set_defaults(handler=_run)


def load_target(target: str) -> Agent[Any] | Any:
    value = import_target(target, ServeTargetError)
    if not isinstance(value, Agent) and not callable(value):
        raise ServeTargetError(f"{target} is a {type(value).__name__}, not an Agent or a callable returning one")
    return value


def _run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..server import access_log, create_app
        from ..server.listening import listening_socket
    except ImportError as exc:
        print(f"agents-otel serve needs the server extra (pip install 'agents_otel[server]'): {exc}", file=sys.stderr)
        return 2
    try:
        agent = load_target(args.target)
    except ServeTargetError as exc:
        print(f"agents-otel serve: {exc}", file=sys.stderr)
        return 2
    options: dict[str, Any] = {
        name: value
        for name, value in (
            ("trace_url_template", args.trace_url_template),
            ("replay_buffer_size", args.replay_buffer_size),
            ("retention_seconds", args.retention_seconds),
            ("broker", args.broker),
            ("lease_seconds", args.lease_seconds),
            ("auth_token", args.auth_token),
            ("replay_buffer_bytes", args.replay_buffer_bytes),
            ("max_event_bytes", args.max_event_bytes),
            ("send_timeout", args.send_timeout),
            ("allowed_origins", args.allow_origin),
            ("max_body_bytes", args.max_body_bytes),
            ("max_running_runs", args.max_running_runs),
            ("max_running_runs_per_principal", args.max_running_runs_per_principal),
            ("max_retained_runs", args.max_retained_runs),
        )
        if value is not None
    }
    options["allowed_hosts"] = args.allowed_host or _default_hosts(args.host)
    options["shutdown_grace_seconds"] = args.graceful_timeout / 2  # within uvicorn's bound, which cuts the rest
    try:
        app = create_app(agent, **options)
    except (ValueError, ImportError) as exc:
        print(f"agents-otel serve: {exc}", file=sys.stderr)
        return 2
    try:
        sock = listening_socket(args.host, args.port)
    except OSError as exc:
        print(f"agents-otel serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    if app.access.auth is None and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"agents-otel serve: warning: serving on {args.host} without authentication; anyone who can reach it "
            "can start runs (set AGENTS_OTEL_SERVER_TOKEN or --auth-token)",
            file=sys.stderr,
        )
    name = agent.name if isinstance(agent, Agent) else getattr(agent, "__name__", args.target)
    host, port = sock.getsockname()[:2]
    print(f"agents-otel serve: {name} on http://{_url_host(host)}:{port}", flush=True)
    config = uvicorn.Config(
        app, log_level=args.log_level, lifespan="on", timeout_graceful_shutdown=args.graceful_timeout
    )
    access_log.install()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shut down gracefully, then re-raised the captured SIGINT
        return 130
    return 0


def _default_hosts(bound: str) -> list[str]:
    """Loopback names, and the address served on when it names one interface (a wildcard names none)."""
    from ..server.access import DEFAULT_ALLOWED_HOSTS

    hosts = list(DEFAULT_ALLOWED_HOSTS)
    if bound not in ("", "0.0.0.0", "::") and bound not in hosts:
        hosts.append(bound)
    return hosts


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
