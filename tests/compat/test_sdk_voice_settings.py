"""Compatibility: the voice settings the SDK added in 0.23 / 0.24, on the wire against the fake servers.

As in the SDK: ``STTModelSettings(languages=, keywords=)`` (keyword-only) reach a streamed session's
``session.update`` (``languages`` in place of ``language``; the keywords are content on the span); a whole
recording on ``gpt-transcribe`` sends its language as a ``languages`` list; the provider's default STT model is
``gpt-transcribe``; ``TTSModelSettings.text_splitter`` is a class default; ``VoicePipelineConfig(tracing=...)`` is
the pipeline trace's ``TracingConfig`` (a legacy third positional bool is still ``trace_include_sensitive_data``);
``SingleAgentVoiceWorkflow(agent, context=...)`` gives every run that context.
Learnt from the SDK's tests/voice/test_openai_stt_session_config.py, test_pipeline.py and test_workflow.py.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np
import openai
import pytest
from fake_openai.transcription_ws import Expect, TranscriptionServer, error, handshake, running
from opentelemetry import context as context_api
from sdk_span_support import attrs, one
from support import Tracing
from voice_support import FakeSTT, FakeTTS, Scripted, collect

from agents_otel import Agent, RunContextWrapper, UserError
from agents_otel.testing import ScriptedModel, assistant_message
from agents_otel.tracing.config import TRACING_KEY_CONTEXT_KEY
from agents_otel.tracing.provider import run_tracer_scope, tracer_for
from agents_otel.voice import (
    AudioInput,
    OpenAISTTModel,
    OpenAIVoiceModelProvider,
    SingleAgentVoiceWorkflow,
    StreamedAudioInput,
    STTModelSettings,
    TTSModelSettings,
    VoicePipeline,
    VoicePipelineConfig,
    get_sentence_based_splitter,
)

SILENCE = AudioInput(buffer=np.zeros(4, dtype=np.int16))


@pytest.fixture
def ws_server() -> Iterator[TranscriptionServer]:
    yield from running()


@pytest.fixture
async def ws_client(ws_server: TranscriptionServer) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(api_key="sk-test", base_url=ws_server.http_base_url, max_retries=0) as client:
        yield client


async def sent_transcription(server: TranscriptionServer, client: Any, model: str, settings: STTModelSettings,
                             include_text: bool = False) -> dict[str, Any]:
    """The ``transcription`` object of the session's ``session.update``."""
    server.scripts.append([*handshake(), Expect("input_audio_buffer.commit"), error("input_audio_buffer_commit_empty")])
    audio = StreamedAudioInput()
    session = await OpenAISTTModel(model, client).create_session(audio, settings, include_text, False)
    await audio.add_audio(None)
    assert [turn async for turn in session.transcribe_turns()] == []
    (update,) = server.connections[0].finished().of_type("session.update")
    transcription: dict[str, Any] = update["session"]["audio"]["input"]["transcription"]
    return transcription


def test_languages_and_keywords_are_keyword_only_fields() -> None:
    settings = STTModelSettings("p", "en", languages=["en", "fr"], keywords=["Ada"])
    assert (settings.languages, settings.keywords) == (["en", "fr"], ["Ada"])
    assert (STTModelSettings().languages, STTModelSettings().keywords) == (None, None)
    with pytest.raises(TypeError):
        STTModelSettings(None, None, None, None, ["en"])  # type: ignore[misc]


async def test_a_streamed_session_sends_languages_and_keywords(ws_server: TranscriptionServer, ws_client: Any) -> None:
    settings = STTModelSettings(language="de", languages=["en", "fr"], keywords=["Ada", "Lovelace"], prompt="p")
    assert await sent_transcription(ws_server, ws_client, "gpt-transcribe", settings) == {
        "model": "gpt-transcribe", "languages": ["en", "fr"], "prompt": "p", "keywords": ["Ada", "Lovelace"]}


async def test_languages_win_over_language_on_any_model(ws_server: TranscriptionServer, ws_client: Any) -> None:
    settings = STTModelSettings(language="de", languages=["it"])
    assert await sent_transcription(ws_server, ws_client, "gpt-4o-transcribe", settings) == {
        "model": "gpt-4o-transcribe", "languages": ["it"]}


@pytest.mark.parametrize("include_text", [False, True])
async def test_the_turn_span_records_the_keywords_only_as_content(
    ws_server: TranscriptionServer, ws_client: Any, tracing: Tracing, include_text: bool
) -> None:
    ws_server.scripts.append([*handshake(), Expect("input_audio_buffer.append"), Expect("input_audio_buffer.commit"),
                              error("input_audio_buffer_commit_empty")])
    settings = STTModelSettings(languages=["en"], keywords=["Ada"])
    audio = StreamedAudioInput()
    with run_tracer_scope(tracer_for(tracing.provider)):
        session = await OpenAISTTModel("gpt-transcribe", ws_client).create_session(audio, settings, include_text,
                                                                                 False)
        await audio.add_audio(np.array([1, 2], dtype=np.int16))
        await audio.add_audio(None)
        assert [turn async for turn in session.transcribe_turns()] == []
    recorded = attrs(one(tracing, "transcription gpt-transcribe"))
    config = str(recorded.get("agents_otel.voice.model_config"))
    assert ("Ada" in config and "languages" in config) is include_text


async def test_a_recording_on_gpt_transcribe_sends_its_language_as_a_list(fake_openai: Any, client: Any) -> None:
    fake_openai.audio.transcripts.append("hallo")
    settings = STTModelSettings(language="de")
    assert await OpenAISTTModel("gpt-transcribe", client).transcribe(SILENCE, settings, False, False) == "hallo"
    body = fake_openai.requests_to("/audio/transcriptions")[0].body
    assert "language" not in body
    assert [value for key, value in body.items() if key.startswith("languages")] == ["de"]


async def test_a_recording_warns_that_languages_and_keywords_are_for_streams(
    fake_openai: Any, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fake_openai.audio.transcripts.append("ok")
    with caplog.at_level(logging.WARNING, logger="agents_otel.voice"):
        await OpenAISTTModel("whisper-1", client).transcribe(SILENCE, STTModelSettings(keywords=["Ada"]), False, False)
    assert "streamed session" in caplog.text
    assert not any(key.startswith(("languages", "keywords")) for key in fake_openai.requests_to(
        "/audio/transcriptions")[0].body)


async def test_the_default_stt_model_is_gpt_transcribe(client: Any) -> None:
    assert OpenAIVoiceModelProvider(openai_client=client).get_stt_model(None).model_name == "gpt-transcribe"


def test_text_splitter_is_a_class_default_that_splits_sentences() -> None:
    default = TTSModelSettings.text_splitter
    assert TTSModelSettings().text_splitter is default
    assert default("One sentence that is long enough. Then more") == get_sentence_based_splitter()(
        "One sentence that is long enough. Then more")


class SeesTracingKey(Scripted):
    seen: list[object] = []

    async def run(self, transcription: str) -> AsyncIterator[str]:
        self.seen.append(context_api.get_value(TRACING_KEY_CONTEXT_KEY))
        yield "ok."


async def test_the_pipeline_tracing_config_is_its_traces() -> None:
    workflow = SeesTracingKey()
    config = VoicePipelineConfig(tracing={"api_key": "sk-voice"})
    result = await VoicePipeline(workflow=workflow, stt_model=FakeSTT(["hi"]), tts_model=FakeTTS(),
                                 config=config).run(SILENCE)
    await collect(result)
    assert workflow.seen == ["sk-voice"]
    with pytest.raises(UserError, match="VoicePipelineConfig tracing: unknown key"):
        VoicePipelineConfig(tracing={"key": "k"})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(UserError, match="include_task_and_turn_spans"):
        VoicePipelineConfig(tracing={"include_task_and_turn_spans": True})


def test_a_third_positional_bool_is_still_the_text_flag() -> None:
    provider = OpenAIVoiceModelProvider()
    legacy = VoicePipelineConfig(provider, False, False, True)  # type: ignore[call-arg, arg-type]
    assert (legacy.tracing, legacy.trace_include_sensitive_data, legacy.trace_include_sensitive_audio_data) == (
        None, False, True)
    current = VoicePipelineConfig(provider, False, {"api_key": "k"}, True)
    assert (current.tracing, current.trace_include_sensitive_data) == ({"api_key": "k"}, True)


async def test_single_agent_workflow_gives_each_run_its_context() -> None:
    seen: list[object] = []

    def instructions(wrapper: RunContextWrapper[Any], agent: Agent[Any]) -> str:
        seen.append(wrapper.context)
        return "Answer."

    app_context = {"user": "ada"}
    model = ScriptedModel([[assistant_message("One.")]])
    workflow = SingleAgentVoiceWorkflow(Agent(name="A", instructions=instructions, model=model), context=app_context)
    result = await VoicePipeline(workflow=workflow, stt_model=FakeSTT(["hi"]), tts_model=FakeTTS()).run(SILENCE)
    await collect(result)
    assert seen == [app_context] and seen[0] is app_context


def test_the_imports_module_offers_websockets_as_the_sdks_does() -> None:
    import websockets

    from agents_otel.voice import imports

    namespace: dict[str, Any] = {}
    exec("from agents_otel.voice.imports import websockets", namespace)
    assert namespace["websockets"] is websockets is imports.websockets_module()
    with pytest.raises(AttributeError):
        imports.no_such_name  # noqa: B018


def test_the_voice_provider_resolves_its_agent_registration_as_the_agent_provider_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agents_otel import OpenAIAgentRegistrationConfig
    from agents_otel.voice import OpenAIVoiceModelProvider

    monkeypatch.delenv("OPENAI_AGENT_HARNESS_ID", raising=False)
    given = OpenAIVoiceModelProvider(agent_registration={"harness_id": " voice-app "})
    assert given.agent_registration == OpenAIAgentRegistrationConfig("voice-app")
    assert OpenAIVoiceModelProvider().agent_registration is None
    monkeypatch.setenv("OPENAI_AGENT_HARNESS_ID", "from-env")
    assert OpenAIVoiceModelProvider().agent_registration == OpenAIAgentRegistrationConfig("from-env")
