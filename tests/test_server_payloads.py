"""Every run survives its own data, and every watcher sees a chatty run: hostile outputs, size caps, late and
stalled watchers, over real HTTP."""

from __future__ import annotations

import itertools
import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from server_support import SAFETY_TIMEOUT, LiveServer, sse_messages, watch

from agents_otel import Agent, ToolContext, function_tool
from agents_otel.safe_json import dumps, to_jsonable
from agents_otel.server import create_app
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def _strict_loads(text: str) -> Any:
    """What a browser's JSON.parse accepts: no NaN/Infinity."""

    def refuse(name: str) -> Any:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


class Exploding:
    def __str__(self) -> str:
        raise RuntimeError("no str for you")


class BadModel(BaseModel):
    x: int

    def model_dump(self, **_: Any) -> Any:  # type: ignore[override]
        raise RuntimeError("dump failed")


def test_the_encoder_turns_anything_into_valid_json_without_raising() -> None:
    cycle: dict[str, Any] = {"name": "loop"}
    cycle["self"] = cycle
    listed: list[Any] = [1]
    listed.append(listed)
    deep: Any = []
    for _ in range(500):
        deep = [deep]
    endless = itertools.count()
    value = {
        "bytes": b"\xff\xfe\x00binary",
        "cycle": cycle,
        "list": listed,
        "nan": math.nan,
        "inf": math.inf,
        "-inf": -math.inf,
        "surrogate": "bad \udc80 text",
        "exploding": Exploding(),
        "model": BadModel(x=1),
        "endless": endless,
        "gen": (i for i in range(3)),
        "deep": deep,
        (1, 2): "tuple key",
    }
    text = dumps(value)
    parsed = _strict_loads(text)
    text.encode("utf-8")  # every string is UTF-8 encodable
    assert parsed["bytes"] == {"base64": "//4AYmluYXJ5", "length": 9}
    assert parsed["cycle"] == {"name": "loop", "self": "[cycle]"}
    assert parsed["list"] == [1, "[cycle]"]
    assert (parsed["nan"], parsed["inf"], parsed["-inf"]) == ("NaN", "Infinity", "-Infinity")
    assert parsed["surrogate"] == "bad \ufffd text"
    assert parsed["exploding"] == "[unrepresentable Exploding]"
    assert parsed["model"].startswith("x=1") or parsed["model"] == "[unrepresentable BadModel]"
    assert parsed["endless"] == "[iterator count]" and next(endless) == 0  # never consumed
    assert parsed["gen"] == "[iterator generator]"
    assert "[too deep]" in text
    assert parsed["(1, 2)"] == "tuple key"
    assert _strict_loads(dumps({1: "a", None: "b", 2.5: "c", math.nan: "d"})) == {
        "1": "a",
        "null": "b",
        "2.5": "c",
        "NaN": "d",
    }
    assert to_jsonable({"ok": [1, 2.5, None, True]}) == {"ok": [1, 2.5, None, True]}


def _agent_returning(*values: Any) -> Agent[Any]:
    tools = []
    for i, value in enumerate(values):

        def make(v: Any) -> Any:
            def hostile() -> Any:
                return v

            return hostile

        fn = make(value)
        fn.__name__ = f"hostile_{i}"
        fn.__doc__ = "Return a hostile value."
        tools.append(function_tool(fn))
    model = ScriptedModel(
        [
            [function_call(f"hostile_{i}", {}, call_id=f"call_{i}") for i in range(len(values))],
            [assistant_message("survived")],
        ]
    )
    return Agent(name="Hostile", tools=tools, model=model)


def _raw_events(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    with client.stream("GET", url) as response:
        assert response.status_code == 200
        return [_strict_loads(m.data) for m in sse_messages(response)]


def test_hostile_tool_outputs_do_not_fail_the_run_and_every_event_is_valid_json() -> None:
    cycle: dict[str, Any] = {}
    cycle["me"] = cycle
    agent = _agent_returning(b"\xff\xfe not utf-8", cycle, math.nan, {"x": math.inf})
    with (
        LiveServer(create_app(lambda: agent)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run = client.post("/runs", json={"input": "go"}).json()
        events = _raw_events(client, run["events_url"])
        status = client.get(f"/runs/{run['id']}").json()
    assert events[-1]["type"] == "run_completed", events[-1]
    assert status["status"] == "completed"
    assert len([e for e in events if e["type"] == "tool_output"]) == 4


def test_a_huge_tool_output_is_summarised_with_its_size_in_the_stream() -> None:
    agent = _agent_returning("x" * 2_000_000)
    app = create_app(lambda: agent, max_event_bytes=64 * 1024, replay_buffer_bytes=256 * 1024)
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": "go"}).json()
        events = list(watch(client, run["events_url"]))
        held = app.runs.get(run["id"]).buffer.held_bytes
    output = next(e for e in events if e["type"] == "tool_output")
    assert output["truncated_fields"] == ["output"]
    assert output["output"]["truncated"] is True
    assert output["output"]["bytes"] == 2_000_002  # the JSON string, quotes included
    assert output["output"]["preview"].startswith('"xxx')
    assert output["tool_call_id"] == "call_0" and output["is_error"] is False
    assert held <= 256 * 1024


def _chatty_agent(stop: threading.Event, payload_bytes: int = 10) -> Agent[Any]:
    @function_tool
    def chatter(ctx: ToolContext[Any]) -> str:
        """Send progress as fast as possible until told to stop."""
        blob = "p" * payload_bytes
        for i in range(5_000_000):
            if i % 100 == 0 and stop.is_set():
                return f"sent {i}"
            ctx.send_progress({"i": i, "blob": blob})
        return "gave up"

    model = ScriptedModel([[function_call("chatter", {}, call_id="call_chat")], [assistant_message("quiet now")]])
    return Agent(name="Chatty", tools=[chatter], model=model)


def test_the_replay_buffer_is_bounded_by_bytes_too() -> None:
    stop = threading.Event()
    app = create_app(lambda: _chatty_agent(stop, payload_bytes=10_000), replay_buffer_bytes=100_000)
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": "go"}).json()
        seen = 0
        for event in watch(client, run["events_url"]):
            seen += event["type"] == "tool_progress"
            if seen == 30:
                stop.set()
        buffer = app.runs.get(run["id"]).buffer
        assert buffer.held_bytes <= 100_000
        assert buffer.last_id - buffer.first_id < 20  # about ten 10 kB events, not the 10,000 the count allows
        gone = client.get(run["events_url"], headers={"Last-Event-ID": "1"})
    assert gone.status_code == 410


def test_late_watchers_of_a_chatty_run_get_the_newest_events_and_follow_live() -> None:
    stop = threading.Event()
    app = create_app(lambda: _chatty_agent(stop), replay_buffer_size=50)
    watchers = 4
    started = threading.Barrier(watchers + 1, timeout=SAFETY_TIMEOUT)
    results: dict[int, list[dict[str, Any]]] = {}

    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": "go"}).json()

        def late_watcher(n: int) -> None:
            events = results.setdefault(n, [])
            signalled = False
            for event in watch(client, run["events_url"]):
                events.append(event)
                if not signalled and sum(e["type"] == "tool_progress" for e in events) >= 20:
                    signalled = True
                    started.wait()
            if not signalled:
                started.wait()

        threads = [threading.Thread(target=late_watcher, args=(n,)) for n in range(watchers)]
        for t in threads:
            t.start()
        started.wait()  # every watcher is following the run while it still chatters
        stop.set()
        for t in threads:
            t.join(SAFETY_TIMEOUT)

    for events in results.values():
        assert sum(e["type"] == "tool_progress" for e in events) >= 20
        assert events[-1]["type"] == "run_completed"
        expected = events[0]["id"]
        for event in events:  # every id accounted for: delivered, or named by an events_skipped notice
            if event["type"] == "events_skipped":
                assert event["first_skipped_id"] == expected and event["id"] == event["last_skipped_id"]
                expected = event["last_skipped_id"] + 1
            else:
                assert event["id"] == expected
                expected += 1


def test_a_watcher_that_stops_reading_is_closed_by_the_send_timeout() -> None:
    closed = threading.Event()
    holder: dict[str, Any] = {}

    @function_tool
    async def flood(ctx: ToolContext[Any]) -> str:
        """Send large progress events until the server has closed the one watcher."""
        import asyncio

        buffer = None
        # Bounded by time, not by a count of events: on a busy machine the watcher may connect only after any fixed
        # number of events has gone out, and a tool that gave up early would make the test fail for the wrong reason.
        deadline = time.monotonic() + SAFETY_TIMEOUT
        while time.monotonic() < deadline:
            ctx.send_progress({"blob": "z" * 20_000})
            await asyncio.sleep(0)
            buffer = buffer or (holder["app"].runs.get(holder["id"]).buffer if "id" in holder else None)
            if buffer is not None and buffer.watchers:
                holder["watched"] = True
            if holder.get("watched") and buffer is not None and not buffer.watchers:
                closed.set()
                return "the watcher is gone"
        return "gave up"

    agent = Agent(
        name="Flood",
        tools=[flood],
        model=ScriptedModel([[function_call("flood", {}, call_id="call_f")], [assistant_message("done")]]),
    )
    app = create_app(lambda: agent, send_timeout=0.5)
    holder["app"] = app
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": "go"}).json()
        holder["id"] = run["id"]
        host, port = server.base_url.removeprefix("http://").split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        sock.sendall(f"GET {run['events_url']} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        # ... and never read while the run floods the stream
        assert closed.wait(SAFETY_TIMEOUT), "the server never closed the stalled watcher"
        sock.settimeout(SAFETY_TIMEOUT)
        received = b"".join(_read_to_eof(sock))
        status = client.get(f"/runs/{run['id']}").json()["status"]
    assert b"HTTP/1.1 200" in received[:100]
    assert b'"type":"run_completed"' not in received  # cut off, not delivered in full
    assert status in ("running", "completed")


def _read_to_eof(sock: socket.socket) -> Iterator[bytes]:
    while chunk := sock.recv(65536):
        yield chunk
    sock.close()


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_final_outputs_are_valid_json(value: float) -> None:
    assert _strict_loads(dumps({"final_output": value}))["final_output"] in ("NaN", "Infinity")
