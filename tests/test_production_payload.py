"""Payload safety: unserialisable data is a typed error at the call, oversized payloads are cut in the trace only,
and the redact hook sees what enters the trace (progress, arguments, results) but never what the stream gets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from support import Tracing, one_call_agent, streamed_events

from agents_otel import (
    Agent,
    ProgressPayloadError,
    RunConfig,
    Runner,
    ToolContext,
    ToolProgressStreamEvent,
    function_tool,
    redact_keys,
)
from agents_otel.redaction import REDACTION_FAILED
from agents_otel.tracing.attributes import (
    GEN_AI_TOOL_CALL_ARGUMENTS,
    GEN_AI_TOOL_CALL_RESULT,
    PROGRESS_DATA,
    PROGRESS_EVENT,
    PROGRESS_ORIGINAL_BYTES,
    PROGRESS_SEQUENCE,
    PROGRESS_TRUNCATED,
)


def one_call(tool: Any, args: dict[str, Any] | None = None) -> Agent[Any]:
    return one_call_agent(tool, args, call_id="c", name="A")


def progress_events(tracing: Tracing) -> list[Any]:
    return [e for e in tracing.tool_span("c").events if e.name == PROGRESS_EVENT]


async def test_unserialisable_payload_names_the_tool_and_later_progress_works(tracing: Tracing) -> None:
    caught: list[ProgressPayloadError] = []

    @function_tool
    async def sloppy(ctx: ToolContext) -> str:
        try:
            ctx.send_progress({"handle": object()})
        except TypeError as exc:  # ProgressPayloadError is a TypeError
            assert isinstance(exc, ProgressPayloadError)
            caught.append(exc)
        assert ctx.send_progress({"ok": True})
        return "fine"

    events = await streamed_events(one_call(sloppy), tracing.config)
    assert "sloppy" in str(caught[0]) and "object" in str(caught[0])
    (progress,) = [e for e in events if isinstance(e, ToolProgressStreamEvent)]
    assert progress.sequence == 1 and progress.data == {"ok": True}  # the failed call used up no sequence number
    assert [e.attributes[PROGRESS_SEQUENCE] for e in progress_events(tracing)] == [1]


async def test_oversized_payload_is_cut_in_the_trace_and_whole_in_the_stream(tracing: Tracing) -> None:
    big = {"log": "é" * 5000, "pct": 50, "done": False}  # ~10 KB of UTF-8

    @function_tool
    async def verbose(ctx: ToolContext) -> str:
        ctx.send_progress(big)
        ctx.send_progress({"pct": 100})
        return "ok"

    config = RunConfig(tracer_provider=tracing.provider, max_progress_payload_bytes=1001)
    events = await streamed_events(one_call(verbose), config)
    first = next(e for e in events if isinstance(e, ToolProgressStreamEvent))
    assert first.data is big

    cut, small = progress_events(tracing)
    data = cut.attributes[PROGRESS_DATA]
    assert len(data.encode()) <= 1001  # cut at a character boundary: the odd byte of a 2-byte char is dropped
    assert json.dumps(big, ensure_ascii=False, separators=(",", ":")).startswith(data)
    assert cut.attributes[PROGRESS_TRUNCATED] is True
    assert cut.attributes[PROGRESS_ORIGINAL_BYTES] > 10000
    assert cut.attributes[PROGRESS_DATA + ".pct"] == 50 and PROGRESS_DATA + ".log" not in cut.attributes
    assert PROGRESS_TRUNCATED not in small.attributes and json.loads(small.attributes[PROGRESS_DATA]) == {"pct": 100}


@dataclass
class Login:
    user: str
    password: str


async def test_redact_hook_sees_progress_arguments_and_results_before_the_trace(tracing: Tracing) -> None:
    seen: list[tuple[str, str]] = []
    scrub = redact_keys({"password", "token"})

    def redact(kind: Any, tool_name: str, value: Any) -> Any:
        seen.append((kind, tool_name))
        return scrub(kind, tool_name, value)

    @function_tool
    async def login(ctx: ToolContext, user: str, password: str) -> dict[str, str]:
        ctx.send_progress({"user": user, "password": password, "nested": [{"token": "t0k"}]})
        ctx.send_progress(Login(user, password))
        return {"session": "s1", "token": "t0k"}

    config = RunConfig(tracer_provider=tracing.provider, capture_content=True, redact=redact)
    events = await streamed_events(one_call(login, {"user": "ann", "password": "hunter2"}), config)

    # trace: arguments, the two recorded payloads, the result; stream (redacted by default): arguments, the two
    # progress events, the output; chat and agent spans: their messages
    tool_kinds = [k for k in seen if k[0] in ("tool_arguments", "progress", "tool_result")]
    assert sorted(tool_kinds) == sorted(
        [("tool_arguments", "login")] * 2 + [("progress", "login")] * 4 + [("tool_result", "login")] * 2
    )
    first, second = progress_events(tracing)
    assert json.loads(first.attributes[PROGRESS_DATA]) == {
        "user": "ann",
        "password": "[REDACTED]",
        "nested": [{"token": "[REDACTED]"}],
    }
    assert first.attributes[PROGRESS_DATA + ".password"] == "[REDACTED]"
    assert json.loads(second.attributes[PROGRESS_DATA]) == {"user": "ann", "password": "[REDACTED]"}
    span = tracing.tool_span("c")
    assert "hunter2" not in span.attributes[GEN_AI_TOOL_CALL_ARGUMENTS]
    assert "t0k" not in span.attributes[GEN_AI_TOOL_CALL_RESULT]
    # the stream leaves the process too (SSE, protocol endpoints): redacted by default (redact_stream=False: raw)
    stream_first = next(e for e in events if isinstance(e, ToolProgressStreamEvent))
    assert stream_first.data["password"] == "[REDACTED]"


async def test_a_raising_redact_hook_records_a_marker_and_the_run_goes_on(tracing: Tracing) -> None:
    def broken(kind: Any, tool_name: str, value: Any) -> Any:
        raise RuntimeError("redactor bug")

    @function_tool
    async def work(ctx: ToolContext) -> str:
        assert ctx.send_progress({"secret": 1})
        return "ok"

    config = RunConfig(tracer_provider=tracing.provider, capture_content=True, redact=broken)
    result = await Runner.run(one_call(work), "go", run_config=config)
    assert result.final_output == "done"
    (event,) = progress_events(tracing)
    assert json.loads(event.attributes[PROGRESS_DATA]) == REDACTION_FAILED
    assert tracing.tool_span("c").attributes[GEN_AI_TOOL_CALL_ARGUMENTS] == REDACTION_FAILED


async def test_a_redact_hook_returning_junk_records_a_marker(tracing: Tracing) -> None:
    @function_tool
    async def work(ctx: ToolContext) -> str:
        assert ctx.send_progress({"x": 1})
        return "ok"

    config = RunConfig(tracer_provider=tracing.provider, redact=lambda kind, name, value: object())
    await Runner.run(one_call(work), "go", run_config=config)
    (event,) = progress_events(tracing)
    assert json.loads(event.attributes[PROGRESS_DATA]) == REDACTION_FAILED
