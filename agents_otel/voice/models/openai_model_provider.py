"""``OpenAIVoiceModelProvider``: OpenAI's speech-to-text and text-to-speech models by name, as in the SDK.

Why it resolves clients the way ``OpenAIProvider`` does: a program that configured the default client (key, base
URL, ``set_default_openai_client``) for its agents gets the same client for voice; a client built from options
given here is kept per event loop, since its connection pool cannot outlive the loop it was opened on.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from typing import Any

import openai

from ...exceptions import UserError
from ...models._openai_client import build_client, default_openai_client
from ...openai_registration import OpenAIAgentRegistrationConfig, resolve_registration
from ..model import STTModel, TTSModel, VoiceModelProvider
from .openai_stt import OpenAISTTModel
from .openai_tts import OpenAITTSModel

DEFAULT_STT_MODEL = "gpt-transcribe"
DEFAULT_TTS_MODEL = "gpt-4o-mini-tts"


class OpenAIVoiceModelProvider(VoiceModelProvider):
    """OpenAI voice models on ``openai_client``, on a client built from the options given, or on the default
    client."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        openai_client: openai.AsyncOpenAI | None = None,
        organization: str | None = None,
        project: str | None = None,
        agent_registration: OpenAIAgentRegistrationConfig | Mapping[str, Any] | None = None,
    ) -> None:
        options = {"api_key": api_key, "base_url": base_url, "organization": organization, "project": project}
        self._options = {name: value for name, value in options.items() if value is not None}
        if openai_client is not None and self._options:
            raise UserError(
                "Don't provide api_key, base_url, organization, or project if you provide openai_client "
                f"(got {', '.join(self._options)})"
            )
        self._client = openai_client
        self._agent_registration = resolve_registration(agent_registration)
        self._built: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def agent_registration(self) -> OpenAIAgentRegistrationConfig | None:
        """The agent harness this provider's voice runs belong to, resolved as ``OpenAIProvider`` resolves it (the
        given harness id, else the process default's, else ``$OPENAI_AGENT_HARNESS_ID``); the SDK keeps it for the
        application to read, and so do we."""
        return self._agent_registration

    def _get_client(self) -> openai.AsyncOpenAI:
        if self._client is not None:
            return self._client
        if not self._options:
            return default_openai_client()
        loop = asyncio.get_running_loop()
        client = self._built.get(loop)
        if client is None:
            client = self._built[loop] = build_client(**self._options)
        return client

    def get_stt_model(self, model_name: str | None) -> STTModel:
        """``model_name`` (``None``: ``gpt-transcribe``, as in the SDK since 0.24) as an :class:`OpenAISTTModel`."""
        return OpenAISTTModel(model_name or DEFAULT_STT_MODEL, self._get_client())

    def get_tts_model(self, model_name: str | None) -> TTSModel:
        """``model_name`` (``None``: ``gpt-4o-mini-tts``) as an :class:`OpenAITTSModel`."""
        return OpenAITTSModel(model_name or DEFAULT_TTS_MODEL, self._get_client())


__all__ = ["OpenAIVoiceModelProvider"]
