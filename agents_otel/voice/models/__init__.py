"""OpenAI's voice models and their provider, as the SDK's ``agents.voice.models``."""

from __future__ import annotations

from .openai_model_provider import OpenAIVoiceModelProvider
from .openai_stt import OpenAISTTModel
from .openai_tts import OpenAITTSModel

__all__ = ["OpenAISTTModel", "OpenAITTSModel", "OpenAIVoiceModelProvider"]
