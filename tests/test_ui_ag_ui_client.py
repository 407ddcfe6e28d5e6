"""``POST /ag-ui`` driven by the official AG-UI client (``@ag-ui/client``'s ``HttpAgent`` under Node), which
validates every event against ``@ag-ui/core``'s schemas and their order, and keeps the conversation's messages.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, LiveServer, blocked_agent
from support import Tracing
from ui_protocol_support import (
    REASONING_SUMMARY,
    STREAM_BROKE,
    WEB_SEARCH_CALL,
    ApprovalScenario,
    Scenario,
    bad_call_agent,
    drive,
    failing_agent,
    final_event,
    handoff_agent,
    hosted_agent,
    index_of,
    reasoning_agent,
    require_node_clients,
    streamed_arguments,
    streamed_calls_agent,
    walk,
)
from ui_reasoning_support import FIRST_PARTS, SECOND_PARTS, streamed_reasoning_agent

from agents_otel.server import create_app

EVERY_TYPE = {
    "RUN_STARTED",
    "STEP_STARTED",
    "TEXT_MESSAGE_START",
    "TEXT_MESSAGE_CONTENT",
    "TEXT_MESSAGE_END",
    "TOOL_CALL_START",
    "TOOL_CALL_ARGS",
    "TOOL_CALL_END",
    "CUSTOM",
    "SUBAGENT_STARTED",
    "SUBAGENT_FINISHED",
    "TOOL_CALL_RESULT",
    "STEP_FINISHED",
    "RUN_FINISHED",
}


@pytest.fixture(autouse=True)
def _node() -> None:
    require_node_clients()


def test_a_conversation_of_two_runs_with_parallel_nested_and_failing_calls(tracing: Tracing) -> None:
    scenario = Scenario()
    app = create_app(scenario.agent, run_config=tracing.config)
    with LiveServer(app) as server:
        report = drive(
            "ag_ui_driver.mjs",
            {"url": server.base_url + "/ag-ui", "threadId": "thread-1", "turns": ["Hello", "And again"]},
        )
        first, second = report["runs"]
        assert first["error"] is None and second["error"] is None
        served = first["events"][0]["metadata"]["agentsOtelRunId"]
        status = httpx.get(f"{server.base_url}/runs/{served}").json()

    events = first["events"]
    assert {e["type"] for e in events} == EVERY_TYPE
    assert events[0] | {"timestamp": 0} == {
        "type": "RUN_STARTED",
        "timestamp": 0,
        "threadId": "thread-1",
        "runId": "thread-1-run-0",
        "metadata": events[0]["metadata"],
    }
    assert events[-1]["type"] == "RUN_FINISHED"
    finished = events[-1]
    assert (finished["threadId"], finished["runId"], finished["result"]) == ("thread-1", "thread-1-run-0", "Answer 1.")
    assert None not in list(walk(events)), "optional fields are omitted, never null"
    assert status["status"] == "completed" and status["trace_id"] == events[0]["metadata"]["traceId"]

    ids = scenario.ids(1)
    progress = [e for e in events if e["type"] == "CUSTOM"]
    assert {e["name"] for e in progress} == {"tool_progress"}
    for call, steps in ((ids["a"], 3), (ids["b"], 3), (ids["inner"], 2)):
        own = [i for i, e in enumerate(events) if e["type"] == "CUSTOM" and e["value"]["toolCallId"] == call]
        assert [events[i]["value"]["sequence"] for i in own] == list(range(1, steps + 1))
        assert [events[i]["value"]["data"] for i in own] == [{"done": k, "of": steps} for k in range(1, steps + 1)]
        assert index_of(events, "TOOL_CALL_END", call) < own[0] and own[-1] < index_of(events, "TOOL_CALL_RESULT", call)
        value = events[own[0]]["value"]
        assert value["traceId"] == status["trace_id"] and len(value["spanId"]) == 16

    # The two parallel calls belong to the turn's assistant message; the nested call to its subagent.
    (text_start,) = [e for e in events if e["type"] == "TEXT_MESSAGE_START" and events.index(e) < 10]
    assert events[index_of(events, "TOOL_CALL_START", ids["a"])]["parentMessageId"] == text_start["messageId"]
    (subagent,) = [e for e in events if e["type"] == "SUBAGENT_STARTED"]
    assert (subagent["subagentRunId"], subagent["parentToolCallId"], subagent["name"]) == (
        ids["nested"],
        ids["nested"],
        "Researcher",
    )
    inner_start = events[index_of(events, "TOOL_CALL_START", ids["inner"])]
    assert inner_start["subagentRunId"] == ids["nested"]
    inner_progress = next(e for e in progress if e["value"]["toolCallId"] == ids["inner"])
    assert inner_progress["value"]["parentToolCallId"] == ids["nested"]
    finished = next(i for i, e in enumerate(events) if e["type"] == "SUBAGENT_FINISHED")
    assert finished < index_of(events, "TOOL_CALL_RESULT", ids["nested"])

    failed = events[index_of(events, "TOOL_CALL_RESULT", ids["err"])]
    # the default failure wording, no exception text (SDK 0.23)
    generic = "An error occurred while running the tool."
    assert failed["content"] == generic and failed["metadata"]["isError"] is True

    # The client's own state: the assistant's text, its tool calls and their results, then the second run's.
    messages = report["messages"]
    assert [m["content"] for m in messages if m["role"] == "user"] == ["Hello", "And again"]
    assistant_texts = [m.get("content") for m in messages if m["role"] == "assistant" and m.get("content")]
    assert assistant_texts == ["Working on it.", "Answer 1.", "Working on it.", "Answer 2."]
    results = {m["toolCallId"]: m["content"] for m in messages if m["role"] == "tool"}
    assert results[ids["a"]] == "counted to 3" and results[ids["nested"]] == "found it"

    # The second run continued the conversation the client sent back.
    scenario.assert_second_run_continued()


def test_a_failed_run_ends_with_run_error() -> None:
    with LiveServer(create_app(failing_agent)) as server:
        (run,) = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["hi"]})[
            "runs"
        ]
    assert run["events"][0]["type"] == "RUN_STARTED"
    error = run["events"][-1]
    assert error["type"] == "RUN_ERROR" and error["code"] == "RuntimeError" and "model down" in error["message"]


def test_the_client_aborting_cancels_the_run() -> None:
    with LiveServer(create_app(blocked_agent)) as server:
        (run,) = drive(
            "ag_ui_driver.mjs",
            {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["wait"], "abortOnProgress": True},
        )["runs"]
        served = run["events"][0]["metadata"]["agentsOtelRunId"]
        progress, aborted = run["events"][-2:]
        assert progress["name"] == "tool_progress"
        assert (aborted["type"], aborted["code"]) == ("RUN_ERROR", "abort")  # made by the client for its abort
        assert final_event(server.base_url, served)["type"] == "run_cancelled"


def test_a_handoff_is_a_step_change_after_the_transfer_call() -> None:
    with LiveServer(create_app(handoff_agent)) as server:
        (run,) = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["hi"]})[
            "runs"
        ]
    assert run["error"] is None
    flow = [
        (e["type"], e.get("stepName") or e.get("toolCallName") or e.get("toolCallId") or "")
        for e in run["events"]
        if e["type"] in ("STEP_STARTED", "STEP_FINISHED", "TOOL_CALL_START", "TOOL_CALL_RESULT")
    ]
    assert flow == [
        ("STEP_STARTED", "Triage"),
        ("TOOL_CALL_START", "transfer_to_specialist"),
        ("TOOL_CALL_RESULT", "call_handoff"),
        ("STEP_FINISHED", "Triage"),
        ("STEP_STARTED", "Specialist"),
        ("TOOL_CALL_START", "count"),
        ("TOOL_CALL_RESULT", "call_specialist"),
        ("STEP_FINISHED", "Specialist"),
    ]
    assert run["events"][-1]["result"] == "Specialist here."


def test_a_reasoning_summary_is_a_reasoning_message_of_its_own() -> None:
    with LiveServer(create_app(reasoning_agent)) as server:
        report = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["hi"]})
    (run,) = report["runs"]
    assert run["error"] is None
    kinds = [e["type"] for e in run["events"] if e["type"].startswith("REASONING")]
    assert kinds == [
        "REASONING_START",
        "REASONING_MESSAGE_START",
        "REASONING_MESSAGE_CONTENT",
        "REASONING_MESSAGE_END",
        "REASONING_END",
    ]
    (content,) = [e for e in run["events"] if e["type"] == "REASONING_MESSAGE_CONTENT"]
    assert content["delta"] == REASONING_SUMMARY
    roles = {m["role"]: m.get("content") for m in report["messages"]}  # the client's own conversation state
    assert roles["reasoning"] == REASONING_SUMMARY and roles["assistant"] == "Hello there."


def test_a_hosted_tool_call_is_closed_by_its_result() -> None:
    with LiveServer(create_app(hosted_agent)) as server:
        report = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["go"]})
    (run,) = report["runs"]
    assert run["error"] is None
    kinds = [e["type"] for e in run["events"] if e.get("toolCallId") == "ws_1"]
    assert kinds == ["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT"]
    (result,) = [e for e in run["events"] if e["type"] == "TOOL_CALL_RESULT"]
    assert json.loads(result["content"]) == {k: v for k, v in WEB_SEARCH_CALL.items() if k not in ("id", "type")}
    (tool_message,) = [m for m in report["messages"] if m["role"] == "tool"]  # the client's own conversation state
    assert tool_message["toolCallId"] == "ws_1"


@pytest.mark.parametrize("streamed", [False, True], ids=["whole-calls", "streamed-calls"])
def test_resume_entries_answer_the_interrupts_and_the_resumed_run_streams_as_a_run(streamed: bool) -> None:
    scenario = ApprovalScenario(streamed=streamed)
    url_turns: list[object] = [
        "clean up",
        {
            "resume": {
                "call_a": {"status": "resolved", "payload": {"approved": True}},
                "call_b": {"status": "resolved", "payload": {"approved": False, "message": "keep b"}},
            }
        },
    ]
    with LiveServer(create_app(scenario.agent)) as server:
        report = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": url_turns})
        paused, resumed = report["runs"]
        paused_id = paused["events"][0]["metadata"]["agentsOtelRunId"]
        resumed_id = resumed["events"][0]["metadata"]["agentsOtelRunId"]
        assert httpx.get(f"{server.base_url}/runs/{paused_id}").json()["status"] == "interrupted"
        assert httpx.get(f"{server.base_url}/runs/{resumed_id}").json()["status"] == "completed"

    assert paused["error"] is None and resumed["error"] is None
    for call_id in ("call_a", "call_b"):  # announced once, as the model wrote it or with the interrupt
        kinds = [e["type"] for e in paused["events"] if e.get("toolCallId") == call_id]
        assert kinds == ["TOOL_CALL_START", *["TOOL_CALL_ARGS"] * (4 if streamed else 1), "TOOL_CALL_END"]
    outcome = paused["events"][-1]["outcome"]
    assert outcome["type"] == "interrupt"
    assert [(i["id"], i["toolCallId"]) for i in outcome["interrupts"]] == [("call_a", "call_a"), ("call_b", "call_b")]
    assert scenario.deleted == ["a.txt"]
    assert scenario.told() == {"call_a": "deleted a.txt", "call_b": "keep b"}
    # The resumed run is an AG-UI run of its own: the client's new runId, the same thread, a success.
    events = resumed["events"]
    assert (events[0]["type"], events[0]["threadId"], events[0]["runId"]) == ("RUN_STARTED", "t", "t-run-1")
    assert events[-1]["type"] == "RUN_FINISHED" and events[-1]["result"] == "done"
    assert events[-1].get("outcome", {"type": "success"})["type"] == "success"
    assert resumed_id != paused_id and report["pendingInterrupts"] == []
    results = {m["toolCallId"]: m["content"] for m in report["messages"] if m["role"] == "tool"}
    assert results == {"call_a": "deleted a.txt", "call_b": "keep b"}


def test_a_resume_that_leaves_an_interrupt_unanswered_is_refused_and_the_run_stays_resumable() -> None:
    scenario = ApprovalScenario()
    only_a = {"resume": {"call_a": {"status": "resolved", "payload": {"approved": True}}}}
    with LiveServer(create_app(scenario.agent)) as server:
        url = server.base_url + "/ag-ui"
        report = drive("ag_ui_driver.mjs", {"url": url, "threadId": "t", "turns": ["clean up", only_a]})
        paused, refused = report["runs"]
        assert paused["events"][-1]["outcome"]["type"] == "interrupt"
        assert "400" in refused["error"] and scenario.deleted == []
        # Nothing was taken: the whole answer resumes the run; a cancelled interrupt is a rejection.
        answers = [
            {"interruptId": "call_a", "status": "resolved", "payload": {"approved": True}},
            {"interruptId": "call_b", "status": "cancelled"},
        ]
        body = {"threadId": "t", "runId": "r3", "messages": [], "resume": answers}
        resumed = httpx.post(url, json=body, timeout=SAFETY_TIMEOUT)
    assert resumed.status_code == 200 and '"type":"RUN_FINISHED"' in resumed.text
    assert scenario.deleted == ["a.txt"]
    assert scenario.told() == {"call_a": "deleted a.txt", "call_b": "Tool execution was not approved."}


@pytest.mark.parametrize("interleave", [False, True], ids=["one-after-the-other", "interleaved"])
def test_a_streamed_calls_arguments_arrive_as_the_model_writes_them(interleave: bool) -> None:
    with LiveServer(create_app(lambda: streamed_calls_agent(interleave=interleave))) as server:
        report = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["go"]})
    (run,) = report["runs"]
    assert run["error"] is None
    events = run["events"]
    (text_start,) = [e for e in events if e["type"] == "TEXT_MESSAGE_START" and events.index(e) < 5]
    for call_id in ("call_w1", "call_w2"):
        own = [(i, e) for i, e in enumerate(events) if e.get("toolCallId") == call_id]
        kinds = [e["type"] for _, e in own]
        assert kinds == ["TOOL_CALL_START", *["TOOL_CALL_ARGS"] * 4, "TOOL_CALL_END", "TOOL_CALL_RESULT"]
        assert "".join(e["delta"] for _, e in own if e["type"] == "TOOL_CALL_ARGS") == streamed_arguments(call_id)
        start = own[0][1]
        assert (start["toolCallName"], start["parentMessageId"]) == ("write_file", text_start["messageId"])
    # Both calls' input ended before either ran: it streamed while the model wrote it, not when the tool started.
    ends = [i for i, e in enumerate(events) if e["type"] == "TOOL_CALL_END"]
    assert max(ends) < min(i for i, e in enumerate(events) if e["type"] == "TOOL_CALL_RESULT")
    args = [e["toolCallId"] for e in events if e["type"] == "TOOL_CALL_ARGS"]
    assert args[:2] == (["call_w1", "call_w2"] if interleave else ["call_w1", "call_w1"])
    # The client's own state: each call once, its arguments assembled from the deltas.
    calls = [c for m in report["messages"] if m["role"] == "assistant" for c in m.get("toolCalls", [])]
    assert [(c["id"], c["function"]["arguments"]) for c in calls] == [
        (call_id, streamed_arguments(call_id)) for call_id in ("call_w1", "call_w2")
    ]
    assert events[-1]["type"] == "RUN_FINISHED" and events[-1]["result"] == "Written."


def reasoning_flow(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(type, delta) of every reasoning event, in order."""
    return [(e["type"], e.get("delta", "")) for e in events if e["type"].startswith("REASONING")]


def pieces(text: str, count: int = 3) -> list[str]:
    """``text`` in the pieces ``StreamedReasoningModel`` streams it in."""
    size = -(-len(text) // count)
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("fake_ids", [False, True], ids=["responses-ids", "converted-ids"])
def test_a_streamed_reasoning_summary_arrives_as_the_model_writes_it(fake_ids: bool) -> None:
    with LiveServer(create_app(lambda: streamed_reasoning_agent(fake_ids=fake_ids))) as server:
        report = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["go"]})
    (run,) = report["runs"]
    assert run["error"] is None
    events = run["events"]
    message = ["REASONING_MESSAGE_START", *["REASONING_MESSAGE_CONTENT"] * 3, "REASONING_MESSAGE_END"]
    # One block per reasoning item, one message per summary part, the deltas in order; never sent a second time.
    assert [kind for kind, _ in reasoning_flow(events)] == [
        *["REASONING_START", *message, *message, "REASONING_END"],
        *["REASONING_START", *message, "REASONING_END"],
    ]
    deltas = [delta for kind, delta in reasoning_flow(events) if kind == "REASONING_MESSAGE_CONTENT"]
    assert deltas == [piece for part in (*FIRST_PARTS, *SECOND_PARTS) for piece in pieces(part)]
    # The summary streamed while the model wrote its answer: before the turn's text, its call, its result.
    first_end = next(i for i, e in enumerate(events) if e["type"] == "REASONING_END")
    assert first_end < min(i for i, e in enumerate(events) if e["type"] in ("TEXT_MESSAGE_START", "TOOL_CALL_START"))
    assert "gAAAA" not in json.dumps(events)  # the encrypted reasoning is never sent
    # The client's own state: a reasoning message per summary part, assembled from the deltas.
    roles = [(m["role"], m.get("content")) for m in report["messages"] if m["role"] in ("reasoning", "assistant")]
    assert [content for role, content in roles if role == "reasoning"] == [*FIRST_PARTS, *SECOND_PARTS]
    assert roles[-1] == ("assistant", "Written.")


def test_a_run_cancelled_mid_reasoning_ends_the_reasoning_message_and_block_first() -> None:
    def agent() -> Any:
        return streamed_reasoning_agent(hang=True)

    with LiveServer(create_app(agent)) as server:
        scenario = {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["go"]}
        report = drive("ag_ui_driver.mjs", {**scenario, "cancelOn": "REASONING_MESSAGE_CONTENT"})
    (run,) = report["runs"]
    assert run["error"] is None  # the client accepted RUN_FINISHED: nothing of the reasoning was left open
    kinds = [kind for kind, _ in reasoning_flow(run["events"])]
    assert kinds[:2] == ["REASONING_START", "REASONING_MESSAGE_START"]
    assert kinds[-2:] == ["REASONING_MESSAGE_END", "REASONING_END"]
    assert run["events"][-1]["type"] == "RUN_FINISHED" and run["events"][-1]["outcome"] == {"type": "cancelled"}


@pytest.mark.parametrize("case", ["stream-broke", "cancelled", "unknown-tool"])
def test_a_streamed_call_whose_tool_never_started_is_ended_before_the_runs_end(case: str) -> None:
    """The run ends (fails, is cancelled) after a call's input began streaming and before its tool started: its
    ``TOOL_CALL_END`` (and the turn's ``TEXT_MESSAGE_END``) come before ``RUN_ERROR`` / ``RUN_FINISHED``, with no
    result: the call never ran. The client keeps the call with its arguments as they streamed."""
    agents = {
        "stream-broke": lambda: streamed_calls_agent(cut="fail"),
        "cancelled": lambda: streamed_calls_agent(cut="hang"),
        "unknown-tool": lambda: bad_call_agent("no_such_tool", '{"x": 1}'),
    }
    with LiveServer(create_app(agents[case])) as server:
        scenario: dict[str, Any] = {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["go"]}
        if case == "cancelled":
            scenario["cancelOn"] = "TOOL_CALL_ARGS"
        report = drive("ag_ui_driver.mjs", scenario)
    (run,) = report["runs"]
    events = run["events"]
    (call_id,) = {e["toolCallId"] for e in events if e["type"] == "TOOL_CALL_START"}
    kinds = [e["type"] for e in events if e.get("toolCallId") == call_id]
    assert kinds[0] == "TOOL_CALL_START" and kinds[-1] == "TOOL_CALL_END" and "TOOL_CALL_RESULT" not in kinds
    starts = {e["messageId"] for e in events if e["type"] == "TEXT_MESSAGE_START"}
    assert starts == {e["messageId"] for e in events if e["type"] == "TEXT_MESSAGE_END"}  # no text left open
    last = events[-1]
    if case == "cancelled":
        assert run["error"] is None and (last["type"], last["outcome"]) == ("RUN_FINISHED", {"type": "cancelled"})
    else:
        message = STREAM_BROKE if case == "stream-broke" else "Tool no_such_tool not found in agent Writer"
        assert (last["type"], last["message"]) == ("RUN_ERROR", message)
    streamed = "".join(e["delta"] for e in events if e["type"] == "TOOL_CALL_ARGS")
    calls = [c for m in report["messages"] if m["role"] == "assistant" for c in m.get("toolCalls", [])]
    assert [(c["id"], c["function"]["arguments"]) for c in calls] == [(call_id, streamed)]
    assert streamed == ('{"x": 1}' if case == "unknown-tool" else streamed_arguments(call_id)[: len(streamed)])
