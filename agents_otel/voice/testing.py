"""The SDK's ``agents.voice.testing`` path.

The SDK's scripted speech-to-text, text-to-speech and workflow doubles are not built here yet; importing one says
so (rather than a bare "cannot import name") and points to what works today.
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

_REASON = (
    "the scripted voice test doubles are not built yet; test a VoicePipeline with an STTModel / TTSModel subclass "
    "of your own and an agent on agents_otel.testing.ScriptedModel"
)

__getattr__ = not_supported(
    __name__,
    {
        name: _REASON
        for name in (
            "STTCall",
            "STTSessionCall",
            "ScriptedSTTModel",
            "ScriptedTTSModel",
            "ScriptedTranscriptionSession",
            "ScriptedVoiceWorkflow",
            "TTSCall",
            "TTSResult",
            "UnconsumedVoiceSteps",
            "UnexpectedVoiceCall",
            "VoiceScriptError",
            "pcm16_samples",
        )
    },
)
