"""Token usage from either OpenAI API, with the cached-input and reasoning-output details both report.

Chat Completions says ``prompt_tokens`` / ``completion_tokens`` with ``prompt_tokens_details.cached_tokens`` and
``completion_tokens_details.reasoning_tokens``; the Responses API says ``input_tokens`` / ``output_tokens`` with
``input_tokens_details`` / ``output_tokens_details``. Details may be absent (older servers, compatible providers).
"""

from __future__ import annotations

from typing import Any

from .interface import InputTokensDetails, OutputTokensDetails, Usage


def usage_from_openai(usage: Any) -> Usage:
    """``Usage`` from an OpenAI ``CompletionUsage`` or ``ResponseUsage`` (``None``: all zero)."""
    if usage is None:
        return Usage()
    if hasattr(usage, "prompt_tokens"):
        return Usage(
            input_tokens=usage.prompt_tokens or 0,
            output_tokens=usage.completion_tokens or 0,
            input_tokens_details=InputTokensDetails(_detail(usage, "prompt_tokens_details", "cached_tokens")),
            output_tokens_details=OutputTokensDetails(_detail(usage, "completion_tokens_details", "reasoning_tokens")),
        )
    return Usage(
        input_tokens=usage.input_tokens or 0,
        output_tokens=usage.output_tokens or 0,
        input_tokens_details=InputTokensDetails(_detail(usage, "input_tokens_details", "cached_tokens")),
        output_tokens_details=OutputTokensDetails(_detail(usage, "output_tokens_details", "reasoning_tokens")),
    )


def _detail(usage: Any, details: str, field: str) -> int:
    value = getattr(getattr(usage, details, None), field, None)
    return value if isinstance(value, int) else 0
