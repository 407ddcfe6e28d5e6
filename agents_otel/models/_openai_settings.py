"""``ModelSettings`` as request parameters of each OpenAI API, as the OpenAI Agents SDK sends them.

The two APIs share the sampling parameters except the output-token cap (``max_output_tokens`` on Responses,
``max_tokens`` on Chat Completions); each has parameters the other lacks, and a setting the chosen API cannot take
is a ``UserError`` rather than a parameter silently not sent. ``extra_args`` come last so a caller can override
anything.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import UserError
from ._openai_tools import Api
from .interface import ModelSettings

_MAX_TOKENS_PARAM: dict[Api, str] = {"responses": "max_output_tokens", "chat": "max_tokens"}
_ONLY: dict[Api, tuple[str, ...]] = {
    "responses": ("truncation", "response_include", "context_management"),
    "chat": ("frequency_penalty", "presence_penalty"),
}
"""Settings only one API has a parameter for."""
_PARAM_NAMES = {"response_include": "include"}
_SHARED = (
    "temperature", "top_p", "store", "metadata", "top_logprobs", "prompt_cache_retention", "prompt_cache_options",
    "extra_query", "extra_body", "extra_headers",
)  # fmt: skip
"""Sent as they are to either API. ``timeout`` and ``preserve_raw_usage`` are no request parameters: the runtime
applies them around the call (``model_call``)."""


def apply_settings(params: dict[str, Any], settings: ModelSettings, api: Api) -> None:
    """Add ``settings`` to the keyword arguments of the API's ``create`` call (``params``, which may already hold a
    structured-output ``text`` format that ``verbosity`` joins)."""
    other: Api = "chat" if api == "responses" else "responses"
    for name in _ONLY[other]:
        if getattr(settings, name) is not None:
            wanted = "OpenAIResponsesModel" if other == "responses" else "OpenAIChatCompletionsModel"
            raise UserError(
                f"ModelSettings.{name} is a parameter of the {_API_NAMES[other]} only; "
                f"use {wanted}, or leave {name} unset for this model"
            )
    for name in _SHARED:
        value = getattr(settings, name)
        if value is not None:
            params[name] = value
    for name in _ONLY[api]:
        value = getattr(settings, name)
        if value is not None:
            if name == "response_include":  # joins what the hosted tools need (file_search_call.results)
                value = _joined(params.get("include"), value)
            params[_PARAM_NAMES.get(name, name)] = value
    if settings.max_tokens is not None:
        params[_MAX_TOKENS_PARAM[api]] = settings.max_tokens
    reasoning = plain_reasoning(settings.reasoning)
    if api == "responses":
        if reasoning is not None:
            params["reasoning"] = reasoning
        if settings.verbosity is not None:
            params["text"] = {**params.get("text", {}), "verbosity": settings.verbosity}
        if settings.top_logprobs is not None:  # the API returns logprobs only when asked to include them
            params["include"] = _joined(params.get("include"), ["message.output_text.logprobs"])
    else:
        responses_only = [name for name in ("mode", "context") if (reasoning or {}).get(name) is not None]
        if responses_only:  # the SDK's strict feature validation: Chat Completions reads only the effort
            raise UserError(
                f"ModelSettings.reasoning {', '.join(responses_only)} need the Responses API (OpenAIResponsesModel); "
                "Chat Completions takes only reasoning.effort"
            )
        if reasoning is not None and reasoning.get("effort") is not None:
            params["reasoning_effort"] = reasoning["effort"]
        if settings.verbosity is not None:
            params["verbosity"] = settings.verbosity
        if settings.top_logprobs is not None:
            params["logprobs"] = True  # the Chat Completions API requires it with top_logprobs
    params.update(settings.extra_args or {})


def _joined(first: list[str] | None, more: list[str]) -> list[str]:
    """``include`` values in the order first asked for, each once (the API takes a set)."""
    return list(dict.fromkeys([*(first or ()), *more]))


def plain_reasoning(reasoning: Any) -> dict[str, Any] | None:
    """``reasoning`` as a dict of the fields set (an ``openai`` ``Reasoning`` model or a dict): how the request
    builders and ``LitellmModel`` read ``ModelSettings.reasoning``."""
    if reasoning is None:
        return None
    dump = getattr(reasoning, "model_dump", None)
    if callable(dump):
        plain: dict[str, Any] = dump(exclude_none=True)
        return plain
    if isinstance(reasoning, dict):
        return {k: v for k, v in reasoning.items() if v is not None}
    raise UserError(f"ModelSettings.reasoning must be an openai Reasoning or a dict, got {type(reasoning).__name__}")


_API_NAMES: dict[Api, str] = {"responses": "Responses API", "chat": "Chat Completions API"}
