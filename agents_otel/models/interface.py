"""The seam between the runtime and a language model.

A Model turns a provider-neutral ``ModelRequest`` into a ``ModelResponse``. Models do no tracing: the runtime
wraps every call in a ``chat {model}`` span and fills it from ``ModelResponse`` and the model's identity, so all
models are traced the same way and a new provider cannot forget an attribute.
"""

from __future__ import annotations

import abc
import enum
import inspect
from collections.abc import AsyncIterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..hosted_tools import HostedTool
from ..items import ConversationItem, ModelOutputItem, input_dict
from ..local_tools import LocalTool
from ..responses_format import FAKE_RESPONSES_ID
from ..retry import ModelRetryAdvice, ModelRetryAdviceRequest
from ..token_usage import InputTokensDetails as InputTokensDetails
from ..token_usage import OutputTokensDetails as OutputTokensDetails
from ..token_usage import Usage as Usage
from .gpt5_defaults import DEFAULT_MODEL as DEFAULT_MODEL
from .gpt5_defaults import DEFAULT_MODEL_ENV as DEFAULT_MODEL_ENV
from .gpt5_defaults import get_default_model_settings
from .settings import MCPToolChoice as MCPToolChoice
from .settings import ModelSettings as ModelSettings

if TYPE_CHECKING:
    from openai.types.responses import ResponseRefusalDeltaEvent, ResponseTextDeltaEvent



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
    sources: RequestSources | None = None
    """The objects behind ``tools`` and ``output_schema`` (set by the runtime each turn): a model written to the
    OpenAI Agents SDK's ``Model`` signature takes the agent's tool, handoff and output schema objects, not their
    schemas. A model of this package reads the schemas above."""


@dataclass(slots=True)
class RequestSources:
    """The agent's ``FunctionTool`` and ``Handoff`` objects by the name the model calls them, and its
    ``AgentOutputSchemaBase`` (``None``: plain text), as the run offered them this turn."""

    tools: Mapping[str, Any]
    handoffs: Mapping[str, Any]
    output_schema: Any = None


@dataclass(slots=True)
class ModelResponse:
    """What one model call returned: the output items, usage and the provider's ids, from which the span is recorded.

    The first five fields are the SDK's, in its order: ``request_id`` is the transport's id of the HTTP request (the
    openai client's ``x-request-id``), ``raw_usage`` the provider's usage payload as it came, kept only under
    ``ModelSettings(preserve_raw_usage=True)``."""

    output: list[ModelOutputItem]
    usage: Usage = field(default_factory=Usage)
    response_id: str | None = None
    request_id: str | None = None
    raw_usage: dict[str, Any] | None = None
    _: KW_ONLY
    model: str | None = None
    finish_reasons: tuple[str, ...] = ()

    def to_input_items(self) -> list[dict[str, Any]]:
        """The output as Responses API input items (dicts, as ``RunResult.to_input_list()`` gives them), to send
        back to a model, as the SDK's method: an item's output-only ``created_by`` is left out (the API refuses it
        in input)."""
        items = [input_dict(item) for item in self.output]
        return [{k: v for k, v in i.items() if k != "created_by"} if "created_by" in i else i for i in items]


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
        :data:`FAKE_RESPONSES_ID` and ``sequence_number`` counting the events of the call forwarded before it."""
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


@dataclass(slots=True)
class ProviderEvent:
    """A Responses API stream event a model passes to the run's stream as it is (``RawResponsesStreamEvent.data``),
    beside its deltas: code written for the SDK reads more of a stream than text (``response.output_item.added``,
    ``response.function_call_arguments.delta``, ``response.completed``) and would otherwise wait for events that
    never come. Not a chunk of the wire of its own: the ``chat`` span's chunk timings and the answer ignore it. A
    model that converts another wire (Chat Completions) yields the events it made of a chunk before that chunk's
    delta; a model reading the Responses wire itself needs none, since an empty delta's ``raw`` Responses event is
    forwarded as it is (:func:`responses_event`)."""

    data: Any


def responses_event(raw: Any) -> Any:
    """``raw`` when it is an event of the OpenAI Responses stream (a type of ``openai.types.responses``), else
    ``None``: what an empty delta's ``raw`` forwards to the run's stream. A provider's other chunk types (a Chat
    Completions chunk) and a scripted model's own items are never shown to a consumer that expects Responses events."""
    return raw if type(raw).__module__.startswith(_RESPONSES_TYPES) else None


_RESPONSES_TYPES = "openai.types.responses."

ModelStreamEvent = TextDelta | RefusalDelta | ProviderEvent | ModelResponse


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
    sdk_signature: ClassVar[bool] = False
    """``True`` for a subclass written to the OpenAI Agents SDK's ``Model`` signature (``get_response(
    system_instructions, input, model_settings, tools, output_schema, handoffs, tracing, *, ...)``, Responses
    output items and stream events): the run drives it through ``agents_otel.models.sdk_signature``, so SDK code
    runs unchanged. Found from ``get_response``'s parameters when the class is made."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_response" in cls.__dict__:
            try:
                parameters = inspect.signature(cls.__dict__["get_response"]).parameters
            except (TypeError, ValueError):  # not introspectable (a C callable): our signature is assumed
                return
            cls.sdk_signature = "system_instructions" in parameters

    @abc.abstractmethod
    async def get_response(self, request: ModelRequest) -> ModelResponse:
        """One complete model response."""

    async def close(self) -> None:
        """Release what the model itself holds (a websocket model's connection); nothing by default, as in the SDK.
        A client passed in stays the caller's to close."""
        return None

    def get_default_model_settings(self) -> ModelSettings | None:
        """The settings this model implies for an agent that sets none and names no plain model (the run's
        provider chose this model, or the name is routed, ``"litellm/openai/gpt-5"``), as in the SDK 0.25: by
        default those of a string ``model`` attribute (``get_default_model_settings(self.model)``); ``None``: no
        opinion (the defaults of the name, or of the default model). Settings the agent or run set win over these."""
        name = getattr(self, "model", None)
        return get_default_model_settings(name) if isinstance(name, str) else None

    def _request_settings(
        self, settings: ModelSettings, *, prompt: Any, has_tools: bool, implied: frozenset[str]
    ) -> ModelSettings:
        """``settings`` for one call, where ``implied`` names the fields (``reasoning`` / ``verbosity``) that hold
        implied defaults rather than settings the application made: a model leaves out those its request would
        contradict (a stored prompt's own model, an ``extra_args`` key carrying the same parameter). Asked only
        when ``implied`` is not empty."""
        return settings

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
