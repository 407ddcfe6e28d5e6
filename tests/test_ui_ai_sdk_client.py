"""``POST /ai-sdk/chat`` driven by the Vercel AI SDK (npm ``ai`` under Node) the way ``useChat`` does it:
``DefaultChatTransport`` sends the request and validates every chunk, ``readUIMessageStream`` builds the assistant
message (and fails on an output chunk with no input before it).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from server_support import LiveServer, blocked_agent
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
)
from ui_reasoning_support import FIRST_PARTS, SECOND_PARTS, streamed_reasoning_agent

from agents_otel.server import create_app
from agents_otel.server.ai_sdk_input import ChatRequest, conversation

EVERY_TYPE = {
    "start",
    "start-step",
    "text-start",
    "text-delta",
    "text-end",
    "tool-input-start",
    "tool-input-available",
    "data-tool-progress",
    "tool-output-available",
    "tool-output-error",
    "finish-step",
    "finish",
}


@pytest.fixture(autouse=True)
def _node() -> None:
    require_node_clients()


def test_a_conversation_of_two_turns_with_parallel_nested_and_failing_calls(tracing: Tracing) -> None:
    scenario = Scenario()
    with LiveServer(create_app(scenario.agent, run_config=tracing.config)) as server:
        report = drive(
            "ai_sdk_driver.mjs",
            {"url": server.base_url + "/ai-sdk/chat", "chatId": "chat-1", "turns": ["Hello", "And again"]},
        )
        first, second = report["turns"]
        assert first["error"] is None and second["error"] is None
        metadata = first["chunks"][0]["messageMetadata"]
        status = httpx.get(f"{server.base_url}/runs/{metadata['agentsOtelRunId']}").json()

    chunks = first["chunks"]
    assert {c["type"] for c in chunks} == EVERY_TYPE
    assert chunks[0]["type"] == "start" and chunks[-1] == {"type": "finish", "finishReason": "stop"}
    assert status["status"] == "completed" and status["trace_id"] == metadata["traceId"]

    ids = scenario.ids(1)
    for call, steps in ((ids["a"], 3), (ids["b"], 3), (ids["inner"], 2)):
        own = [i for i, c in enumerate(chunks) if c["type"] == "data-tool-progress" and c["id"] == call]
        assert [chunks[i]["data"]["sequence"] for i in own] == list(range(1, steps + 1))
        assert all(chunks[i]["data"]["toolCallId"] == call for i in own)
        start = index_of(chunks, "tool-input-start", call)
        assert start < index_of(chunks, "tool-input-available", call) < own[0]
        assert own[-1] < index_of(chunks, "tool-output-available", call)
        assert chunks[own[0]]["data"]["traceId"] == status["trace_id"]
        assert chunks[start]["toolMetadata"]["spanId"] == chunks[own[0]]["data"]["spanId"]
    inner = chunks[index_of(chunks, "tool-input-start", ids["inner"])]
    assert inner["toolMetadata"]["parentToolCallId"] == ids["nested"]
    # the default failure wording, no exception text (SDK 0.23)
    generic = "An error occurred while running the tool."
    assert chunks[index_of(chunks, "tool-output-error", ids["err"])]["errorText"] == generic

    # The assembled message: one progress part per call, replaced in place by each new value.
    parts = first["message"]["parts"]
    progress = {p["id"]: p["data"] for p in parts if p["type"] == "data-tool-progress"}
    assert {k: v["sequence"] for k, v in progress.items()} == {ids["a"]: 3, ids["b"]: 3, ids["inner"]: 2}
    assert progress[ids["a"]]["data"] == {"done": 3, "of": 3}
    tools = {p["toolCallId"]: p for p in parts if p["type"].startswith("tool-")}
    assert tools[ids["a"]]["type"] == "tool-count" and tools[ids["a"]]["state"] == "output-available"
    assert tools[ids["a"]]["output"] == "counted to 3"
    assert tools[ids["err"]]["state"] == "output-error"
    texts = [p["text"] for p in parts if p["type"] == "text"]
    assert texts == ["Working on it.", "Answer 1."]
    assert [p["text"] for p in second["message"]["parts"] if p["type"] == "text"] == ["Working on it.", "Answer 2."]

    # The second turn continued the conversation the client sent back.
    scenario.assert_second_run_continued()


def test_a_failed_run_ends_with_an_error_chunk() -> None:
    with LiveServer(create_app(failing_agent)) as server:
        (turn,) = drive("ai_sdk_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["hi"]})[
            "turns"
        ]
    assert turn["chunks"][-1] == {"type": "error", "errorText": "model down"}
    assert "model down" in turn["error"]


def test_the_client_aborting_cancels_the_run() -> None:
    with LiveServer(create_app(blocked_agent)) as server:
        (turn,) = drive(
            "ai_sdk_driver.mjs",
            {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["wait"], "abortOnProgress": True},
        )["turns"]
        assert turn["aborted"] and turn["chunks"][-1]["type"] == "data-tool-progress"
        served = turn["chunks"][0]["messageMetadata"]["agentsOtelRunId"]
        assert final_event(server.base_url, served)["type"] == "run_cancelled"


def test_a_handoff_is_a_step_change_after_the_transfer_call() -> None:
    with LiveServer(create_app(handoff_agent)) as server:
        (turn,) = drive("ai_sdk_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["hi"]})[
            "turns"
        ]
    assert turn["error"] is None
    flow = [
        (c["type"], c.get("toolName") or c.get("toolCallId") or "")
        for c in turn["chunks"]
        if c["type"] in ("start-step", "finish-step", "tool-input-start", "tool-output-available")
    ]
    assert flow == [
        ("start-step", ""),
        ("tool-input-start", "transfer_to_specialist"),
        ("tool-output-available", "call_handoff"),
        ("finish-step", ""),
        ("start-step", ""),
        ("tool-input-start", "count"),
        ("tool-output-available", "call_specialist"),
        ("finish-step", ""),
    ]
    parts = turn["message"]["parts"]
    assert [p["type"] for p in parts if p["type"] == "step-start"] == ["step-start", "step-start"]
    assert [p["text"] for p in parts if p["type"] == "text"] == ["Specialist here."]


def test_the_chat_state_machine_behind_use_chat_keeps_one_progress_part_per_call() -> None:
    """AbstractChat (what ``useChat`` wraps): ``onData`` sees every progress value live, the stored message keeps
    one part per call with its latest value, and the second turn continues the conversation."""
    scenario = Scenario()
    with LiveServer(create_app(scenario.agent)) as server:
        report = drive(
            "ai_sdk_chat_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "turns": ["Hello", "And again"]}
        )
    assert report["errors"] == [] and report["status"] == "ready"
    ids = scenario.ids(1)
    live = [(d["id"], d["data"]["sequence"]) for d in report["data"] if d["id"] in (ids["a"], ids["b"])]
    assert [s for i, s in live if i == ids["a"]] == [1, 2, 3] and [s for i, s in live if i == ids["b"]] == [1, 2, 3]
    roles = [m["role"] for m in report["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"]
    first = report["messages"][1]["parts"]
    stored = {p["id"]: p["data"]["sequence"] for p in first if p["type"] == "data-tool-progress"}
    assert stored == {ids["a"]: 3, ids["b"]: 3, ids["inner"]: 2}
    assert len([p for p in first if p["type"] == "data-tool-progress"]) == 3
    assert [p["text"] for p in report["messages"][3]["parts"] if p["type"] == "text"][-1] == "Answer 2."


def test_stop_in_the_chat_state_machine_cancels_the_run() -> None:
    with LiveServer(create_app(blocked_agent)) as server:
        report = drive(
            "ai_sdk_chat_driver.mjs",
            {"url": server.base_url + "/ai-sdk/chat", "turns": ["wait"], "stopOnProgress": True},
        )
        assert report["status"] == "ready"
        (assistant,) = [m for m in report["messages"] if m["role"] == "assistant"]
        served = assistant["metadata"]["agentsOtelRunId"]
        assert final_event(server.base_url, served)["type"] == "run_cancelled"


def test_a_reasoning_summary_is_a_reasoning_part() -> None:
    with LiveServer(create_app(reasoning_agent)) as server:
        report = drive("ai_sdk_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["hi"]})
    (turn,) = report["turns"]
    assert turn["error"] is None
    assert [c["type"] for c in turn["chunks"] if c["type"].startswith("reasoning")] == [
        "reasoning-start",
        "reasoning-delta",
        "reasoning-end",
    ]
    parts = turn["message"]["parts"]
    (reasoning,) = [p for p in parts if p["type"] == "reasoning"]
    assert reasoning["text"] == REASONING_SUMMARY and reasoning["state"] == "done"
    assert [p["text"] for p in parts if p["type"] == "text"] == ["Hello there."]


def test_a_hosted_tool_call_is_a_provider_executed_tool_part_with_its_output() -> None:
    with LiveServer(create_app(hosted_agent)) as server:
        report = drive("ai_sdk_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["go"]})
    (turn,) = report["turns"]
    assert turn["error"] is None
    chunks = turn["chunks"]
    start = index_of(chunks, "tool-input-start", "ws_1")
    output = index_of(chunks, "tool-output-available", "ws_1")
    assert start < output and chunks[output]["providerExecuted"] is True
    assert chunks[output]["output"] == {k: v for k, v in WEB_SEARCH_CALL.items() if k not in ("id", "type")}
    (part,) = [p for p in turn["message"]["parts"] if p.get("toolCallId") == "ws_1"]
    assert part["state"] == "output-available" and part["providerExecuted"] is True  # closed, not left pending


@pytest.mark.parametrize("streamed", [False, True], ids=["whole-calls", "streamed-calls"])
def test_the_chat_state_machine_answers_tool_approvals_and_the_run_resumes_in_the_same_message(
    streamed: bool,
) -> None:
    scenario = ApprovalScenario(streamed=streamed)
    answers = {"call_a": {"approved": True}, "call_b": {"approved": False, "reason": "keep b"}}
    turns = ["clean up", {"approvals": answers}, "thanks"]
    with LiveServer(create_app(scenario.agent)) as server:
        report = drive("ai_sdk_chat_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "turns": turns})
        roles = [m["role"] for m in report["messages"]]
        _, assistant, _, last = report["messages"]
        resumed = assistant["metadata"]["agentsOtelRunId"]  # the resumed run's start updated the metadata
        assert httpx.get(f"{server.base_url}/runs/{resumed}").json()["status"] == "completed"
    assert report["errors"] == [] and report["status"] == "ready"
    assert roles == ["user", "assistant", "user", "assistant"] and scenario.deleted == ["a.txt"]
    assert scenario.told(1) == {"call_a": "deleted a.txt", "call_b": "keep b"}
    # One assistant message: each call's part went approval-requested -> approval-responded -> its end.
    tools = {p["toolCallId"]: p for p in assistant["parts"] if p["type"] == "tool-delete_file"}
    assert list(tools) == ["call_a", "call_b"]
    assert (tools["call_a"]["state"], tools["call_a"]["output"]) == ("output-available", "deleted a.txt")
    assert tools["call_b"]["state"] == "output-denied"
    assert tools["call_a"]["approval"] == {"id": "call_a", "approved": True}
    assert tools["call_b"]["approval"] == {"id": "call_b", "approved": False, "reason": "keep b"}
    assert [p["text"] for p in assistant["parts"] if p["type"] == "text"] == ["done"]
    # The follow-up's history carries both calls as the model saw them, the denied one with its reason.
    assert scenario.told(2) == {"call_a": "deleted a.txt", "call_b": "keep b"}
    assert [p["text"] for p in last["parts"] if p["type"] == "text"] == ["bye"]


def test_an_approvals_reason_is_accepted_and_not_passed_on() -> None:
    """Deliberate (docs/ui-protocols.md): the AI SDK's own ``streamText`` runs an approved tool without the
    approval's ``reason``, and the OpenAI Agents SDK's ``approve()`` takes none; the model reads the tool's output."""
    scenario = ApprovalScenario()
    answers = {
        "call_a": {"approved": True, "reason": "a.txt is scratch"},
        "call_b": {"approved": False, "reason": "keep b"},
    }
    with LiveServer(create_app(scenario.agent)) as server:
        turns = ["clean up", {"approvals": answers}]
        report = drive("ai_sdk_chat_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "turns": turns})
    assert report["errors"] == [] and report["status"] == "ready"
    assert scenario.deleted == ["a.txt"]
    assert scenario.told(1) == {"call_a": "deleted a.txt", "call_b": "keep b"}
    assert "a.txt is scratch" not in str(scenario.model.calls[1].input)
    tools = {p["toolCallId"]: p for p in report["messages"][1]["parts"] if p["type"] == "tool-delete_file"}
    assert tools["call_a"]["approval"] == {"id": "call_a", "approved": True, "reason": "a.txt is scratch"}  # UI state


def test_an_approval_answer_leaving_a_call_undecided_is_refused() -> None:
    scenario = ApprovalScenario()
    turns = ["clean up", {"approvals": {"call_a": {"approved": True}}}]
    with LiveServer(create_app(scenario.agent)) as server:
        report = drive("ai_sdk_chat_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "turns": turns})
    assert report["status"] == "error" and "invalid_decisions" in report["errors"][0]
    assert scenario.deleted == []


@pytest.mark.parametrize("interleave", [False, True], ids=["one-after-the-other", "interleaved"])
def test_a_streamed_calls_input_arrives_as_deltas_before_it_is_available(interleave: bool) -> None:
    with LiveServer(create_app(lambda: streamed_calls_agent(interleave=interleave))) as server:
        report = drive("ai_sdk_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["go"]})
    (turn,) = report["turns"]
    assert turn["error"] is None
    chunks = turn["chunks"]
    for call_id in ("call_w1", "call_w2"):
        kinds = [c["type"] for c in chunks if c.get("toolCallId") == call_id]
        assert kinds == [
            "tool-input-start",
            *["tool-input-delta"] * 4,
            "tool-input-available",
            "tool-output-available",
        ]
        deltas = [c["inputTextDelta"] for c in chunks if c["type"] == "tool-input-delta" and c["toolCallId"] == call_id]
        assert "".join(deltas) == streamed_arguments(call_id)
        available = chunks[index_of(chunks, "tool-input-available", call_id)]
        assert json.dumps(available["input"]) == streamed_arguments(call_id)
    deltas = [i for i, c in enumerate(chunks) if c["type"] == "tool-input-delta"]
    assert max(deltas) < min(i for i, c in enumerate(chunks) if c["type"] == "tool-input-available")
    order = [c["toolCallId"] for c in chunks if c["type"] == "tool-input-delta"][:2]
    assert order == (["call_w1", "call_w2"] if interleave else ["call_w1", "call_w1"])
    # The assistant message the client built: each call one part, its input the parsed arguments, its output.
    tools = [p for p in turn["message"]["parts"] if p["type"] == "tool-write_file"]
    assert [(p["toolCallId"], p["state"], json.dumps(p["input"])) for p in tools] == [
        (call_id, "output-available", streamed_arguments(call_id)) for call_id in ("call_w1", "call_w2")
    ]
    assert [p["text"] for p in turn["message"]["parts"] if p["type"] == "text"] == ["Writing.", "Written."]


@pytest.mark.parametrize("fake_ids", [False, True], ids=["responses-ids", "converted-ids"])
def test_a_streamed_reasoning_summary_is_a_reasoning_part_per_summary_part_as_the_model_writes_it(
    fake_ids: bool,
) -> None:
    with LiveServer(create_app(lambda: streamed_reasoning_agent(fake_ids=fake_ids))) as server:
        report = drive("ai_sdk_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["go"]})
    (turn,) = report["turns"]
    assert turn["error"] is None
    chunks = turn["chunks"]
    reasoning = [c for c in chunks if c["type"].startswith("reasoning")]
    part = ["reasoning-start", *["reasoning-delta"] * 3, "reasoning-end"]
    assert [c["type"] for c in reasoning] == part * 3  # never sent a second time at reasoning_item_created
    ids = list(dict.fromkeys(c["id"] for c in reasoning))
    assert len(ids) == 3 and all(len({c["id"] for c in reasoning[i * 5 : i * 5 + 5]}) == 1 for i in range(3))
    texts = ["".join(c["delta"] for c in reasoning if c["type"] == "reasoning-delta" and c["id"] == i) for i in ids]
    assert texts == [*FIRST_PARTS, *SECOND_PARTS]
    # Streamed while the model wrote its answer: the first item's parts end before the turn's text and call start.
    first_end = [i for i, c in enumerate(chunks) if c["type"] == "reasoning-end"][1]
    assert first_end < min(i for i, c in enumerate(chunks) if c["type"] in ("text-start", "tool-input-start"))
    assert "gAAAA" not in json.dumps(chunks)  # the encrypted reasoning is never sent
    # The message the client built: the reasoning parts in order, done, beside the text and the call.
    parts = turn["message"]["parts"]
    assert [(p["text"], p["state"]) for p in parts if p["type"] == "reasoning"] == [
        (text, "done") for text in (*FIRST_PARTS, *SECOND_PARTS)
    ]
    assert [p["text"] for p in parts if p["type"] == "text"] == ["Writing.", "Written."]


def test_a_run_cancelled_mid_reasoning_ends_the_open_reasoning_part_before_abort() -> None:
    with LiveServer(create_app(lambda: streamed_reasoning_agent(hang=True))) as server:
        scenario = {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["go"]}
        (turn,) = drive("ai_sdk_driver.mjs", {**scenario, "cancelOn": "reasoning-delta"})["turns"]
    kinds = [c["type"] for c in turn["chunks"] if c["type"].startswith("reasoning") or c["type"] == "abort"]
    assert kinds[0] == "reasoning-start" and kinds[-2:] == ["reasoning-end", "abort"]
    parts = [p for p in turn["message"]["parts"] if p["type"] == "reasoning"]
    assert parts and all(p["state"] == "done" for p in parts)  # none left streaming
    assert all(text.startswith(p["text"]) for p, text in zip(parts, FIRST_PARTS, strict=False))


FIRST = streamed_arguments("call_w1")
CUT_SHORT = FIRST[: -(-len(FIRST) // 4)]  # what streams before the cut: the first of four deltas


@pytest.mark.parametrize(
    ("case", "ending", "error_text", "tool_input"),
    [
        ("stream-broke", "error", STREAM_BROKE, CUT_SHORT),
        ("cancelled", "abort", "the run was cancelled before the tool ran", CUT_SHORT),
        ("unknown-tool", "error", "Tool no_such_tool not found in agent Writer", {"x": 1}),
    ],
    ids=["stream-broke", "cancelled", "unknown-tool"],
)
def test_a_streamed_call_whose_tool_never_started_ends_as_an_input_error_not_left_streaming(
    case: str, ending: str, error_text: str, tool_input: Any
) -> None:
    """The run ends (fails, is cancelled) after a call's input began streaming and before its tool started: the
    part ends ``output-error`` through the protocol's ``tool-input-error``, the turn's text ``done``."""
    agents = {
        "stream-broke": lambda: streamed_calls_agent(cut="fail"),
        "cancelled": lambda: streamed_calls_agent(cut="hang"),
        "unknown-tool": lambda: bad_call_agent("no_such_tool", '{"x": 1}'),
    }
    with LiveServer(create_app(agents[case])) as server:
        scenario = {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["go"]}
        if case == "cancelled":
            scenario["cancelOn"] = "tool-input-delta"
        (turn,) = drive("ai_sdk_driver.mjs", scenario)["turns"]
    chunks = turn["chunks"]
    (call_id,) = {c["toolCallId"] for c in chunks if c["type"] == "tool-input-start"}
    error = chunks[index_of(chunks, "tool-input-error", call_id)]
    assert (error["errorText"], error["input"]) == (error_text, tool_input)
    assert chunks[-1]["type"] == ending and "tool-input-available" not in [c["type"] for c in chunks]
    if ending == "error":
        assert chunks[-1]["errorText"] == error_text and turn["error"] == error_text
    # The message the client built: nothing left streaming; the call's part is final, its input as it streamed.
    parts = turn["message"]["parts"]
    assert all(p.get("state") in (None, "done", "output-error") for p in parts)
    (tool,) = [p for p in parts if p.get("toolCallId") == call_id]
    assert (tool["state"], tool["input"], tool["errorText"]) == ("output-error", tool_input, error_text)
    # Sent back in the next chat request, it is the call the model made and why it never ran.
    user = {"role": "user", "parts": [{"type": "text", "text": "go"}]}
    items = conversation(ChatRequest.model_validate({"id": "c", "messages": [user, turn["message"]]}))
    assert [(type(i).__name__, getattr(i, "call_id", None)) for i in items if hasattr(i, "call_id")] == [
        ("FunctionCall", call_id),
        ("FunctionCallOutput", call_id),
    ]


def test_a_streamed_call_whose_arguments_are_not_json_ends_with_the_tools_error() -> None:
    """Arguments that are not JSON reach the tool as the model wrote them (as in the SDK): the tool's own error is
    the call's output, the run goes on; the part ends ``output-error`` through ``tool-output-error``."""
    broken = '{"path": "a.py", "content": '
    with LiveServer(create_app(lambda: bad_call_agent("write_file", broken))) as server:
        report = drive("ai_sdk_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["go"]})
    (turn,) = report["turns"]
    assert turn["error"] is None and turn["chunks"][-1]["type"] == "finish"
    kinds = [c["type"] for c in turn["chunks"] if c.get("toolCallId") == "call_bad"]
    assert kinds == ["tool-input-start", *["tool-input-delta"] * 4, "tool-input-available", "tool-output-error"]
    (tool,) = [p for p in turn["message"]["parts"] if p.get("toolCallId") == "call_bad"]
    assert (tool["state"], tool["input"]) == ("output-error", broken) and "Invalid JSON" in tool["errorText"]
