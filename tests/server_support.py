"""Helpers for the server tests: a real uvicorn on 127.0.0.1, an SSE reader, and tools the test drives.

The listening socket is bound before uvicorn starts, so clients may connect at once (the kernel queues them)
and no test waits for "server ready". Tools block on semaphores the test releases when it has seen the events
it expects, so every step is synchronised on events, never on time.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from agents_otel import Agent, ToolContext, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SAFETY_TIMEOUT = 30.0
"""Only so that a broken test fails instead of hanging; never reached when things work."""


class LiveServer:
    def __init__(self, app: Any) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(SAFETY_TIMEOUT)
        self._sock.close()


@dataclass
class SSEMessage:
    id: str | None
    event: str | None
    data: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.data)  # type: ignore[no-any-return]


def sse_messages(response: httpx.Response) -> Iterator[SSEMessage]:
    """Parse an event stream by the SSE spec's line rules (comments, i.e. pings, are skipped)."""
    fields: dict[str, list[str]] = {}
    for line in response.iter_lines():
        if line == "":
            if "data" in fields:
                yield SSEMessage(
                    fields.get("id", [None])[-1], fields.get("event", [None])[-1], "\n".join(fields["data"])
                )
            fields = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields.setdefault(name, []).append(value[1:] if value.startswith(" ") else value)


def watch(client: httpx.Client, events_url: str, last_event_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield each event's JSON, checking that the SSE id and the JSON id agree."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    with client.stream("GET", events_url, headers=headers) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for message in sse_messages(response):
            event = message.json
            assert message.id == str(event["id"])
            yield event


@dataclass
class SteppedTool:
    """A sync tool that takes ``steps`` steps, each waiting for one ``release()`` and then sending progress."""

    name: str
    steps: int = 2
    gate: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))

    def release(self, n: int = 1) -> None:
        for _ in range(n):
            self.gate.release()

    def tool(self) -> Any:
        def step(ctx: ToolContext[Any]) -> str:
            for i in range(1, self.steps + 1):
                if not self.gate.acquire(timeout=SAFETY_TIMEOUT):
                    raise TimeoutError(f"{self.name}: step {i} was never released")
                ctx.send_progress({"step": i, "progress": i / self.steps})
            return f"{self.name} done"

        step.__name__ = self.name
        step.__doc__ = f"The {self.name} step tool."
        return function_tool(step)


def parallel_agent(*tools: SteppedTool, answer: str = "all done") -> Agent[Any]:
    """One turn calling every tool in parallel (call ids ``call_<name>``), then ``answer``."""
    model = ScriptedModel(
        [[function_call(t.name, {}, call_id=f"call_{t.name}") for t in tools], [assistant_message(answer)]]
    )
    return Agent(name="Stepper", tools=[t.tool() for t in tools], model=model)


def nested_agent(first: SteppedTool, second: SteppedTool, nested: SteppedTool) -> Agent[Any]:
    """ "Outer" calls ``first`` and ``second`` in parallel with ``research``, an agent used as a tool whose own call
    is ``nested`` (call ids ``call_<name>``, ``call_research``), then answers "All three finished."."""
    inner = Agent(
        name="Inner",
        tools=[nested.tool()],
        model=ScriptedModel(
            [[function_call(nested.name, {}, call_id=f"call_{nested.name}")], [assistant_message("found")]]
        ),
    )
    calls = [function_call(t.name, {}, call_id=f"call_{t.name}") for t in (first, second)]
    calls.append(function_call("research", {"input": "dig"}, call_id="call_research"))
    return Agent(
        name="Outer",
        tools=[first.tool(), second.tool(), inner.as_tool("research")],
        model=ScriptedModel([calls, [assistant_message("All three finished.")]]),
    )


def blocked_agent() -> Agent[Any]:
    """An agent whose one tool sends one progress event and then waits until cancelled."""

    @function_tool
    async def wait_forever(ctx: ToolContext[Any]) -> str:
        """Wait until cancelled."""
        ctx.send_progress({"progress": 0.0})
        await asyncio.get_running_loop().create_future()
        return "unreachable"

    model = ScriptedModel([[function_call("wait_forever", {}, call_id="call_wait")], [assistant_message("never")]])
    return Agent(name="Blocked", tools=[wait_forever], model=model)
