"""Runs that stop for tool approvals, over real HTTP: ``run_interrupted``, ``POST /runs/{id}/resume``, who may
resume, what is refused, how long a paused run is kept, and resuming on another replica through Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, LiveServer, watch
from starlette.requests import Request
from support import Tracing

from agents_otel import Agent, HostedMCPTool, function_tool
from agents_otel.items import FunctionCallOutput, RawInputItem
from agents_otel.server import RunRegistry, create_app
from agents_otel.testing import ScriptedModel, assistant_message, function_call

DELETED: list[str] = []


def approval_agent(*paths: str) -> Agent[Any]:
    """One turn asking to delete each of ``paths`` (call ids ``call_<path>``), each call needing approval; then
    an answer quoting what the model was told."""

    @function_tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        DELETED.append(path)
        return f"deleted {path}"

    calls = [function_call("delete_file", {"path": p}, call_id=f"call_{p}") for p in paths]
    return Agent(name="Janitor", tools=[delete_file], model=ScriptedModel([calls, [assistant_message("done")]]))


def _client(server: LiveServer, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT, headers=headers)


def _pause(client: httpx.Client) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    run = client.post("/runs", json={"input": "clean up"})
    assert run.status_code == 201, run.text
    return run.json(), list(watch(client, run.json()["events_url"]))


@pytest.fixture(autouse=True)
def _nothing_deleted() -> Iterator[None]:
    DELETED.clear()
    yield
    DELETED.clear()


def test_a_paused_run_ends_interrupted_and_resumes_as_a_new_run_in_the_same_trace() -> None:
    tracing = Tracing.new()
    app = create_app(approval_agent("a.txt"), run_config=tracing.config)
    with LiveServer(app) as server, _client(server) as client:
        paused, events = _pause(client)
        call = {"call_id": "call_a.txt", "tool_name": "delete_file", "arguments": '{"path": "a.txt"}'}
        waiting = [{**call, "agent_name": "Janitor"}]
        assert events[-1]["type"] == "run_interrupted"
        assert events[-1]["interruptions"] == waiting
        assert not any(e["type"] == "run_completed" for e in events)
        status = client.get(f"/runs/{paused['id']}").json()
        assert status["status"] == "interrupted"
        assert status["interruptions"] == waiting and status["final_output"] is None
        assert DELETED == []

        approve = {"decisions": [{"call_id": "call_a.txt", "approve": True}]}
        resumed = client.post(f"/runs/{paused['id']}/resume", json=approve)
        assert resumed.status_code == 201, resumed.text
        body = resumed.json()
        assert body["id"] != paused["id"] and body["resumed_from"] == paused["id"]
        assert resumed.headers["location"] == f"/runs/{body['id']}"
        events = list(watch(client, body["events_url"]))
        outputs = [e for e in events if e["type"] == "tool_output"]
        assert [(e["tool_call_id"], e["output"]) for e in outputs] == [("call_a.txt", "deleted a.txt")]
        assert events[-1]["type"] == "run_completed" and events[-1]["final_output"] == "done"
        assert DELETED == ["a.txt"]
        assert body["trace_id"] is not None and body["trace_id"] == paused["trace_id"]
        assert events[0] == {"id": 1, "type": "run_started", "run_id": body["id"], "trace_id": paused["trace_id"]}
        assert client.get(f"/runs/{body['id']}").json()["status"] == "completed"
        # A run is resumed once: the state was taken.
        again = client.post(f"/runs/{paused['id']}/resume", json=approve)
        assert again.status_code == 404 and again.json()["error"]["code"] == "paused_run_not_found"


def test_a_rejected_call_does_not_run_and_the_model_reads_the_message() -> None:
    agent = approval_agent("a.txt", "b.txt")
    with LiveServer(create_app(agent)) as server, _client(server) as client:
        paused, events = _pause(client)
        assert [i["call_id"] for i in events[-1]["interruptions"]] == ["call_a.txt", "call_b.txt"]
        decisions = [
            {"call_id": "call_a.txt", "approve": False, "message": "not that one"},
            {"call_id": "call_b.txt", "approve": True},
        ]
        resumed = client.post(f"/runs/{paused['id']}/resume", json={"decisions": decisions}).json()
        events = list(watch(client, resumed["events_url"]))
        assert events[-1]["type"] == "run_completed"
        assert DELETED == ["b.txt"]
        model = agent.model
        assert isinstance(model, ScriptedModel)
        told = {i.call_id: i.output for i in model.calls[-1].input if isinstance(i, FunctionCallOutput)}
        assert told == {"call_a.txt": "not that one", "call_b.txt": "deleted b.txt"}


def test_a_hosted_mcp_approval_request_waits_beside_a_call_and_is_answered_on_resume() -> None:
    """A remote MCP server's request (its HostedMCPTool has no on_approval_request) is listed with the calls, by its
    request id and server, and the decision reaches the model as an mcp_approval_response with the reason."""
    request = {
        "type": "mcp_approval_request",
        "id": "mcpr_1",
        "server_label": "dice",
        "name": "roll",
        "arguments": '{"sides": 6}',
    }
    agent = approval_agent("a.txt")
    dice = HostedMCPTool({"type": "mcp", "server_label": "dice", "server_url": "https://dice.example/mcp"})
    model = ScriptedModel([[RawInputItem(request), function_call("delete_file", {"path": "a.txt"}, call_id="c1")],
                           [assistant_message("done")]])
    agent = agent.clone(tools=[*agent.tools, dice], model=model)
    with LiveServer(create_app(agent)) as server, _client(server) as client:
        paused, events = _pause(client)
        assert events[-1]["interruptions"] == [
            {
                "call_id": "mcpr_1",
                "tool_name": "roll",
                "arguments": '{"sides": 6}',
                "agent_name": "Janitor",
                "server_label": "dice",
            },
            {"call_id": "c1", "tool_name": "delete_file", "arguments": '{"path": "a.txt"}', "agent_name": "Janitor"},
        ]
        decisions = [
            {"call_id": "mcpr_1", "approve": False, "message": "no dice"},
            {"call_id": "c1", "approve": True},
        ]
        resumed = client.post(f"/runs/{paused['id']}/resume", json={"decisions": decisions})
        assert resumed.status_code == 201, resumed.text
        events = list(watch(client, resumed.json()["events_url"]))
        assert events[-1]["type"] == "run_completed" and DELETED == ["a.txt"]
        sent = [i.data for i in model.calls[-1].input if isinstance(i, RawInputItem)]
        assert sent[-1] == {
            "approval_request_id": "mcpr_1",
            "approve": False,
            "type": "mcp_approval_response",
            "reason": "no dice",
        }


def test_a_call_waiting_inside_an_agent_used_as_a_tool_pauses_the_run_and_resumes_it() -> None:
    """The nested agent's call is listed under its own agent; the paused run, kept as RunState JSON, comes back with
    the nested run in it, and the decision reaches the nested tool, whose answer reaches the outer model."""
    nested = approval_agent("a.txt")
    outer_model = ScriptedModel([[function_call("ask_janitor", {"input": "clean"}, call_id="o1")],
                                 [assistant_message("all clean")]])
    outer = Agent(name="Boss", tools=[nested.as_tool("ask_janitor", "Ask the janitor.")], model=outer_model)
    with LiveServer(create_app(outer)) as server, _client(server) as client:
        paused, events = _pause(client)
        assert events[-1]["type"] == "run_interrupted"
        call = {"call_id": "call_a.txt", "tool_name": "delete_file", "arguments": '{"path": "a.txt"}'}
        assert events[-1]["interruptions"] == [{**call, "agent_name": "Janitor", "path": ["o1"]}]
        assert DELETED == []

        decisions = {"decisions": [{"call_id": "call_a.txt", "approve": True}]}  # its call id alone names it
        resumed = client.post(f"/runs/{paused['id']}/resume", json=decisions)
        assert resumed.status_code == 201, resumed.text
        events = list(watch(client, resumed.json()["events_url"]))
        assert events[-1]["type"] == "run_completed" and events[-1]["final_output"] == "all clean"
        outputs = [(e["tool_call_id"], e["output"]) for e in events if e["type"] == "tool_output"]
        assert ("call_a.txt", "deleted a.txt") in outputs and ("o1", "done") in outputs
        assert DELETED == ["a.txt"]
        told = {i.call_id: i.output for i in outer_model.calls[-1].input if isinstance(i, FunctionCallOutput)}
        assert told == {"o1": "done"}


async def _user_header(request: Request) -> str | None:
    return request.headers.get("x-user")


def test_only_the_principal_that_started_the_run_may_resume_it() -> None:
    app = create_app(approval_agent("a.txt"), auth=_user_header)
    with (
        LiveServer(app) as server,
        _client(server, **{"X-User": "alice"}) as alice,
        _client(server, **{"X-User": "bob"}) as bob,
    ):
        paused, _ = _pause(alice)
        decisions = {"decisions": [{"call_id": "call_a.txt", "approve": True}]}
        refused = bob.post(f"/runs/{paused['id']}/resume", json=decisions)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "paused_run_not_found"
        assert bob.get(f"/runs/{paused['id']}").status_code == 404
        with _client(server) as nobody:
            assert nobody.post(f"/runs/{paused['id']}/resume", json=decisions).status_code == 401
        resumed = alice.post(f"/runs/{paused['id']}/resume", json=decisions)
        assert resumed.status_code == 201
        assert bob.get(f"/runs/{resumed.json()['id']}").status_code == 404  # the new run is alice's too
        assert list(watch(alice, resumed.json()["events_url"]))[-1]["type"] == "run_completed"


def test_decisions_must_answer_every_waiting_call_exactly_once() -> None:
    with LiveServer(create_app(approval_agent("a.txt", "b.txt"))) as server, _client(server) as client:
        paused, _ = _pause(client)
        url = f"/runs/{paused['id']}/resume"
        undecided = client.post(url, json={"decisions": [{"call_id": "call_a.txt", "approve": True}]})
        assert undecided.status_code == 400
        error = undecided.json()["error"]
        assert error["code"] == "invalid_decisions" and error["undecided"] == ["call_b.txt"]
        both = [{"call_id": "call_a.txt", "approve": True}, {"call_id": "call_b.txt", "approve": True}]
        unknown = client.post(url, json={"decisions": [*both, {"call_id": "call_zzz", "approve": True}]}).json()
        assert unknown["error"]["code"] == "invalid_decisions" and unknown["error"]["unknown"] == ["call_zzz"]
        twice = client.post(url, json={"decisions": [*both, {"call_id": "call_b.txt", "approve": False}]}).json()
        assert twice["error"]["duplicated"] == ["call_b.txt"]
        message = [{"call_id": "call_a.txt", "approve": True, "message": "hm"}, both[1]]
        assert client.post(url, json={"decisions": message}).json()["error"]["code"] == "invalid_decisions"
        typo = client.post(url, json={"decisions": [{"call_id": "call_a.txt", "approved": True}]})
        assert typo.status_code == 422 and typo.json()["error"]["code"] == "invalid_input"
        assert DELETED == []
        # None of those took the paused run: it resumes.
        resumed = client.post(url, json={"decisions": both})
        assert resumed.status_code == 201
        assert list(watch(client, resumed.json()["events_url"]))[-1]["type"] == "run_completed"
        assert sorted(DELETED) == ["a.txt", "b.txt"]  # a sync tool: the two calls run in threads, in either order


def test_a_run_that_did_not_pause_cannot_be_resumed() -> None:
    agent = Agent(name="Quick", model=ScriptedModel([[assistant_message("hello")]]))
    with LiveServer(create_app(agent)) as server, _client(server) as client:
        run, events = _pause(client)
        assert events[-1]["type"] == "run_completed"
        refused = client.post(f"/runs/{run['id']}/resume", json={"decisions": []})
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "paused_run_not_found"


def test_paused_runs_are_kept_for_paused_seconds_and_at_most_max_paused_runs() -> None:
    now = [0.0]
    registry = RunRegistry(
        approval_agent("a.txt"), paused_seconds=60, max_paused_runs=1, retention_seconds=1000, clock=lambda: now[0]
    )
    with LiveServer(create_app(approval_agent("a.txt"), registry=registry)) as server, _client(server) as client:
        decisions = {"decisions": [{"call_id": "call_a.txt", "approve": True}]}
        expired, _ = _pause(client)
        now[0] = 61.0
        gone = client.post(f"/runs/{expired['id']}/resume", json=decisions)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "paused_run_not_found"
        assert client.get(f"/runs/{expired['id']}").json()["status"] == "interrupted"  # the run itself is retained

    registry = RunRegistry(lambda: approval_agent("a.txt"), max_paused_runs=1)
    with LiveServer(create_app(approval_agent("a.txt"), registry=registry)) as server, _client(server) as client:
        first, _ = _pause(client)
        second, _ = _pause(client)
        evicted = client.post(f"/runs/{first['id']}/resume", json=decisions)
        assert evicted.status_code == 404 and evicted.json()["error"]["code"] == "paused_run_not_found"
        kept = client.post(f"/runs/{second['id']}/resume", json=decisions)
        assert kept.status_code == 201
        assert list(watch(client, kept.json()["events_url"]))[-1]["type"] == "run_completed"


def test_a_run_paused_on_one_replica_is_resumed_on_another_through_redis(tmp_path: Path) -> None:
    pytest.importorskip("redis")
    from redis_support import RedisServer

    agent = approval_agent("a.txt")  # one agent (and one scripted model) behind both replicas
    with RedisServer(tmp_path) as redis_server:
        one = create_app(agent, broker=redis_server.url, auth=_user_header)
        two = create_app(agent, broker=redis_server.url, auth=_user_header)
        with (
            LiveServer(one) as a,
            LiveServer(two) as b,
            _client(a, **{"X-User": "alice"}) as on_a,
            _client(b, **{"X-User": "alice"}) as on_b,
            _client(b, **{"X-User": "bob"}) as bob_on_b,
        ):
            paused, events = _pause(on_a)
            assert events[-1]["type"] == "run_interrupted"
            assert on_b.get(f"/runs/{paused['id']}").json()["status"] == "interrupted"
            decisions = {"decisions": [{"call_id": "call_a.txt", "approve": True}]}
            assert bob_on_b.post(f"/runs/{paused['id']}/resume", json=decisions).status_code == 404
            assert on_b.post(f"/runs/{paused['id']}/resume", json={"decisions": []}).status_code == 400
            resumed = on_b.post(f"/runs/{paused['id']}/resume", json=decisions)
            assert resumed.status_code == 201, resumed.text
            events = list(watch(on_b, resumed.json()["events_url"]))
            assert events[-1]["type"] == "run_completed" and DELETED == ["a.txt"]
            # Resumed once, on any replica: the owner's own copy is no use any more.
            again = on_a.post(f"/runs/{paused['id']}/resume", json=decisions)
            assert again.status_code == 404 and again.json()["error"]["code"] == "paused_run_not_found"
