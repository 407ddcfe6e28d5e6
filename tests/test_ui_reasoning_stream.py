"""A reasoning summary streamed as the model writes it (``server/reasoning_stream``), and what each UI protocol's
mapping and the ``/runs`` JSON make of it: two summary parts, reasoning beside text and tool calls, events of an
item never announced, a summary never streamed (sent whole, as before), a stream that never says the item is
done, a run cancelled mid-reasoning, each summary sent once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, LiveServer, watch
from ui_protocol_support import StreamedCallsModel, reasoning_agent
from ui_reasoning_support import (
    FIRST_PARTS,
    SECOND_PARTS,
    StreamedReasoningModel,
    reasoning_item,
    streamed_reasoning_agent,
)

from agents_otel import Agent, Runner
from agents_otel.items import FunctionCall
from agents_otel.server import create_app
from agents_otel.server.ai_sdk import AiSdkMapping
from agents_otel.server.event_json import event_to_json
from agents_otel.server.protocol_stream import ProtocolMapping
from agents_otel.server.reasoning_stream import ReasoningChange, ReasoningStream
from agents_otel.server.tool_input import StreamedCalls
from agents_otel.stream_events import RawResponsesStreamEvent, StreamEvent
from agents_otel.testing import ScriptedModel

WHOLE = "".join(FIRST_PARTS)


def item_events(index: int, item_id: str = "rs_1", parts: tuple[str, ...] = FIRST_PARTS, **options: Any) -> list[Any]:
    """One reasoning item's raw events as a provider streams them: added, per part its added / deltas (3 each) /
    text done / part done, then the item's done."""
    model = StreamedReasoningModel(ScriptedModel([]), **options)
    data = reasoning_item(item_id, parts).data
    return [RawResponsesStreamEvent(event) for event in model.item_events(index, data)]


def fed(stream: ReasoningStream, events: list[Any]) -> list[ReasoningChange]:
    return [change for event in events for change in stream.feed(event)]


def flow(changes: list[ReasoningChange]) -> list[tuple[str, int]]:
    return [(c.kind, c.part) for c in changes]


def part_texts(changes: list[ReasoningChange]) -> list[str]:
    texts: dict[int, str] = {}
    for change in changes:
        if change.kind == "delta":
            texts[change.part] = texts.get(change.part, "") + change.text
    return [texts[part] for part in sorted(texts)]


def ag_ui() -> ProtocolMapping:
    from agents_otel.server.ag_ui import AgUiMapping

    return AgUiMapping("thread", "run", served_run_id="served", trace_id=None)


def mapped(mapping: ProtocolMapping, events: list[Any], outcome: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    frames = [frame for event in events for frame in mapping.on_event(event)]
    if outcome is not None:
        frames += mapping.closing(outcome)
    return [json.loads(f.decode().removeprefix("data: ")) for f in frames if f != b"data: [DONE]\n\n"]


def reasoning_kinds(out: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in out if e["type"].lower().startswith("reasoning")]


async def run_events(agent: Agent[Any]) -> list[StreamEvent]:
    result = Runner.run_streamed(agent, "go")
    return [event async for event in result.stream_events()]


# ---- the tracker ------------------------------------------------------------------------------------------------


def test_two_summary_parts_are_two_parts_of_one_item_each_ended_when_the_next_starts() -> None:
    changes = fed(ReasoningStream(), item_events(0))
    part = [("part_start", 0), ("delta", 0), ("delta", 0), ("delta", 0)]
    assert flow(changes) == [
        ("start", 0),
        *part,
        ("part_end", 0),
        *[(kind, 1) for kind, _ in part],
        ("part_end", 1),
        ("end", 0),
    ]
    assert part_texts(changes) == list(FIRST_PARTS)
    assert changes[0].item.part_id(0) != changes[0].item.part_id(1)


def test_reasoning_beside_text_and_a_tool_call_changes_only_itself() -> None:
    text = RawResponsesStreamEvent(
        type("TextDelta", (), {"type": "response.output_text.delta", "output_index": 1, "delta": "Hi"})()
    )
    call = [
        RawResponsesStreamEvent(e)
        for e in StreamedCallsModel([])._call_events(2, FunctionCall("write_file", '{"a": 1}', "call_1"))
    ]
    reasoning = item_events(0)
    mixed = [reasoning[0], call[0], *reasoning[1:4], text, call[1], *reasoning[4:], *call[2:]]
    stream, calls = ReasoningStream(), StreamedCalls()
    changes = fed(stream, mixed)
    assert part_texts(changes) == list(FIRST_PARTS) and changes[-1].kind == "end"
    assert [c.kind for event in mixed for c in calls.feed(event)] == ["start", *["delta"] * 4, "end"]
    assert stream.feed(text) == [] and stream.feed(call[1]) == []


def test_events_of_an_item_never_announced_or_already_ended_change_nothing() -> None:
    added, *middle, done = item_events(0)
    stream = ReasoningStream()
    assert fed(stream, [*middle, done]) == []  # no output_item.added: unknown
    assert fed(stream, [added, *middle, done])[-1].kind == "end"
    assert fed(stream, [*middle, done]) == []  # late deltas, a second end: ignored


def test_a_summary_that_only_comes_with_the_items_end_is_streamed_whole_then() -> None:
    added, *_, done = item_events(0)
    changes = fed(ReasoningStream(), [added, done])
    assert flow(changes) == [
        ("start", 0),
        ("part_start", 0),
        ("delta", 0),
        ("part_end", 0),
        ("part_start", 1),
        ("delta", 1),
        ("part_end", 1),
        ("end", 0),
    ]
    assert part_texts(changes) == list(FIRST_PARTS)


def test_a_part_cut_short_gets_the_rest_with_the_items_end() -> None:
    events = item_events(0, parts=(FIRST_PARTS[0],))  # added, part added, 3 deltas, text done, part done, done
    changes = fed(ReasoningStream(), [events[0], events[2], events[-1]])
    assert part_texts(changes) == [FIRST_PARTS[0]] and [c.kind for c in changes].count("delta") == 2


def test_an_item_without_a_summary_opens_nothing() -> None:
    stream = ReasoningStream()
    assert fed(stream, item_events(0, parts=())) == []
    assert stream.claim("rs_1", ()) == []  # it streamed (nothing): not sent whole either


def test_claim_matches_the_streamed_item_once_by_id_or_else_in_order() -> None:
    stream = ReasoningStream()
    fed(stream, [*item_events(0, "rs_1"), *item_events(1, "rs_2", SECOND_PARTS)])
    assert stream.claim("rs_2", SECOND_PARTS) == []  # streamed and ended: nothing more to send
    assert stream.claim("rs_other", FIRST_PARTS) == []  # no id matches: the oldest unclaimed (a converted stream)
    assert stream.claim("rs_3", SECOND_PARTS) is None  # none left: never streamed, sent whole


def test_an_item_whose_stream_never_said_done_is_ended_by_its_claim_with_what_it_missed() -> None:
    events = item_events(0, item_done=False)
    stream = ReasoningStream()
    streamed = fed(stream, events[:4])  # added, part added, the first two deltas
    ended = stream.claim("rs_1", FIRST_PARTS)
    assert ended is not None
    assert part_texts(streamed + ended) == list(FIRST_PARTS)
    assert flow(ended)[-3:] == [("delta", 1), ("part_end", 1), ("end", 0)]
    assert stream.open_changes() == []


def test_a_run_cancelled_mid_reasoning_ends_the_open_part_and_item() -> None:
    stream = ReasoningStream()
    fed(stream, item_events(0)[:4])
    assert flow(stream.open_changes()) == [("part_end", 0), ("end", 0)]
    assert stream.open_changes() == [] and stream.claim("rs_1", FIRST_PARTS) == []


def test_a_new_item_at_an_index_still_open_ends_the_earlier_one() -> None:
    """A retried model call: the first attempt's stream broke off mid-reasoning, the second starts over."""
    stream = ReasoningStream()
    first = fed(stream, item_events(0)[:4])
    again = fed(stream, item_events(0))
    assert flow(again)[:2] == [("part_end", 0), ("end", 0)] and again[0].item is first[0].item
    assert again[2].item is not first[0].item and part_texts(again[2:]) == list(FIRST_PARTS)


def test_an_item_of_an_answer_that_never_completed_is_never_claimed() -> None:
    """The first attempt streamed a whole item, then failed; the retried answer's item is the one created, and a
    later item that did not stream is still sent whole."""
    stream = ReasoningStream()
    fed(stream, item_events(0, "__fake_id__"))
    retried = fed(stream, item_events(0, "__fake_id__", SECOND_PARTS))
    assert retried[0].kind == "start"  # the first attempt's item had ended: nothing more to end
    assert stream.claim("rs_2", SECOND_PARTS) == []
    assert stream.claim("rs_3", FIRST_PARTS) is None


# ---- the /runs JSON ---------------------------------------------------------------------------------------------


def test_the_runs_json_carries_the_summary_as_written_and_nothing_else_of_the_raw_stream() -> None:
    events = item_events(2, parts=(FIRST_PARTS[0],))
    for event in events:
        event.agent_name = "Thinker"
    payloads = [event_to_json(event) for event in events]
    assert payloads[0] == {"type": "reasoning_started", "output_index": 2, "agent_name": "Thinker"}
    assert payloads[1] is None  # summary_part.added: the first delta of its summary_index says it
    assert payloads[2] == {
        "type": "reasoning_delta",
        "summary_index": 0,
        "delta": FIRST_PARTS[0][:18],
        "output_index": 2,
        "agent_name": "Thinker",
    }
    assert payloads[5] is None and payloads[6] is None  # text done, part done: the item's end says the same
    done = {"type": "reasoning_done", "summary": FIRST_PARTS[0], "output_index": 2, "agent_name": "Thinker"}
    assert payloads[7] == done
    assert "gAAAA" not in json.dumps(payloads)  # never the encrypted reasoning


def test_runs_watchers_get_the_summary_as_reasoning_events_before_reasoning_item_created() -> None:
    """What ``/runs`` buffers is the JSON a replica mirrors through Redis as it is."""
    with (
        LiveServer(create_app(streamed_reasoning_agent)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run = client.post("/runs", json={"input": "go"}).json()
        events = list(watch(client, run["events_url"]))
    kinds = [e["type"] for e in events if e["type"].startswith("reasoning")]
    turn = ["reasoning_started", *["reasoning_delta"] * 3, "reasoning_done", "reasoning_item_created"]
    assert kinds == [*turn[:4], *["reasoning_delta"] * 3, *turn[4:], *turn]
    deltas = [(e["summary_index"], e["delta"]) for e in events if e["type"] == "reasoning_delta"]
    assert ["".join(d for i, d in deltas[:6] if i == part) for part in (0, 1)] == list(FIRST_PARTS)
    assert [e["summary"] for e in events if e["type"] == "reasoning_done"] == [WHOLE, "".join(SECOND_PARTS)]


# ---- the protocols ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["ag-ui", "ai-sdk"])
def test_a_summary_that_never_streamed_is_still_sent_whole(protocol: str) -> None:
    events = asyncio.run(run_events(reasoning_agent()))
    mapping = ag_ui() if protocol == "ag-ui" else AiSdkMapping(served_run_id="s", trace_id=None)
    out = mapped(mapping, events, {"type": "run_completed", "final_output": "Hello there."})
    content = [e for e in out if e["type"] in ("REASONING_MESSAGE_CONTENT", "reasoning-delta")]
    assert len(content) == 1 and content[0]["delta"] == "The user greets me; answer briefly."


@pytest.mark.parametrize("protocol", ["ag-ui", "ai-sdk"])
def test_a_streamed_summary_whose_stream_never_said_done_is_ended_at_reasoning_item_created(protocol: str) -> None:
    events = asyncio.run(run_events(streamed_reasoning_agent(item_done=False)))
    mapping = ag_ui() if protocol == "ag-ui" else AiSdkMapping(served_run_id="s", trace_id=None)
    out = mapped(mapping, events, {"type": "run_completed", "final_output": "Written."})
    kinds = reasoning_kinds(out)
    if protocol == "ag-ui":
        message = ["REASONING_MESSAGE_START", *["REASONING_MESSAGE_CONTENT"] * 3, "REASONING_MESSAGE_END"]
        first, second = ["REASONING_START", *message, *message], ["REASONING_START", *message]
        assert kinds == [*first, "REASONING_END", *second, "REASONING_END"]
    else:
        assert kinds == ["reasoning-start", *["reasoning-delta"] * 3, "reasoning-end"] * 3


def test_ag_ui_a_run_cancelled_or_paused_mid_reasoning_ends_the_message_and_block_before_finishing() -> None:
    waiting = {"call_id": "call_1", "tool_name": "write_file", "arguments": "{}", "agent_name": "Thinker"}
    for outcome in ({"type": "run_cancelled"}, {"type": "run_interrupted", "interruptions": [waiting]}):
        out = mapped(ag_ui(), item_events(0)[:4], outcome)
        assert [e["type"] for e in out] == [
            "REASONING_START",
            "REASONING_MESSAGE_START",
            "REASONING_MESSAGE_CONTENT",
            "REASONING_MESSAGE_CONTENT",
            "REASONING_MESSAGE_END",
            "REASONING_END",
            *(["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END"] if outcome["type"] == "run_interrupted" else []),
            "RUN_FINISHED",
        ]
    # A failed run ends with RUN_ERROR, which the client would accept with anything open: the reasoning ends first
    # all the same, as with every other outcome (and as the AI SDK stream ends its parts), so no UI waits on it.
    out = mapped(ag_ui(), item_events(0)[:4], {"type": "run_failed", "error_type": "E", "message": "boom"})
    assert out[-1]["type"] == "RUN_ERROR" and reasoning_kinds(out)[-2:] == ["REASONING_MESSAGE_END", "REASONING_END"]


def test_ai_sdk_a_run_cancelled_or_failed_mid_reasoning_ends_the_open_part_first() -> None:
    out = mapped(AiSdkMapping(served_run_id="s", trace_id=None), item_events(0)[:4], {"type": "run_cancelled"})
    assert [e["type"] for e in out] == ["reasoning-start", *["reasoning-delta"] * 2, "reasoning-end", "abort"]
    assert len({e["id"] for e in out if "id" in e}) == 1
    failed = {"type": "run_failed", "error_type": "E", "message": "boom"}
    out = mapped(AiSdkMapping(served_run_id="s", trace_id=None), item_events(0)[:4], failed)
    assert [e["type"] for e in out] == ["reasoning-start", *["reasoning-delta"] * 2, "reasoning-end", "error"]
