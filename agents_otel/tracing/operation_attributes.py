"""The attributes the ``chat`` and ``invoke_agent`` spans share: request parameters, usage, finish reasons, content.

One place so the agent span reads like its model calls (the conventions give ``invoke_agent`` the same request,
usage, finish-reason and opt-in content attributes as an inference span), and so both spans can never drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..items import ConversationItem
from ..models.interface import ModelResponse, ModelSettings, ToolSpec, Usage
from . import attributes as A
from .messages import messages_json, system_instructions_json, tool_definitions_json


def request_parameter_attributes(settings: ModelSettings) -> dict[str, Any]:
    """``gen_ai.request.*`` for the sampling parameters that were set."""
    attributes: dict[str, Any] = {}
    if settings.temperature is not None:
        attributes[A.GEN_AI_REQUEST_TEMPERATURE] = settings.temperature
    if settings.top_p is not None:
        attributes[A.GEN_AI_REQUEST_TOP_P] = settings.top_p
    if settings.max_tokens is not None:
        attributes[A.GEN_AI_REQUEST_MAX_TOKENS] = settings.max_tokens
    if settings.frequency_penalty is not None:
        attributes[A.GEN_AI_REQUEST_FREQUENCY_PENALTY] = settings.frequency_penalty
    if settings.presence_penalty is not None:
        attributes[A.GEN_AI_REQUEST_PRESENCE_PENALTY] = settings.presence_penalty
    return attributes


def input_content_attributes(
    system_instructions: str | None, input_items: Sequence[ConversationItem], tools: Sequence[ToolSpec]
) -> dict[str, Any]:
    """The opt-in request content: input messages, system instructions, tool definitions (content capture only)."""
    attributes: dict[str, Any] = {A.GEN_AI_INPUT_MESSAGES: messages_json(input_items)}
    if system_instructions:
        attributes[A.GEN_AI_SYSTEM_INSTRUCTIONS] = system_instructions_json(system_instructions)
    if tools:
        attributes[A.GEN_AI_TOOL_DEFINITIONS] = tool_definitions_json(tools)
    return attributes


def usage_attributes(usage: Usage) -> dict[str, Any]:
    """Token counts; the cache and reasoning details only when the provider reported some (a model that does not
    report them must not read as "no cache hit")."""
    attributes: dict[str, Any] = {
        A.GEN_AI_USAGE_INPUT_TOKENS: usage.input_tokens,
        A.GEN_AI_USAGE_OUTPUT_TOKENS: usage.output_tokens,
    }
    if usage.input_tokens_details.cached_tokens:
        attributes[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.input_tokens_details.cached_tokens
    if usage.output_tokens_details.reasoning_tokens:
        attributes[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.output_tokens_details.reasoning_tokens
    return attributes


def response_attributes(response: ModelResponse, capture_content: bool) -> dict[str, Any]:
    """What one model response tells the ``chat`` span: usage, ids, finish reasons, and (opt-in) its messages."""
    attributes = usage_attributes(response.usage)
    if response.model:
        attributes[A.GEN_AI_RESPONSE_MODEL] = response.model
    if response.response_id:
        attributes[A.GEN_AI_RESPONSE_ID] = response.response_id
    if response.finish_reasons:
        attributes[A.GEN_AI_RESPONSE_FINISH_REASONS] = list(response.finish_reasons)
    if capture_content:
        attributes[A.GEN_AI_OUTPUT_MESSAGES] = messages_json(response.output)
    return attributes


__all__ = ["input_content_attributes", "request_parameter_attributes", "response_attributes", "usage_attributes"]
