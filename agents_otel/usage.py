"""The SDK's ``agents.usage`` path: token usage of a model call or a whole run.

Per-request usage entries (the SDK's ``RequestUsage``, ``Usage.request_usage_entries``) are not recorded: each
model call's usage is on its ``chat`` span and in ``result.raw_responses``; importing ``RequestUsage`` says so.
"""

from __future__ import annotations

from ._sdk_paths import not_supported
from .models.interface import InputTokensDetails, OutputTokensDetails, Usage

__all__ = ["InputTokensDetails", "OutputTokensDetails", "Usage"]

__getattr__ = not_supported(
    __name__,
    {
        "RequestUsage": (
            "per-request usage entries are not recorded; each model call's usage is on its chat span and in "
            "result.raw_responses[i].usage"
        ),
    },
)
