"""Compatibility: the SDK's voice span functions ``transcription_span()`` / ``speech_span()`` /
``speech_group_span()`` and ``TranscriptionSpanData`` / ``SpeechSpanData`` / ``SpeechGroupSpanData``.

As the other span functions: each is an OpenTelemetry span, a child of the current span (here, inside a run's tool
call) or of ``parent=``; ``transcription {model}`` / ``speech {model}`` CLIENT spans with the model, the audio's
format and size and ``gen_ai.output.type``, and a ``speech_group`` span; audio and text only under content capture;
the SDK trace processors receive the SDK's span data with its ``type`` and ``export()`` shape. Learnt from the
SDK's src/agents/tracing/create.py, span_data.py and its voice pipeline (src/agents/voice), which start a speech
group by hand and pass it as ``parent=`` to each speech span.
"""

from __future__ import annotations

import base64
import json

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from sdk_span_support import Recorder, attrs, in_a_tool, one, parent_of
from support import Tracing

from agents_otel import (
    SpeechGroupSpanData,
    SpeechSpanData,
    TranscriptionSpanData,
    UserError,
    set_trace_processors,
    speech_group_span,
    speech_span,
    transcription_span,
)
from agents_otel import tracing as sdk_tracing

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
AUDIO = base64.b64encode(bytes(range(256)) * 4 + b"\x01\x02").decode()  # 1026 bytes (padded base64)
CONFIG = {"temperature": 0.2, "language": "en", "prompt": "names: Ada"}


def voice_work() -> None:
    """What the SDK's voice pipeline does: a transcription, then a speech group (started, not made current) with
    speech spans under it by ``parent=``, filled in while the audio streams."""
    with transcription_span(model="gpt-4o-transcribe", model_config=CONFIG) as stt:
        stt.span_data.input = AUDIO
        stt.span_data.output = "hello there"
    group = speech_group_span(input="Hi! How can I help?")
    group.start()
    with speech_span(model="gpt-4o-mini-tts", input="Hi!", model_config={"voice": "ash"}, parent=group) as tts:
        tts.span_data.first_content_at = "2026-12-07T10:00:00.5+00:00"
        tts.span_data.output = AUDIO
    group.finish()


async def test_voice_spans_are_otel_spans_without_content(tracing: Tracing) -> None:
    await in_a_tool(tracing, voice_work)
    tool = one(tracing, "execute_tool work")
    stt = one(tracing, "transcription gpt-4o-transcribe")
    assert stt.kind is SpanKind.CLIENT and parent_of(stt) == tool.context.span_id
    assert attrs(stt) == {
        "gen_ai.operation.name": "transcription",
        "gen_ai.request.model": "gpt-4o-transcribe",
        "gen_ai.request.temperature": 0.2,
        "gen_ai.output.type": "text",
        "agents_otel.audio.input.format": "pcm",
        "agents_otel.audio.input.size": 1026,
    }  # no audio, no transcript, no prompt: capture is off
    group = one(tracing, "speech_group")
    assert group.kind is SpanKind.INTERNAL and parent_of(group) == tool.context.span_id
    assert attrs(group) == {"agents_otel.speech_group.input.length": len("Hi! How can I help?")}
    tts = one(tracing, "speech gpt-4o-mini-tts")
    assert tts.kind is SpanKind.CLIENT and parent_of(tts) == group.context.span_id
    assert attrs(tts) == {
        "gen_ai.operation.name": "speech",
        "gen_ai.request.model": "gpt-4o-mini-tts",
        "gen_ai.output.type": "speech",
        "agents_otel.audio.output.format": "pcm",
        "agents_otel.audio.output.size": 1026,
        "agents_otel.speech.first_content_at": "2026-12-07T10:00:00.5+00:00",
    }
    assert {s.context.trace_id for s in (stt, group, tts)} == {tool.context.trace_id}
    assert all(s.status.status_code is StatusCode.UNSET for s in (stt, group, tts))


async def test_content_is_recorded_under_capture_only(tracing: Tracing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CAPTURE, "SPAN_ONLY")
    await in_a_tool(tracing, voice_work)
    stt = attrs(one(tracing, "transcription gpt-4o-transcribe"))
    assert json.loads(stt["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "blob", "modality": "audio", "content": AUDIO, "mime_type": "audio/pcm"}]}
    ]
    assert json.loads(stt["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "hello there"}]}
    ]
    assert json.loads(stt["agents_otel.voice.model_config"]) == CONFIG
    tts = attrs(one(tracing, "speech gpt-4o-mini-tts"))
    assert json.loads(tts["gen_ai.input.messages"]) == [{"role": "user", "parts": [{"type": "text", "content": "Hi!"}]}]
    assert json.loads(tts["gen_ai.output.messages"])[0]["parts"][0]["content"] == AUDIO
    assert json.loads(tts["agents_otel.voice.model_config"]) == {"voice": "ash"}
    assert attrs(one(tracing, "speech_group"))["agents_otel.speech_group.input"] == "Hi! How can I help?"


async def test_trace_processors_receive_voice_span_data(tracing: Tracing) -> None:
    recorder = Recorder()
    set_trace_processors([recorder])
    try:
        await in_a_tool(tracing, voice_work)
    finally:
        set_trace_processors([])
    (stt,) = [s for s in recorder.ended if isinstance(s.span_data, TranscriptionSpanData)]
    (group,) = [s for s in recorder.ended if isinstance(s.span_data, SpeechGroupSpanData)]
    (tts,) = [s for s in recorder.ended if isinstance(s.span_data, SpeechSpanData)]
    assert tts.parent_id == group.span_id
    assert stt.span_data.export() == {  # content is not captured: the SDK's shape, without the audio or text
        "type": "transcription",
        "input": {"data": "", "format": "pcm"},
        "output": None,
        "model": "gpt-4o-transcribe",
        "model_config": {"temperature": 0.2},
    }
    assert tts.span_data.export() == {
        "type": "speech",
        "input": None,
        "output": {"data": "", "format": "pcm"},
        "model": "gpt-4o-mini-tts",
        "model_config": None,
        "first_content_at": "2026-12-07T10:00:00.5+00:00",
    }
    assert group.span_data.export() == {"type": "speech_group", "input": None}


async def test_trace_processors_receive_content_under_capture(
    tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CAPTURE, "SPAN_ONLY")
    recorder = Recorder()
    set_trace_processors([recorder])
    try:
        await in_a_tool(tracing, voice_work)
    finally:
        set_trace_processors([])
    by_type = {s.span_data.type: s.span_data for s in recorder.ended}
    assert by_type["transcription"].export() == {
        "type": "transcription",
        "input": {"data": AUDIO, "format": "pcm"},
        "output": "hello there",
        "model": "gpt-4o-transcribe",
        "model_config": CONFIG,
    }
    speech = by_type["speech"].export()
    assert (speech["input"], speech["output"], speech["model_config"]) == (
        "Hi!", {"data": AUDIO, "format": "pcm"}, {"voice": "ash"}
    )
    assert by_type["speech_group"].export() == {"type": "speech_group", "input": "Hi! How can I help?"}


async def test_an_error_in_a_voice_span_is_recorded(tracing: Tracing) -> None:
    def body() -> None:
        with pytest.raises(ConnectionError), transcription_span(model="whisper-1"):
            raise ConnectionError("socket closed")

    await in_a_tool(tracing, body)
    span = one(tracing, "transcription whisper-1")
    assert span.status.status_code is StatusCode.ERROR
    assert attrs(span)["error.type"] == "ConnectionError"


def test_span_data_as_in_the_sdk() -> None:
    assert TranscriptionSpanData().export() == {
        "type": "transcription", "input": {"data": "", "format": "pcm"}, "output": None, "model": None,
        "model_config": None,
    }
    assert SpeechSpanData(input="x", output_format="mp3").export() == {
        "type": "speech", "input": "x", "output": {"data": "", "format": "mp3"}, "model": None,
        "model_config": None, "first_content_at": None,
    }
    assert SpeechGroupSpanData("t").type == "speech_group"
    assert sdk_tracing.TranscriptionSpanData is TranscriptionSpanData
    assert sdk_tracing.SpeechSpanData is SpeechSpanData and sdk_tracing.SpeechGroupSpanData is SpeechGroupSpanData
    assert sdk_tracing.transcription_span is transcription_span and sdk_tracing.speech_span is speech_span
    assert sdk_tracing.speech_group_span is speech_group_span


def test_span_id_is_refused_and_disabled_records_nothing(tracing: Tracing) -> None:
    with pytest.raises(UserError, match="span_id"):
        transcription_span(span_id="span_1")
    with pytest.raises(UserError, match="span_id"):
        speech_span(span_id="span_1")
    with pytest.raises(UserError, match="span_id"):
        speech_group_span(span_id="span_1")
    with speech_span(model="tts-1", disabled=True) as span:
        assert span.span_id == ""
    assert not [s for s in tracing.spans() if s.name == "speech tts-1"]
