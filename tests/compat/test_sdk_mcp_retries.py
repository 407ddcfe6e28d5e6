"""Compatibility: the OpenAI Agents SDK's MCP retries (``max_retry_attempts``, ``retry_backoff_seconds_base``,
``retry_backoff_seconds_max``), with the official ``mcp`` server over stdio and Streamable HTTP (no mocks but one:
a listing that fails once, which the official server cannot be made to do).

What the SDK pins: a failing ``tools/call`` or ``tools/list`` request is sent again up to ``max_retry_attempts``
times (``-1``: until it succeeds; ``0``, the default: never), after ``base * 2**n`` seconds, capped by
``retry_backoff_seconds_max``; the last failure is what the caller gets; a tool's own failure (an ``isError``
result) is an answer, not retried.

Ours: every attempt of a run's call is a CLIENT span of its own under the one ``execute_tool`` span (a retried
one carries ``mcp.retry.attempt``), and each retry is an ``mcp.retry`` event on the ``execute_tool`` span with
the error and the delay; a bad setting is a ``UserError`` when the server is built.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp_support.servers import stdio_params
from support import Tracing

from agents_otel import Agent, Runner, UserError
from agents_otel.mcp import MCPServer, MCPServerError, MCPServerStdio, MCPServerStreamableHttp, _sdk, policies
from agents_otel.mcp.client import UNSET
from agents_otel.testing import ScriptedModel, assistant_message, function_call

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoffs asked for, without waiting them."""
    found: list[float] = []

    async def record(seconds: float) -> None:
        found.append(seconds)

    monkeypatch.setattr(policies, "sleep", record)
    return found


def make_server(transport: str, request: pytest.FixtureRequest, **kwargs: Any) -> MCPServer:
    if transport == "stdio":
        params: Any = stdio_params()
        return MCPServerStdio(params, name="retrying", **kwargs)
    return MCPServerStreamableHttp({"url": request.getfixturevalue("http_url")}, name="retrying", **kwargs)


async def run_flaky(server: MCPServer, key: str, failures: int, tracing: Tracing) -> ScriptedModel:
    call = function_call("flaky", {"key": key, "failures": failures}, call_id="c1")
    model = ScriptedModel([[call], [assistant_message("done")]])
    await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go", run_config=tracing.config)
    return model


def answer(model: ScriptedModel) -> str:
    return str(model.calls[1].input[-1].output)  # type: ignore[union-attr]


async def test_a_failing_call_is_retried_each_attempt_a_client_span(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing, delays: list[float]
) -> None:
    key = f"retried-{transport}"
    async with make_server(transport, request, max_retry_attempts=2, retry_backoff_seconds_base=0.25) as server:
        model = await run_flaky(server, key, 2, tracing)
    assert answer(model) == f"{key} answered on attempt 3"
    assert delays == [0.25, 0.5]

    tool_span = tracing.tool_span("c1")
    attempts = sorted(tracing.named("tools/call flaky"), key=lambda s: s.start_time or 0)
    assert len(attempts) == 3
    assert all(s.parent is not None and s.parent.span_id == tool_span.context.span_id for s in attempts)
    assert [(s.attributes or {}).get("error.type") for s in attempts] == ["-32603", "-32603", None]
    assert [(s.attributes or {}).get("mcp.retry.attempt") for s in attempts] == [None, 1, 2]
    retries = [dict(e.attributes or {}) for e in tool_span.events if e.name == "mcp.retry"]
    assert [(r["mcp.retry.attempt"], r["mcp.retry.delay_seconds"]) for r in retries] == [(1, 0.25), (2, 0.5)]
    assert all(r["exception.type"] == "MCPRequestError" and "fails" in str(r["exception.message"]) for r in retries)


async def test_the_last_failure_is_what_the_model_reads_when_retries_run_out(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing, delays: list[float]
) -> None:
    key = f"exhausted-{transport}"
    async with make_server(transport, request, max_retry_attempts=1, retry_backoff_seconds_base=0) as server:
        model = await run_flaky(server, key, 5, tracing)
    assert "attempt 2 fails" in answer(model)
    assert len(tracing.named("tools/call flaky")) == 2 and delays == [0]


async def test_no_retries_by_default_and_a_tools_own_failure_is_never_retried(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing, delays: list[float]
) -> None:
    async with make_server(transport, request) as server:
        model = await run_flaky(server, f"default-{transport}", 1, tracing)
    assert "attempt 1 fails" in answer(model)
    async with make_server(transport, request, max_retry_attempts=3) as server:
        model = ScriptedModel([[function_call("fail", {"reason": "no"}, call_id="c2")], [assistant_message("x")]])
        await Runner.run(Agent(name="A", mcp_servers=[server], model=model), "go", run_config=tracing.config)
    assert "refused: no" in answer(model)
    assert len(tracing.named("tools/call flaky")) == 1 and len(tracing.named("tools/call fail")) == 1
    assert delays == []


async def test_minus_one_retries_until_it_succeeds_with_the_backoff_capped(
    transport: str, request: pytest.FixtureRequest, tracing: Tracing, delays: list[float]
) -> None:
    key = f"unlimited-{transport}"
    async with make_server(
        transport, request, max_retry_attempts=-1, retry_backoff_seconds_base=0.5, retry_backoff_seconds_max=1.5
    ) as server:
        model = await run_flaky(server, key, 4, tracing)
    assert answer(model) == f"{key} answered on attempt 5"
    assert delays == [0.5, 1.0, 1.5, 1.5]


async def test_a_raw_call_tool_is_retried_too(
    transport: str, request: pytest.FixtureRequest, delays: list[float]
) -> None:
    key = f"raw-{transport}"
    async with make_server(transport, request, max_retry_attempts=1, retry_backoff_seconds_base=0) as server:
        result = await server.call_tool("flaky", {"key": key, "failures": 1})
    assert result.content[0].text == f"{key} answered on attempt 2"


async def test_a_failing_listing_is_retried(
    transport: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, delays: list[float]
) -> None:
    async with make_server(transport, request, max_retry_attempts=1, retry_backoff_seconds_base=2) as server:
        session = server.require_session()
        real = session.list_tools
        failures = [_sdk.SDKError(-32603, "list broke")]

        async def list_once_broken(*args: Any, **kwargs: Any) -> Any:
            if failures:
                raise failures.pop()
            return await real(*args, **kwargs)

        monkeypatch.setattr(session, "list_tools", list_once_broken)
        assert "add" in [t.name for t in await server.list_tools()]
        assert delays == [2]
        failures.append(_sdk.SDKError(-32603, "list broke"))
        failures.append(_sdk.SDKError(-32603, "list broke again"))
        with pytest.raises(MCPServerError, match="list broke"):
            await server.list_tools()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_retry_attempts": -2}, "max_retry_attempts"),
        ({"max_retry_attempts": 1.5}, "max_retry_attempts"),
        ({"retry_backoff_seconds_base": -1}, "retry_backoff_seconds_base"),
        ({"retry_backoff_seconds_max": float("inf")}, "retry_backoff_seconds_max"),
    ],
)
def test_bad_retry_settings_are_refused_when_the_server_is_built(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        MCPServerStdio({"command": "x"}, **kwargs)


def test_retry_settings_keep_the_sdks_positions() -> None:
    server = MCPServerStdio({"command": "x"}, False, "named", 5, None, False, 3, 0.5)
    assert (server.max_retry_attempts, server.retry_backoff_seconds_base) == (3, 0.5)

    async def handler(message: object) -> None: ...

    later = MCPServerStdio({"command": "x"}, False, "n", 5, None, False, 3, 0.5, handler, None, UNSET, None, None, 2.0)
    assert (later.message_handler, later.retry_backoff_seconds_max) == (handler, 2.0)  # all of them, as in the SDK
    with pytest.raises(TypeError):  # the SDK's keyword-only ones (tool guardrails, max_list_pages) are here too
        MCPServerStdio({"command": "x"}, False, "n", 5, None, False, 3, 0.5, None, None, UNSET, None, None, 1.0, [])  # type: ignore[misc]
