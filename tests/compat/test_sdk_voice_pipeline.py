"""Compatibility: the SDK's ``VoicePipeline`` (``agents.voice``): speech to text, a workflow, text to speech, with
``StreamedAudioResult.stream()`` yielding the audio and the lifecycle in order.

As in the SDK: one turn for an ``AudioInput``, a turn per transcript of the STT model's session for a
``StreamedAudioInput`` (with ``on_start`` text as a turn of its own); the answer is spoken a few sentences at a
time, each piece by its own TTS call, and comes out in the order written; ``turn_started`` / ``turn_ended`` around
each turn's audio and ``session_ended`` last. A failure ends the stream (here with a ``VoiceStreamEventError``, then
``stream()`` raises it, as the SDK's does) and stops the work still running, never leaving the consumer waiting.
The run is an ``invoke_workflow Voice Agent`` span over the ``transcription``, the workflow's agent runs and one
``speech_group`` per turn with its ``speech`` spans; content only under content capture or when the config asks.
Learnt from the SDK's tests/voice/test_pipeline.py and test_workflow.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from sdk_span_support import attrs, one, parent_of
from support import Tracing
from voice_support import FakeSTT, FakeTTS, Gate, Scripted, collect, never, pcm_of, split_each

from agents_otel import Agent, Runner, UserError
from agents_otel.testing import ScriptedModel, assistant_message
from agents_otel.tracing.provider import run_tracer_scope, tracer_for
from agents_otel.voice import (
    AudioInput,
    OpenAISTTModel,
    SingleAgentVoiceWorkflow,
    SingleAgentWorkflowCallbacks,
    StreamedAudioInput,
    TTSModelSettings,
    VoicePipeline,
    VoicePipelineConfig,
    VoiceStreamEventError,
    VoiceWorkflowBase,
    VoiceWorkflowHelper,
)

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
SILENCE = AudioInput(buffer=np.zeros(4, dtype=np.int16))


def pipeline(workflow: VoiceWorkflowBase, stt: Any = None, tts: Any = None, **config: Any) -> VoicePipeline:
    return VoicePipeline(workflow=workflow, stt_model=stt or FakeSTT(["hi"]), tts_model=tts or FakeTTS(),
                         config=VoicePipelineConfig(**config))


async def test_one_turn_speaks_the_answer_in_order() -> None:
    tts = FakeTTS()
    text = "The first sentence is long enough. The second one too. And a tail"
    deltas = [text[i : i + 5] for i in range(0, len(text), 5)]
    result = await pipeline(Scripted(deltas), tts=tts).run(SILENCE)
    labels, audio, _ = await collect(result)
    assert labels[0] == "turn_started" and labels[-2:] == ["turn_ended", "session_ended"]
    assert set(labels[1:-2]) == {"audio"}
    assert " ".join(tts.texts).split() == text.split()  # pieces, no word lost or glued
    assert len(tts.texts) > 1
    assert audio == b"".join(pcm_of(piece) for piece in tts.texts)
    assert result.total_output_text == text


async def test_buffer_size_groups_chunks_and_keeps_samples_whole() -> None:
    tts = FakeTTS(chunk=3)  # 3-byte chunks: every other one ends mid-sample
    config = {"tts_settings": TTSModelSettings(buffer_size=2, text_splitter=never)}
    _, audio, events = await collect(await pipeline(Scripted(["abcdefgh"]), tts=tts, **config).run(SILENCE))
    assert audio == pcm_of("abcdefgh")
    sizes = [e.data.size for e in events if e.type == "voice_stream_event_audio"]
    assert sizes == [3, 3, 2]  # 16 bytes in 3-byte chunks, two chunks per event, half samples carried over


async def test_float32_output_and_transform_data() -> None:
    seen: list[Any] = []

    def transform(data: Any) -> Any:
        seen.append(data.dtype)
        return data * 2

    settings = TTSModelSettings(dtype=np.float32, transform_data=transform, text_splitter=never)
    _, _, events = await collect(await pipeline(Scripted(["ab"]), tts_settings=settings).run(SILENCE))
    (audio,) = [e for e in events if e.type == "voice_stream_event_audio"]
    assert seen == [np.float32] and audio.data.shape == (2, 1)
    assert np.allclose(audio.data[:, 0], np.array([ord("a"), ord("b")]) / 32767.0 * 2)


def test_bad_settings_are_user_errors() -> None:
    with pytest.raises(UserError, match="unknown TTSModelSettings field"):
        VoicePipelineConfig(tts_settings={"bufer_size": 2})
    with pytest.raises(UserError, match="VoiceWorkflowBase"):
        VoicePipeline(workflow=object())  # type: ignore[arg-type]
    with pytest.raises(UserError, match="stt_model"):
        VoicePipeline(workflow=Scripted(), stt_model=3)  # type: ignore[arg-type]


async def test_dict_config_and_bad_dtype() -> None:
    config: Any = {"workflow_name": "Kiosk", "tts_settings": {"buffer_size": 1, "dtype": np.int64}}
    voice = VoicePipeline(workflow=Scripted(["x"]), stt_model=FakeSTT(["hi"]), tts_model=FakeTTS(), config=config)
    assert voice.config.workflow_name == "Kiosk" and voice.config.tts_settings.buffer_size == 1
    with pytest.raises(UserError, match="dtype"):
        await voice.run(SILENCE)


async def test_a_workflow_that_says_nothing_ends_the_session() -> None:
    labels, audio, _ = await collect(await pipeline(Scripted([])).run(SILENCE))
    assert labels == ["session_ended"] and audio == b""


async def test_streamed_input_runs_a_turn_per_transcript_of_your_own_session() -> None:
    stt, tts = FakeSTT(["first", "second"]), FakeTTS()
    workflow = Scripted(["one"], ["two"], greeting=["Hello"])
    config = {"tts_settings": TTSModelSettings(text_splitter=never)}
    labels, audio, _ = await collect(await pipeline(workflow, stt, tts, **config).run(StreamedAudioInput()))
    turn = ["turn_started", "audio", "turn_ended"]
    assert labels == turn * 3 + ["session_ended"]
    assert tts.texts == ["Hello", "one", "two"] and workflow.heard == ["first", "second"]
    assert audio == pcm_of("Hello") + pcm_of("one") + pcm_of("two")
    assert stt.sessions[0].closed == 1


async def test_a_failing_greeting_is_skipped_and_the_session_goes_on() -> None:
    class Greeter(Scripted):
        async def on_start(self) -> AsyncIterator[str]:
            yield "Hi"
            raise RuntimeError("greeting broke")

    tts = FakeTTS()
    config = {"tts_settings": TTSModelSettings(text_splitter=never)}
    labels, _, _ = await collect(await pipeline(Greeter(["answer"]), FakeSTT(["q"]), tts, **config).run(
        StreamedAudioInput()))
    assert labels == ["turn_started", "audio", "turn_ended"] * 2 + ["session_ended"]
    assert tts.texts == ["Hi", "answer"]


async def test_a_tts_failure_ends_the_stream_with_an_error_and_stops_the_other_pieces() -> None:
    gate = Gate()

    class Failing(FakeTTS):
        async def run(self, text: str, settings: TTSModelSettings) -> AsyncIterator[bytes]:
            if text == "first":
                await gate.reached.wait()  # fail once the second piece is being spoken
                raise RuntimeError("tts broke")
            gate.reached.set()
            try:
                await gate.release.wait()  # never released: only cancellation ends it
            finally:
                gate.cancelled.set()
            yield b""

    config = {"tts_settings": TTSModelSettings(text_splitter=split_each)}
    result = await pipeline(Scripted(["first", "second"]), tts=Failing(), **config).run(SILENCE)
    events: list[Any] = []
    with pytest.raises(RuntimeError, match="tts broke"):
        async for event in result.stream():
            events.append(event)
    assert isinstance(events[-1], VoiceStreamEventError) and str(events[-1].error) == "tts broke"
    assert [e.event for e in events[:-1]] == ["turn_started"]
    assert gate.cancelled.is_set()
    assert result.text_generation_task is not None and result.text_generation_task.done()


@pytest.mark.parametrize("where", ["stt", "workflow"])
async def test_a_transcription_or_workflow_failure_ends_the_stream(where: str) -> None:
    class BrokenSTT(FakeSTT):
        async def transcribe(self, *args: Any) -> str:
            raise ValueError("stt broke")

    class BrokenWorkflow(Scripted):
        async def run(self, transcription: str) -> AsyncIterator[str]:
            yield "Some words. "
            raise ValueError("workflow broke")

    voice = pipeline(BrokenWorkflow(), BrokenSTT()) if where == "stt" else pipeline(BrokenWorkflow())
    result = await voice.run(SILENCE)
    labels: list[str] = []
    with pytest.raises(ValueError, match=f"{where} broke"):
        async for event in result.stream():
            labels.append(event.type)
    assert labels[-1] == "voice_stream_event_error"


async def test_a_workflow_yielding_a_non_string_is_a_user_error() -> None:
    class Wrong(Scripted):
        async def run(self, transcription: str) -> AsyncIterator[str]:
            yield 42  # type: ignore[misc]

    with pytest.raises(UserError, match="must yield str"):
        await collect(await pipeline(Wrong()).run(SILENCE))


async def test_a_consumer_that_leaves_early_stops_the_speech() -> None:
    gate = Gate()

    class Endless(FakeTTS):
        async def run(self, text: str, settings: TTSModelSettings) -> AsyncIterator[bytes]:
            yield b"\x01\x00"
            try:
                await gate.release.wait()
            finally:
                gate.cancelled.set()
            yield b""

    config = {"tts_settings": TTSModelSettings(buffer_size=1, text_splitter=never)}
    result = await pipeline(Scripted(["x"]), tts=Endless(), **config).run(SILENCE)
    stream = result.stream()
    async for event in stream:
        if event.type == "voice_stream_event_audio":
            break
    await stream.aclose()  # type: ignore[attr-defined]
    assert gate.cancelled.is_set()


async def test_single_agent_workflow_keeps_the_conversation_and_calls_back() -> None:
    model = ScriptedModel([[assistant_message("Hello Ada. How can I help?")], [assistant_message("It is noon.")]])
    heard: list[str] = []

    class Callbacks(SingleAgentWorkflowCallbacks):
        def on_run(self, workflow: SingleAgentVoiceWorkflow, transcription: str) -> None:
            heard.append(transcription)

    tts = FakeTTS()
    workflow = SingleAgentVoiceWorkflow(Agent("Assistant", model=model), callbacks=Callbacks())
    stt = FakeSTT(["I am Ada", "What time is it?"])
    labels, _, _ = await collect(await pipeline(workflow, stt, tts).run(StreamedAudioInput()))
    assert labels.count("turn_ended") == 2
    assert " ".join(tts.texts) == "Hello Ada. How can I help? It is noon."
    assert heard == ["I am Ada", "What time is it?"]
    second_input = json.dumps([getattr(item, "__dict__", str(item)) for item in model.calls[1].input], default=str)
    assert "I am Ada" in second_input and "Hello Ada" in second_input and "What time is it?" in second_input


async def test_spans_nest_under_the_pipeline_span_without_content(
    tracing: Tracing, monkeypatch: Any, fake_openai: Any, client: Any
) -> None:
    """The transcription span is the STT model's (here OpenAI's, over HTTP to the fake server), as in the SDK."""
    monkeypatch.delenv(CAPTURE, raising=False)
    fake_openai.audio.transcripts.append("a question")
    model = ScriptedModel([[assistant_message("The answer is long enough. Bye now.")]])

    class AgentWorkflow(VoiceWorkflowBase):
        async def run(self, transcription: str) -> AsyncIterator[str]:
            result = Runner.run_streamed(Agent("Helper", model=model), transcription, run_config=tracing.config)
            async for delta in VoiceWorkflowHelper.stream_text_from(result):
                yield delta

    stt_model = OpenAISTTModel("gpt-4o-transcribe", client)
    voice = pipeline(AgentWorkflow(), stt_model, group_id="group_conv1")
    with run_tracer_scope(tracer_for(tracing.provider)):
        result = await voice.run(SILENCE)
    await collect(result)
    root = one(tracing, "invoke_workflow Voice Agent")
    stt = one(tracing, "transcription gpt-4o-transcribe")
    group = one(tracing, "speech_group")
    speeches = tracing.named("speech fake-tts")
    agent = one(tracing, "invoke_agent Helper")
    assert root.parent is None
    assert parent_of(stt) == parent_of(group) == parent_of(agent) == root.context.span_id
    assert len(speeches) == 2 and {parent_of(s) for s in speeches} == {group.context.span_id}
    assert all(s.context.trace_id == root.context.trace_id for s in tracing.spans())
    assert attrs(root)["gen_ai.conversation.id"] == "group_conv1"
    assert attrs(group)["agents_otel.speech_group.input.length"] == len("The answer is long enough. Bye now.")
    assert "agents_otel.speech_group.input" not in attrs(group)
    for speech in speeches:
        recorded = attrs(speech)
        assert recorded["agents_otel.audio.output.size"] > 0 and "agents_otel.speech.first_content_at" in recorded
        assert "gen_ai.input.messages" not in recorded and "gen_ai.output.messages" not in recorded
    assert "gen_ai.output.messages" not in attrs(stt) and "gen_ai.input.messages" not in attrs(stt)
    assert model.calls[0].input[0].content == "a question"  # type: ignore[union-attr]
    assert stt.end_time <= root.end_time and group.end_time <= root.end_time  # type: ignore[operator]


async def test_sensitive_data_flags_record_text_and_audio(tracing: Tracing, monkeypatch: Any) -> None:
    monkeypatch.delenv(CAPTURE, raising=False)
    config = {"trace_include_sensitive_data": True, "tts_settings": TTSModelSettings(text_splitter=never)}
    voice = pipeline(Scripted(["Hi"]), **config)
    with run_tracer_scope(tracer_for(tracing.provider)):
        await collect(await voice.run(SILENCE))
    assert voice.stt_model is not None and voice.stt_model.flags == [(True, False)]  # type: ignore[attr-defined]
    assert attrs(one(tracing, "speech_group"))["agents_otel.speech_group.input"] == "Hi"
    speech = attrs(one(tracing, "speech fake-tts"))
    assert json.loads(speech["gen_ai.input.messages"])[0]["parts"][0]["content"] == "Hi"
    assert "gen_ai.output.messages" not in speech  # the audio needs its own flag
    assert speech["agents_otel.audio.output.size"] == len(pcm_of("Hi"))


async def test_content_capture_turns_both_on_and_tracing_disabled_records_nothing(
    tracing: Tracing, monkeypatch: Any
) -> None:
    monkeypatch.setenv(CAPTURE, "SPAN_ONLY")
    voice = pipeline(Scripted(["Hi"]), tts_settings=TTSModelSettings(text_splitter=never))
    with run_tracer_scope(tracer_for(tracing.provider)):
        await collect(await voice.run(SILENCE))
    assert voice.stt_model.flags == [(True, True)]  # type: ignore[union-attr]
    output = json.loads(attrs(one(tracing, "speech fake-tts"))["gen_ai.output.messages"])[0]["parts"][0]
    assert output["type"] == "blob" and output["modality"] == "audio"
    tracing.exporter.clear()
    with run_tracer_scope(tracer_for(tracing.provider)):
        await collect(await pipeline(Scripted(["Hi"]), tracing_disabled=True).run(SILENCE))
    assert [s.name for s in tracing.spans()] == []


async def test_a_failure_is_recorded_on_the_pipeline_span(tracing: Tracing) -> None:
    class Broken(Scripted):
        async def run(self, transcription: str) -> AsyncIterator[str]:
            raise KeyError("nope")
            yield ""

    with run_tracer_scope(tracer_for(tracing.provider)):
        result = await pipeline(Broken()).run(SILENCE)
        with pytest.raises(KeyError):
            await collect(result)
    root = one(tracing, "invoke_workflow Voice Agent")
    assert root.status.is_ok is False and attrs(root)["error.type"] == "KeyError"


async def test_the_pipeline_runs_inside_a_running_loop_only_once_per_run() -> None:
    voice = pipeline(Scripted(["a"], ["b"]), FakeSTT(["1", "2"]))
    first, second = await asyncio.gather(voice.run(SILENCE), voice.run(SILENCE))
    assert (await collect(first))[0][-1] == (await collect(second))[0][-1] == "session_ended"
