"""Compatibility: the OpenAI Agents SDK's ``params["httpx_client_factory"]`` and ``params["auth"]`` of
``MCPServerStreamableHttp`` and ``MCPServerSse``, against an official ``mcp`` server in a subprocess that tells which
HTTP headers reached it (tests/mcp_support/header_server.py; no mocks: the clients are real ``httpx2`` / ``httpx``
clients whose event hooks record what they sent).

What the SDK pins: the factory is called once per connection as ``(headers=, timeout=, auth=)`` with the params'
``headers``, a ``Timeout`` of ``timeout`` with ``read=sse_read_timeout``, and the params' ``auth``; the client it
returns carries the session's requests, the ``auth`` signs them; with mcp 2.x an ``auth`` that is not an
``httpx2.Auth``, or a factory returning something other than an ``httpx2.AsyncClient``, is a ``UserError``. Here the
same for mcp 1.x with ``httpx`` (the package of the installed ``mcp``: ``http_clients.HTTP_PACKAGE``); a wrong
``auth`` or a factory that is not callable is refused when the server is built, a wrong client when it connects.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp_support.servers import http_server, sse_server

from agents_otel import Agent, Runner, UserError
from agents_otel.mcp import MCPServer, MCPServerSse, MCPServerStdio, MCPServerStreamableHttp, _sdk
from agents_otel.mcp.http_clients import HTTP_PACKAGE
from agents_otel.mcp.util import HttpClientFactory
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)

HEADER_SERVER = Path(__file__).parents[1] / "mcp_support" / "header_server.py"
http: Any = importlib.import_module(HTTP_PACKAGE)
"""The HTTP package the installed ``mcp`` speaks (``httpx2`` for 2.x, ``httpx`` for 1.x)."""
other_http: Any = importlib.import_module("httpx" if HTTP_PACKAGE == "httpx2" else "httpx2")

TRANSPORTS = {"streamable_http": MCPServerStreamableHttp, "sse": MCPServerSse}


class BearerAuth(http.Auth):  # type: ignore[misc]
    """An ``Auth`` that signs each request with a bearer token, counting what it signed."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.signed = 0

    def auth_flow(self, request: Any) -> Generator[Any, Any, None]:
        self.signed += 1
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class RecordingFactory:
    """An ``httpx_client_factory``: a real client with the headers it is given plus its own, and a request hook
    recording every request the client sends."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str] | None, Any, Any]] = []
        self.sent: list[Any] = []

    async def _record(self, request: Any) -> None:
        self.sent.append(request)

    def __call__(self, headers: dict[str, str] | None = None, timeout: Any = None, auth: Any = None) -> Any:
        self.calls.append((headers, timeout, auth))
        return http.AsyncClient(
            headers={**(headers or {}), "X-Factory": "made"},
            timeout=timeout,
            auth=auth,
            event_hooks={"request": [self._record]},
        )


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    with http_server(HEADER_SERVER) as (http_url, _), sse_server(HEADER_SERVER) as (sse_url, _):
        yield {"streamable_http": http_url, "sse": sse_url}


@pytest.fixture(params=sorted(TRANSPORTS))
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def seen(server: MCPServer, *names: str) -> dict[str, str | None]:
    result = await server.call_tool("seen_headers", {"names": list(names)})
    found: dict[str, str | None] = json.loads(_sdk.result_fields(result)[1][0].text)
    return found


async def test_the_factorys_client_carries_the_session_with_the_headers_timeouts_and_auth(
    urls: dict[str, str], transport: str
) -> None:
    factory, auth = RecordingFactory(), BearerAuth("t0k3n")
    params: Any = {
        "url": urls[transport],
        "headers": {"X-Team": "blue"},
        "timeout": 7,
        "sse_read_timeout": 45,
        "httpx_client_factory": factory,
        "auth": auth,
    }
    async with TRANSPORTS[transport](params) as server:
        headers = await seen(server, "authorization", "x-factory", "x-team")
        session_id = server.session_id

    assert headers == {"authorization": "Bearer t0k3n", "x-factory": "made", "x-team": "blue"}
    ((given_headers, timeout, given_auth),) = factory.calls  # one client for the connection
    assert given_headers == {"X-Team": "blue"} and given_auth is auth
    assert isinstance(timeout, http.Timeout)
    assert (timeout.connect, timeout.write, timeout.pool, timeout.read) == (7, 7, 7, 45)
    assert factory.sent and {r.url.host for r in factory.sent} == {"127.0.0.1"}
    assert all(r.headers["authorization"] == "Bearer t0k3n" for r in factory.sent)
    assert auth.signed == len(factory.sent)
    assert session_id  # still known with the application's client (the CLIENT spans' mcp.session.id)


async def test_an_auth_without_a_factory_signs_the_default_clients_requests(
    urls: dict[str, str], transport: str
) -> None:
    auth = BearerAuth("solo")
    async with TRANSPORTS[transport]({"url": urls[transport], "auth": auth}) as server:
        assert await seen(server, "authorization", "x-factory") == {"authorization": "Bearer solo", "x-factory": None}
    assert auth.signed > 0


async def test_an_agents_tool_calls_go_through_the_factorys_client(urls: dict[str, str], transport: str) -> None:
    factory = RecordingFactory()
    server = TRANSPORTS[transport]({"url": urls[transport], "httpx_client_factory": factory})
    call = function_call("seen_headers", {"names": ["x-factory"]}, call_id="c1")
    model = ScriptedModel([[call], [assistant_message("ok")]])
    async with server:
        result = await Runner.run(Agent(name="a", mcp_servers=[server], model=model), "headers?")
    assert result.final_output == "ok"
    assert json.loads(model.calls[1].input[-1].output) == {"x-factory": "made"}  # type: ignore[union-attr]
    assert len(factory.calls) == 1


@pytest.mark.parametrize("made", ["other_package", "not_a_client"])
async def test_a_factory_returning_no_client_of_the_installed_http_package_fails_connect(
    urls: dict[str, str], transport: str, made: str
) -> None:
    wrong: Any = other_http.AsyncClient() if made == "other_package" else object()
    server = TRANSPORTS[transport]({"url": urls[transport], "httpx_client_factory": lambda **_: wrong})
    try:
        with pytest.raises(UserError, match=rf"httpx_client_factory must return an {HTTP_PACKAGE}\.AsyncClient"):
            await server.connect()
        with pytest.raises(UserError, match="not connected"):
            await server.list_tools()
    finally:
        await server.cleanup()
        if made == "other_package":
            await wrong.aclose()


@pytest.mark.parametrize("transport_name", sorted(TRANSPORTS))
def test_an_auth_or_factory_that_could_never_work_is_refused_when_the_server_is_built(transport_name: str) -> None:
    cls = TRANSPORTS[transport_name]
    url = "http://127.0.0.1:1/mcp"
    for auth in ("Bearer t0k3n", other_http.BasicAuth("user", "pass")):
        with pytest.raises(UserError, match=rf"'auth' must be an {HTTP_PACKAGE}\.Auth"):
            cls({"url": url, "auth": auth})
    with pytest.raises(UserError, match="'httpx_client_factory' must be a callable"):
        cls({"url": url, "httpx_client_factory": "httpx2.AsyncClient"})  # type: ignore[typeddict-item]
    cls({"url": url, "auth": http.BasicAuth("user", "pass")})  # the installed package's: accepted


def test_stdio_takes_neither_key() -> None:
    with pytest.raises(UserError, match="unsupported keys"):
        MCPServerStdio({"command": "true", "auth": http.BasicAuth("u", "p")})  # type: ignore[typeddict-unknown-key]


def test_the_factory_shape_is_the_sdks_at_its_module_path() -> None:
    factory: HttpClientFactory = RecordingFactory()
    client = factory(headers={"X-A": "1"}, timeout=http.Timeout(3.0), auth=None)
    assert isinstance(client, http.AsyncClient) and client.headers["x-a"] == "1"
