"""``agents-otel serve`` as a real process: bounded shutdown that ends every stream with run_cancelled, quiet
SIGINT, TCP_NODELAY on accepted connections, and no run ids in the default access log."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, sse_messages

from agents_otel.server.access_log import redact_path
from agents_otel.server.listening import listening_socket

SERVED = textwrap.dedent(
    """
    import asyncio
    from agents_otel import Agent, ToolContext, function_tool
    from agents_otel.testing import ScriptedModel, assistant_message, function_call

    @function_tool
    async def wait_forever(ctx: ToolContext) -> str:
        \"\"\"Send one progress event, then wait until cancelled.\"\"\"
        ctx.send_progress({"progress": 0.0, "blob": "b" * 50_000})
        await asyncio.get_running_loop().create_future()
        return "unreachable"

    def make_agent():
        model = ScriptedModel([[function_call("wait_forever", {}, call_id="call_wait")], [assistant_message("x")]])
        return Agent(name="Blocked", tools=[wait_forever], model=model)
    """
)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    (tmp_path / "served_app.py").write_text(SERVED)
    command = [sys.executable, "-m", "agents_otel.cli", "serve", "served_app:make_agent", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--graceful-timeout", "4"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().rsplit(" ", 1)[1].strip()
    try:
        yield process, base_url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(SAFETY_TIMEOUT)


def _stalled_client(base_url: str, path: str) -> socket.socket:
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    return sock  # never read


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_ends_every_stream_with_run_cancelled_and_exits_within_the_bound(
    serve: tuple[subprocess.Popen[str], str], sig: signal.Signals
) -> None:
    process, base_url = serve
    with httpx.Client(base_url=base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": "go"}).json()
        stalled = _stalled_client(base_url, run["events_url"])
        events = []
        with client.stream("GET", run["events_url"]) as response:
            for message in sse_messages(response):
                events.append(message.json)
                if message.json["type"] == "tool_progress":
                    process.send_signal(sig)
        code = process.wait(SAFETY_TIMEOUT)  # the stalled client must not hold it
        stalled.close()
    assert events[-1]["type"] == "run_cancelled"
    assert process.stderr is not None
    stderr = process.stderr.read()
    assert "Traceback" not in stderr, stderr
    assert code == (130 if sig == signal.SIGINT else -signal.SIGTERM)


def test_the_access_log_names_no_run_id_at_info(serve: tuple[subprocess.Popen[str], str]) -> None:
    process, base_url = serve
    with httpx.Client(base_url=base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": "go"}).json()
        client.get(f"/runs/{run['id']}")
        client.post(f"/runs/{run['id']}/cancel")
    process.send_signal(signal.SIGTERM)
    process.wait(SAFETY_TIMEOUT)
    assert process.stderr is not None and process.stdout is not None
    log = process.stdout.read() + process.stderr.read()  # uvicorn's access log goes to stdout
    assert '"GET /runs/{id} HTTP/1.1" 200' in log, log
    assert run["id"] not in log


def test_redacted_paths_drop_ids_and_tokens() -> None:
    assert redact_path("/runs/abc123/events?stream_token=xyz") == "/runs/{id}/events"
    assert redact_path("/api/runs/abc/cancel") == "/api/runs/{id}/cancel"
    assert redact_path("/runs") == "/runs"


async def test_connections_accepted_on_the_serve_socket_get_tcp_nodelay() -> None:
    """asyncio sets TCP_NODELAY on an accepted socket only if it says IPPROTO_TCP; socket.create_server's
    does not, which cost 44 ms per response (Nagle against delayed ACKs)."""
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    for make in (listening_socket, lambda h, p: socket.create_server((h, p))):
        sock = make("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        nodelay = await asyncio.wait_for(seen, SAFETY_TIMEOUT)
        writer.close()
        server.close()
        await server.wait_closed()
        if make is listening_socket:
            assert nodelay != 0
        else:
            assert nodelay == 0  # the reproduction: what serve used before
        seen = asyncio.get_running_loop().create_future()


def test_create_app_redacts_uvicorns_access_log_wherever_it_runs() -> None:
    import logging

    from agents_otel import Agent
    from agents_otel.server import create_app
    from agents_otel.server.access_log import RedactRunIds
    from agents_otel.testing import ScriptedModel, assistant_message

    create_app(Agent(name="A", model=ScriptedModel([[assistant_message("x")]])))
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, RedactRunIds) for f in access.filters) == 1
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/runs/0123abcd/events?stream_token=t0k", "1.1", 200),
        None,
    )
    assert access.filter(record)
    assert "0123abcd" not in record.getMessage() and "t0k" not in record.getMessage()
