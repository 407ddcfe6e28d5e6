"""The SDK's ``agents.extensions``: helpers that sit on top of the core API, under the import paths SDK code uses
(``agents.extensions.handoff_prompt`` -> ``agents_otel.extensions.handoff_prompt``, and so on).

Each submodule is imported on its own: ``memory`` and ``visualization`` load optional packages only when asked.
"""

from __future__ import annotations

from .tool_output_trimmer import ToolOutputTrimmer

__all__ = ["ToolOutputTrimmer"]
