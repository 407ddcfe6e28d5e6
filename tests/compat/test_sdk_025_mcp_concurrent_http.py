"""Compatibility (SDK 0.25): calls on one Streamable HTTP MCP session run at once.

Learnt from the SDK 0.25 changelog entry "allow concurrent Streamable HTTP requests on MCP v2" (#5641): with the
official ``mcp`` 2.x package, ``MCPServerStreamableHttp`` no longer sends one request at a time, and a call still
in flight survives a sibling that fails or is cancelled (its test test_mcp_v2_http.py). Our client never serialized
its requests; these tests pin it against a real official server over Streamable HTTP, with no timing: the server's
``meet`` tool answers only once its peer call has arrived too, so two calls sent one after the other never meet.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from agents_otel import Agent, Runner
from agents_otel.mcp import MCPServerStreamableHttp
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def _text(result: Any) -> str:
    return str(result.content[0].text)


def _names() -> tuple[str, str]:
    key = uuid.uuid4().hex  # the server outlives the test: names of its own
    return f"a-{key}", f"b-{key}"


async def test_two_calls_on_one_session_run_at_once(http_url: str) -> None:
    a, b = _names()
    async with MCPServerStreamableHttp(params={"url": http_url}, name="meet") as server:
        first, second = await asyncio.gather(
            server.call_tool("meet", {"me": a, "peer": b}), server.call_tool("meet", {"me": b, "peer": a})
        )
    assert (_text(first), _text(second)) == (f"{a} met {b}", f"{b} met {a}")


async def test_an_agents_parallel_calls_to_one_server_run_at_once(http_url: str) -> None:
    a, b = _names()
    async with MCPServerStreamableHttp(params={"url": http_url}, name="meet") as server:
        model = ScriptedModel(
            [
                [
                    function_call("meet", {"me": a, "peer": b}, call_id="c1"),
                    function_call("meet", {"me": b, "peer": a}, call_id="c2"),
                ],
                [assistant_message("both met")],
            ]
        )
        result = await Runner.run(Agent(name="host", model=model, mcp_servers=[server]), "meet")
    outputs = [i.output for i in result.new_items if i.type == "tool_call_output_item"]
    assert result.final_output == "both met"
    assert sorted(outputs) == sorted([f"{a} met {b}", f"{b} met {a}"])


async def test_a_call_in_flight_survives_a_cancelled_and_a_failed_sibling(http_url: str) -> None:
    survivor_name, release_name = _names()
    async with MCPServerStreamableHttp(params={"url": http_url}, name="meet") as server:
        survivor = asyncio.create_task(server.call_tool("meet", {"me": survivor_name, "peer": release_name}))
        cancelled = asyncio.create_task(server.call_tool("hang", {}))
        probe = await server.call_tool("meet", {"me": f"probe-{survivor_name}", "peer": survivor_name})
        assert _text(probe).endswith(f"met {survivor_name}")  # the survivor's request is at the server now
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)
        failed = await server.call_tool("fail", {"reason": "sibling"})
        assert failed.is_error and "refused: sibling" in _text(failed)
        assert not survivor.done()
        released = await server.call_tool("meet", {"me": release_name, "peer": survivor_name})
        assert _text(released) == f"{release_name} met {survivor_name}"
        assert _text(await survivor) == f"{survivor_name} met {release_name}"
