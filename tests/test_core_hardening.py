"""What a tool may return, abandoned sync-tool threads, a raising as_tool on_stream, and arguments never echoed
into errors (issue 18)."""

from __future__ import annotations

import itertools
import logging
import signal
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from support import Tracing, one_call_agent, scripted_agent

from agents_otel import RunConfig, Runner, ToolContext, ToolOutputError, function_tool
from agents_otel.items import ToolCallOutputItem
from agents_otel.testing import function_call

SAFETY_TIMEOUT = 30.0


def _outputs(result: Any) -> dict[str, ToolCallOutputItem]:
    return {i.call.tool_call_id: i for i in result.new_items if isinstance(i, ToolCallOutputItem)}


async def test_a_tool_returning_an_iterator_is_a_tool_error_and_an_endless_one_does_not_block(
    tracing: Tracing,
) -> None:
    @function_tool
    def finite() -> Any:
        """Return a generator."""
        return (i for i in range(5))

    @function_tool
    def endless() -> Any:
        """Return an endless iterator."""
        return itertools.count()

    @function_tool
    async def agen() -> Any:
        """Return an async generator."""

        async def numbers() -> Any:
            yield 1

        return numbers()

    @function_tool
    def nested() -> Any:
        """Return a dict holding an endless iterator."""
        return {"rows": itertools.count()}

    tools = (finite, endless, agen, nested)
    calls = [function_call(t.name, {}, call_id=f"call_{t.name}") for t in tools]
    result = await Runner.run(scripted_agent(list(tools), calls), "go", run_config=tracing.config)

    outputs = _outputs(result)
    for name in ("finite", "endless", "agen", "nested"):
        item = outputs[f"call_{name}"]
        assert item.is_error and item.error_type == "invalid_output"
        assert "an iterator" in str(item.output) and "return a list or a string instead" in str(item.output)
        span = tracing.tool_span(f"call_{name}")
        assert (span.attributes or {})["error.type"] == "invalid_output"
    assert result.final_output == "done"
    assert issubclass(ToolOutputError, Exception)


def test_an_abandoned_sync_tool_thread_does_not_hold_process_exit() -> None:
    script = textwrap.dedent(
        """
        import threading, time
        from agents_otel import Agent, Runner, function_tool
        from agents_otel.testing import ScriptedModel, assistant_message, function_call

        release = threading.Event()

        @function_tool(timeout=0.2)
        def stuck() -> str:
            \"\"\"Block far longer than the test waits.\"\"\"
            release.wait(600)
            return "late"

        model = ScriptedModel([[function_call("stuck", {}, call_id="c")], [assistant_message("gave up")]])
        result = Runner.run_sync(Agent(name="A", tools=[stuck], model=model), "go")
        print(result.final_output, flush=True)
        """
    )
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=SAFETY_TIMEOUT
    )  # before: exit waited the full 600 s for the worker thread
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "gave up"


async def test_a_raising_on_stream_callback_logs_once_per_call_and_counts_the_rest(
    tracing: Tracing, caplog: pytest.LogCaptureFixture
) -> None:
    @function_tool
    def chatty(ctx: ToolContext[Any]) -> str:
        """Send 50 progress events."""
        for i in range(50):
            ctx.send_progress({"i": i})
        return "ok"

    inner = one_call_agent(chatty, name="Inner", call_id="inner_1")

    def broken(_: Any) -> None:
        raise RuntimeError("callback bug")

    outer = one_call_agent(inner.as_tool("inner", "Ask the inner agent.", on_stream=broken), {"input": "x"})
    with caplog.at_level(logging.WARNING, logger="agents_otel"):
        result = await Runner.run(outer, "go", run_config=tracing.config)

    assert result.final_output == "done"
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1
    errors = (tracing.tool_span("call_1").attributes or {})["agents_otel.on_stream.errors"]
    assert isinstance(errors, int) and errors > 10
    assert any(f"raised {errors} times" in r.getMessage() for r in caplog.records)


SECRET = "hunter2-TOP-SECRET"


async def test_invalid_arguments_are_described_without_echoing_them(tracing: Tracing) -> None:
    @function_tool
    def login(password: str, attempts: int) -> str:
        """Log in."""
        return "ok"

    agent = one_call_agent(login, {"password": SECRET, "attempts": "many"}, check_calls=False)  # invalid on purpose
    result = await Runner.run(agent, "go", run_config=tracing.config)

    item = _outputs(result)["call_1"]
    assert item.is_error and item.error_type == "invalid_arguments"
    assert "attempts" in str(item.output) and SECRET not in str(item.output)
    span = tracing.tool_span("call_1")
    exported = repr(span.to_json())
    assert "attempts" in exported and SECRET not in exported


@pytest.mark.parametrize(("env", "limit"), [(None, 65_536), ("1000", 1000)])
async def test_captured_content_is_limited_and_says_it_was_truncated(
    tracing: Tracing, monkeypatch: pytest.MonkeyPatch, env: str | None, limit: int
) -> None:
    if env is None:
        monkeypatch.delenv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", raising=False)
    else:
        monkeypatch.setenv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", env)

    @function_tool
    def huge() -> str:
        """Return 2 MB of text."""
        return "x" * 2_000_000

    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    result = await Runner.run(one_call_agent(huge), "go", run_config=config)

    assert len(str(_outputs(result)["call_1"].output)) == 2_000_000  # the model got all of it
    span = tracing.tool_span("call_1")
    value = (span.attributes or {})["gen_ai.tool.call.result"]
    assert isinstance(value, str) and len(value) <= limit
    assert value.endswith("…[truncated: 2000000 chars]")
    assert (span.attributes or {})["agents_otel.content.truncated"] is True
    chat = tracing.named("chat")[-1]  # its input messages carry the tool's result
    messages = (chat.attributes or {})["gen_ai.input.messages"]
    assert isinstance(messages, str) and len(messages) <= limit and "…[truncated:" in messages


def test_ctrl_c_in_run_sync_does_not_wait_for_a_blocked_sync_tool() -> None:
    script = textwrap.dedent(
        """
        import threading
        from agents_otel import Agent, Runner, function_tool
        from agents_otel.testing import ScriptedModel, assistant_message, function_call

        @function_tool
        def stuck() -> str:
            \"\"\"Block far longer than the test waits.\"\"\"
            print("started", flush=True)
            threading.Event().wait(600)
            return "late"

        model = ScriptedModel([[function_call("stuck", {}, call_id="c")], [assistant_message("never")]])
        Runner.run_sync(Agent(name="A", tools=[stuck], model=model), "go")
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "started"
        process.send_signal(signal.SIGINT)
        process.wait(SAFETY_TIMEOUT)  # before: the interpreter waited 600 s for the tool's pool thread
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0


async def test_a_progress_payload_holding_an_iterator_is_refused_not_consumed(tracing: Tracing) -> None:
    outcomes: list[str] = []

    @function_tool
    def sender(ctx: ToolContext[Any]) -> str:
        """Send an endless iterator as progress, then a good payload."""
        endless = itertools.count()
        for payload in (endless, {"items": endless}, [endless]):
            try:
                ctx.send_progress(payload)
            except TypeError as exc:  # ProgressPayloadError
                outcomes.append(str(exc))
        ctx.send_progress({"ok": True})
        return f"next: {next(endless)}"

    result = await Runner.run(one_call_agent(sender), "go", run_config=tracing.config)
    assert len(outcomes) == 3 and all("iterator" in o for o in outcomes)
    assert _outputs(result)["call_1"].output == "next: 0"  # never consumed
