"""The seam between the runtime and a language model.

A Model turns a provider-neutral ``ModelRequest`` into a ``ModelResponse``. Models do no tracing: the runtime
wraps every call in a ``chat {model}`` span and fills it from ``ModelResponse`` and the model's identity, so all
models are traced the same way and a new provider cannot forget an attribute.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import AsyncIterator
from dataclasses import KW_ONLY, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

from ..exceptions import UserError
from ..hosted_tools import HostedTool
from ..items import ConversationItem, ModelOutputItem
from ..local_tools import LocalTool
from ..responses_format import FAKE_RESPONSES_ID
from ..retry import ModelRetryAdvice, ModelRetryAdviceRequest, ModelRetrySettings
from ..token_usage import InputTokensDetails as InputTokensDetails
from ..token_usage import OutputTokensDetails as OutputTokensDetails
from ..token_usage import Usage as Usage

if TYPE_CHECKING:
    from openai.types.responses import ResponseRefusalDeltaEvent, ResponseTextDeltaEvent

DEFAULT_MODEL_ENV = "OPENAI_DEFAULT_MODEL"
DEFAULT_MODEL = "gpt-5.6-luna"
"""The model of an agent that names none (``$OPENAI_DEFAULT_MODEL`` first), for every provider, as in the SDK (read
it with ``models.gpt5_defaults.get_default_model()``); here so a provider module can read it without importing the
package that routes to it."""


@dataclass
class MCPToolChoice:
    """As in the OpenAI Agents SDK: ``ModelSettings(tool_choice=MCPToolChoice(server_label=..., name=...))`` makes
    the model call tool ``name`` of the hosted MCP server labelled ``server_label`` (a ``HostedMCPTool``).

    Only the Responses API can force a hosted MCP tool; on Chat Completions it is a ``UserError`` at the model
    call, never dropped (the model would then choose freely)."""

    server_label: str
    name: str


_MCP_TOOL_CHOICE_FIELDS = frozenset({"server_label", "name"})


@dataclass(slots=True)
class ModelSettings:
    """Request parameters passed through to the provider, with the OpenAI Agents SDK's names. ``None`` means
    "provider default" (the parameter is not sent).

    A setting the chosen API has no parameter for is a ``UserError`` at the model call, never dropped:
    ``frequency_penalty``/``presence_penalty`` on the Responses API, ``truncation``/``response_include`` on Chat
    Completions. ``include_usage`` matters only to Chat Completions streams (the Responses API always reports
    usage). ``extra_args`` go to the client call last, so they can override anything.
    """

    # The first twelve in the SDK's order, so positional SDK code sets the same fields; the rest keyword-only
    # (the SDK has fields between them that this runtime does not take, so a position there would be misread).
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
    takes its ``effort`` as ``reasoning_effort``."""
    verbosity: Literal["low", "medium", "high"] | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    _: KW_ONLY
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

    def __post_init__(self) -> None:
        if self.tool_choice is not None and not isinstance(self.tool_choice, str | MCPToolChoice):
            self.tool_choice = _tool_choice(self.tool_choice)
        retry: Any = self.retry
        if retry is not None and not isinstance(retry, ModelRetrySettings):
            if not isinstance(retry, dict):
                raise UserError(f"ModelSettings.retry must be ModelRetrySettings, a dict or None, got {retry!r}")
            try:
                self.retry = ModelRetrySettings(**retry)
            except TypeError as exc:
                raise UserError(f"ModelSettings.retry: {exc}") from exc

    def resolve(self, override: ModelSettings | None) -> ModelSettings:
        """Layer ``override`` (the run's ``RunConfig.model_settings``) over these (the agent's); set fields win, and
        ``extra_args`` are merged key by key (the override's keys win), as in the SDK."""
        if override is None:
            return self
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


def _tool_choice(value: Any) -> MCPToolChoice:
    """A dict of ``MCPToolChoice``'s fields becomes one, as the SDK's pydantic settings coerce it; a typo in a key
    is a ``TypeError`` there and here, anything else a ``UserError`` (it would be sent as nonsense)."""
    if not isinstance(value, dict):
        raise UserError(f"ModelSettings.tool_choice must be a str, an MCPToolChoice or None, got {value!r}")
    unknown = sorted(str(key) for key in value if key not in _MCP_TOOL_CHOICE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown model settings in tool_choice: {', '.join(unknown)}")
    try:
        return MCPToolChoice(**value)
    except TypeError as exc:
        raise UserError(f"ModelSettings.tool_choice: {exc}") from exc


@dataclass(slots=True, frozen=True)
class ToolSpec:
    """A tool as the model sees it: name, description and the JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]
    strict: bool = True
    responses_only: dict[str, Any] | None = None
    """Fields only the OpenAI Responses API takes (``defer_loading``, ``allowed_callers``), added to the function's
    definition there; any other API refuses the tool (``UserError``), never sends it without them."""
    namespace: tuple[str, str] | None = None
    """``(name, description)`` of the ``tool_namespace(...)`` the function is grouped in (Responses API only)."""
    definition: dict[str, Any] | None = None
    """A whole Responses ``tools`` entry for a tool that is no function (a ``CustomTool``'s ``{"type": "custom"}``)."""


@dataclass(slots=True, frozen=True)
class OutputSchemaSpec:
    """Structured output as the model sees it: the JSON schema its final answer must match (``Agent.output_type``).

    ``strict`` asks the provider to guarantee a matching answer (OpenAI's strict structured outputs).
    """

    name: str
    schema: dict[str, Any]
    strict: bool = True


@dataclass(slots=True)
class ModelRequest:
    """Everything one model call gets, provider-neutral: each ``Model`` converts it to its own wire format."""

    system_instructions: str | None
    input: list[ConversationItem]
    tools: list[ToolSpec]
    settings: ModelSettings = field(default_factory=ModelSettings)
    output_schema: OutputSchemaSpec | None = None
    """Set when the agent has a structured ``output_type``; ``None``: plain text."""
    prompt: dict[str, Any] | None = None
    """The agent's stored prompt template for this call (``Agent(prompt=...)``), as the Responses API takes it; a
    model that cannot send it must raise ``UserError``, never run without it."""
    previous_response_id: str | None = None
    """The stored response this call continues (``Runner.run(previous_response_id=...)``, then each response of the
    run in turn): ``input`` holds only what that response has not seen."""
    conversation_id: str | None = None
    """The stored OpenAI conversation this call adds to (``Runner.run(conversation_id=...)``): ``input`` holds only
    what the conversation has not seen."""
    server_managed: bool = False
    """``True`` when the provider keeps the conversation (either id above, or ``auto_previous_response_id`` before
    its first response), so ``input`` is only the new items. A model that cannot continue a stored conversation
    must raise ``UserError``: answering from the new items alone would be answering a different conversation."""
    hosted_tools: list[HostedTool | LocalTool] = field(default_factory=list)
    """Tools declared by their own ``tools`` entry: those the provider runs itself (``WebSearchTool``, ...) and the
    local execution tools (``ShellTool``, ...), in the agent's order after ``tools``. Only the OpenAI Responses model
    sends them; any other model must raise ``UserError`` when this is not empty."""


@dataclass(slots=True)
class ModelResponse:
    """What one model call returned: the output items, usage and the provider's ids, from which the span is recorded."""

    output: list[ModelOutputItem]
    usage: Usage = field(default_factory=Usage)
    response_id: str | None = None
    model: str | None = None
    finish_reasons: tuple[str, ...] = ()


@dataclass(slots=True)
class TextDelta:
    """A piece of assistant text as it streams in. ``raw`` keeps the provider's own event when there is one."""

    delta: str
    raw: Any = None
    type: Literal["response.output_text.delta"] = field(default="response.output_text.delta", init=False)

    def response_event(self, sequence_number: int) -> ResponseTextDeltaEvent:
        """This delta as a stream consumer receives it (``RawResponsesStreamEvent.data``): the OpenAI Responses
        API's ``ResponseTextDeltaEvent``, because code written for the Agents SDK tests
        ``isinstance(event.data, ResponseTextDeltaEvent)`` and would otherwise skip every delta without a word.
        The provider's own event when it is one (the Responses model); else one of the same shape, with
        :data:`FAKE_RESPONSES_ID` and ``sequence_number`` counting the call's text deltas from 0."""
        # openai loads on first use (about 0.2 s, once per process), as agents_otel/__init__.py does for its models
        from openai.types.responses import ResponseTextDeltaEvent

        raw = self.raw
        if isinstance(raw, ResponseTextDeltaEvent) and raw.delta == self.delta:
            return raw
        return ResponseTextDeltaEvent(
            content_index=0,
            delta=self.delta,
            item_id=FAKE_RESPONSES_ID,
            logprobs=[],
            output_index=0,
            sequence_number=sequence_number,
            type="response.output_text.delta",
        )


@dataclass(slots=True)
class RefusalDelta:
    """A piece of the model's refusal as it streams in (an OpenAI ``refusal`` delta): not text of the answer, so
    a stream consumer gets it as its own event, as from the SDK, and never joins it to the output text."""

    delta: str
    raw: Any = None
    type: Literal["response.refusal.delta"] = field(default="response.refusal.delta", init=False)

    def response_event(self, sequence_number: int) -> ResponseRefusalDeltaEvent:
        """The Responses API's ``ResponseRefusalDeltaEvent`` (the provider's own when it is one), which the SDK
        streams for a refusal from either OpenAI API; ``sequence_number`` as :meth:`TextDelta.response_event`."""
        from openai.types.responses import ResponseRefusalDeltaEvent

        raw = self.raw
        if isinstance(raw, ResponseRefusalDeltaEvent) and raw.delta == self.delta:
            return raw
        return ResponseRefusalDeltaEvent(
            content_index=0,
            delta=self.delta,
            item_id=FAKE_RESPONSES_ID,
            output_index=0,
            sequence_number=sequence_number,
            type="response.refusal.delta",
        )


ModelStreamEvent = TextDelta | RefusalDelta | ModelResponse


class ModelTracing(enum.Enum):
    """The SDK's tracing level for a model call, for code that names it. Here models take no tracing argument (the
    runtime wraps every call in a ``chat`` span, content under ``RunConfig.trace_include_sensitive_data`` /
    content capture), so nothing in a run passes one; the members and their questions are the SDK's."""

    DISABLED = 0
    """No span."""
    ENABLED = 1
    """A span with the call's inputs and outputs."""
    ENABLED_WITHOUT_DATA = 2
    """A span without inputs and outputs."""

    def is_disabled(self) -> bool:
        return self is ModelTracing.DISABLED

    def include_data(self) -> bool:
        return self is ModelTracing.ENABLED


class Model(abc.ABC):
    """Implement ``get_response``; override ``stream_response`` when the provider can stream.

    ``model_name`` and ``provider_name`` become ``gen_ai.request.model`` and ``gen_ai.provider.name``;
    ``server_address``/``server_port`` become ``server.address``/``server.port`` when known, and
    ``network_protocol_name`` the ``chat`` span's ``network.protocol.name`` when set (``"websocket"``).
    """

    model_name: str = "unknown"
    provider_name: str = "unknown"
    server_address: str | None = None
    server_port: int | None = None
    network_protocol_name: str | None = None

    @abc.abstractmethod
    async def get_response(self, request: ModelRequest) -> ModelResponse:
        """One complete model response."""

    def get_retry_advice(self, request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
        """This provider's view of a failed call, for ``ModelSettings.retry`` policies (retry-after hints, whether
        a resend is safe); asked only when retries are configured. ``None``: no opinion."""
        return None

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        """Yield ``TextDelta``s (``RefusalDelta``s for a refusal) as they arrive, then exactly one final
        ``ModelResponse``."""
        yield await self.get_response(request)


class ModelProvider(abc.ABC):
    """Looks models up by name, as the OpenAI Agents SDK's ``ModelProvider``: give one as
    ``RunConfig(model_provider=...)`` and every model given by name in that run (an agent's ``model="..."``, or none,
    or ``RunConfig.model`` as a string) comes from it; a model given as an object is used as it is.

    Why: it is how SDK programs put a whole run on another endpoint or provider (a local server, a gateway) without
    touching their agents. ``model_name`` is ``None`` for an agent that names no model: the provider's default."""

    @abc.abstractmethod
    def get_model(self, model_name: str | None) -> Model:
        """The model to run ``model_name`` on."""

    async def aclose(self) -> None:
        """Release what the provider holds (clients, connections); nothing by default."""
        return None
