"""``/ag-ui`` and ``/ai-sdk/chat`` on the wire: framing, headers, what input is accepted or refused, the trace a
run joins, cancelling at ``/runs/{id}/cancel``, and AG-UI's own conformance validator (``ag-ui-validate``, PyPI)
run against the live endpoint.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, LiveServer, blocked_agent
from support import Tracing
from ui_protocol_support import Scenario

from agents_otel import Agent, ToolContext, function_tool
from agents_otel.server import create_app
from agents_otel.testing import ScriptedModel, assistant_message, function_call

VALIDATOR = Path(sys.executable).with_name("ag-ui-validate")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN = "00f067aa0ba902b7"


def _ag_ui_body(**extra: Any) -> dict[str, Any]:
    return {
        "threadId": "thread-7",
        "runId": "run-7",
        "messages": [{"id": "m1", "role": "user", "content": "Hello"}],
        **extra,
    }


def _chat_body(**extra: Any) -> dict[str, Any]:
    return {
        "id": "chat-7",
        "trigger": "submit-message",
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": "Hello"}]}],
        **extra,
    }


def _frames(body: bytes) -> list[str]:
    assert b"\r" not in body, "LF framing only: the AG-UI client splits on \\n\\n"
    text = body.decode()
    assert text.endswith("\n\n")
    frames = text[:-2].split("\n\n")
    assert all(f.startswith("data: ") and "\n" not in f for f in frames), frames
    return [f.removeprefix("data: ") for f in frames]


def test_ag_ui_frames_are_event_encoder_frames_and_accept_every_run_agent_input_field(tracing: Tracing) -> None:
    app = create_app(Scenario().agent, run_config=tracing.config)
    body = _ag_ui_body(
        protocolVersion="1.0",
        parentRunId="run-6",
        resume=[],
        state={"cart": [1, 2]},
        tools=[{"name": "frontend_tool", "description": "a tool the page offers"}],
        context=[{"description": "locale", "value": "en"}],
        forwardedProps={"anything": True},
        aFieldFromTheFuture={"x": 1},
    )
    with LiveServer(app) as server:
        response = httpx.post(server.base_url + "/ag-ui", json=body, timeout=SAFETY_TIMEOUT)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(f) for f in _frames(response.content)]
    assert events[0]["type"] == "RUN_STARTED" and events[-1]["type"] == "RUN_FINISHED"
    assert response.headers["x-agents-otel-run-id"] == events[0]["metadata"]["agentsOtelRunId"]
    assert all(isinstance(e["timestamp"], int) for e in events)
    assert all(isinstance(e["content"], str) for e in events if e["type"] == "TOOL_CALL_RESULT")


def test_ai_sdk_stream_has_the_protocol_header_and_ends_with_done() -> None:
    with LiveServer(create_app(Scenario().agent)) as server:
        response = httpx.post(server.base_url + "/ai-sdk/chat", json=_chat_body(), timeout=SAFETY_TIMEOUT)
    assert response.status_code == 200
    assert response.headers["x-vercel-ai-ui-message-stream"] == "v1"
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = _frames(response.content)
    assert frames[-1] == "[DONE]"
    assert json.loads(frames[-2]) == {"type": "finish", "finishReason": "stop"}


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "fragment"),
    [
        ("/ag-ui", b"{not json", 400, "bad_request", "RunAgentInput"),
        ("/ag-ui", {"runId": "r", "messages": []}, 422, "invalid_input", "threadId"),
        ("/ag-ui", _ag_ui_body(messages=[]), 422, "invalid_input", "no user message"),
        (
            "/ag-ui",
            _ag_ui_body(messages=[{"id": "s", "role": "system", "content": "be terse"}]),
            422,
            "invalid_input",
            "'system' messages are not supported",
        ),
        (
            "/ag-ui",
            _ag_ui_body(
                messages=[
                    {
                        "id": "u",
                        "role": "user",
                        "content": [{"type": "image", "source": {"type": "url", "value": "http://x/y.png"}}],
                    }
                ]
            ),
            422,
            "invalid_input",
            "only text content",
        ),
        ("/ai-sdk/chat", b"[]", 422, "invalid_input", "chat request"),
        ("/ai-sdk/chat", {"id": "c", "messages": []}, 422, "invalid_input", "messages"),
        (
            "/ai-sdk/chat",
            _chat_body(messages=[{"id": "s", "role": "system", "parts": [{"type": "text", "text": "x"}]}]),
            422,
            "invalid_input",
            "system messages are not supported",
        ),
        (
            "/ai-sdk/chat",
            _chat_body(
                messages=[{"id": "u", "role": "user", "parts": [{"type": "file", "url": "x", "mediaType": "a/b"}]}]
            ),
            422,
            "invalid_input",
            "'file' parts are not supported",
        ),
    ],
)
def test_bad_requests_are_refused_with_a_typed_error(
    path: str, body: Any, status: int, code: str, fragment: str
) -> None:
    app = create_app(Scenario().agent)
    with LiveServer(app) as server:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        response = httpx.post(server.base_url + path, content=content, headers=headers, timeout=SAFETY_TIMEOUT)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and fragment in error["message"]
    assert len(app.runs) == 0


@pytest.mark.parametrize(("path", "body"), [("/ag-ui", _ag_ui_body()), ("/ai-sdk/chat", _chat_body())])
def test_the_same_access_rules_as_runs(path: str, body: dict[str, Any]) -> None:
    app = create_app(Scenario().agent, auth_token="s3cret-token", max_running_runs=1)
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        refused = client.post(path, json=body)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
        cross_site = client.post(path, json=body, headers={"Origin": "https://evil.example"})
        assert cross_site.status_code in (401, 403)
        bearer = {"Authorization": "Bearer s3cret-token"}
        response = client.post(path, json=body, headers=bearer)
        assert response.status_code == 200
        served = response.headers["x-agents-otel-run-id"]
        assert client.get(f"/runs/{served}").status_code == 401
        assert client.get(f"/runs/{served}", headers=bearer).json()["status"] == "completed"
    assert len(app.runs) == 1


@pytest.mark.parametrize(("path", "body"), [("/ag-ui", _ag_ui_body()), ("/ai-sdk/chat", _chat_body())])
def test_a_traceparent_continues_the_callers_trace_and_the_thread_is_the_conversation(
    tracing: Tracing, path: str, body: dict[str, Any]
) -> None:
    with LiveServer(create_app(Scenario().agent, run_config=tracing.config)) as server:
        response = httpx.post(
            server.base_url + path,
            json=body,
            headers={"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN}-01"},
            timeout=SAFETY_TIMEOUT,
        )
        assert response.status_code == 200
        served = response.headers["x-agents-otel-run-id"]
        status = httpx.get(f"{server.base_url}/runs/{served}").json()
    assert response.headers["x-agents-otel-trace-id"] == TRACE_ID == status["trace_id"]
    (root,) = tracing.named("invoke_agent Main")
    assert format(root.context.trace_id, "032x") == TRACE_ID
    assert root.parent is not None and format(root.parent.span_id, "016x") == PARENT_SPAN
    assert root.attributes is not None
    assert root.attributes["gen_ai.conversation.id"] == ("thread-7" if path == "/ag-ui" else "chat-7")


def _read_until(lines: Any, predicate: Any) -> dict[str, Any]:
    for line in lines:
        if line.startswith("data: ") and line != "data: [DONE]":
            event = json.loads(line.removeprefix("data: "))
            if predicate(event):
                return event  # type: ignore[no-any-return]
    raise AssertionError("the stream ended first")


def test_cancelling_at_runs_ends_the_ag_ui_stream_with_a_cancelled_outcome() -> None:
    with LiveServer(create_app(blocked_agent)) as server, httpx.Client(timeout=SAFETY_TIMEOUT) as client:
        with client.stream("POST", server.base_url + "/ag-ui", json=_ag_ui_body()) as response:
            lines = response.iter_lines()
            started = _read_until(lines, lambda e: e["type"] == "RUN_STARTED")
            _read_until(lines, lambda e: e["type"] == "CUSTOM")
            served = started["metadata"]["agentsOtelRunId"]
            assert client.post(f"{server.base_url}/runs/{served}/cancel").status_code == 202
            result = _read_until(lines, lambda e: e["type"] == "TOOL_CALL_RESULT")
            finished = _read_until(lines, lambda e: e["type"] in ("RUN_FINISHED", "RUN_ERROR"))
        # The cancelled call's result says so (it has no output: never the text "null").
        assert result["content"] == "the tool call was cancelled"
        assert result["metadata"] == {"isError": True, "errorType": "cancelled"}
        assert finished["outcome"] == {"type": "cancelled"}
        assert finished["runId"] == "run-7" and "result" not in finished
        assert client.get(f"{server.base_url}/runs/{served}").json()["status"] == "cancelled"


def test_cancelling_at_runs_ends_the_ai_sdk_stream_with_abort() -> None:
    with (
        LiveServer(create_app(blocked_agent)) as server,
        httpx.Client(timeout=SAFETY_TIMEOUT) as client,
        client.stream("POST", server.base_url + "/ai-sdk/chat", json=_chat_body()) as response,
    ):
        lines = response.iter_lines()
        served = _read_until(lines, lambda e: e["type"] == "start")["messageMetadata"]["agentsOtelRunId"]
        _read_until(lines, lambda e: e["type"] == "data-tool-progress")
        assert client.post(f"{server.base_url}/runs/{served}/cancel").status_code == 202
        ended = _read_until(lines, lambda e: e["type"] in ("tool-output-error", "tool-output-available"))
        assert ended["type"] == "tool-output-error" and ended["errorText"] == "the tool call was cancelled"
        assert _read_until(lines, lambda e: e["type"] in ("abort", "finish", "error"))["type"] == "abort"


def test_the_ag_ui_conformance_validator_finds_no_error_or_warning(tracing: Tracing) -> None:
    with LiveServer(create_app(Scenario().agent, run_config=tracing.config)) as server:
        done = subprocess.run(
            [str(VALIDATOR), server.base_url + "/ag-ui", "--json", "--timeout", str(SAFETY_TIMEOUT)],
            capture_output=True,
            text=True,
            timeout=SAFETY_TIMEOUT * 2,
            check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    findings = [d for d in report["diagnostics"] if d["severity"] in ("error", "warning")]
    assert findings == []
    # The only remark: our CUSTOM names (a contract, docs/ui-protocols.md) carry no vendor prefix.
    assert {d["rule"] for d in report["diagnostics"]} <= {"AGUI903"}
    assert report["diagnostics"], "the stream had progress events to remark on"


@pytest.mark.parametrize(("path", "body"), [("/ag-ui", _ag_ui_body()), ("/ai-sdk/chat", _chat_body())])
def test_the_run_caps_of_runs_apply(path: str, body: dict[str, Any]) -> None:
    with (
        LiveServer(create_app(blocked_agent, max_running_runs=1)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        first = client.post("/runs", json={"input": "hold the only slot"}).json()
        busy = client.post(path, json=body)
        assert busy.status_code == 503 and busy.json()["error"]["code"] == "server_busy"
        client.post(f"/runs/{first['id']}/cancel")


FLOOD = 20_000


@function_tool
def flood(ctx: ToolContext[Any]) -> str:
    """Reports progress as fast as it can."""
    for i in range(1, FLOOD + 1):
        ctx.send_progress({"done": i, "total": FLOOD})
    return "flooded"


def _flood_agent() -> Agent[Any]:
    model = ScriptedModel([[function_call("flood", {}, call_id="call_flood")], [assistant_message("ok")]])
    return Agent(name="Flood", tools=[flood], model=model)


@pytest.mark.parametrize(("path", "body"), [("/ag-ui", _ag_ui_body()), ("/ai-sdk/chat", _chat_body())])
def test_a_flooding_tool_reaches_the_client_in_order_ending_with_its_last_value(
    path: str, body: dict[str, Any]
) -> None:
    with LiveServer(create_app(_flood_agent)) as server:
        response = httpx.post(server.base_url + path, json=body, timeout=SAFETY_TIMEOUT)
    frames = [json.loads(f) for f in _frames(response.content) if f != "[DONE]"]
    progress = [f.get("value") or f.get("data") for f in frames if f["type"] in ("CUSTOM", "data-tool-progress")]
    sequences = [p["sequence"] for p in progress]
    assert sequences == sorted(sequences) and sequences[0] == 1 and sequences[-1] == FLOOD
    assert progress[-1]["data"] == {"done": FLOOD, "total": FLOOD}
    # Every value is accounted for: delivered, or counted as replaced by a later one.
    assert len(progress) + sum(p.get("coalesced", 0) for p in progress) == FLOOD


def _approval_agent() -> Agent[Any]:
    @function_tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        return f"deleted {path}"

    call = function_call("delete_file", {"path": "a.txt"}, call_id="call_del")
    model = ScriptedModel([[call], [assistant_message("ok")]])
    return Agent(name="Janitor", tools=[delete_file], model=model)


def test_a_run_waiting_for_approval_ends_the_ag_ui_stream_with_an_interrupt_outcome() -> None:
    from ag_ui.core import RunFinishedEvent

    with LiveServer(create_app(_approval_agent())) as server, httpx.Client(timeout=SAFETY_TIMEOUT) as client:
        response = client.post(server.base_url + "/ag-ui", json=_ag_ui_body())
        events = [json.loads(f) for f in _frames(response.content)]
        finished = RunFinishedEvent.model_validate(events[-1])
        assert finished.outcome is not None and finished.outcome.type == "interrupt"
        [interrupt] = finished.outcome.interrupts
        assert (interrupt.id, interrupt.reason, interrupt.tool_call_id) == ("call_del", "tool_approval", "call_del")
        assert interrupt.message == 'Approve delete_file({"path": "a.txt"})?'
        # The waiting call is announced before the interrupt that names it (it never ran, so never had been).
        kinds = [e["type"] for e in events if e.get("toolCallId") == "call_del"]
        assert kinds == ["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END"]
        served = events[0]["metadata"]["agentsOtelRunId"]
        url = server.base_url + "/ag-ui"
        history = [
            {"id": "m1", "role": "user", "content": "Hello"},
            {"id": "m2", "role": "assistant", "toolCalls": [_ag_ui_call("call_del")]},
        ]

        def resume(answers: list[dict[str, Any]], **extra: Any) -> httpx.Response:
            return client.post(url, json=_ag_ui_body(messages=history, resume=answers, runId="run-8") | extra)

        approve = [{"interruptId": "call_del", "status": "resolved", "payload": {"approved": True}}]
        # Refused, each loudly and before anything is taken: a new user message the resumed run would not read,
        # an answer that is not one, a waiting call left unanswered, another thread.
        with_question = client.post(url, json=_ag_ui_body(resume=approve))
        assert with_question.status_code == 422 and with_question.json()["error"]["fields"][0]["loc"] == ["messages"]
        typo = resume([{"interruptId": "call_del", "status": "resolved", "payload": {"aproved": True}}])
        assert typo.status_code == 422 and typo.json()["error"]["fields"][0]["loc"] == ["resume", 0, "payload"]
        undecided = resume([{"interruptId": "call_other", "status": "resolved", "payload": {"approved": True}}])
        error = undecided.json()["error"]
        assert undecided.status_code == 400 and error["code"] == "invalid_decisions"
        assert (error["undecided"], error["unknown"]) == (["call_del"], ["call_other"])
        elsewhere = resume(approve, threadId="thread-8")
        assert elsewhere.status_code == 404 and elsewhere.json()["error"]["code"] == "paused_run_not_found"

        resumed = resume(approve)
        assert resumed.status_code == 200, resumed.text
        events = [json.loads(f) for f in _frames(resumed.content)]
        assert (events[0]["threadId"], events[0]["runId"]) == ("thread-7", "run-8")
        assert events[0]["metadata"]["agentsOtelRunId"] != served
        kinds = [e["type"] for e in events if e.get("toolCallId") == "call_del"]
        assert kinds == ["TOOL_CALL_RESULT"]  # its call was announced with the interrupt
        assert events[-1]["type"] == "RUN_FINISHED" and events[-1]["result"] == "ok"
        # Resumed once, and the run's own id says it was.
        assert resume(approve).status_code == 404
        assert client.post(f"{server.base_url}/runs/{served}/resume", json={"decisions": []}).status_code == 404


def _ag_ui_call(call_id: str) -> dict[str, Any]:
    arguments = json.dumps({"path": "a.txt"})
    return {"id": call_id, "type": "function", "function": {"name": "delete_file", "arguments": arguments}}


def test_a_run_waiting_for_approval_ends_the_ai_sdk_stream_saying_so() -> None:
    with LiveServer(create_app(_approval_agent())) as server, httpx.Client(timeout=SAFETY_TIMEOUT) as client:
        response = client.post(server.base_url + "/ai-sdk/chat", json=_chat_body())
        frames = _frames(response.content)
        assert frames[-1] == "[DONE]"
        chunks = [json.loads(f) for f in frames[:-1]]
        served = chunks[0]["messageMetadata"]["agentsOtelRunId"]
        waiting = {"call_id": "call_del", "tool_name": "delete_file", "arguments": '{"path": "a.txt"}'}
        assert chunks[-2] == {
            "type": "data-run-interrupted",
            "data": {"run_id": served, "interruptions": [{**waiting, "agent_name": "Janitor"}]},
        }
        assert chunks[-1] == {"type": "finish", "finishReason": "interrupted"}
        # The protocol's own request, on the waiting call's part (announced first: it never ran).
        own = [c for c in chunks if c.get("toolCallId") == "call_del"]
        assert [c["type"] for c in own] == ["tool-input-start", "tool-input-available", "tool-approval-request"]
        assert own[-1] == {"type": "tool-approval-request", "approvalId": "call_del", "toolCallId": "call_del"}
