"""Tool definitions and tool choice in the shape each OpenAI API expects.

Both APIs describe a function the same way but nest it differently: the Responses API flattens
``{"type": "function", "name", ...}``, Chat Completions wraps it in ``{"type": "function", "function": {...}}``.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from ..computer import COMPUTER_TOOL_CHOICES, ComputerTool
from ..exceptions import UserError
from ..hosted_tools import HOSTED_TOOL_CHOICES, HostedTool
from ..local_tools import LOCAL_TOOL_CLASSES, LocalTool
from ._openai_strict_schema import strict_json_schema
from .interface import MCPToolChoice, ModelSettings, ToolSpec

logger = logging.getLogger(__name__)

Api = Literal["responses", "chat"]
_CHOICE_KEYWORDS = frozenset({"auto", "required", "none"})
_PROGRAMMATIC = "programmatic_tool_calling"
_BUILT_IN_CHOICES = frozenset({*HOSTED_TOOL_CHOICES, _PROGRAMMATIC, "computer_use_preview", "web_search_preview"})
"""Responses ``tool_choice`` values naming a built-in tool type; a function of that name is chosen instead when the
request offers no such built-in tool (the SDK 0.25's rule, #5639)."""
_FEATURES = {"output_schema": "output_json_schema"}
"""A Responses-only field sent under another name than the tool's setting, named by the setting in errors."""


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
        if any(s.namespace is not None or s.definition is not None or s.responses_only for s in specs):
            return _responses_definitions(specs)
        return [{"type": "function", **function_definition(s)} for s in specs]
    for s in specs:
        _refuse_on_chat(s)
    return [{"type": "function", "function": function_definition(s)} for s in specs]


def _refuse_on_chat(spec: ToolSpec) -> None:
    """A Responses-only tool or setting on Chat Completions: a ``UserError``, never the tool sent without it."""
    if spec.definition is not None:
        raise UserError(
            f"Tool {spec.name!r} ({spec.definition.get('type')!r}) is only supported with OpenAI Responses models; "
            "use OpenAIResponsesModel for this agent"
        )
    only = sorted(_FEATURES.get(k, k) for k in spec.responses_only or ())
    features = [*(["tool_namespace()"] if spec.namespace is not None else []), *only]
    if features:
        raise UserError(
            f"Tool {spec.name!r} uses {', '.join(features)}, which only OpenAI Responses models support; "
            "use OpenAIResponsesModel for this agent"
        )


def _responses_definitions(specs: list[ToolSpec]) -> list[dict[str, Any]]:
    """Functions of one ``tool_namespace`` grouped into one ``{"type": "namespace"}`` entry, where its first function
    stood; a ``CustomTool``'s own entry; the Responses-only fields added to each function."""
    out: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for spec in specs:
        if spec.definition is not None:
            out.append(dict(spec.definition))
            continue
        entry = {"type": "function", **function_definition(spec), **(spec.responses_only or {})}
        if spec.namespace is None:
            out.append(entry)
            continue
        name, description = spec.namespace
        group = groups.get(name)
        if group is None:
            group = groups[name] = {"type": "namespace", "name": name, "description": description, "tools": []}
            out.append(group)
        elif group["description"] != description:
            raise UserError(f"All tools in namespace {name!r} must share one description")
        group["tools"].append(entry)
    return out


def tool_choice(choice: str | MCPToolChoice, api: Api) -> str | dict[str, Any]:
    """``auto``/``required``/``none`` pass through; a hosted tool's name (``web_search``, ...) forces that hosted
    tool on the Responses API, as in the SDK; an ``MCPToolChoice`` one hosted MCP server's tool (Responses only);
    any other string names the one function the model must call."""
    if isinstance(choice, MCPToolChoice):
        if api != "responses":
            raise UserError("MCPToolChoice is not supported for Chat Completions models; use OpenAIResponsesModel")
        return {"server_label": choice.server_label, "type": "mcp", "name": choice.name}
    if choice in _CHOICE_KEYWORDS:
        return choice
    if choice == _PROGRAMMATIC:
        if api != "responses":
            raise UserError(
                "tool_choice='programmatic_tool_calling' is only supported with OpenAI Responses models; use "
                "OpenAIResponsesModel for this agent"
            )
        return {"type": _PROGRAMMATIC}
    if api == "responses":
        if choice in _BUILT_IN_CHOICES:
            return {"type": choice}
        return {"type": "function", "name": choice}
    return {"type": "function", "function": {"name": choice}}


def _callable_function(tools: list[dict[str, Any]], name: str) -> bool:
    """Whether ``tools`` (Responses entries) offer a top-level function ``name`` the model may call directly."""
    return any(
        t.get("type") == "function" and t.get("name") == name and not t.get("defer_loading")
        and "direct" in (t.get("allowed_callers") or ["direct"])
        for t in tools
    )  # fmt: skip


def _built_in_or_function(choice: str, tools: list[dict[str, Any]]) -> dict[str, Any]:
    """A built-in tool choice (``web_search``, ...) forces that tool, unless the request offers no such tool but a
    function of that name, which is then the one forced (the SDK 0.25's)."""
    built_in = "web_search" if choice == "web_search_preview" else choice  # WebSearchTool serves both
    if not any(t.get("type") == built_in for t in tools) and _callable_function(tools, choice):
        return {"type": "function", "name": choice}
    return {"type": choice}


def tool_params(
    specs: list[ToolSpec],
    settings: ModelSettings,
    api: Api,
    hosted: list[HostedTool | LocalTool] | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """``tools``, ``tool_choice`` and ``parallel_tool_calls``, all omitted without tools (the APIs reject the latter
    two on a request that has no tools). ``hosted`` tools follow the functions (Responses API only), and add the
    ``include`` values they need; a ``ComputerTool``'s entry depends on ``model`` (preview or GA computer tool)."""
    if settings.tool_choice == _PROGRAMMATIC:  # refused even without tools, as the SDK does
        tool_choice(_PROGRAMMATIC, api)
        if (hosted is not None and not any(t.name == _PROGRAMMATIC for t in hosted)
                and not _callable_function(_responses_definitions(specs), _PROGRAMMATIC)):  # fmt: skip
            raise UserError(
                "tool_choice='programmatic_tool_calling' needs a ProgrammaticToolCallingTool() on the agent"
            )
    if api == "responses" and hosted is not None and (hosted or any(s.responses_only or s.definition for s in specs)):
        check_tool_search(specs, hosted)
    if hosted:
        if api != "responses":
            names = ", ".join(type(t).__name__ for t in hosted)
            if any(isinstance(t, ComputerTool) for t in hosted):
                raise UserError(
                    "ComputerTool needs the OpenAI Responses API: Chat Completions cannot carry computer use "
                    "(computer_call items and screenshots); use OpenAIResponsesModel for this agent"
                )
            if any(isinstance(t, LOCAL_TOOL_CLASSES) for t in hosted):
                raise UserError(
                    f"ShellTool, LocalShellTool and ApplyPatchTool are not supported with the ChatCompletions API "
                    f"(got {names}): only the Responses API has shell_call / apply_patch_call items; use "
                    "OpenAIResponsesModel for this agent"
                )
            raise UserError(
                f"Hosted tools are not supported with the ChatCompletions API (got {names}); use "
                "OpenAIResponsesModel for this agent"
            )
        return _with_hosted(tool_params(specs, settings, api), hosted, settings, model)
    if api == "chat" and isinstance(settings.tool_choice, MCPToolChoice):
        tool_choice(settings.tool_choice, api)  # refused even without tools, as the SDK does
    if not specs:
        return {}
    params: dict[str, Any] = {"tools": tool_definitions(specs, api)}
    if settings.tool_choice is not None:
        choice = settings.tool_choice
        if api == "responses" and isinstance(choice, str) and choice in _BUILT_IN_CHOICES:
            params["tool_choice"] = _built_in_or_function(choice, params["tools"])
        else:
            params["tool_choice"] = tool_choice(choice, api)
    if settings.parallel_tool_calls is not None:
        params["parallel_tool_calls"] = settings.parallel_tool_calls
    return params


def check_tool_search(specs: list[ToolSpec], hosted: list[HostedTool | LocalTool]) -> None:
    """The SDK's rules for deferred tools, tool search and programmatic callers, checked before the request: each
    broken one would be an API error, or a tool the model can never reach."""
    kinds = [t.name for t in hosted]
    searches, programs = kinds.count("tool_search"), kinds.count("programmatic_tool_calling")
    if searches > 1 or programs > 1:
        raise UserError("Only one ToolSearchTool() and one ProgrammaticToolCallingTool() per agent")
    entries = [s.definition or s.responses_only or {} for s in specs]
    entries += [t.tool_param() for t in hosted if t.name == "hosted_mcp"]
    deferred = any(e.get("defer_loading") for e in entries)
    if deferred and not searches:
        raise UserError("Deferred-loading tools (defer_loading=True) need a ToolSearchTool() on the agent")
    if searches and not deferred and not any(s.namespace is not None for s in specs):
        raise UserError(
            "ToolSearchTool() needs something to search: a tool_namespace(...) function tool, a function tool with "
            "defer_loading=True, or a HostedMCPTool with 'defer_loading': True"
        )
    callers = [(s.name, (s.definition or s.responses_only or {}).get("allowed_callers")) for s in specs]
    callers += [(t.name, getattr(t, "allowed_callers", None)) for t in hosted]  # ShellTool, ApplyPatchTool
    eligible = [(name, c) for name, c in callers if c and "programmatic" in c]
    for name, c in eligible:
        if "direct" not in c and not programs:
            raise UserError(f"Tool {name!r} allows only programmatic callers: add ProgrammaticToolCallingTool()")
    if programs and not eligible and not searches:
        raise UserError(
            "ProgrammaticToolCallingTool() needs a tool whose allowed_callers include 'programmatic', or a "
            "ToolSearchTool()"
        )


def _with_hosted(
    params: dict[str, Any], hosted: list[HostedTool | LocalTool], settings: ModelSettings, model: str | None
) -> dict[str, Any]:
    params["tools"] = [
        *params.get("tools", ()),
        *(t.tool_param(model) if isinstance(t, ComputerTool) else t.tool_param() for t in hosted),
    ]
    include = [t.include for t in hosted if t.include is not None]
    if include:
        params["include"] = include
    computer = next((t for t in hosted if isinstance(t, ComputerTool)), None)
    forces_computer = isinstance(settings.tool_choice, str) and settings.tool_choice in COMPUTER_TOOL_CHOICES
    if computer is not None and forces_computer:
        params["tool_choice"] = computer.tool_choice(model)  # the entry's own type, preview or GA
    elif isinstance(settings.tool_choice, str) and settings.tool_choice in _BUILT_IN_CHOICES:
        params["tool_choice"] = _built_in_or_function(settings.tool_choice, params["tools"])  # all tools known now
    elif "tool_choice" not in params and settings.tool_choice is not None:
        params["tool_choice"] = tool_choice(settings.tool_choice, "responses")
    if "parallel_tool_calls" not in params and settings.parallel_tool_calls is not None:
        params["parallel_tool_calls"] = settings.parallel_tool_calls
    return params
