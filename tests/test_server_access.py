"""Who may see and steer a run, over real HTTP: auth, principals, stream tokens, origins, hosts, bodies, caps."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, LiveServer, blocked_agent, watch
from starlette.requests import Request

from agents_otel import Agent
from agents_otel.server import RunRegistry, ServedRun, create_app
from agents_otel.server.auth import StreamTokens
from agents_otel.testing import ScriptedModel, assistant_message

TOKEN = "s3cret-token"


def _quick_agent() -> Agent[Any]:
    return Agent(name="Quick", model=ScriptedModel([[assistant_message("hello")]]))


def _client(server: LiveServer, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT, headers=headers)


@pytest.fixture
def token_server() -> Iterator[LiveServer]:
    with LiveServer(create_app(_quick_agent, auth_token=TOKEN)) as server:
        yield server


def test_without_the_bearer_token_every_endpoint_answers_401(token_server: LiveServer) -> None:
    with _client(token_server) as anon, _client(token_server, Authorization="Bearer wrong") as wrong:
        for client in (anon, wrong):
            for method, path in [
                ("POST", "/runs"),
                ("GET", "/runs/x"),
                ("GET", "/runs/x/events"),
                ("POST", "/runs/x/cancel"),
                ("GET", "/config"),
            ]:
                response = client.request(method, path, json={"input": "hi"} if path == "/runs" else None)
                assert response.status_code == 401, (method, path)
                assert response.json()["error"]["code"] == "unauthorized"
                assert response.headers["www-authenticate"] == "Bearer"


def test_with_the_bearer_token_runs_start_and_the_events_url_works_without_headers(token_server: LiveServer) -> None:
    with _client(token_server, Authorization=f"Bearer {TOKEN}") as client, _client(token_server) as browser:
        run = client.post("/runs", json={"input": "hi"})
        assert run.status_code == 201
        events_url = run.json()["events_url"]
        assert "stream_token=" in events_url
        events = list(watch(browser, events_url))  # an EventSource sends no Authorization header
        assert events[-1]["type"] == "run_completed"
        # the stream token reads that run only; it cannot cancel, start, or read another run
        other = client.post("/runs", json={"input": "again"}).json()
        query = events_url.partition("?")[2]
        assert browser.get(f"/runs/{other['id']}/events?{query}").status_code == 401
        assert browser.post(f"/runs/{run.json()['id']}/cancel?{query}").status_code == 401
        assert browser.post(f"/runs?{query}", json={"input": "x"}).status_code == 401
        status = browser.get(f"/runs/{run.json()['id']}?{query}")
        assert status.status_code == 200
        assert "stream_token" not in status.json()["events_url"]  # a stream token cannot renew itself
        assert "stream_token" in client.get(f"/runs/{run.json()['id']}").json()["events_url"]


def test_stream_tokens_expire_and_cannot_be_forged() -> None:
    tokens = StreamTokens(seconds=60)
    token = tokens.issue("run1", "alice")
    grant = tokens.check(token)
    assert grant is not None and (grant.principal, grant.run_id) == ("alice", "run1")
    body, _, signature = token.partition(".")
    assert tokens.check(f"{body}x.{signature}") is None
    assert StreamTokens(seconds=60).check(token) is None  # another key
    now = [1000.0]
    clocked = StreamTokens(key=b"k", seconds=60, clock=lambda: now[0])
    later = clocked.issue("r", "p")
    now[0] = 1059.0
    assert clocked.check(later) is not None
    now[0] = 1061.0
    assert clocked.check(later) is None
    assert tokens.check("garbage") is None and tokens.check("") is None


def test_the_token_may_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTS_OTEL_SERVER_TOKEN", "from-env")
    with LiveServer(create_app(_quick_agent)) as server, _client(server) as anon:
        assert anon.post("/runs", json={"input": "hi"}).status_code == 401
        assert anon.post("/runs", json={"input": "hi"}, headers={"Authorization": "Bearer from-env"}).status_code == 201


async def _user_header(request: Request) -> str | None:
    return request.headers.get("x-user")


def test_a_run_is_invisible_to_every_other_principal_on_every_endpoint() -> None:
    app = create_app(blocked_agent, auth=_user_header)
    with (
        LiveServer(app) as server,
        _client(server, **{"X-User": "alice"}) as alice,
        _client(server, **{"X-User": "bob"}) as bob,
    ):
        run = alice.post("/runs", json={"input": "hi"}).json()
        for response in (
            bob.get(f"/runs/{run['id']}"),
            bob.get(f"/runs/{run['id']}/events"),
            bob.get(f"/runs/{run['id']}/trace"),
            bob.post(f"/runs/{run['id']}/cancel"),
        ):
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "run_not_found"
        assert alice.get(f"/runs/{run['id']}").json()["status"] == "running"
        assert alice.get(f"/runs/{run['id']}/trace").status_code != 404
        assert alice.post(f"/runs/{run['id']}/cancel").status_code == 202
        assert list(watch(alice, run["events_url"]))[-1]["type"] == "run_cancelled"
        with _client(server) as nobody:
            assert nobody.get("/config").status_code == 401


def test_a_sync_auth_function_works_too() -> None:
    app = create_app(_quick_agent, auth=lambda request: "me" if request.cookies.get("session") == "ok" else None)
    with LiveServer(app) as server, _client(server) as client:
        assert client.post("/runs", json={"input": "hi"}).status_code == 401
        client.cookies.set("session", "ok")
        run = client.post("/runs", json={"input": "hi"}).json()
        assert list(watch(client, run["events_url"]))[-1]["type"] == "run_completed"


def test_auth_and_auth_token_are_exclusive() -> None:
    with pytest.raises(ValueError, match="not both"):
        create_app(_quick_agent, auth=_user_header, auth_token="x")


@pytest.fixture
def open_server() -> Iterator[LiveServer]:
    with LiveServer(create_app(_quick_agent, allowed_origins=["https://app.example.com"])) as server:
        yield server


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"input": "hi"}'),
        ("application/x-www-form-urlencoded", "input=hi"),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
)
def test_only_json_bodies_are_accepted(open_server: LiveServer, content_type: str, body: str) -> None:
    with _client(open_server) as client:
        response = client.post("/runs", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_a_foreign_origin_cannot_start_or_cancel_a_run(open_server: LiveServer) -> None:
    with _client(open_server, Origin="https://evil.example") as client:
        started = client.post("/runs", json={"input": "hi"})
        form = client.post("/runs", content="input=hi", headers={"Content-Type": "text/plain"})
        cancel = client.post("/runs/x/cancel")
    for response in (started, form, cancel):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "origin_not_allowed"
        assert "access-control-allow-origin" not in response.headers


def test_same_origin_and_configured_origins_are_served(open_server: LiveServer) -> None:
    own = open_server.base_url
    with _client(open_server, Origin=own) as same, _client(open_server, Origin="https://app.example.com") as app:
        assert same.post("/runs", json={"input": "hi"}).status_code == 201
        preflight = app.options(
            "/runs",
            headers={"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
        assert "content-type" in preflight.headers["access-control-allow-headers"]
        run = app.post("/runs", json={"input": "hi"})
        assert run.status_code == 201
        assert run.headers["access-control-allow-origin"] == "https://app.example.com"
        assert run.headers["vary"] == "Origin"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io"])
def test_a_foreign_host_header_is_refused(open_server: LiveServer, host: str) -> None:
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends Host: evil.example."""
    with _client(open_server, Host=host, Origin=f"http://{host}") as client:
        response = client.post("/runs", json={"input": "hi"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "host_not_allowed"


def test_allowed_hosts_can_name_the_servers_public_names() -> None:
    app = create_app(_quick_agent, allowed_hosts=["agents.example.com", "*.internal.example"])
    with LiveServer(app) as server:
        for host, status in [("agents.example.com", 201), ("a.internal.example:80", 201), ("127.0.0.1", 400)]:
            with _client(server, Host=host) as client:
                assert client.post("/runs", json={"input": "hi"}).status_code == status, host


def test_a_body_over_the_limit_is_refused_with_413_declared_or_chunked() -> None:
    with LiveServer(create_app(_quick_agent, max_body_bytes=1000)) as server, _client(server) as client:
        big = b'{"input": "' + b"x" * 5000 + b'"}'
        declared = client.post("/runs", content=big, headers={"Content-Type": "application/json"})

        def chunks() -> Iterator[bytes]:
            yield big[:600]
            yield big[600:]

        chunked = client.post("/runs", content=chunks(), headers={"Content-Type": "application/json"})
        fits = client.post("/runs", json={"input": "x" * 900})
    for response in (declared, chunked):
        assert response.status_code == 413
        assert response.json()["error"] == {
            "code": "body_too_large",
            "message": response.json()["error"]["message"],
            "limit": 1000,
        }
    assert fits.status_code == 201


def test_running_runs_are_capped_with_503_and_per_principal_with_429() -> None:
    app = create_app(blocked_agent, max_running_runs=2, max_running_runs_per_principal=1, auth=_user_header)
    with (
        LiveServer(app) as server,
        _client(server, **{"X-User": "alice"}) as alice,
        _client(server, **{"X-User": "bob"}) as bob,
        _client(server, **{"X-User": "carol"}) as carol,
    ):
        first = alice.post("/runs", json={"input": "hi"}).json()
        too_many = alice.post("/runs", json={"input": "hi"})
        assert bob.post("/runs", json={"input": "hi"}).status_code == 201
        busy = carol.post("/runs", json={"input": "hi"})
        assert too_many.status_code == 429 and too_many.json()["error"]["code"] == "too_many_runs"
        assert busy.status_code == 503 and busy.json()["error"]["code"] == "server_busy"
        assert busy.headers["retry-after"] == "1" and too_many.headers["retry-after"] == "1"
        alice.post(f"/runs/{first['id']}/cancel")
        list(watch(alice, first["events_url"]))  # it has ended
        assert alice.post("/runs", json={"input": "hi"}).status_code == 201


def test_finished_runs_beyond_max_retained_runs_are_forgotten_oldest_first() -> None:
    with LiveServer(create_app(_quick_agent, max_retained_runs=2)) as server, _client(server) as client:
        runs = []
        for _ in range(3):
            run = client.post("/runs", json={"input": "hi"}).json()
            list(watch(client, run["events_url"]))
            runs.append(run)
        assert [client.get(f"/runs/{r['id']}").status_code for r in runs] == [404, 200, 200]


def test_expiry_reads_only_the_runs_it_forgets_not_every_run() -> None:
    """A lookup used to scan every retained run (4 ms per request at 20,000 runs)."""
    now = [0.0]
    registry = RunRegistry(_quick_agent, retention_seconds=1000, clock=lambda: now[0])
    reads = [0]

    class CountingRun(ServedRun):
        def __getattribute__(self, name: str) -> Any:
            if name == "finished_at":
                reads[0] += 1
            return super().__getattribute__(name)

    async def scenario() -> None:
        for i in range(200):
            now[0] = float(i)
            run = registry.start("hi")
            assert run.task is not None
            await run.task
        for run in list(registry._runs.values()):
            run.__class__ = CountingRun
        now[0] = 1000.5  # only the run finished at t = 0 has expired
        registry.get(run.id)

    asyncio.run(scenario())
    assert len(registry) == 199
    assert reads[0] <= 4  # the expired run and the first one kept; it was all 200
