"""The SDK's ``agents.sandbox.memory``: memory *generation* for a ``SandboxAgent`` with ``Memory(generate=...)``.

How it flows: at the end of each run segment the run's conversation is appended to a rollout file
(``<sessions_dir>/<rollout_id>.jsonl``, ``rollouts``); when the sandbox session closes, each rollout is summarized by
one model call (phase one) and the summaries are consolidated by an agent that edits ``MEMORY.md`` and
``memory_summary.md`` (phase two), all under one ``sandbox.generate_memory`` span (``manager``). The files and their
layout are the SDK's, so a later run's reading ``Memory`` finds them.
"""

from .interface import MemoryGenerationError, RolloutExtractionArtifacts

__all__ = ["MemoryGenerationError", "RolloutExtractionArtifacts"]
