"""Calls waiting inside agents used as tools, over real HTTP, when two nested runs wait on the same call id: each
interruption names its ``path`` (the agent-tool calls it waits in) and each is decided on its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, LiveServer, watch

from agents_otel import Agent, function_tool
from agents_otel.items import FunctionCallOutput
from agents_otel.models.interface import ModelRequest
from agents_otel.server import create_app
from agents_otel.testing import ScriptedModel, assistant_message, function_call

DELETED: list[tuple[str, str]] = []


def _told(request: ModelRequest) -> list[Any]:
    """The nested agent's answer: what it was told for its call."""
    told = [i.output for i in request.input if isinstance(i, FunctionCallOutput)]
    return [assistant_message(f"told: {told[-1]}")]


def _nested(name: str) -> Agent[Any]:
    """An agent whose one turn asks to delete ``a.txt`` with call id ``call_del`` (needs approval)."""

    @function_tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        DELETED.append((name, path))
        return f"{name} deleted {path}"

    model = ScriptedModel([[function_call("delete_file", {"path": "a.txt"}, call_id="call_del")], _told])
    return Agent(name=name, tools=[delete_file], model=model)


def _outer() -> tuple[Agent[Any], ScriptedModel]:
    """Calls two agents used as tools in one turn (``o1``: the janitor, ``o2``: the cleaner); both wait on
    ``call_del``."""
    calls = [
        function_call("ask_janitor", {"input": "clean"}, call_id="o1"),
        function_call("ask_cleaner", {"input": "clean"}, call_id="o2"),
    ]
    model = ScriptedModel([calls, [assistant_message("all done")]])
    tools = [_nested("Janitor").as_tool("ask_janitor", "Ask the janitor."),
             _nested("Cleaner").as_tool("ask_cleaner", "Ask the cleaner.")]
    return Agent(name="Boss", tools=tools, model=model), model


@pytest.fixture(autouse=True)
def _nothing_deleted() -> Iterator[None]:
    DELETED.clear()
    yield
    DELETED.clear()


def _pause(client: httpx.Client) -> tuple[str, list[dict[str, Any]]]:
    run = client.post("/runs", json={"input": "clean up"})
    assert run.status_code == 201, run.text
    events = list(watch(client, run.json()["events_url"]))
    assert events[-1]["type"] == "run_interrupted"
    return run.json()["id"], events[-1]["interruptions"]


def test_two_nested_runs_waiting_on_one_call_id_are_listed_with_their_paths_and_decided_apart() -> None:
    outer, outer_model = _outer()
    with LiveServer(create_app(outer)) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as c:
        run_id, waiting = _pause(c)
        call = {"call_id": "call_del", "tool_name": "delete_file", "arguments": '{"path": "a.txt"}'}
        assert waiting == [
            {**call, "agent_name": "Janitor", "path": ["o1"]},
            {**call, "agent_name": "Cleaner", "path": ["o2"]},
        ]
        assert c.get(f"/runs/{run_id}").json()["interruptions"] == waiting
        decisions = [
            {"call_id": "call_del", "path": ["o1"], "approve": True},
            {"call_id": "call_del", "path": ["o2"], "approve": False, "message": "not you"},
        ]
        resumed = c.post(f"/runs/{run_id}/resume", json={"decisions": decisions})
        assert resumed.status_code == 201, resumed.text
        events = list(watch(c, resumed.json()["events_url"]))
        assert events[-1]["type"] == "run_completed" and events[-1]["final_output"] == "all done"
        assert DELETED == [("Janitor", "a.txt")]  # the cleaner's call was rejected, not given the janitor's approval
        told = {i.call_id: i.output for i in outer_model.calls[-1].input if isinstance(i, FunctionCallOutput)}
        assert told == {"o1": "told: Janitor deleted a.txt", "o2": "told: not you"}


def test_a_call_id_two_nested_runs_wait_on_needs_its_path_and_a_path_must_name_a_waiting_call() -> None:
    outer, _ = _outer()
    with LiveServer(create_app(outer)) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as c:
        run_id, _ = _pause(c)
        url = f"/runs/{run_id}/resume"
        by_id = c.post(url, json={"decisions": [{"call_id": "call_del", "approve": True}]})
        assert by_id.status_code == 400
        error = by_id.json()["error"]
        assert error["code"] == "invalid_decisions" and error["ambiguous"] == ["call_del"]
        assert "path" in error["message"]
        one = {"call_id": "call_del", "path": ["o1"], "approve": True}
        wrong = c.post(url, json={"decisions": [one, {"call_id": "call_del", "path": ["o3"], "approve": True}]})
        assert wrong.status_code == 400 and wrong.json()["error"]["unknown"] == ["o3/call_del"]
        undecided = c.post(url, json={"decisions": [one]}).json()["error"]
        assert undecided["undecided"] == ["o2/call_del"]
        twice = c.post(url, json={"decisions": [one, one, {**one, "path": ["o2"]}]}).json()["error"]
        assert twice["duplicated"] == ["o1/call_del"]
        assert DELETED == []
        both = [one, {**one, "path": ["o2"]}]
        resumed = c.post(url, json={"decisions": both})  # none of those took the paused run
        assert resumed.status_code == 201, resumed.text
        assert list(watch(c, resumed.json()["events_url"]))[-1]["type"] == "run_completed"
        assert sorted(DELETED) == [("Cleaner", "a.txt"), ("Janitor", "a.txt")]
