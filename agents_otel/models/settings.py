"""``ModelSettings``: the request parameters of a model call, with the OpenAI Agents SDK's names and field order.

Plain records: each OpenAI model turns them into its API's parameters (``models._openai_settings``); the runtime
reads ``retry`` and ``timeout`` around each call (``model_call``) and ``preserve_raw_usage`` when it builds the
call's ``ModelResponse``. ``to_json_dict`` / ``to_traceable_dict`` serialize them as the SDK does: every field, or
only those a trace may show (never the request extras, which can carry credentials).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from ..exceptions import UserError
from ..retry import ModelRetrySettings


@dataclass
class MCPToolChoice:
    """As in the OpenAI Agents SDK: ``ModelSettings(tool_choice=MCPToolChoice(server_label=..., name=...))`` makes
    the model call tool ``name`` of the hosted MCP server labelled ``server_label`` (a ``HostedMCPTool``).

    Only the Responses API can force a hosted MCP tool; on Chat Completions it is a ``UserError`` at the model
    call, never dropped (the model would then choose freely)."""

    server_label: str
    name: str


_MCP_TOOL_CHOICE_FIELDS = frozenset({"server_label", "name"})
_CONTEXT_MANAGEMENT_FIELDS = frozenset({"type", "compact_threshold"})
"""The keys of the openai package's ``ContextManagement`` entry (``response_create_params``)."""
_PROMPT_CACHE_OPTIONS_FIELDS = frozenset({"comparison_response_id", "mode", "prewarm", "ttl"})
"""The keys of its ``PromptCacheOptions``."""

TRACEABLE_FIELDS = (
    "temperature", "top_p", "frequency_penalty", "presence_penalty", "tool_choice", "parallel_tool_calls",
    "truncation", "max_tokens", "reasoning", "verbosity", "metadata", "store", "prompt_cache_retention",
    "include_usage", "response_include", "top_logprobs", "retry", "context_management", "prompt_cache_options",
    "timeout",
)  # fmt: skip
"""What ``to_traceable_dict`` keeps, in the SDK's order: not the request extras (``extra_*``, which may carry keys
or tokens and need not be JSON) nor ``preserve_raw_usage`` (a local switch, not a request parameter)."""


@dataclass(slots=True)
class ModelSettings:
    """Request parameters passed through to the provider, with the OpenAI Agents SDK's names in its order (so
    positional SDK code sets the same fields). ``None`` means "provider default" (the parameter is not sent).

    A setting the chosen API has no parameter for is a ``UserError`` at the model call, never dropped:
    ``frequency_penalty``/``presence_penalty`` on the Responses API, ``truncation``/``response_include``/
    ``context_management`` on Chat Completions. ``include_usage`` matters only to Chat Completions streams (the
    Responses API always reports usage). ``extra_args`` go to the client call last, so they can override anything.
    """

    temperature: float | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    tool_choice: str | MCPToolChoice | None = None
    """``auto`` / ``required`` / ``none``, a tool's name, or an :class:`MCPToolChoice` (its fields as a dict too)."""
    parallel_tool_calls: bool | None = None
    truncation: Literal["auto", "disabled"] | None = None
    max_tokens: int | None = None
    reasoning: Any = None
    """``openai.types.shared.Reasoning`` or a dict (``{"effort": "low", "summary": "auto"}``); Chat Completions
    takes its ``effort`` as ``reasoning_effort`` (its ``mode`` / ``context`` there are a ``UserError``)."""
    verbosity: Literal["low", "medium", "high"] | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    prompt_cache_retention: Literal["in_memory", "24h"] | None = None
    """How long the provider keeps this prompt's cached prefix (``"24h"``: extended caching); sent to both APIs."""
    include_usage: bool | None = None
    response_include: list[str] | None = None
    top_logprobs: int | None = None
    extra_query: dict[str, Any] | None = None
    extra_body: dict[str, Any] | None = None
    extra_headers: dict[str, str] | None = None
    extra_args: dict[str, Any] | None = None
    retry: ModelRetrySettings | None = None
    """Runner-managed retries of a failed call (``ModelRetrySettings`` or its fields as a dict); ``None``: none
    beyond the client's own. See ``agents_otel.retry``."""
    context_management: list[dict[str, Any]] | None = None
    """Responses API only: server-side context management, e.g. ``[{"type": "compaction", "compact_threshold":
    200000}]`` compacts the context once it crosses that many tokens."""
    prompt_cache_options: dict[str, Any] | None = None
    """Prompt-cache configuration (``{"mode": "explicit", "ttl": "30m"}``), sent to both APIs."""
    preserve_raw_usage: bool | None = None
    """``True``: the call's ``ModelResponse.raw_usage`` is the provider's usage payload as it came (JSON), before it
    was read into ``Usage``; ``None`` when the provider sent none. It asks the provider for nothing."""
    timeout: float | None = None
    """Seconds each model-call attempt may take, from the request to the end of its answer (a stream included):
    past it the attempt is cancelled and fails with ``ModelTimeoutError`` (which ``retry`` policies may retry). It
    bounds neither the run, nor tools, nor the wait between retries."""

    def __post_init__(self) -> None:
        if self.tool_choice is not None and not isinstance(self.tool_choice, str | MCPToolChoice):
            self.tool_choice = _tool_choice(self.tool_choice)
        retry: Any = self.retry
        if retry is not None and not isinstance(retry, ModelRetrySettings):
            if not isinstance(retry, dict):
                raise UserError(f"ModelSettings.retry must be ModelRetrySettings, a dict or None, got {retry!r}")
            _known(retry, {f.name for f in fields(ModelRetrySettings)}, "retry")
            try:
                self.retry = ModelRetrySettings(**retry)
            except TypeError as exc:
                raise UserError(f"ModelSettings.retry: {exc}") from exc
        _check_new_fields(self)

    def resolve(self, override: ModelSettings | Mapping[str, Any] | None) -> ModelSettings:
        """Layer ``override`` (the run's ``RunConfig.model_settings``, or a dict of fields) over these (the agent's):
        set fields win, ``extra_args`` are merged key by key (the override's keys win) and ``retry`` field by field,
        as in the SDK. A dict names only the fields it overrides; an unknown name is a ``TypeError``."""
        if override is None:
            return self
        if isinstance(override, Mapping):
            _known(override, {f.name for f in fields(ModelSettings)}, None)
            override = ModelSettings(**override)
        elif not isinstance(override, ModelSettings):
            raise TypeError(
                f"ModelSettings override must be a ModelSettings instance or a dict, got {type(override).__name__}"
            )
        merged = {f.name: getattr(self, f.name) for f in fields(self)}
        for f in fields(override):
            value = getattr(override, f.name)
            if value is not None:
                merged[f.name] = value
        if self.extra_args or override.extra_args:
            merged["extra_args"] = {**(self.extra_args or {}), **(override.extra_args or {})}
        if self.retry is not None and override.retry is not None:  # deep-merged, backoff field by field, as in the SDK
            merged["retry"] = self.retry.merged(override.retry)
        return ModelSettings(**merged)

    def to_json_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready data (``reasoning`` and the other records as dicts; ``retry`` without its
        ``policy``, which is code), as the SDK's ``to_json_dict``."""
        return {f.name: _json(getattr(self, f.name)) for f in fields(self)}

    def to_traceable_dict(self) -> dict[str, Any]:
        """Only the fields a trace may show (:data:`TRACEABLE_FIELDS`): never the request extras, whose values may
        be credentials or objects that are not JSON."""
        return {name: _json(getattr(self, name)) for name in TRACEABLE_FIELDS}


def _json(value: Any) -> Any:
    """``value`` as JSON-ready data: pydantic models dumped, dataclasses as dicts (``to_json_dict`` when they have
    one), containers element by element."""
    to_json = getattr(value, "to_json_dict", None)
    if callable(to_json) and not isinstance(value, type):
        return _json(to_json())
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _known(value: Mapping[str, Any], names: set[str] | frozenset[str], where: str | None) -> None:
    """The SDK's check of a dict given for a structured setting: a misspelt key is a ``TypeError``, never dropped."""
    unknown = sorted(str(key) for key in value if key not in names)
    if unknown:
        place = f" in {where}" if where else ""
        raise TypeError(f"Unknown model settings{place}: {', '.join(unknown)}")


def _check_new_fields(settings: ModelSettings) -> None:
    """The fields the SDK's pydantic dataclass validates and this plain one must check itself: a wrong value would
    otherwise reach the provider (or, for ``timeout``, never fire)."""
    timeout: Any = settings.timeout
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not math.isfinite(timeout) or timeout <= 0
    ):
        raise UserError(f"ModelSettings.timeout must be a finite number of seconds > 0, got {timeout!r}")
    if settings.prompt_cache_retention not in (None, "in_memory", "24h"):
        raise UserError(
            f"ModelSettings.prompt_cache_retention must be 'in_memory', '24h' or None, "
            f"got {settings.prompt_cache_retention!r}"
        )
    if settings.preserve_raw_usage is not None and not isinstance(settings.preserve_raw_usage, bool):
        raise UserError(f"ModelSettings.preserve_raw_usage must be a bool or None, got {settings.preserve_raw_usage!r}")
    entries: Any = settings.context_management
    if entries is not None:
        if not isinstance(entries, list | tuple):
            raise UserError(f"ModelSettings.context_management must be a list of dicts, got {entries!r}")
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("type"), str):
                raise UserError(
                    f"ModelSettings.context_management[{index}] must be a dict with a 'type', got {entry!r}"
                )
            _known(entry, _CONTEXT_MANAGEMENT_FIELDS, f"context_management[{index}]")
    options: Any = settings.prompt_cache_options
    if options is not None:
        if not isinstance(options, Mapping):
            raise UserError(f"ModelSettings.prompt_cache_options must be a dict, got {options!r}")
        _known(options, _PROMPT_CACHE_OPTIONS_FIELDS, "prompt_cache_options")


def _tool_choice(value: Any) -> MCPToolChoice:
    """A dict of ``MCPToolChoice``'s fields becomes one, as the SDK's pydantic settings coerce it; a typo in a key
    is a ``TypeError`` there and here, anything else a ``UserError`` (it would be sent as nonsense)."""
    if not isinstance(value, dict):
        raise UserError(f"ModelSettings.tool_choice must be a str, an MCPToolChoice or None, got {value!r}")
    _known(value, _MCP_TOOL_CHOICE_FIELDS, "tool_choice")
    try:
        return MCPToolChoice(**value)
    except TypeError as exc:
        raise UserError(f"ModelSettings.tool_choice: {exc}") from exc
