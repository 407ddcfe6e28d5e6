"""``agents_otel.realtime.testing`` (the SDK's ``agents.realtime.testing``: its tests/realtime/test_testing.py pins
the cases), ``ModelAudioTracker``, and the response-scoped interrupt (``response_id`` / ``playback_only`` /
``cancel_response_only``) over the real wire."""

from __future__ import annotations

from typing import Any

import pytest
from fake_openai import realtime_ws as ev
from fake_openai.realtime_ws import FakeRealtimeServer
from realtime_support import events_until, of_type, realtime_server

from agents_otel import UserError, function_tool
from agents_otel.realtime import (
    ModelAudioTracker,
    RealtimeAgent,
    RealtimeModelEvent,
    RealtimeModelListener,
    RealtimeModelOtherEvent,
    RealtimeModelSendAudio,
    RealtimeModelSendInterrupt,
    RealtimeModelSendRawMessage,
    RealtimeModelSendToolOutput,
    RealtimeModelSendUserInput,
    RealtimeModelToolCallEvent,
    RealtimePlaybackTracker,
    RealtimeRunner,
)
from agents_otel.realtime.testing import (
    RealtimeScriptError,
    RealtimeStep,
    ScriptedRealtimeModel,
    UnconsumedRealtimeSteps,
    UnexpectedRealtimeSend,
)

__all__ = ["realtime_server"]


class Recorder(RealtimeModelListener):
    def __init__(self, model: ScriptedRealtimeModel | None = None, answer: bool = False) -> None:
        self.seen: list[Any] = []
        self.model, self.answer = model, answer

    async def on_event(self, event: RealtimeModelEvent) -> None:
        self.seen.append(event.data if isinstance(event, RealtimeModelOtherEvent) else event)
        if self.answer and self.model is not None and event.data == "first":  # type: ignore[union-attr]
            await self.model.send_event(RealtimeModelSendAudio(b"x"))  # answered after this delivery ends


def other(data: Any) -> RealtimeModelOtherEvent:
    return RealtimeModelOtherEvent(data=data)


async def test_steps_answer_the_expected_sends_in_order() -> None:
    message = RealtimeModelSendUserInput(user_input="hi")
    model = ScriptedRealtimeModel(
        [RealtimeStep(message, emit=[other("first"), other("second")]),
         RealtimeStep(RealtimeModelSendAudio, emit=[other("audio")])],
        connect_events=[other("hello")],
    )
    listener = Recorder(model, answer=True)
    model.add_listener(listener)
    await model.connect({"url": "wss://user:secret@example.com/v1/realtime?model=m&key=k", "api_key": "sk"})
    await model.send_event(message)
    assert listener.seen == ["hello", "first", "second", "audio"]
    assert model.sent_events == (message, RealtimeModelSendAudio(b"x")) and model.sent_events[0] is not message
    (connect,) = model.connect_calls
    assert connect == {"api_key_provided": True, "headers_provided": False, "url": "wss://example.com/v1/realtime"}
    assert model.remaining_steps == 0
    model.assert_complete()
    await model.close()
    await model.close()
    assert model.closed and model.close_calls == 2
    with pytest.raises(RealtimeScriptError, match="disconnected"):
        await model.emit(other("late"))


async def test_an_unexpected_send_is_an_error_unless_not_strict() -> None:
    expected = RealtimeModelSendUserInput(user_input="hi")
    model = ScriptedRealtimeModel([RealtimeStep(expected)])
    await model.connect({})
    with pytest.raises(UnexpectedRealtimeSend) as caught:
        await model.send_event(RealtimeModelSendAudio(b"a"))
    assert caught.value.actual == RealtimeModelSendAudio(b"a") and caught.value.expected == expected
    assert model.sent_events == () and model.remaining_steps == 1
    with pytest.raises(UnconsumedRealtimeSteps) as left:
        model.assert_complete()
    assert left.value.remaining_steps == 1

    loose = ScriptedRealtimeModel([RealtimeStep(expected)], strict=False)
    await loose.connect({})
    await loose.send_event(RealtimeModelSendAudio(b"a"))
    assert await loose.send_event_if(expected, lambda: False) is False
    assert await loose.send_event_if(expected, lambda: True) is True
    assert loose.sent_events == (RealtimeModelSendAudio(b"a"), expected) and loose.remaining_steps == 0
    exhausted = ScriptedRealtimeModel()
    await exhausted.connect({})
    with pytest.raises(UnexpectedRealtimeSend, match="no scripted step is left") as none_left:
        await exhausted.send_event(RealtimeModelSendAudio(b"a"))
    assert none_left.value.expected is None


async def test_errors_of_steps_connect_and_close_reach_the_caller() -> None:
    boom = RuntimeError("boom")
    model = ScriptedRealtimeModel([RealtimeStep(RealtimeModelSendAudio, error=boom)], close_error=ValueError("c"))
    await model.connect({})
    with pytest.raises(RuntimeError) as caught:
        await model.send_event(RealtimeModelSendAudio(b"a"))
    assert caught.value is boom
    with pytest.raises(ValueError, match="c"):
        await model.close()
    failing = ScriptedRealtimeModel(connect_error=ConnectionError("refused"))
    with pytest.raises(ConnectionError):
        await failing.connect({"headers": {"x": "y"}})
    assert failing.connect_calls == ({"api_key_provided": False, "headers_provided": True},)
    assert not failing.connected
    with pytest.raises(RealtimeScriptError, match="disconnected"):
        await failing.send_event(RealtimeModelSendAudio(b"a"))
    with pytest.raises(ValueError, match="not both"):
        RealtimeStep(RealtimeModelSendAudio, emit=[other(1)], error=boom)
    with pytest.raises(ValueError, match="not both"):
        ScriptedRealtimeModel(connect_events=[other(1)], connect_error=boom)


async def test_a_session_runs_a_tool_call_against_a_script() -> None:
    @function_tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    model = ScriptedRealtimeModel(
        [RealtimeStep(RealtimeModelSendUserInput(user_input="2+3?"),
                      emit=[RealtimeModelToolCallEvent("add", "c1", '{"a": 2, "b": 3}')]),
         RealtimeStep(lambda e: isinstance(e, RealtimeModelSendToolOutput) and e.output == "5")],
        strict=False,
    )
    runner = RealtimeRunner(RealtimeAgent("A", tools=[add]), model=model, config={"async_tool_calls": False})
    async with await runner.run(model_config={"api_key": "sk"}) as session:
        await session.send_message("2+3?")
        events = await events_until(session, lambda e: e.type == "tool_end")
    model.assert_complete()
    assert of_type(events, "tool_end")[0].output == "5"
    assert model.connect_calls[0]["initial_model_settings"]["tools"] == [add]


def test_model_audio_tracker_keeps_items_per_response() -> None:
    tracker = ModelAudioTracker()
    tracker.set_audio_format("pcm16")
    tracker.on_audio_delta("m1", 0, b"\x00" * 4800, response_id="r1")  # 100 ms
    tracker.on_audio_delta("m1", 0, b"\x00" * 4800, response_id="r1")
    tracker.on_audio_delta("m2", 0, b"\x00" * 480, response_id="r2")
    state = tracker.get_state("m1", 0)
    assert state is not None and state.audio_length_ms == 200 and state.response_id == "r1"
    assert tracker.get_audio_items_for_response("r1") == (("m1", 0),)
    assert tracker.get_last_audio_item() == ("m2", 0)
    tracker.on_response_interrupted("r1")
    assert tracker.get_audio_items_for_response("r1") == () and tracker.get_last_audio_item() == ("m2", 0)
    tracker.on_interrupted()
    assert tracker.get_last_audio_item() is None and tracker.get_audio_items_for_response("r2") == ()


async def test_response_scoped_interrupts_on_the_wire(realtime_server: FakeRealtimeServer) -> None:
    from agents_otel.realtime import OpenAIRealtimeWebSocketModel

    tracker = RealtimePlaybackTracker()
    model = OpenAIRealtimeWebSocketModel()
    session = await RealtimeRunner(RealtimeAgent("A"), model=model).run(
        model_config={"url": realtime_server.url, "api_key": "k", "playback_tracker": tracker})
    await session.enter()
    conn = await realtime_server.connection()
    async with session:
        with pytest.raises(UserError, match="playback_only cancels nothing"):
            await model.send_event(RealtimeModelSendInterrupt(playback_only=True, force_response_cancel=True))
        with pytest.raises(UserError, match="needs a response_id"):
            await model.send_event(RealtimeModelSendInterrupt(cancel_response_only=True))
        await conn.send(ev.response_created("r1"))
        await conn.send(ev.audio_delta("r1", "msg_1", b"\x00\x00" * 2400))
        await conn.send(ev.response_done("r1"))
        await conn.send(ev.response_created("r2"))
        await conn.send(ev.audio_delta("r2", "msg_2", b"\x00\x00" * 2400))
        await events_until(session, lambda e: e.type == "audio" and e.item_id == "msg_2")
        tracker.on_play_ms("msg_2", 0, 10)  # the listener hears r2 now
        await model.send_event(RealtimeModelSendInterrupt(response_id="r1", playback_only=True))
        events = await events_until(session, lambda e: e.type == "audio_interrupted")
        assert [e.item_id for e in of_type(events, "audio_interrupted")] == ["msg_1"]
        await model.send_event(RealtimeModelSendInterrupt(response_id="r1", cancel_response_only=True))  # not running
        await model.send_event(RealtimeModelSendInterrupt(response_id="r2", cancel_response_only=True))
        assert await conn.expect("response.cancel") == {"type": "response.cancel", "response_id": "r2"}
        await model.send_event(RealtimeModelSendRawMessage({"type": "input_audio_buffer.clear"}))
        await conn.expect("input_audio_buffer.clear")
    assert conn.sent("conversation.item.truncate") == []  # r2 plays on; r1 was not being heard
    assert len(conn.sent("response.cancel")) == 1
    assert tracker.get_state()["current_item_id"] == "msg_2"
