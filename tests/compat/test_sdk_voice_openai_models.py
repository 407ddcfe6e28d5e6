"""Compatibility: the SDK's OpenAI voice models (``agents.voice``'s ``OpenAISTTModel``, ``OpenAITTSModel``,
``OpenAIVoiceModelProvider``), over HTTP through the official openai client against the fake server.

As in the SDK: a transcription is ``audio.transcriptions.create`` with the input as a WAV file and the settings'
prompt / language / temperature; speech is ``audio.speech.create`` asking for PCM, the voice (``ash`` by default),
the instructions and the speed, streamed back in chunks. Each is its span (``transcription {model}`` /
``speech {model}`` under the pipeline); content only when the flags allow. Streamed transcription
(``create_session``, a websocket) is tested in test_sdk_voice_streamed_stt.py. Learnt from the SDK's
tests/voice/test_openai_stt.py, test_openai_tts.py and test_openai_model_provider.py.
"""

from __future__ import annotations

import io
import json
import wave
from typing import Any

import numpy as np
import pytest
from fake_openai.audio import AudioError
from sdk_span_support import attrs, one
from support import Tracing

from agents_otel import UserError
from agents_otel.tracing.provider import run_tracer_scope, tracer_for
from agents_otel.voice import (
    AudioInput,
    OpenAISTTModel,
    OpenAITTSModel,
    OpenAIVoiceModelProvider,
    STTModelSettings,
    TTSModelSettings,
)

SAMPLES = np.array([0, 1000, -1000, 32767, -32768, 5], dtype=np.int16)


async def test_transcribe_sends_a_wav_file_and_the_settings(fake_openai: Any, client: Any, tracing: Tracing) -> None:
    fake_openai.audio.transcripts.append("hello there")
    model = OpenAISTTModel("gpt-4o-transcribe", client)
    settings = STTModelSettings(prompt="names: Ada", language="en", temperature=0.3)
    with run_tracer_scope(tracer_for(tracing.provider)):
        text = await model.transcribe(AudioInput(buffer=SAMPLES, frame_rate=16000), settings, False, False)
    assert text == "hello there"
    (request,) = fake_openai.requests_to("/audio/transcriptions")
    body = request.body
    assert (body["model"], body["prompt"], body["language"], float(body["temperature"])) == (
        "gpt-4o-transcribe", "names: Ada", "en", 0.3)
    assert body["filename"] == "audio.wav"
    with wave.open(io.BytesIO(body["file"])) as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (16000, 2, 1)
        assert np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").tolist() == SAMPLES.tolist()
    span = one(tracing, "transcription gpt-4o-transcribe")
    recorded = attrs(span)
    assert recorded["gen_ai.request.temperature"] == 0.3
    assert recorded["agents_otel.audio.input.size"] == SAMPLES.size * 2  # the size always, the audio not
    assert not any(key.startswith("gen_ai.input") or key.startswith("gen_ai.output.messages") for key in recorded)
    assert "agents_otel.voice.model_config" not in recorded


async def test_unset_settings_are_not_sent(fake_openai: Any, client: Any) -> None:
    fake_openai.audio.transcripts.append("ok")
    await OpenAISTTModel("whisper-1", client).transcribe(AudioInput(buffer=SAMPLES), STTModelSettings(), False, False)
    body = fake_openai.requests_to("/audio/transcriptions")[0].body
    assert {"prompt", "language", "temperature"} & set(body) == set()


async def test_transcription_span_records_content_when_the_flags_allow(
    fake_openai: Any, client: Any, tracing: Tracing
) -> None:
    fake_openai.audio.transcripts.append("hello there")
    model = OpenAISTTModel("gpt-4o-transcribe", client)
    with run_tracer_scope(tracer_for(tracing.provider)):
        await model.transcribe(AudioInput(buffer=SAMPLES), STTModelSettings(prompt="names: Ada"), True, True)
    recorded = attrs(one(tracing, "transcription gpt-4o-transcribe"))
    (message,) = json.loads(recorded["gen_ai.input.messages"])
    assert message["parts"][0]["type"] == "blob" and message["parts"][0]["content"] == AudioInput(SAMPLES).to_base64()
    assert json.loads(recorded["gen_ai.output.messages"])[0]["parts"][0]["content"] == "hello there"
    assert json.loads(recorded["agents_otel.voice.model_config"]) == {"prompt": "names: Ada"}


async def test_a_failed_transcription_is_an_error_span_and_raises(
    fake_openai: Any, client: Any, tracing: Tracing
) -> None:
    import openai

    fake_openai.audio.transcripts.append(AudioError(400, "bad audio"))
    with run_tracer_scope(tracer_for(tracing.provider)), pytest.raises(openai.BadRequestError, match="bad audio"):
        await OpenAISTTModel("gpt-4o-transcribe", client).transcribe(
            AudioInput(buffer=SAMPLES), STTModelSettings(), False, False
        )
    span = one(tracing, "transcription gpt-4o-transcribe")
    assert span.status.is_ok is False and attrs(span)["error.type"] == "openai.BadRequestError"


async def test_speech_asks_for_pcm_in_the_default_voice_and_streams_chunks(fake_openai: Any, client: Any) -> None:
    pcm = bytes(range(40))
    fake_openai.audio.speech.append(pcm)
    model = OpenAITTSModel("gpt-4o-mini-tts", client)
    chunks = [chunk async for chunk in model.run("Hi there.", TTSModelSettings())]
    assert b"".join(chunks) == pcm
    body = fake_openai.requests_to("/audio/speech")[0].body
    assert body["model"] == "gpt-4o-mini-tts" and body["voice"] == "ash" and body["response_format"] == "pcm"
    assert body["input"] == "Hi there." and body["instructions"] == TTSModelSettings().instructions
    assert "speed" not in body


async def test_speech_sends_the_voice_instructions_and_speed_given(fake_openai: Any, client: Any) -> None:
    fake_openai.audio.speech.append(b"\x00\x00")
    settings = TTSModelSettings(voice="coral", instructions="Cheerful.", speed=1.5)
    _ = [chunk async for chunk in OpenAITTSModel("tts-1", client).run("Hello", settings)]
    body = fake_openai.requests_to("/audio/speech")[0].body
    assert (body["voice"], body["instructions"], body["speed"]) == ("coral", "Cheerful.", 1.5)


async def test_speech_with_a_custom_voice_sends_its_id(fake_openai: Any, client: Any) -> None:
    fake_openai.audio.speech.append(b"\x00\x00")
    _ = [c async for c in OpenAITTSModel("tts-1", client).run("Hello", TTSModelSettings(voice={"id": "voice_1"}))]
    assert fake_openai.requests_to("/audio/speech")[0].body["voice"] == {"id": "voice_1"}


async def test_provider_builds_models_on_its_client_with_the_sdk_defaults(client: Any) -> None:
    provider = OpenAIVoiceModelProvider(openai_client=client)
    stt, tts = provider.get_stt_model(None), provider.get_tts_model(None)
    assert isinstance(stt, OpenAISTTModel) and stt.model_name == "gpt-transcribe"
    assert isinstance(tts, OpenAITTSModel) and tts.model_name == "gpt-4o-mini-tts"
    assert provider.get_stt_model("whisper-1").model_name == "whisper-1"


async def test_provider_builds_a_client_from_options(fake_openai: Any) -> None:
    fake_openai.audio.transcripts.append("from options")
    provider = OpenAIVoiceModelProvider(api_key="sk-test", base_url=fake_openai.base_url)
    stt = provider.get_stt_model("whisper-1")
    assert await stt.transcribe(AudioInput(buffer=SAMPLES), STTModelSettings(), False, False) == "from options"
    assert fake_openai.requests_to("/audio/transcriptions")[0].headers["authorization"] == "Bearer sk-test"


def test_provider_refuses_a_client_and_options_together(client: Any) -> None:
    with pytest.raises(UserError, match="api_key"):
        OpenAIVoiceModelProvider(openai_client=client, api_key="sk-test")
