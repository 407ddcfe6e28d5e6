"""The SDK's ``agents.editor`` path: what an ``ApplyPatchTool`` editor receives and returns."""

from __future__ import annotations

from .local_tools import ApplyPatchEditor, ApplyPatchOperation, ApplyPatchOperationType, ApplyPatchResult

__all__ = ["ApplyPatchEditor", "ApplyPatchOperation", "ApplyPatchOperationType", "ApplyPatchResult"]
