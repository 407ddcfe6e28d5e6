"""Compatibility: the SDK's streamed transcription on OpenAI's model (``OpenAISTTModel.create_session``, an
``OpenAISTTTranscriptionSession`` over the Realtime API's transcription websocket), on the wire against a fake
websocket server (tests/fake_openai/transcription_ws.py).

As in the SDK: the session connects to the client's ``websocket_base_url`` (else its ``base_url`` as ws/wss) at
``/realtime?intent=transcription`` with the client's auth and default headers and ``OpenAI-Log-Session: 1``; waits
for the session, sends ``session.update`` (PCM 24 kHz, the model, the language — a list for the gpt-transcribe
models — and the prompt only when set, the turn detection, semantic VAD by default), appends the input's audio as
base64 16-bit PCM, and yields each ``...input_audio_transcription.completed`` transcript (also the legacy event
names) as a turn of the pipeline; a server ``error`` event, a dropped connection, a failed connect or set-up is an
``STTWebsocketConnectionError``, and the pipeline's stream ends with it; a clean close by the server ends the
session. Each turn is a ``transcription {model}`` span under the pipeline's, content under the usual rules.
Ours on purpose: ending the input commits what is left and ends the session once it is transcribed.
Learnt from the SDK's tests/voice/test_openai_stt.py, test_openai_stt_session_config.py,
test_openai_stt_client_config.py and test_openai_stt_api_key_refresh.py.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import openai
import pytest
from fake_openai.transcription_ws import (
    Close,
    Drop,
    Expect,
    Send,
    TranscriptionServer,
    error,
    handshake,
    running,
    transcript,
)
from sdk_span_support import attrs, parent_of
from support import Tracing
from voice_support import FakeTTS, Scripted, collect, never, pcm_of

from agents_otel import UserError
from agents_otel.tracing.provider import run_tracer_scope, tracer_for
from agents_otel.voice import (
    OpenAISTTModel,
    OpenAISTTTranscriptionSession,
    OpenAIVoiceModelProvider,
    StreamedAudioInput,
    STTModelSettings,
    STTWebsocketConnectionError,
    TTSModelSettings,
    VoicePipeline,
    VoicePipelineConfig,
    VoiceStreamEventError,
)
from agents_otel.voice.models import openai_stt_session

ROOT = Path(__file__).resolve().parents[2]
COMMIT = "input_audio_buffer.commit"
APPEND = "input_audio_buffer.append"
CHUNKS = [np.array([1, -2, 300], dtype=np.int16), np.array([0.5, -1.5], dtype=np.float32),
          np.array([7, 8], dtype=np.int16)]
PCM = [b"\x01\x00\xfe\xff\x2c\x01", np.array([16383, -32767], dtype="<i2").tobytes(), b"\x07\x00\x08\x00"]


@pytest.fixture
def ws_server() -> Iterator[TranscriptionServer]:
    yield from running()


@pytest.fixture
async def ws_client(ws_server: TranscriptionServer) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(api_key="sk-test", base_url=ws_server.http_base_url, max_retries=0,
                                  default_headers={"X-Proxy-Token": "proxy"}) as client:
        yield client


def voice(client: Any, workflow: Scripted, model: str = "gpt-4o-transcribe", **config: Any) -> VoicePipeline:
    config.setdefault("tts_settings", TTSModelSettings(text_splitter=never))
    return VoicePipeline(workflow=workflow, stt_model=OpenAISTTModel(model, client), tts_model=FakeTTS(),
                         config=VoicePipelineConfig(**config))


def two_turns() -> list[Any]:
    """Turn one ends by the server's turn detection after two appends; turn two when the input ends."""
    return [*handshake(), Expect(APPEND, 2), transcript("item_1", "hello"), Expect(APPEND), Expect(COMMIT),
            transcript("item_2", "goodbye")]


async def run_two_turns(pipeline: VoicePipeline, audio: StreamedAudioInput) -> tuple[list[str], bytes]:
    """Push turn one; once its answer ended, push turn two and end the input. The labels and the audio out."""
    result = await pipeline.run(audio)
    await audio.add_audio(CHUNKS[0])
    await audio.add_audio(CHUNKS[1])
    labels: list[str] = []
    out = b""
    async for event in result.stream():
        labels.append(getattr(event, "event", None) or ("audio" if event.type.endswith("audio") else "error"))
        if event.type == "voice_stream_event_audio":
            out += np.asarray(event.data).astype("<i2").tobytes()
        if labels[-1] == "turn_ended" and labels.count("turn_ended") == 1:
            await audio.add_audio(CHUNKS[2])
            await audio.add_audio(None)
    return labels, out


async def test_a_pipeline_on_streamed_input_answers_each_transcribed_turn(
    ws_server: TranscriptionServer, ws_client: Any
) -> None:
    ws_server.scripts.append(two_turns())
    workflow = Scripted(["Hi Ada."], ["Bye."])
    labels, out = await run_two_turns(voice(ws_client, workflow), StreamedAudioInput())
    assert labels == ["turn_started", "audio", "turn_ended"] * 2 + ["session_ended"]
    assert workflow.heard == ["hello", "goodbye"] and out == pcm_of("Hi Ada.") + pcm_of("Bye.")
    connection = ws_server.connections[0].finished()
    assert connection.closed_by_client  # the input ended: the session closed the websocket
    assert [base64.b64decode(m["audio"]) for m in connection.of_type(APPEND)] == PCM  # float32 as 16-bit PCM
    assert [m["type"] for m in connection.received] == ["session.update", APPEND, APPEND, APPEND, COMMIT]


async def test_the_connection_and_the_session_settings(ws_server: TranscriptionServer, ws_client: Any) -> None:
    ws_server.scripts.append([*handshake(), Expect(COMMIT), error("input_audio_buffer_commit_empty")])
    settings = STTModelSettings(language="fr", prompt="names: Ada", turn_detection={"type": "server_vad"})
    audio = StreamedAudioInput()
    session = await OpenAISTTModel("gpt-4o-transcribe", ws_client).create_session(audio, settings, False, False)
    assert isinstance(session, OpenAISTTTranscriptionSession)
    await audio.add_audio(None)
    assert [turn async for turn in session.transcribe_turns()] == []  # nothing left to commit: the session ends
    connection = ws_server.connections[0].finished()
    url = urlsplit(connection.path)
    assert url.path == "/v1/realtime" and dict(parse_qsl(url.query)) == {"intent": "transcription"}
    headers = {k.lower(): v for k, v in connection.headers.items()}
    assert headers["authorization"] == "Bearer sk-test" and headers["openai-log-session"] == "1"
    assert headers["x-proxy-token"] == "proxy" and "openai-beta" not in headers
    (update,) = connection.of_type("session.update")
    assert update["session"] == {"type": "transcription", "audio": {"input": {
        "format": {"type": "audio/pcm", "rate": 24000},
        "transcription": {"model": "gpt-4o-transcribe", "language": "fr", "prompt": "names: Ada"},
        "turn_detection": {"type": "server_vad"},
    }}}


@pytest.mark.parametrize(("model", "expected"), [
    ("gpt-4o-mini-transcribe", {"model": "gpt-4o-mini-transcribe"}),
    ("gpt-transcribe", {"model": "gpt-transcribe", "languages": ["de"]}),
])
async def test_unset_settings_are_left_out_and_language_lists(
    ws_server: TranscriptionServer, ws_client: Any, model: str, expected: dict[str, Any]
) -> None:
    ws_server.scripts.append([*handshake(), Expect(COMMIT), error("input_audio_buffer_commit_empty")])
    settings = STTModelSettings(language="de") if "languages" in expected else STTModelSettings()
    audio = StreamedAudioInput()
    session = await OpenAISTTModel(model, ws_client).create_session(audio, settings, False, False)
    await audio.add_audio(None)
    assert [turn async for turn in session.transcribe_turns()] == []
    (update,) = ws_server.connections[0].finished().of_type("session.update")
    assert update["session"]["audio"]["input"]["transcription"] == expected
    assert update["session"]["audio"]["input"]["turn_detection"] == {"type": "semantic_vad"}


async def test_websocket_base_url_default_query_and_a_refreshed_key(ws_server: TranscriptionServer) -> None:
    ws_server.scripts.append([*handshake(), Expect(COMMIT), error("input_audio_buffer_commit_empty")])
    keys = iter(["sk-first", "sk-second"])

    async def api_key() -> str:
        return next(keys)

    client = openai.AsyncOpenAI(api_key=api_key, base_url="http://127.0.0.1:9/unused",
                                websocket_base_url=f"http://127.0.0.1:{ws_server.port}/custom/?tenant=one&drop=1",
                                default_query={"api-version": "2026-01", "drop": openai.omit})
    audio = StreamedAudioInput()
    session = await OpenAISTTModel("whisper-1", client).create_session(audio, STTModelSettings(), False, False)
    await audio.add_audio(None)
    assert [turn async for turn in session.transcribe_turns()] == []
    connection = ws_server.connections[0].finished()
    url = urlsplit(connection.path)
    assert url.path == "/custom/realtime"
    assert dict(parse_qsl(url.query)) == {"tenant": "one", "api-version": "2026-01", "intent": "transcription"}
    assert connection.headers["Authorization"].startswith("Bearer sk-")  # the callable's key, fetched for it


async def test_legacy_event_names_are_understood(ws_server: TranscriptionServer, ws_client: Any) -> None:
    ws_server.scripts.append([*handshake("transcription_session.created", "transcription_session.updated"),
                              Expect(APPEND), Expect(COMMIT),
                              transcript("item_1", "old names", completed="input_audio_transcription_completed")])
    audio = StreamedAudioInput()
    session = await OpenAISTTModel("whisper-1", ws_client).create_session(audio, STTModelSettings(), False, False)
    await audio.add_audio(CHUNKS[0])
    await audio.add_audio(None)
    assert [turn async for turn in session.transcribe_turns()] == ["old names"]


async def collect_failure(result: Any) -> tuple[list[str], Exception]:
    """The labels up to the error event, and the error ``stream()`` raised after it."""
    labels: list[str] = []
    try:
        async for event in result.stream():
            labels.append(getattr(event, "event", None) or event.type)
            if isinstance(event, VoiceStreamEventError):
                last = event.error
    except STTWebsocketConnectionError as exc:
        assert exc is last
        return labels, exc
    raise AssertionError(f"the stream ended without an error: {labels}")


async def test_a_server_error_event_ends_the_stream_after_the_turns_before_it(
    ws_server: TranscriptionServer, ws_client: Any
) -> None:
    ws_server.scripts.append([*handshake(), Expect(APPEND), transcript("item_1", "hello"),
                              error("server_error", "the server broke")])
    audio = StreamedAudioInput()
    result = await voice(ws_client, Scripted(["Hi."])).run(audio)
    await audio.add_audio(CHUNKS[0])
    labels, exc = await collect_failure(result)
    assert labels == ["turn_started", "voice_stream_event_audio", "turn_ended", "voice_stream_event_error"]
    assert "the server broke" in str(exc)
    assert ws_server.connections[0].finished().closed_by_client


async def test_a_dropped_connection_is_a_typed_error_and_the_stream_ends(
    ws_server: TranscriptionServer, ws_client: Any, tracing: Tracing
) -> None:
    ws_server.scripts.append([*handshake(), Expect(APPEND), Drop()])
    audio = StreamedAudioInput()
    with run_tracer_scope(tracer_for(tracing.provider)):
        result = await voice(ws_client, Scripted()).run(audio)
    await audio.add_audio(CHUNKS[0])
    labels, exc = await collect_failure(result)
    assert labels == ["voice_stream_event_error"]
    assert "closed unexpectedly" in str(exc) and exc.__cause__ is not None
    (span,) = tracing.named("transcription gpt-4o-transcribe")  # the turn cut short, failed
    assert span.status.is_ok is False and attrs(span)["error.type"].endswith(".STTWebsocketConnectionError")


async def test_a_clean_close_by_the_server_ends_the_session(ws_server: TranscriptionServer, ws_client: Any) -> None:
    ws_server.scripts.append([*handshake(), Expect(APPEND), transcript("item_1", "hello"), Close()])
    audio = StreamedAudioInput()
    result = await voice(ws_client, Scripted(["Hi."])).run(audio)
    await audio.add_audio(CHUNKS[0])
    labels, _, _ = await collect(result)
    assert labels == ["turn_started", "audio", "turn_ended", "session_ended"]


async def test_a_consumer_that_leaves_early_closes_the_session(
    ws_server: TranscriptionServer, ws_client: Any
) -> None:
    ws_server.scripts.append([*handshake(), Expect(APPEND), transcript("item_1", "hello")])
    audio = StreamedAudioInput()
    result = await voice(ws_client, Scripted(["Hi."], ["never said"])).run(audio)
    await audio.add_audio(CHUNKS[0])
    async with contextlib.aclosing(result.stream()) as stream:
        async for event in stream:
            if getattr(event, "event", None) == "turn_started":
                break
    assert result.text_generation_task is not None and result.text_generation_task.done()
    assert ws_server.connections[0].finished().closed_by_client


@pytest.mark.parametrize(("script", "message"), [
    ([error("invalid_api_key", "bad key")], "bad key"),
    ([Send([{"type": "session.created"}]), Expect("session.update"), Drop()], "closed before the session"),
    ([Send(["not json"])], "not a JSON object"),  # type: ignore[list-item]
])
async def test_a_failed_set_up_is_a_typed_error(
    ws_server: TranscriptionServer, ws_client: Any, script: list[Any], message: str
) -> None:
    ws_server.scripts.append(script)
    session = await OpenAISTTModel("whisper-1", ws_client).create_session(
        StreamedAudioInput(), STTModelSettings(), False, False)
    with pytest.raises(STTWebsocketConnectionError, match=message):
        [turn async for turn in session.transcribe_turns()]


async def test_a_set_up_timeout_is_a_typed_error(
    ws_server: TranscriptionServer, ws_client: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(openai_stt_session, "SESSION_CREATION_TIMEOUT", 0.05)
    ws_server.scripts.append([Expect("never sent")])
    session = await OpenAISTTModel("whisper-1", ws_client).create_session(
        StreamedAudioInput(), STTModelSettings(), False, False)
    with pytest.raises(STTWebsocketConnectionError, match=r"Timeout waiting for transcription_session\.created"):
        [turn async for turn in session.transcribe_turns()]
    assert ws_server.connections[0].finished().closed_by_client


async def test_a_refused_connection_is_a_typed_error(refused_openai_base_url: str) -> None:
    client = openai.AsyncOpenAI(api_key="sk-test", base_url=refused_openai_base_url)
    session = await OpenAISTTModel("whisper-1", client).create_session(
        StreamedAudioInput(), STTModelSettings(), False, False)
    with pytest.raises(STTWebsocketConnectionError, match="Could not connect") as caught:
        [turn async for turn in session.transcribe_turns()]
    assert isinstance(caught.value.__cause__, OSError)
    with pytest.raises(UserError, match="once"):
        [turn async for turn in session.transcribe_turns()]


async def test_each_turn_is_a_transcription_span_without_content_by_default(
    ws_server: TranscriptionServer, ws_client: Any, tracing: Tracing, monkeypatch: Any
) -> None:
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    ws_server.scripts.append(two_turns())
    pipeline = voice(ws_client, Scripted(["Hi."], ["Bye."]), stt_settings=STTModelSettings(prompt="names: Ada"))
    with run_tracer_scope(tracer_for(tracing.provider)):
        await run_two_turns(pipeline, StreamedAudioInput())
    root = tracing.named("invoke_workflow Voice Agent")[0]
    spans = tracing.named("transcription gpt-4o-transcribe")
    assert len(spans) == 2 and all(parent_of(span) == root.context.span_id for span in spans)
    assert [attrs(span)["agents_otel.audio.input.size"] for span in spans] == [len(PCM[0] + PCM[1]), len(PCM[2])]
    for span in spans:
        recorded = attrs(span)
        assert span.status.is_ok and recorded["gen_ai.request.model"] == "gpt-4o-transcribe"
        assert not {"gen_ai.input.messages", "gen_ai.output.messages", "agents_otel.voice.model_config"} & set(
            recorded)


async def test_the_flags_record_each_turns_transcript_and_audio(
    ws_server: TranscriptionServer, ws_client: Any, tracing: Tracing
) -> None:
    ws_server.scripts.append(two_turns())
    pipeline = voice(ws_client, Scripted(["Hi."], ["Bye."]), trace_include_sensitive_data=True,
                     trace_include_sensitive_audio_data=True, stt_settings=STTModelSettings(prompt="names: Ada"))
    with run_tracer_scope(tracer_for(tracing.provider)):
        await run_two_turns(pipeline, StreamedAudioInput())
    spans = tracing.named("transcription gpt-4o-transcribe")
    recorded = [attrs(span) for span in spans]
    outputs = [json.loads(r["gen_ai.output.messages"])[0]["parts"][0]["content"] for r in recorded]
    inputs = [json.loads(r["gen_ai.input.messages"])[0]["parts"][0]["content"] for r in recorded]
    assert outputs == ["hello", "goodbye"]
    assert [base64.b64decode(i) for i in inputs] == [PCM[0] + PCM[1], PCM[2]]
    assert json.loads(recorded[0]["agents_otel.voice.model_config"]) == {
        "prompt": "names: Ada", "turn_detection": {"type": "semantic_vad"}}


async def test_the_provider_gives_the_streaming_model_its_client(
    ws_server: TranscriptionServer, ws_client: Any
) -> None:
    ws_server.scripts.append([*handshake(), Expect(APPEND), Expect(COMMIT), transcript("item_1", "hi")])
    workflow = Scripted(["Hello."])
    config = VoicePipelineConfig(model_provider=OpenAIVoiceModelProvider(openai_client=ws_client),
                                 tts_settings=TTSModelSettings(text_splitter=never))
    audio = StreamedAudioInput()
    result = await VoicePipeline(workflow=workflow, tts_model=FakeTTS(), config=config).run(audio)
    await audio.add_audio(CHUNKS[0])
    await audio.add_audio(None)
    labels, _, _ = await collect(result)
    assert labels[-1] == "session_ended" and workflow.heard == ["hi"]


def docs_block(heading: str) -> str:
    """The python block of docs/voice.md under ``heading`` (only compiled by test_docs_run.py: it needs the
    websocket this file fakes)."""
    text = (ROOT / "docs" / "voice.md").read_text()
    section = text.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_the_docs_streamed_example_runs(ws_server: TranscriptionServer, fake_openai: Any) -> None:
    ws_server.scripts.append([*handshake(), Expect(APPEND, 2), transcript("item_1", "What time is it?"),
                              Expect(COMMIT), error("input_audio_buffer_commit_empty")])
    code = docs_block("## Streamed input")
    fake_openai.enqueue(text="It is noon.")
    fake_openai.audio.speech.append(pcm_of("It is noon."))
    preamble = (
        "import openai\n"
        "from agents_otel import set_default_openai_client\n"
        f"set_default_openai_client(openai.AsyncOpenAI(api_key='sk-test', base_url={fake_openai.base_url!r}, "
        f"websocket_base_url={ws_server.http_base_url!r}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OTEL_", "AGENTS_OTEL_"))}
    env.update(PYTHONPATH=str(ROOT), OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=fake_openai.base_url)
    done = subprocess.run([sys.executable, "-c", preamble + code], capture_output=True, text=True, timeout=60,
                          env=env, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert "What time is it?" in done.stdout and "session_ended" in done.stdout
