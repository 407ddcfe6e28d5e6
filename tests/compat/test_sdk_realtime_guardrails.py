"""Realtime output guardrails, as the SDK's session runs them (its tests/realtime/test_session.py pins the cases):
judged on the transcript (or text) as it streams, each time it grew by ``debounce_text_length``; a trip is one
``guardrail_tripped`` event per response, the response cut off (its audio stopped and truncated, ``response.cancel``
for it while it runs) and the model told which guardrails tripped; a response the model has moved past is only
silenced. Each check is a ``guardrail`` span under the agent's span. Over the real wire and over
``agents_otel.realtime.testing.ScriptedRealtimeModel``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fake_openai import realtime_ws as ev
from fake_openai.realtime_ws import FakeRealtimeServer
from realtime_support import events_until, of_type, realtime_server, settled
from support import Tracing

from agents_otel import GuardrailFunctionOutput, OutputGuardrail, UserError, output_guardrail
from agents_otel.realtime import (
    RealtimeAgent,
    RealtimeModelAudioEvent,
    RealtimeModelOutputTextDeltaEvent,
    RealtimeModelSendInterrupt,
    RealtimeModelSendUserInput,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeModelTurnEndedEvent,
    RealtimeModelTurnStartedEvent,
    RealtimePlaybackTracker,
    RealtimeRunConfig,
    RealtimeRunner,
    RealtimeSession,
)
from agents_otel.realtime.testing import ScriptedRealtimeModel

__all__ = ["realtime_server"]


def tripping(name: str, word: str, seen: list[str] | None = None) -> OutputGuardrail[Any]:
    def check(ctx: Any, agent: Any, text: str) -> GuardrailFunctionOutput:
        if seen is not None:
            seen.append(text)
        return GuardrailFunctionOutput(output_info={"checked": len(text)}, tripwire_triggered=word in text)

    return OutputGuardrail(check, name=name)


async def scripted_session(
    agent: RealtimeAgent[Any], config: RealtimeRunConfig, model: ScriptedRealtimeModel | None = None
) -> tuple[RealtimeSession, ScriptedRealtimeModel]:
    model = model or ScriptedRealtimeModel(strict=False)
    session = await (await RealtimeRunner(agent, model=model, config=config).run()).enter()
    return session, model


def sends(model: ScriptedRealtimeModel) -> list[Any]:
    return [e for e in model.sent_events if isinstance(e, RealtimeModelSendInterrupt | RealtimeModelSendUserInput)]


async def test_a_tripped_guardrail_cuts_the_spoken_response_off_on_the_wire(
    realtime_server: FakeRealtimeServer, tracing: Tracing
) -> None:
    release = asyncio.Event()

    @output_guardrail
    async def no_refunds(ctx: Any, agent: Any, text: str) -> GuardrailFunctionOutput:
        await release.wait()  # judged once the test has said how much the listener heard
        return GuardrailFunctionOutput(output_info="refund", tripwire_triggered="refund" in text)

    tracker = RealtimePlaybackTracker()
    agent = RealtimeAgent("Support", output_guardrails=[no_refunds])
    realtime_server.responses = [[
        ev.response_created("r1"),
        ev.audio_delta("r1", "msg_1", b"\x00\x00" * 4800),  # 200 ms
        ev.transcript_delta("r1", "msg_1", "Sure, I will refund you"),
    ]]
    settings: RealtimeRunConfig = {"guardrails_settings": {"debounce_text_length": 10},
                                   "tracer_provider": tracing.provider}
    runner = RealtimeRunner(agent, config=settings)
    session = await runner.run(model_config={"url": realtime_server.url, "api_key": "k", "playback_tracker": tracker})
    await session.enter()
    conn = await realtime_server.connection()
    async with session:
        await session.send_message("Can I get my money back?")
        events = await events_until(session, lambda e: e.type == "audio")
        tracker.on_play_ms("msg_1", 0, 40)
        release.set()
        events += await events_until(session, lambda e: e.type == "guardrail_tripped")
        assert await conn.expect("conversation.item.truncate") == {
            "type": "conversation.item.truncate", "item_id": "msg_1", "content_index": 0, "audio_end_ms": 40}
        assert await conn.expect("response.cancel") == {"type": "response.cancel", "response_id": "r1"}
        feedback = await conn.expect("conversation.item.create")
        assert feedback["item"]["content"] == [{"type": "input_text", "text": "guardrail triggered: no_refunds"}]
        await conn.send(ev.audio_delta("r1", "msg_1", b"\x01\x01" * 480))  # the server was still streaming it
        await conn.send(ev.response_done("r1"))
        events += await events_until(session, lambda e: e.type == "agent_end")
        await conn.expect("response.create")  # the model answers anew, after the cancelled response is done
    (tripped,) = of_type(events, "guardrail_tripped")
    assert tripped.message == "Sure, I will refund you"
    assert [r.guardrail for r in tripped.guardrail_results] == [no_refunds]
    assert tripped.guardrail_results[0].output.output_info == "refund"
    assert [e.item_id for e in of_type(events, "audio_interrupted")] == ["msg_1"]
    assert len(of_type(events, "audio")) == 1  # the audio that came after the trip was not played
    (span,) = tracing.named("guardrail no_refunds")
    (agent_span,) = tracing.named("invoke_agent Support")
    attrs = dict(span.attributes or {})
    assert span.parent is not None and span.parent.span_id == agent_span.context.span_id
    assert attrs["agents_otel.guardrail.type"] == "output" and attrs["agents_otel.guardrail.tripwire_triggered"]
    assert attrs["gen_ai.response.id"] == "r1" and attrs["gen_ai.agent.name"] == "Support"


async def test_guardrails_judge_the_text_each_time_it_grows_by_the_debounce_length() -> None:
    seen: list[str] = []
    session, model = await scripted_session(
        RealtimeAgent("A"),
        {"output_guardrails": [tripping("g", "never", seen)], "guardrails_settings": {"debounce_text_length": 10}},
    )
    async with session:
        await model.emit(RealtimeModelTurnStartedEvent(response_id="r1"))
        for delta in ("abcdefgh", "ij", "klmnopqrst", "uv"):
            await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", delta, "r1"))
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_2", "0123456789", "r1"))  # counted per item
        await settled(session)
    assert sorted(seen) == ["0123456789", "abcdefghij", "abcdefghijklmnopqrst"]
    assert sends(model) == []


async def test_the_default_debounce_is_100_characters_and_a_turn_end_starts_over() -> None:
    seen: list[str] = []
    session, model = await scripted_session(RealtimeAgent("A", output_guardrails=[tripping("g", "never", seen)]), {})
    async with session:
        await model.emit(RealtimeModelTurnStartedEvent(response_id="r1"))
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "x" * 99, "r1"))
        await model.emit(RealtimeModelTurnEndedEvent(response_id="r1"))
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "y", "r2"))
        await settled(session)
        assert seen == []
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "y" * 99, "r2"))
        await settled(session)
    assert seen == ["y" * 100]


async def test_a_text_response_is_cancelled_without_touching_playback() -> None:
    session, model = await scripted_session(
        RealtimeAgent("A"),
        {"output_guardrails": [tripping("g", "bad")], "guardrails_settings": {"debounce_text_length": 3}},
    )
    async with session:
        await model.emit(RealtimeModelTurnStartedEvent(response_id="r1"))
        await model.emit(RealtimeModelOutputTextDeltaEvent("item_1", "bad words", "r1"))
        await settled(session)
    assert sends(model) == [
        RealtimeModelSendInterrupt(force_response_cancel=True, response_id="r1", cancel_response_only=True),
        RealtimeModelSendUserInput(user_input="guardrail triggered: g"),
    ]


async def test_without_turn_events_a_trip_cancels_whatever_runs() -> None:
    session, model = await scripted_session(
        RealtimeAgent("A"),
        {"output_guardrails": [tripping("g", "bad")], "guardrails_settings": {"debounce_text_length": 3}},
    )
    async with session:
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "bad words", "r1"))
        await settled(session)
    assert sends(model) == [RealtimeModelSendInterrupt(force_response_cancel=True),
                            RealtimeModelSendUserInput(user_input="guardrail triggered: g")]


async def session_with_a_tripping_guardrail(release: asyncio.Event) -> tuple[Any, Any]:
    """A scripted session whose one guardrail (``slow``, judging every 3 characters) trips once ``release`` is set:
    the test decides what the session has moved on to by the time it judges."""

    async def slow(ctx: Any, agent: Any, text: str) -> GuardrailFunctionOutput:
        await release.wait()
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    return await scripted_session(
        RealtimeAgent("A"), {"output_guardrails": [OutputGuardrail(slow, name="slow")],
                             "guardrails_settings": {"debounce_text_length": 3}}
    )


async def test_a_response_the_model_moved_past_is_only_silenced() -> None:
    release = asyncio.Event()
    session, model = await session_with_a_tripping_guardrail(release)
    async with session:
        await model.emit(RealtimeModelTurnStartedEvent(response_id="r1"))
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "first answer", "r1"))
        await model.emit(RealtimeModelTurnEndedEvent(response_id="r1"))
        await model.emit(RealtimeModelTurnStartedEvent(response_id="r2"))
        release.set()
        await settled(session)
        events = await events_until(session, lambda e: e.type == "guardrail_tripped")
    assert sends(model) == [RealtimeModelSendInterrupt(response_id="r1", playback_only=True)]
    assert of_type(events, "guardrail_tripped")[0].message == "first answer"


async def test_an_ended_response_still_latest_is_silenced_and_the_model_told() -> None:
    release = asyncio.Event()
    session, model = await session_with_a_tripping_guardrail(release)
    async with session:
        await model.emit(RealtimeModelTurnStartedEvent(response_id="r1"))
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "first answer", "r1"))
        await model.emit(RealtimeModelTurnEndedEvent(response_id="r1"))
        release.set()
        await settled(session)
    assert sends(model) == [RealtimeModelSendInterrupt(response_id="r1", playback_only=True),
                            RealtimeModelSendUserInput(user_input="guardrail triggered: slow")]


async def test_all_tripped_guardrails_are_reported_once_per_response_and_shared_ones_run_once() -> None:
    release = asyncio.Event()
    calls: list[str] = []

    async def gated(ctx: Any, agent: Any, text: str) -> GuardrailFunctionOutput:
        calls.append(text)
        await release.wait()
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    shared = OutputGuardrail(gated, name="shared")
    other = tripping("other", "1")
    session, model = await scripted_session(
        RealtimeAgent("A", output_guardrails=[shared]),
        {"output_guardrails": [shared, other], "guardrails_settings": {"debounce_text_length": 5}},
    )
    async with session:
        await model.emit(RealtimeModelTurnStartedEvent(response_id="r1"))
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "12345", "r1"))
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "67890", "r1"))  # a second check of r1
        await model.emit(RealtimeModelAudioEvent(b"\x00\x00", "r1", "item_1", 0))
        release.set()
        await settled(session)
        await model.emit(RealtimeModelAudioEvent(b"\x00\x00", "r1", "item_1", 0))  # after the trip: not played
        await model.emit(RealtimeModelTurnEndedEvent(response_id="r1"))
        events = await events_until(session, lambda e: e.type == "agent_end")
    assert calls == ["12345", "1234567890"]  # the shared guardrail once per check, not twice
    (tripped,) = of_type(events, "guardrail_tripped")
    assert sorted(r.guardrail.get_name() for r in tripped.guardrail_results) == ["other", "shared"]
    assert len(of_type(events, "audio")) == 1
    interrupts = [e for e in sends(model) if isinstance(e, RealtimeModelSendInterrupt)]
    assert len(interrupts) == 1 and interrupts[0].force_response_cancel and interrupts[0].response_id == "r1"
    (feedback,) = [e for e in sends(model) if isinstance(e, RealtimeModelSendUserInput)]
    assert feedback.user_input in ("guardrail triggered: shared, other", "guardrail triggered: other, shared")


async def test_the_agent_speaking_when_the_response_started_is_judged() -> None:
    judged: list[str] = []

    def by_agent(ctx: Any, agent: Any, text: str) -> GuardrailFunctionOutput:
        judged.append(agent.name)
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    first = RealtimeAgent("First", output_guardrails=[OutputGuardrail(by_agent, name="g")])
    session, model = await scripted_session(first, {"guardrails_settings": {"debounce_text_length": 2}})
    async with session:
        await model.emit(RealtimeModelTurnStartedEvent(response_id="r1"))
        await session.update_agent(RealtimeAgent("Second"))
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "hi", "r1"))
        await settled(session)
    assert judged == ["First"]


async def test_a_failing_guardrail_fails_the_session() -> None:
    def broken(ctx: Any, agent: Any, text: str) -> Any:
        return "not a GuardrailFunctionOutput"

    session, model = await scripted_session(
        RealtimeAgent("A"), {"output_guardrails": [OutputGuardrail(broken, name="broken")],
                             "guardrails_settings": {"debounce_text_length": 1}}
    )
    seen: list[Any] = []
    async with session:
        await model.emit(RealtimeModelTranscriptDeltaEvent("item_1", "hi", "r1"))
        with pytest.raises(UserError, match="must return GuardrailFunctionOutput"):
            await events_until(session, lambda e: seen.append(e) and False)
    assert of_type(seen, "error")[0].error["exception"].__class__ is UserError
    assert sends(model) == []


@pytest.mark.parametrize(
    ("config", "match"),
    [({"guardrails_settings": {"debounce_text_length": 0}}, "positive int"),
     ({"guardrails_settings": {"debounce_text_length": "10"}}, "positive int"),
     ({"output_guardrails": [lambda c, a, o: None]}, "OutputGuardrail objects"),
     ({"output_guardrails": tripping("g", "x")}, "must be a list")],
)
async def test_bad_guardrail_settings_are_user_errors(config: Any, match: str) -> None:
    with pytest.raises(UserError, match=match):
        await RealtimeRunner(RealtimeAgent("A"), model=ScriptedRealtimeModel(), config=config).run()


async def test_a_bad_agent_guardrail_is_a_user_error_when_it_takes_over() -> None:
    agent = RealtimeAgent("A", output_guardrails=["nope"])  # type: ignore[list-item]
    session = await RealtimeRunner(agent, model=ScriptedRealtimeModel()).run()
    with pytest.raises(UserError, match="'A' output_guardrails must hold OutputGuardrail"):
        await session.enter()
