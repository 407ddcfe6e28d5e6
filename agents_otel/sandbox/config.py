"""The SDK's ``agents.sandbox.config``: the memory capability's configuration records.

Records only: the ``Memory`` capability that holds them lives in ``capabilities/memory``, and the generation they
configure in ``memory/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from openai.types.shared import Reasoning

from ..exceptions import UserError
from ..models.interface import Model, ModelSettings

DEFAULT_PYTHON_SANDBOX_IMAGE: Final = "python:3.14-slim"


def _medium_reasoning() -> ModelSettings:
    return ModelSettings(reasoning=Reasoning(effort="medium"))


@dataclass
class MemoryLayoutConfig:
    """Where memory lives in the workspace: consolidated memories and per-run session artifacts."""

    memories_dir: str = "memories"
    sessions_dir: str = "sessions"


def _settings(value: object, name: str) -> ModelSettings | None:
    if value is None or isinstance(value, ModelSettings):
        return value
    if isinstance(value, dict):
        return ModelSettings(**value)
    raise UserError(f"MemoryGenerateConfig.{name} must be ModelSettings, a dict of its fields or None")


@dataclass
class MemoryGenerateConfig:
    """How memories are extracted from a run (phase one) and consolidated (phase two) when the session closes."""

    max_raw_memories_for_consolidation: int = 256
    phase_one_model: str | Model = "gpt-5.4-mini"
    phase_one_model_settings: ModelSettings | None = field(default_factory=_medium_reasoning)
    phase_two_model: str | Model = "gpt-5.5"
    phase_two_model_settings: ModelSettings | None = field(default_factory=_medium_reasoning)
    extra_prompt: str | None = None
    phase_two_max_turns: int = 500
    """Turns the phase-two consolidation agent may take (its own run: the application's ``max_turns`` does not
    apply). Running out is the run's ``MaxTurnsExceeded``: the phase fails as any failure does (logged, on the
    ``sandbox.generate_memory`` span, the selection not recorded); what it already wrote stays. As in the SDK
    (0.23)."""

    def __post_init__(self) -> None:
        self.phase_one_model_settings = _settings(self.phase_one_model_settings, "phase_one_model_settings")
        self.phase_two_model_settings = _settings(self.phase_two_model_settings, "phase_two_model_settings")
        if not 0 < self.max_raw_memories_for_consolidation <= 4096:
            raise ValueError("MemoryGenerateConfig.max_raw_memories_for_consolidation must be between 1 and 4096")
        turns = self.phase_two_max_turns
        if isinstance(turns, bool) or not isinstance(turns, int) or turns < 1:
            raise ValueError(f"MemoryGenerateConfig.phase_two_max_turns must be a positive int, got {turns!r}")


@dataclass
class MemoryReadConfig:
    """How the agent reads memory: whether it may update stale memory files in place during a run."""

    live_update: bool = True
