"""A function call's input streamed as the model writes it (``server/tool_input``), and what each UI protocol's
mapping and the ``/runs`` JSON make of it: parallel calls whose deltas interleave, arguments that never arrive as
deltas, deltas of a call never announced, a run cancelled or paused for approvals mid-way, calls announced once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, LiveServer, watch
from ui_protocol_support import (
    STREAM_BROKE,
    StreamedCallsModel,
    bad_call_agent,
    streamed_arguments,
    streamed_calls_agent,
    write_file,
)

from agents_otel import Agent, Runner
from agents_otel.items import FunctionCall
from agents_otel.server import create_app
from agents_otel.server.ai_sdk import AiSdkMapping
from agents_otel.server.event_json import event_to_json
from agents_otel.server.protocol_stream import ProtocolMapping
from agents_otel.server.tool_input import StreamedCalls
from agents_otel.stream_events import RawResponsesStreamEvent, StreamEvent
from agents_otel.testing import assistant_message, function_call

ARGS = '{"path": "a.py", "content": "print(1)"}'


def call_events(index: int, call_id: str, arguments: str = ARGS, **options: Any) -> list[RawResponsesStreamEvent]:
    """One call's raw events as a provider streams them: added, the arguments in pieces, done."""
    events = StreamedCallsModel([], **options)._call_events(index, FunctionCall("write_file", arguments, call_id))
    return [RawResponsesStreamEvent(event) for event in events]


def ag_ui(**options: Any) -> ProtocolMapping:
    from agents_otel.server.ag_ui import AgUiMapping

    return AgUiMapping("thread", "run", served_run_id="served", trace_id=None, **options)


def decoded(frames: list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(frame.decode().removeprefix("data: ")) for frame in frames if frame != b"data: [DONE]\n\n"]


def mapped(mapping: ProtocolMapping, events: list[Any], outcome: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    frames = [frame for event in events for frame in mapping.on_event(event)]
    if outcome is not None:
        frames += mapping.closing(outcome)
    return decoded(frames)


def of_call(events: list[dict[str, Any]], call_id: str) -> list[tuple[str, str]]:
    """(type, delta) of each event of the call, in order."""
    return [
        (e["type"], e.get("delta", e.get("inputTextDelta", ""))) for e in events if e.get("toolCallId") == call_id
    ]


async def run_events(agent: Agent[Any]) -> list[StreamEvent]:
    result = Runner.run_streamed(agent, "go")
    return [event async for event in result.stream_events()]


# ---- the reader -------------------------------------------------------------------------------------------------


def test_parallel_calls_are_told_apart_by_output_index_when_their_deltas_interleave() -> None:
    first, second = call_events(1, "call_1", pieces=3), call_events(2, "call_2", pieces=3)
    calls = StreamedCalls()
    changes = [c for pair in zip(first, second, strict=True) for event in pair for c in calls.feed(event)]
    assert [(c.kind, c.call.call_id) for c in changes[:4]] == [
        ("start", "call_1"),
        ("start", "call_2"),
        ("delta", "call_1"),
        ("delta", "call_2"),
    ]
    for call_id in ("call_1", "call_2"):
        own = [c for c in changes if c.call.call_id == call_id]
        assert [c.kind for c in own] == ["start", "delta", "delta", "delta", "end"]  # arguments.done ended it
        assert "".join(c.text for c in own) == ARGS
    assert calls.open_calls() == [] and "call_1" in calls and "call_3" not in calls


def test_arguments_that_never_arrive_as_deltas_are_streamed_whole_at_the_end() -> None:
    added, *_, done = call_events(0, "call_1", arguments_done=False)
    calls = StreamedCalls()
    changes = [c for event in (added, done) for c in calls.feed(event)]
    assert [(c.kind, c.text) for c in changes] == [("start", ""), ("delta", ARGS), ("end", "")]


def test_the_rest_of_arguments_cut_short_comes_with_the_end() -> None:
    added, delta, *_, done = call_events(0, "call_1", pieces=2, arguments_done=False)
    calls = StreamedCalls()
    changes = [c for event in (added, delta, done) for c in calls.feed(event)]
    assert "".join(c.text for c in changes) == ARGS and changes[-1].kind == "end"


def test_events_of_a_call_never_announced_or_already_ended_change_nothing() -> None:
    added, *middle, arguments_done, item_done = call_events(0, "call_1")
    calls = StreamedCalls()
    assert [c for event in middle for c in calls.feed(event)] == []  # no output_item.added: unknown
    assert calls.feed(arguments_done) == [] and calls.feed(item_done) == []
    assert [c.kind for c in calls.feed(added)] == ["start"]
    assert [c.kind for c in calls.feed(arguments_done)][-1] == "end"
    assert calls.feed(item_done) == [] and calls.feed(middle[0]) == []  # the second end, a late delta: ignored
    assert calls.feed(added) == []  # the same call announced again: never twice


def test_thousands_of_deltas_add_up_to_the_arguments() -> None:
    """The arguments are kept as their deltas and joined when read (no copy of the whole per delta)."""
    arguments = json.dumps({"content": "x" * 20_000})
    added, *_ = call_events(0, "call_1", arguments=arguments)
    calls = StreamedCalls()
    (started,) = calls.feed(added)
    call, deltas = started.call, [arguments[i : i + 2] for i in range(0, len(arguments), 2)]
    for number, text in enumerate(deltas):
        calls.feed(RawResponsesStreamEvent(delta_event(0, text)))
        if number == 5_000:
            assert call.arguments == "".join(deltas[:5_001])  # read midway: the same text, and the deltas go on
    assert call.arguments == arguments and len(deltas) > 10_000
    done = RawResponsesStreamEvent(done_event(0, "call_1", arguments))
    assert [c.kind for c in calls.feed(done)] == ["end"]  # nothing left to add: the deltas were the whole


def delta_event(index: int, text: str) -> Any:
    from openai.types.responses import ResponseFunctionCallArgumentsDeltaEvent

    ids = {"item_id": "__fake_id__", "output_index": index, "sequence_number": 0}
    return ResponseFunctionCallArgumentsDeltaEvent(type="response.function_call_arguments.delta", delta=text, **ids)


def done_event(index: int, call_id: str, arguments: str) -> Any:
    from openai.types.responses import ResponseOutputItemDoneEvent

    item = {"type": "function_call", "id": "__fake_id__", "call_id": call_id, "name": "write_file"}
    return ResponseOutputItemDoneEvent.model_validate(
        {
            "type": "response.output_item.done",
            "item": {**item, "arguments": arguments},
            "item_id": "__fake_id__",
            "output_index": index,
            "sequence_number": 0,
        }
    )


def test_text_and_hosted_items_are_not_tool_input() -> None:
    from openai.types.responses import ResponseOutputItemAddedEvent

    search = ResponseOutputItemAddedEvent.model_validate(
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "sequence_number": 0,
            "item": {
                "type": "web_search_call",
                "id": "ws_1",
                "status": "in_progress",
                "action": {"type": "search", "query": "q"},
            },
        }
    )
    assert StreamedCalls().feed(RawResponsesStreamEvent(search)) == []
    assert StreamedCalls().feed(RawResponsesStreamEvent(object())) == []


# ---- the /runs JSON ---------------------------------------------------------------------------------------------


def test_the_runs_json_carries_the_calls_input_and_nothing_else_of_the_raw_stream() -> None:
    events = call_events(3, "call_1", pieces=2)
    for event in events:
        event.agent_name = "Writer"
    payloads = [event_to_json(event) for event in events]
    assert payloads[0] == {
        "type": "tool_input_started",
        "tool_call_id": "call_1",
        "tool_name": "write_file",
        "output_index": 3,
        "agent_name": "Writer",
    }
    assert [p["delta"] for p in payloads[1:3] if p] == [ARGS[:20], ARGS[20:]]
    assert payloads[1] == {"type": "tool_input_delta", "output_index": 3, "delta": ARGS[:20], "agent_name": "Writer"}
    assert payloads[3] is None  # function_call_arguments.done: the item's end says the same
    assert payloads[4] == {
        "type": "tool_input_done",
        "tool_call_id": "call_1",
        "output_index": 3,
        "arguments": ARGS,
        "agent_name": "Writer",
    }


# ---- the protocols ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["ag-ui", "ai-sdk"])
def test_a_streamed_call_is_announced_once_in_a_real_run(protocol: str) -> None:
    events = asyncio.run(run_events(streamed_calls_agent(interleave=True)))
    mapping = ag_ui() if protocol == "ag-ui" else AiSdkMapping(served_run_id="served", trace_id=None)
    out = mapped(mapping, events, {"type": "run_completed", "final_output": "Written."})
    start = "TOOL_CALL_START" if protocol == "ag-ui" else "tool-input-start"
    for call_id in ("call_w1", "call_w2"):
        own = of_call(out, call_id)
        assert [kind for kind, _ in own].count(start) == 1
        assert "".join(delta for _, delta in own) == streamed_arguments(call_id)


def test_ag_ui_a_run_cancelled_mid_arguments_ends_the_open_call_before_finishing() -> None:
    added, first, second, *_ = call_events(0, "call_1")
    out = mapped(ag_ui(), [added, first, second], {"type": "run_cancelled"})
    assert [e["type"] for e in out] == [
        "TOOL_CALL_START",
        "TOOL_CALL_ARGS",
        "TOOL_CALL_ARGS",
        "TOOL_CALL_END",
        "RUN_FINISHED",
    ]
    assert out[-1]["outcome"] == {"type": "cancelled"}


def test_ai_sdk_a_run_cancelled_mid_arguments_ends_the_part_with_a_tool_input_error_before_abort() -> None:
    added, first, *_ = call_events(0, "call_1")
    out = mapped(AiSdkMapping(served_run_id="s", trace_id=None), [added, first], {"type": "run_cancelled"})
    assert [e["type"] for e in out] == ["tool-input-start", "tool-input-delta", "tool-input-error", "abort"]
    assert out[2] == {
        "type": "tool-input-error",
        "toolCallId": "call_1",
        "toolName": "write_file",
        "input": first.data.delta,  # the arguments as far as they streamed: not JSON yet, so the text
        "errorText": "the run was cancelled before the tool ran",
    }


FAILED = {"type": "run_failed", "error_type": "RuntimeError", "message": "the model's stream broke off"}


def test_a_run_failing_mid_arguments_ends_the_call_before_the_protocols_error() -> None:
    added, first, *_ = call_events(0, "call_1")
    out = mapped(AiSdkMapping(served_run_id="s", trace_id=None), [added, first], FAILED)
    assert [e["type"] for e in out] == ["tool-input-start", "tool-input-delta", "tool-input-error", "error"]
    assert out[2]["errorText"] == out[3]["errorText"] == FAILED["message"]
    out = mapped(ag_ui(), [added, first], FAILED)
    assert [e["type"] for e in out] == ["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "RUN_ERROR"]


def test_ai_sdk_a_call_whose_input_streamed_whole_but_whose_tool_never_started_ends_with_its_parsed_input() -> None:
    out = mapped(AiSdkMapping(served_run_id="s", trace_id=None), call_events(0, "call_1"), {"type": "run_cancelled"})
    (error,) = [e for e in out if e["type"] == "tool-input-error"]
    assert error["input"] == json.loads(ARGS) and out[-1]["type"] == "abort"
    # A call whose input became available (its tool started, or it waits for approval) has no error at the end.
    out = mapped(AiSdkMapping(served_run_id="s", trace_id=None), call_events(0, "call_1"), interrupted())
    assert "tool-input-error" not in [e["type"] for e in out]


def interrupted(call_id: str = "call_1") -> dict[str, Any]:
    waiting = {"call_id": call_id, "tool_name": "write_file", "arguments": ARGS, "agent_name": "Writer"}
    return {"type": "run_interrupted", "interruptions": [waiting]}


def test_ag_ui_a_paused_runs_streamed_call_is_not_announced_again_with_its_interrupt() -> None:
    out = mapped(ag_ui(), call_events(0, "call_1"), interrupted())
    assert [kind for kind, _ in of_call(out, "call_1")] == ["TOOL_CALL_START", *["TOOL_CALL_ARGS"] * 4, "TOOL_CALL_END"]
    (interrupt,) = out[-1]["outcome"]["interrupts"]
    assert interrupt["toolCallId"] == "call_1"
    # A waiting call that never streamed is still announced whole with the interrupt.
    out = mapped(ag_ui(), call_events(0, "call_1"), interrupted("call_other"))
    assert [kind for kind, _ in of_call(out, "call_other")] == ["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END"]


def test_ai_sdk_a_paused_runs_streamed_call_gets_its_input_and_approval_request_without_a_second_start() -> None:
    mapping = AiSdkMapping(served_run_id="s", trace_id=None)
    out = mapped(mapping, call_events(0, "call_1"), interrupted())
    assert [kind for kind, _ in of_call(out, "call_1")] == [
        "tool-input-start",
        *["tool-input-delta"] * 4,
        "tool-input-available",
        "tool-approval-request",
    ]
    (available,) = [e for e in out if e["type"] == "tool-input-available"]
    assert available["input"] == json.loads(ARGS)


@pytest.mark.parametrize("protocol", ["ag-ui", "ai-sdk"])
def test_a_streamed_handoff_is_announced_once(protocol: str) -> None:
    specialist = Agent(name="Specialist", model=StreamedCallsModel([[assistant_message("Specialist here.")]]))
    transfer = function_call("transfer_to_specialist", {}, call_id="call_handoff")
    triage = Agent(name="Triage", handoffs=[specialist], model=StreamedCallsModel([[transfer]], pieces=1))
    events = asyncio.run(run_events(triage))
    mapping = ag_ui() if protocol == "ag-ui" else AiSdkMapping(served_run_id="s", trace_id=None)
    out = mapped(mapping, events, {"type": "run_completed", "final_output": "Specialist here."})
    kinds = [kind for kind, _ in of_call(out, "call_handoff")]
    if protocol == "ag-ui":
        assert kinds == ["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT"]
    else:
        assert kinds == ["tool-input-start", "tool-input-delta", "tool-input-available", "tool-output-available"]


def test_a_run_failing_after_a_streamed_call_ends_with_the_protocols_error() -> None:
    """The model streams a call to a tool the agent lacks: the run fails before any tool starts."""
    bad = function_call("no_such_tool", {"x": 1}, call_id="call_bad")
    agent = Agent(name="Writer", tools=[write_file], model=StreamedCallsModel([[bad]]))
    agent.model.inner.check_calls = False  # type: ignore[union-attr]
    result = Runner.run_streamed(agent, "go")

    async def consume() -> tuple[list[StreamEvent], BaseException | None]:
        seen: list[StreamEvent] = []
        try:
            async for event in result.stream_events():
                seen.append(event)
        except Exception as exc:
            return seen, exc
        return seen, None

    events, error = asyncio.run(consume())
    assert error is not None
    failed = {"type": "run_failed", "error_type": type(error).__name__, "message": str(error)}
    out = mapped(ag_ui(), events, failed)  # the call's input was whole: ended when the model's answer said so
    assert [kind for kind, _ in of_call(out, "call_bad")][-1] == "TOOL_CALL_END" and out[-1]["type"] == "RUN_ERROR"
    out = mapped(AiSdkMapping(served_run_id="s", trace_id=None), events, failed)
    kinds = [kind for kind, _ in of_call(out, "call_bad")]
    assert kinds == ["tool-input-start", *["tool-input-delta"] * 4, "tool-input-error"]
    assert out[-2]["input"] == {"x": 1} and out[-2]["errorText"] == str(error) == out[-1]["errorText"]
    assert out[-1]["type"] == "error" and "not found" in str(error)


def test_runs_watchers_get_the_calls_input_as_tool_input_events_before_tool_called() -> None:
    """What ``/runs`` buffers is the JSON a replica mirrors through Redis as it is (same text, same ids)."""
    with (
        LiveServer(create_app(lambda: streamed_calls_agent(interleave=True))) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run = client.post("/runs", json={"input": "go"}).json()
        events = list(watch(client, run["events_url"]))
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    started = {e["output_index"]: e["tool_call_id"] for e in events if e["type"] == "tool_input_started"}
    assert sorted(started.values()) == ["call_w1", "call_w2"]
    for index, call_id in started.items():
        deltas = [e["delta"] for e in events if e["type"] == "tool_input_delta" and e["output_index"] == index]
        assert len(deltas) == 4 and "".join(deltas) == streamed_arguments(call_id)
        (done,) = [e for e in events if e["type"] == "tool_input_done" and e["output_index"] == index]
        assert (done["tool_call_id"], done["arguments"]) == (call_id, streamed_arguments(call_id))
        called = next(i for i, e in enumerate(events) if e["type"] == "tool_called" and e["tool_call_id"] == call_id)
        assert events.index(done) < called
    assert {e["type"] for e in events if "output_index" in e} == {
        "tool_input_started",
        "tool_input_delta",
        "tool_input_done",
    }  # no other raw model event reaches the buffer


@pytest.mark.parametrize("case", ["stream-broke", "unknown-tool"])
def test_runs_watchers_see_each_calls_input_end_or_the_run_end_first(case: str) -> None:
    """A run that fails while the model writes a call: no ``tool_input_done``, the ``run_failed`` that ends the run
    ends the call's input too (docs/server.md). A call written whole whose tool never starts: its
    ``tool_input_done``, and no ``tool_called``."""
    agent = streamed_calls_agent(cut="fail") if case == "stream-broke" else bad_call_agent("no_such_tool", '{"x": 1}')
    with (
        LiveServer(create_app(lambda: agent)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run = client.post("/runs", json={"input": "go"}).json()
        events = list(watch(client, run["events_url"]))
    kinds = [e["type"] for e in events if e["type"].startswith(("tool_", "run_failed"))]
    if case == "stream-broke":
        assert kinds == ["tool_input_started", "tool_input_delta", "run_failed"]
        assert events[-1]["message"] == STREAM_BROKE
    else:
        assert kinds == ["tool_input_started", *["tool_input_delta"] * 4, "tool_input_done", "run_failed"]
        assert "not found" in events[-1]["message"]


def test_ag_ui_a_streamed_call_whose_stream_never_said_done_ends_when_its_tool_starts() -> None:
    events = asyncio.run(run_events(streamed_calls_agent(arguments_done=False, item_done=False)))
    out = mapped(ag_ui(), events, {"type": "run_completed", "final_output": "Written."})
    for call_id in ("call_w1", "call_w2"):
        kinds = [kind for kind, _ in of_call(out, call_id)]
        assert kinds == ["TOOL_CALL_START", *["TOOL_CALL_ARGS"] * 4, "TOOL_CALL_END", "TOOL_CALL_RESULT"]
