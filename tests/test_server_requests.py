"""Bad requests, the replay buffer's bound, retention of finished runs, failures and mounting, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from server_support import SAFETY_TIMEOUT, LiveServer, SteppedTool, parallel_agent, watch
from starlette.applications import Starlette
from starlette.routing import Mount

from agents_otel import Agent, ModelError
from agents_otel.server import RunRegistry, create_app
from agents_otel.testing import ScriptedModel, assistant_message


def _quick_agent() -> Agent[Any]:
    return Agent(name="Quick", model=ScriptedModel([[assistant_message("hello there friend")]]))


def _finished_run(client: httpx.Client) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    run = client.post("/runs", json={"input": "hi"}).json()
    return run, list(watch(client, run["events_url"]))


@pytest.fixture
def client() -> Any:
    with (
        LiveServer(create_app(_quick_agent)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        yield client


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "bad_request"),
        (b"[1, 2", 400, "bad_request"),
        (b"{}", 422, "invalid_input"),
        (b'{"input": 3}', 422, "invalid_input"),
        (b'{"input": ""}', 422, "invalid_input"),
        (b'{"input": "hi", "inptu": "typo"}', 422, "invalid_input"),
        (b'["hi"]', 422, "invalid_input"),
    ],
)
def test_bad_run_requests_get_a_4xx_with_a_json_error(
    client: httpx.Client, body: bytes, status: int, code: str
) -> None:
    response = client.post("/runs", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


def test_invalid_input_names_the_field(client: httpx.Client) -> None:
    error = client.post("/runs", json={"input": 3}).json()["error"]
    assert error["fields"][0]["loc"] == ["input"]


@pytest.mark.parametrize("path", ["/runs/nope", "/runs/nope/events"])
def test_unknown_run_ids_get_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "run_not_found"


def test_cancelling_an_unknown_run_gets_404(client: httpx.Client) -> None:
    response = client.post("/runs/nope/cancel")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "run_not_found"


def test_unknown_routes_and_methods_answer_in_the_same_json_shape(client: httpx.Client) -> None:
    assert client.get("/nowhere").json()["error"]["code"] == "not_found"
    wrong = client.get("/runs")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("header", ["abc", "-1", "1.5", "999"])
def test_malformed_or_future_last_event_id_is_a_400(client: httpx.Client, header: str) -> None:
    run, _ = _finished_run(client)
    response = client.get(run["events_url"], headers={"Last-Event-ID": header})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_finished_run_is_readable_with_its_final_output(client: httpx.Client) -> None:
    run, events = _finished_run(client)
    status = client.get(f"/runs/{run['id']}").json()
    assert status == {
        "id": run["id"],
        "status": "completed",
        "trace_id": events[-1]["trace_id"],
        "last_event_id": events[-1]["id"],
        "final_output": "hello there friend",
        "events_url": run["events_url"],
    }


def test_resuming_from_an_event_the_bounded_buffer_evicted_is_refused_with_410() -> None:
    app = create_app(_quick_agent, replay_buffer_size=3)
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run, kept = _finished_run(client)
        gone = client.get(run["events_url"], headers={"Last-Event-ID": "1"})
        oldest_kept = kept[0]["id"]
        resumed = list(watch(client, run["events_url"], last_event_id=str(oldest_kept - 1)))
        config = client.get("/config").json()

    assert [e["id"] for e in kept] == list(range(oldest_kept, oldest_kept + 3))
    assert kept[-1]["type"] == "run_completed"
    assert gone.status_code == 410
    assert gone.json()["error"] == {
        "code": "replay_unavailable",
        "message": gone.json()["error"]["message"],
        "first_available_id": oldest_kept,
    }
    assert resumed == kept
    assert config["replay_buffer_size"] == 3


def test_finished_runs_are_forgotten_after_the_retention_period() -> None:
    now = [1000.0]
    registry = RunRegistry(_quick_agent, retention_seconds=60, clock=lambda: now[0])
    with (
        LiveServer(create_app(_quick_agent, registry=registry)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run, _ = _finished_run(client)
        now[0] += 59
        kept = client.get(f"/runs/{run['id']}")
        now[0] += 1
        forgotten = client.get(f"/runs/{run['id']}/events")

    assert kept.status_code == 200
    assert forgotten.status_code == 404


def test_a_failing_run_ends_with_run_failed() -> None:
    def failing() -> Agent[Any]:
        return Agent(name="Failing", model=ScriptedModel([ModelError("upstream is down", error_type="503")]))

    with (
        LiveServer(create_app(failing)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run, events = _finished_run(client)
        status = client.get(f"/runs/{run['id']}").json()

    assert events[-1]["type"] == "run_failed"
    assert events[-1]["error_type"] == "ModelError" and events[-1]["message"] == "upstream is down"
    assert status["status"] == "failed" and status["final_output"] is None


def test_a_failing_run_is_logged_by_the_server(caplog: pytest.LogCaptureFixture) -> None:
    # Regression (issue 10): a run that failed on the server reached the client only, never the server's log.
    def failing() -> Agent[Any]:
        return Agent(name="Failing", model=ScriptedModel([ModelError("upstream is down", error_type="503")]))

    with (
        caplog.at_level("ERROR", logger="agents_otel.server"),
        LiveServer(create_app(failing)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run, _ = _finished_run(client)

    (record,) = [r for r in caplog.records if r.name == "agents_otel.server" and "failed" in r.getMessage()]
    assert run["id"] in record.getMessage() and "ModelError: upstream is down" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is ModelError


def test_mounted_under_a_prefix_the_urls_it_returns_include_the_prefix() -> None:
    tool = SteppedTool("solo", steps=1)
    host = Starlette(routes=[Mount("/agent", app=create_app(parallel_agent(tool)))])
    with LiveServer(host) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        response = client.post("/agent/runs", json={"input": "go"})
        run = response.json()
        tool.release()
        events = list(watch(client, run["events_url"]))

    assert response.headers["location"] == f"/agent/runs/{run['id']}"
    assert run["events_url"] == f"/agent/runs/{run['id']}/events"
    assert events[-1]["type"] == "run_completed"


def test_mounted_in_a_fastapi_app_next_to_its_own_routes() -> None:
    """The documented FastAPI mounting, for real: the host app keeps its routes, ours live under the prefix."""
    tool = SteppedTool("solo", steps=2)
    host = FastAPI()

    @host.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    host.mount("/agent", create_app(parallel_agent(tool)))
    with LiveServer(host) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        assert client.get("/health").json() == {"status": "ok"}
        run = client.post("/agent/runs", json={"input": "go"}).json()
        tool.release(2)
        events = list(watch(client, run["events_url"]))
        assert client.get(f"/agent/runs/{run['id']}").json()["status"] == "completed"
    assert [e["sequence"] for e in events if e["type"] == "tool_progress"] == [1, 2]
    assert events[-1]["type"] == "run_completed" and events[-1]["final_output"] == "all done"
