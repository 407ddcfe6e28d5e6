"""The SSE endpoint over real HTTP: uvicorn on 127.0.0.1, an httpx client, runs driven by event-gated tools."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from server_support import SAFETY_TIMEOUT, LiveServer, SteppedTool, blocked_agent, parallel_agent, watch

from agents_otel.server import create_app


def _start(client: httpx.Client, text: str = "go") -> dict[str, Any]:
    response = client.post("/runs", json={"input": text})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/runs/{body['id']}"
    return body


def _releaser(*tools: SteppedTool) -> Callable[[dict[str, Any]], None]:
    """Release one step of a tool each time its call starts or reports progress: the run advances exactly as
    fast as the watcher reads."""
    by_name = {t.name: t for t in tools}

    def on_event(event: dict[str, Any]) -> None:
        if event["type"] in ("tool_called", "tool_progress"):
            by_name[event["tool_name"]].release()

    return on_event


def test_events_arrive_in_order_and_the_stream_closes_after_the_last() -> None:
    a, b = SteppedTool("alpha", steps=3), SteppedTool("beta", steps=2)
    app = create_app(lambda: parallel_agent(a, b, answer="both finished"))
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = _start(client)
        release = _releaser(a, b)
        events = []
        for event in watch(client, run["events_url"]):
            events.append(event)
            release(event)

    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    types = [e["type"] for e in events]
    assert types[:2] == ["run_started", "agent_updated"]
    assert events[0]["run_id"] == run["id"]
    assert types[-2:] == ["message_output_created", "run_completed"]
    assert events[-1]["final_output"] == "both finished"
    assert "".join(e["delta"] for e in events if e["type"] == "text_delta") == "both finished"
    for tool, steps in ((a, 3), (b, 2)):
        mine = [e for e in events if e.get("tool_call_id") == f"call_{tool.name}"]
        assert [e["type"] for e in mine] == ["tool_called"] + ["tool_progress"] * steps + ["tool_output"]
        progress = [e for e in mine if e["type"] == "tool_progress"]
        assert [p["sequence"] for p in progress] == list(range(1, steps + 1))
        assert progress[-1]["data"] == {"step": steps, "progress": 1.0}
        assert all(p["tool_name"] == tool.name and isinstance(p["timestamp"], int) for p in progress)
        assert mine[-1]["output"] == f"{tool.name} done" and mine[-1]["is_error"] is False
    # Both calls ran at once: beta started before alpha finished.
    assert types.index("tool_output") > max(i for i, e in enumerate(events) if e["type"] == "tool_called")


def test_reconnecting_with_last_event_id_loses_nothing_and_duplicates_nothing() -> None:
    a, b = SteppedTool("alpha", steps=2), SteppedTool("beta", steps=2)
    app = create_app(lambda: parallel_agent(a, b))
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = _start(client)
        url = run["events_url"]

        # First connection: read until both calls reported their first step, then drop the connection.
        first: list[dict[str, Any]] = []
        for event in watch(client, url):
            first.append(event)
            if event["type"] == "tool_called":
                event_tool = a if event["tool_name"] == "alpha" else b
                event_tool.release()
            if {e["tool_name"] for e in first if e["type"] == "tool_progress"} == {"alpha", "beta"}:
                break
        last_seen = first[-1]["id"]

        # Nobody watches while alpha finishes: the run goes on.
        a.release()

        # Reconnect: the replayed part (alpha's end) and the live part (beta's end, released once alpha's
        # output arrives) come through the same stream.
        second: list[dict[str, Any]] = []
        for event in watch(client, url, last_event_id=str(last_seen)):
            second.append(event)
            if event["type"] == "tool_output" and event["tool_name"] == "alpha":
                b.release()

        # A watcher arriving after the end gets the whole run from the replay buffer.
        everything = list(watch(client, url))
        # Resuming after the very last event: nothing to send, and 204 tells an EventSource not to retry.
        done = client.get(url, headers={"Last-Event-ID": str(everything[-1]["id"])})

    assert second[0]["id"] == last_seen + 1
    assert first + second == everything
    assert everything[-1]["type"] == "run_completed"
    assert done.status_code == 204


def test_two_watchers_see_the_same_events() -> None:
    a, b = SteppedTool("alpha", steps=2), SteppedTool("beta", steps=1)
    app = create_app(lambda: parallel_agent(a, b))
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = _start(client)
        connected = threading.Barrier(3, timeout=SAFETY_TIMEOUT)
        seen: dict[str, list[dict[str, Any]]] = {}

        def watcher(name: str) -> None:
            events = seen.setdefault(name, [])
            for event in watch(client, run["events_url"]):
                events.append(event)
                if len(events) == 1:
                    connected.wait()

        threads = [threading.Thread(target=watcher, args=(n,)) for n in ("one", "two")]
        for t in threads:
            t.start()
        connected.wait()  # both watchers are streaming before any tool moves
        a.release(2)
        b.release(1)
        for t in threads:
            t.join(SAFETY_TIMEOUT)

    assert seen["one"] == seen["two"]
    assert seen["one"][-1]["type"] == "run_completed"
    assert sum(e["type"] == "tool_progress" for e in seen["one"]) == 3


def test_cancel_stops_the_run_and_ends_the_stream() -> None:
    app = create_app(blocked_agent)
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = _start(client)
        events = []
        for event in watch(client, run["events_url"]):
            events.append(event)
            if event["type"] == "tool_progress":
                cancel = client.post(f"/runs/{run['id']}/cancel")
                assert cancel.status_code == 202, cancel.text
                assert cancel.json() == {"id": run["id"], "status": "cancelling"}
        status = client.get(f"/runs/{run['id']}").json()
        again = client.post(f"/runs/{run['id']}/cancel")

    assert events[-1]["type"] == "run_cancelled"
    output = next(e for e in events if e["type"] == "tool_output")
    assert output["tool_call_id"] == "call_wait"
    assert output["is_error"] is True and output["error_type"] == "cancelled"
    assert status["status"] == "cancelled" and status["last_event_id"] == events[-1]["id"]
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "run_finished"
