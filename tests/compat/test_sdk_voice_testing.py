"""Compatibility: the SDK's scripted voice doubles (``agents.voice.testing``) driving our ``VoicePipeline``.

Cases from the SDK's docs/testing.md ("Voice pipeline recipes") and tests/voice/test_testing.py: one step per
call, a lone string is one step, exceptions are raised, recorded calls are detached snapshots, closing a session
stops its turns, ``UnexpectedVoiceCall.operation`` / ``UnconsumedVoiceSteps.remaining_steps``, and a static run
leaves a scripted ``start`` unconsumed. Ours also rejects a TTS chunk that is not bytes when scripted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from agents_otel import Agent, UserError
from agents_otel.testing import ScriptedModel, assistant_message
from agents_otel.voice import (
    AudioInput,
    SingleAgentVoiceWorkflow,
    StreamedAudioInput,
    STTModelSettings,
    TTSModelSettings,
    VoicePipeline,
)
from agents_otel.voice.testing import (
    ScriptedSTTModel,
    ScriptedTranscriptionSession,
    ScriptedTTSModel,
    ScriptedVoiceWorkflow,
    TTSResult,
    UnconsumedVoiceSteps,
    UnexpectedVoiceCall,
    VoiceScriptError,
    pcm16_samples,
)

SILENCE = AudioInput(np.zeros(2, dtype=np.int16))


async def events_of(result: Any) -> list[Any]:
    return [event async for event in result.stream()]


async def test_the_sdks_recipe_runs_stt_agent_tts_without_a_provider() -> None:
    model = ScriptedModel([[assistant_message("Hello there.")]])
    stt = ScriptedSTTModel("hello")
    pcm = pcm16_samples([0, 100, -100, 0])
    tts = ScriptedTTSModel([TTSResult([pcm])])
    pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(Agent(name="Voice assistant", model=model)),
                             stt_model=stt, tts_model=tts,
                             config={"tracing_disabled": True, "tts_settings": {"buffer_size": 1}})
    events = await events_of(await pipeline.run(SILENCE))
    audio = b"".join(e.data.tobytes() for e in events if e.type == "voice_stream_event_audio")
    assert audio == pcm
    assert [call.text for call in tts.calls] == ["Hello there."]
    assert model.calls[0].input[-1].content == "hello"  # type: ignore[union-attr]  # the transcript reached the agent
    stt.assert_complete()
    tts.assert_complete()
    model.assert_complete()


def test_pcm16_samples_are_little_endian_int16() -> None:
    assert pcm16_samples([1, -1, 256]) == b"\x01\x00\xff\xff\x00\x01"


async def test_a_scripted_workflow_answers_each_turn_and_a_static_run_leaves_start_unconsumed() -> None:
    workflow = ScriptedVoiceWorkflow(turns=[["Hello ", "there."]], start="Welcome.")
    tts = ScriptedTTSModel([[b"\x00\x00"]])
    pipeline = VoicePipeline(workflow=workflow, stt_model=ScriptedSTTModel("hi"), tts_model=tts)
    await events_of(await pipeline.run(SILENCE))
    assert workflow.transcriptions == ("hi",)
    assert [c.text for c in tts.calls] == ["Hello there."]
    with pytest.raises(UnconsumedVoiceSteps, match="startup step") as info:
        workflow.assert_complete()
    assert info.value.remaining_steps == 1


async def test_a_streamed_run_uses_the_scripted_session_and_start() -> None:
    session = ScriptedTranscriptionSession(["first turn", "second turn"])
    stt = ScriptedSTTModel(sessions=[session])
    workflow = ScriptedVoiceWorkflow(turns=["One.", "Two."], start="Welcome.")
    tts = ScriptedTTSModel([[b"\x01\x00"], [b"\x02\x00"], [b"\x03\x00"]])
    audio = StreamedAudioInput()
    result = await VoicePipeline(workflow=workflow, stt_model=stt, tts_model=tts).run(audio)
    await events_of(result)
    assert [c.text for c in tts.calls] == ["Welcome.", "One.", "Two."]
    assert workflow.transcriptions == ("first turn", "second turn")
    assert stt.created_sessions == (session,) and stt.session_calls[0].input is audio
    assert session.closed
    for double in (stt, workflow, tts):
        double.assert_complete()


async def test_a_lone_string_is_one_step_everywhere() -> None:
    stt = ScriptedSTTModel("hello world", sessions="one turn")
    assert await stt.transcribe(SILENCE, STTModelSettings(), False, False) == "hello world"
    session = await stt.create_session(StreamedAudioInput(), STTModelSettings(), False, False)
    assert [t async for t in session.transcribe_turns()] == ["one turn"]  # type: ignore[attr-defined]
    workflow = ScriptedVoiceWorkflow("Hello there.", start="Hi.")
    assert [f async for f in workflow.on_start()] == ["Hi."]
    assert [f async for f in workflow.run("x")] == ["Hello there."]
    stt.assert_complete()
    workflow.assert_complete()


async def test_closing_a_session_stops_its_turns_and_the_rest_are_reported() -> None:
    session = ScriptedTranscriptionSession(["a", "b", "c"], close_error=RuntimeError("close failed"))
    turns = session.transcribe_turns()
    assert await anext(turns) == "a"
    with pytest.raises(RuntimeError, match="close failed"):
        await session.close()
    await session.close()  # a second close does nothing more
    assert [t async for t in turns] == [] and session.close_calls == 2
    with pytest.raises(UnconsumedVoiceSteps) as info:
        session.assert_complete()
    assert info.value.remaining_steps == 2


async def test_scripted_exceptions_are_raised_as_given() -> None:
    boom = ValueError("stt down")
    stt = ScriptedSTTModel([boom], sessions=[boom])
    with pytest.raises(ValueError) as info:
        await stt.transcribe(SILENCE, STTModelSettings(), False, False)
    assert info.value is boom
    with pytest.raises(ValueError):
        await stt.create_session(StreamedAudioInput(), STTModelSettings(), False, False)
    tts = ScriptedTTSModel([RuntimeError("tts down")])
    with pytest.raises(RuntimeError, match="tts down"):
        [c async for c in tts.run("x", TTSModelSettings())]
    workflow = ScriptedVoiceWorkflow([KeyError("turn")], start=LookupError("start"))
    with pytest.raises(LookupError):
        [f async for f in workflow.on_start()]
    with pytest.raises(KeyError):
        [f async for f in workflow.run("x")]


async def test_a_call_past_the_script_names_its_operation() -> None:
    stt, tts, workflow = ScriptedSTTModel(), ScriptedTTSModel(), ScriptedVoiceWorkflow(start=())
    [f async for f in workflow.on_start()]
    calls = {
        "static_transcription": lambda: stt.transcribe(SILENCE, STTModelSettings(), False, False),
        "streamed_session": lambda: stt.create_session(StreamedAudioInput(), STTModelSettings(), False, False),
        "tts": lambda: _drain(tts.run("x", TTSModelSettings())),
        "workflow_start": lambda: _drain(workflow.on_start()),
        "workflow_turn": lambda: _drain(workflow.run("x")),
    }
    for operation, call in calls.items():
        with pytest.raises(UnexpectedVoiceCall) as info:
            await call()
        assert info.value.operation == operation and isinstance(info.value, VoiceScriptError)


async def _drain(stream: Any) -> list[Any]:
    return [x async for x in stream]


async def test_recorded_calls_are_snapshots_taken_when_called() -> None:
    buffer = np.array([1, 2], dtype=np.int16)
    settings = STTModelSettings(language="en")
    stt = ScriptedSTTModel("x")
    await stt.transcribe(AudioInput(buffer), settings, True, False)
    buffer[0], settings.language = 99, "fr"
    stt.calls[0].input.buffer[1] = 77  # reading a record and changing it changes nothing recorded
    call = stt.calls[0]
    assert call.input.buffer.tolist() == [1, 2] and call.settings.language == "en"
    assert (call.trace_include_sensitive_data, call.trace_include_sensitive_audio_data) == (True, False)

    chunks = [b"\x00\x00"]
    tts_settings = TTSModelSettings(voice="alloy")
    tts = ScriptedTTSModel([TTSResult(chunks)])
    chunks.append(b"\x01\x00")  # the script froze the chunks when given
    assert [c async for c in tts.run("x", tts_settings)] == [b"\x00\x00"]
    tts_settings.voice = "echo"
    assert tts.calls[0].settings.voice == "alloy"


def test_unconsumed_steps_are_counted() -> None:
    with pytest.raises(UnconsumedVoiceSteps) as info:
        ScriptedSTTModel(["a", "b"], sessions=[["c"]]).assert_complete()
    assert info.value.remaining_steps == 3
    with pytest.raises(UnconsumedVoiceSteps) as info:
        ScriptedTTSModel([[b""]]).assert_complete()
    assert info.value.remaining_steps == 1
    with pytest.raises(UnconsumedVoiceSteps, match="workflow step") as info:
        ScriptedVoiceWorkflow(["a", "b"], start="s").assert_complete()
    assert info.value.remaining_steps == 3
    with pytest.raises(UnconsumedVoiceSteps, match="workflow turn") as info:
        ScriptedVoiceWorkflow(["a"]).assert_complete()
    assert info.value.remaining_steps == 1


def test_a_tts_chunk_that_is_not_bytes_is_refused_when_scripted() -> None:
    with pytest.raises(UserError, match="result 1: a chunk must be bytes, not str"):
        ScriptedTTSModel([[b""], ["not bytes"]])  # type: ignore[list-item]
