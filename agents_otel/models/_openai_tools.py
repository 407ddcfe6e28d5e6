"""Tool definitions and tool choice in the shape each OpenAI API expects.

Both APIs describe a function the same way but nest it differently: the Responses API flattens
``{"type": "function", "name", ...}``, Chat Completions wraps it in ``{"type": "function", "function": {...}}``.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from ..exceptions import UserError
from ..hosted_tools import HOSTED_TOOL_CHOICES, HostedTool
from ._openai_strict_schema import strict_json_schema
from .interface import ModelSettings, ToolSpec

logger = logging.getLogger(__name__)

Api = Literal["responses", "chat"]
_CHOICE_KEYWORDS = frozenset({"auto", "required", "none"})


def function_definition(spec: ToolSpec) -> dict[str, Any]:
    """Name, description, parameters and ``strict``: strict only when the schema allows it unchanged."""
    parameters = strict_json_schema(spec.parameters) if spec.strict else None
    if spec.strict and parameters is None:
        logger.debug("Tool %r is sent non-strict: its schema has optional fields or open objects", spec.name)
    definition: dict[str, Any] = {"name": spec.name}
    if spec.description:
        definition["description"] = spec.description
    definition["parameters"] = parameters if parameters is not None else spec.parameters
    definition["strict"] = parameters is not None
    return definition


def tool_definitions(specs: list[ToolSpec], api: Api) -> list[dict[str, Any]]:
    if api == "responses":
        return [{"type": "function", **function_definition(s)} for s in specs]
    return [{"type": "function", "function": function_definition(s)} for s in specs]


def tool_choice(choice: str, api: Api) -> str | dict[str, Any]:
    """``auto``/``required``/``none`` pass through; a hosted tool's name (``web_search``, ...) forces that hosted
    tool on the Responses API, as in the SDK; any other string names the one function the model must call."""
    if choice in _CHOICE_KEYWORDS:
        return choice
    if api == "responses":
        if choice in HOSTED_TOOL_CHOICES:
            return {"type": choice}
        return {"type": "function", "name": choice}
    return {"type": "function", "function": {"name": choice}}


def tool_params(
    specs: list[ToolSpec], settings: ModelSettings, api: Api, hosted: list[HostedTool] | None = None
) -> dict[str, Any]:
    """``tools``, ``tool_choice`` and ``parallel_tool_calls``, all omitted without tools (the APIs reject the latter
    two on a request that has no tools). ``hosted`` tools follow the functions (Responses API only), and add the
    ``include`` values they need."""
    if hosted:
        if api != "responses":
            raise UserError(
                "Hosted tools are not supported with the ChatCompletions API "
                f"(got {', '.join(type(t).__name__ for t in hosted)}); use OpenAIResponsesModel for this agent"
            )
        return _with_hosted(tool_params(specs, settings, api), hosted, settings)
    if not specs:
        return {}
    params: dict[str, Any] = {"tools": tool_definitions(specs, api)}
    if settings.tool_choice is not None:
        params["tool_choice"] = tool_choice(settings.tool_choice, api)
    if settings.parallel_tool_calls is not None:
        params["parallel_tool_calls"] = settings.parallel_tool_calls
    return params


def _with_hosted(params: dict[str, Any], hosted: list[HostedTool], settings: ModelSettings) -> dict[str, Any]:
    params["tools"] = [*params.get("tools", ()), *(t.tool_param() for t in hosted)]
    include = [t.include for t in hosted if t.include is not None]
    if include:
        params["include"] = include
    if "tool_choice" not in params and settings.tool_choice is not None:
        params["tool_choice"] = tool_choice(settings.tool_choice, "responses")
    if "parallel_tool_calls" not in params and settings.parallel_tool_calls is not None:
        params["parallel_tool_calls"] = settings.parallel_tool_calls
    return params
