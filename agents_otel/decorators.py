"""The SDK's ``agents.decorators`` path: the decorators that define tools and guardrails, in one import.

``tool`` is ``function_tool`` under a shorter name, as in the SDK (where it is not in the package root either).
"""

from __future__ import annotations

from .guardrails import input_guardrail, output_guardrail
from .tool import function_tool
from .tool_guardrails import tool_input_guardrail, tool_output_guardrail

tool = function_tool

__all__ = [
    "function_tool",
    "input_guardrail",
    "output_guardrail",
    "tool",
    "tool_input_guardrail",
    "tool_output_guardrail",
]
