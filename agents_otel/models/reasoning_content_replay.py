"""The SDK's ``agents.models.reasoning_content_replay`` path.

The SDK replays a provider's reasoning text (DeepSeek ``reasoning_content`` and the like) in later Chat Completions
requests when a hook says so; agents_otel sends no reasoning text back (``should_replay_reasoning_content`` other
than ``None`` is a ``UserError``), so the hook's types are not offered and importing them says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported

__all__: list[str] = []

_REASON = "reasoning content is not replayed to Chat Completions providers (should_replay_reasoning_content)"

__getattr__ = not_supported(
    __name__,
    {
        name: _REASON
        for name in (
            "ReasoningContentReplayContext",
            "ReasoningContentSource",
            "ShouldReplayReasoningContent",
            "default_should_replay_reasoning_content",
        )
    },
)
