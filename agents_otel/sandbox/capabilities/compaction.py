"""``Compaction``: a capability that turns on the Responses API's server-side compaction for a ``SandboxAgent``, as
the SDK's ``agents.sandbox.capabilities.compaction``.

What it does per model call: it asks for ``context_management=[{"type": "compaction", "compact_threshold": N}]``
(``sampling_params``, sent through ``ModelSettings.extra_args``), where ``N`` comes from its ``policy`` — a fixed
token count (``StaticCompactionPolicy``), or a share of the model's context window (``DynamicCompactionPolicy``;
with no policy, the window of a known model name, else the static default) — and it drops what comes before the
latest ``compaction`` item of the input (``process_context``): the server summarized it into that item. The
``compaction`` output item itself is already a ``CompactionItem`` of this runtime and goes back as input.

Why it needs the Responses API: ``context_management`` is a Responses parameter; the Chat Completions client refuses
it (a ``TypeError`` from the ``openai`` package), so a misconfigured agent fails on its first call, loudly.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, field_serializer, field_validator

from ...compaction_item import COMPACTION_TYPE
from .capability import Capability

DEFAULT_COMPACT_THRESHOLD = 240_000
"""Tokens, when neither a policy nor a known model says otherwise (the SDK's default)."""

_CONTEXT_WINDOWS: dict[int, tuple[str, ...]] = {
    1_047_576: (
        "gpt-4.1", "gpt-4.1-2025-04-14", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", "gpt-4.1-nano",
        "gpt-4.1-nano-2025-04-14", "gpt-5.4", "gpt-5.4-2026-03-05", "gpt-5.4-pro", "gpt-5.4-pro-2026-03-05",
        "gpt-5.5", "gpt-5.5-2026-04-23", "gpt-5.5-pro", "gpt-5.5-pro-2026-04-23", "gpt-5.6", "gpt-5.6-sol",
        "gpt-5.6-terra", "gpt-5.6-luna",
    ),
    400_000: (
        "gpt-5", "gpt-5-2025-08-07", "gpt-5-codex", "gpt-5-mini", "gpt-5-mini-2025-08-07", "gpt-5-nano",
        "gpt-5-nano-2025-08-07", "gpt-5-pro", "gpt-5-pro-2025-10-06", "gpt-5.1", "gpt-5.1-2025-11-13",
        "gpt-5.1-codex", "gpt-5.1-codex-max", "gpt-5.1-codex-mini", "gpt-5.2", "gpt-5.2-2025-12-11", "gpt-5.2-codex",
        "gpt-5.2-pro", "gpt-5.2-pro-2025-12-11", "gpt-5.3-codex", "gpt-5.4-mini", "gpt-5.4-mini-2026-03-17",
        "gpt-5.4-nano", "gpt-5.4-nano-2026-03-17",
    ),
    200_000: (
        "codex-mini-latest", "o1", "o1-2024-12-17", "o1-pro", "o1-pro-2025-03-19", "o3", "o3-2025-04-16",
        "o3-deep-research", "o3-deep-research-2025-06-26", "o3-mini", "o3-mini-2025-01-31", "o3-pro",
        "o3-pro-2025-06-10", "o4-mini", "o4-mini-2025-04-16", "o4-mini-deep-research",
        "o4-mini-deep-research-2025-06-26",
    ),
    128_000: (
        "gpt-4o", "gpt-4o-2024-05-13", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "gpt-4o-mini",
        "gpt-4o-mini-2024-07-18", "gpt-5-chat-latest", "gpt-5.1-chat-latest", "gpt-5.2-chat-latest",
        "gpt-5.3-chat-latest",
    ),
}  # fmt: skip


def _lookup_key(model: str) -> str:
    """Model names compared without case, an ``openai/`` prefix, dots or dashes (``gpt-5-2`` is ``gpt-5.2``)."""
    return model.strip().lower().removeprefix("openai/").replace(".", "").replace("-", "")


_WINDOW_BY_KEY = {_lookup_key(name): window for window, names in _CONTEXT_WINDOWS.items() for name in names}


class CompactionModelInfo(BaseModel):
    """A model's context window, in tokens."""

    context_window: int

    @classmethod
    def maybe_for_model(cls, model: str) -> CompactionModelInfo | None:
        window = _WINDOW_BY_KEY.get(_lookup_key(model))
        return None if window is None else cls(context_window=window)

    @classmethod
    def for_model(cls, model: str) -> CompactionModelInfo:
        info = cls.maybe_for_model(model)
        if info is None:
            raise ValueError(f"Unknown context window for model: {model!r}")
        return info


class CompactionPolicy(BaseModel, abc.ABC):
    """When the server compacts: subclass it for a threshold of your own."""

    type: str

    @abc.abstractmethod
    def compaction_threshold(self, sampling_params: dict[str, Any]) -> int:
        """The input size, in tokens, past which the server compacts."""


class StaticCompactionPolicy(CompactionPolicy):
    type: Literal["static"] = "static"
    threshold: int = Field(default=DEFAULT_COMPACT_THRESHOLD)

    def compaction_threshold(self, sampling_params: dict[str, Any]) -> int:
        return self.threshold


class DynamicCompactionPolicy(CompactionPolicy):
    """A share (``threshold``, 0 to 1) of the model's context window."""

    type: Literal["dynamic"] = "dynamic"
    model_info: CompactionModelInfo
    threshold: float = Field(ge=0, le=1, default=0.9)

    def compaction_threshold(self, sampling_params: dict[str, Any]) -> int:
        return int(self.model_info.context_window * self.threshold)


_POLICIES: dict[str, type[CompactionPolicy]] = {"static": StaticCompactionPolicy, "dynamic": DynamicCompactionPolicy}


class Compaction(Capability):
    type: Literal["compaction"] = "compaction"
    policy: CompactionPolicy | None = Field(default=None)

    @field_validator("policy", mode="before")
    @classmethod
    def _validate_policy(cls, value: object) -> object:
        if isinstance(value, Mapping):
            policy_cls = _POLICIES.get(str(value.get("type")))
            if policy_cls is None:
                raise ValueError(f"Unsupported compaction policy type: {value.get('type')!r}")
            return policy_cls.model_validate(dict(value))
        return value

    @field_serializer("policy", when_used="always", return_type=dict[str, Any])
    def _serialize_policy(self, policy: CompactionPolicy | None) -> dict[str, Any] | None:
        return None if policy is None else policy.model_dump()

    def _policy_for(self, sampling_params: dict[str, Any]) -> CompactionPolicy:
        if self.policy is not None:
            return self.policy
        model = sampling_params.get("model")
        info = CompactionModelInfo.maybe_for_model(model) if isinstance(model, str) and model else None
        return StaticCompactionPolicy() if info is None else DynamicCompactionPolicy(model_info=info)

    def sampling_params(self, sampling_params: dict[str, Any]) -> dict[str, Any]:
        threshold = self._policy_for(sampling_params).compaction_threshold(sampling_params)
        return {"context_management": [{"type": COMPACTION_TYPE, "compact_threshold": threshold}]}

    def process_context(self, context: list[Any]) -> list[Any]:
        """The input from its latest ``compaction`` item on (all of it when there is none)."""
        for index in range(len(context) - 1, -1, -1):
            item = context[index]
            kind = item.get("type") if isinstance(item, Mapping) else getattr(item, "type", None)
            if kind == COMPACTION_TYPE:
                return context[index:]
        return context
