"""The SDK's ``agents.voice``: a voice pipeline (speech to text, a workflow, text to speech) whose run is traced
as OpenTelemetry spans.

Needs numpy (``pip install 'agents_otel[voice]'``); ``import agents_otel`` does not load it, this package does.
Streamed transcription on OpenAI's model (``OpenAISTTModel.create_session``, the realtime transcription websocket)
also needs websockets (the same extra), imported only when such a session starts.
"""

from __future__ import annotations

from .events import VoiceStreamEvent, VoiceStreamEventAudio, VoiceStreamEventError, VoiceStreamEventLifecycle
from .exceptions import StreamedTranscriptionNotSupportedError, STTWebsocketConnectionError
from .input import AudioInput, StreamedAudioInput
from .model import (
    StreamedTranscriptionSession,
    STTModel,
    STTModelSettings,
    TTSCustomVoice,
    TTSModel,
    TTSModelSettings,
    TTSVoice,
    VoiceModelProvider,
)
from .models.openai_model_provider import OpenAIVoiceModelProvider
from .models.openai_stt import OpenAISTTModel
from .models.openai_stt_session import OpenAISTTTranscriptionSession
from .models.openai_tts import OpenAITTSModel
from .pipeline import VoicePipeline
from .pipeline_config import VoicePipelineConfig
from .result import StreamedAudioResult
from .utils import get_sentence_based_splitter
from .workflow import SingleAgentVoiceWorkflow, SingleAgentWorkflowCallbacks, VoiceWorkflowBase, VoiceWorkflowHelper

__all__ = [
    "AudioInput",
    "OpenAISTTModel",
    "OpenAISTTTranscriptionSession",
    "OpenAITTSModel",
    "OpenAIVoiceModelProvider",
    "STTModel",
    "STTModelSettings",
    "STTWebsocketConnectionError",
    "SingleAgentVoiceWorkflow",
    "SingleAgentWorkflowCallbacks",
    "StreamedAudioInput",
    "StreamedAudioResult",
    "StreamedTranscriptionNotSupportedError",
    "StreamedTranscriptionSession",
    "TTSCustomVoice",
    "TTSModel",
    "TTSModelSettings",
    "TTSVoice",
    "VoiceModelProvider",
    "VoicePipeline",
    "VoicePipelineConfig",
    "VoiceStreamEvent",
    "VoiceStreamEventAudio",
    "VoiceStreamEventError",
    "VoiceStreamEventLifecycle",
    "VoiceWorkflowBase",
    "VoiceWorkflowHelper",
    "get_sentence_based_splitter",
]
