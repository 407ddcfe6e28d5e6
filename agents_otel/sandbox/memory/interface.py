"""What phase one answers (``RolloutExtractionArtifacts``) and the error a failed generation records."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from ...exceptions import AgentsOtelError


class RolloutExtractionArtifacts(BaseModel):
    """Phase one's structured answer for one rollout: all three empty means "nothing worth remembering"."""

    rollout_slug: str
    rollout_summary: str
    raw_memory: str


MemoryPhase = Literal["record", "phase_one", "phase_two"]


class MemoryGenerationError(AgentsOtelError):
    """A step of memory generation failed. Why not raised: generation runs when the session closes, after the run
    has its result, and the SDK logs such failures; this error is what the ``sandbox.generate_memory`` span records
    and the log carries (its ``__cause__`` is the underlying error), so the failure is visible and typed."""

    def __init__(self, phase: MemoryPhase, message: str, rollout_id: str | None = None) -> None:
        super().__init__(message)
        self.phase: MemoryPhase = phase
        self.rollout_id = rollout_id
