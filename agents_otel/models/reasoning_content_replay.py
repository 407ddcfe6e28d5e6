"""The SDK's ``agents.models.reasoning_content_replay``: whether a provider's reasoning text goes back to it.

A reasoning item read from a Chat Completions answer's ``reasoning_content`` (DeepSeek's field, see
``models/_chat_reasoning``) can be sent back on the next request, in the assistant message of the turn that made
it, as ``reasoning_content``. ``OpenAIChatCompletionsModel`` / ``LitellmModel(should_replay_reasoning_content=...)``
take a hook deciding it per item from a :class:`ReasoningContentReplayContext`; without one,
:func:`default_should_replay_reasoning_content` decides: only to a DeepSeek model, and only reasoning that a
DeepSeek model wrote or whose origin is unknown (DeepSeek's thinking mode requires it back across tool calls, and
another family's reasoning would mislead it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ReasoningContentReplayContext",
    "ReasoningContentSource",
    "ShouldReplayReasoningContent",
    "default_should_replay_reasoning_content",
]


@dataclass
class ReasoningContentSource:
    """The reasoning item that could be replayed."""

    item: Any
    """The item as it goes back to the model (its JSON: ``summary``, ``provider_data``, ...)."""
    origin_model: str | None
    """The model whose answer held it (``provider_data["model"]``); ``None`` when not recorded."""
    provider_data: Mapping[str, Any]
    """What the item keeps of its provider: the model's name, the completion's id, Anthropic's thinking blocks."""


@dataclass
class ReasoningContentReplayContext:
    """What a replay hook decides on: the request's model and endpoint, and the reasoning item."""

    model: str
    """The model the next Chat Completions request is for."""
    base_url: str | None
    """The endpoint it goes to (without a trailing ``/``), when known: a proxy or gateway can be told apart."""
    reasoning: ReasoningContentSource


ShouldReplayReasoningContent = Callable[[ReasoningContentReplayContext], bool]
"""A hook: ``True`` sends the item's summary text back as the assistant message's ``reasoning_content``."""


def default_should_replay_reasoning_content(context: ReasoningContentReplayContext) -> bool:
    """``True`` for a request to a DeepSeek model (by name) when the reasoning came from a DeepSeek model, or when
    the item records no provider at all (thinking blocks aside), as the SDK decides."""
    if "deepseek" not in context.model.lower():
        return False
    origin = context.reasoning.origin_model
    if origin is not None and "deepseek" in origin.lower():
        return True
    return not any(key != "thinking_blocks" for key in context.reasoning.provider_data)
