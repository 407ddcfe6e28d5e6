"""Model implementations and how a model given by name is resolved."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

from ..exceptions import UserError

# the SDK's agents.models exports it too (agents.models.openai_agent_registration is its home path)
from ..openai_registration import OpenAIAgentRegistrationConfig as OpenAIAgentRegistrationConfig
from .gpt5_defaults import get_default_model as get_default_model  # the SDK's agents.models exports these four
from .gpt5_defaults import get_default_model_settings as get_default_model_settings
from .gpt5_defaults import gpt_5_reasoning_settings_required as gpt_5_reasoning_settings_required
from .gpt5_defaults import is_gpt_5_default as is_gpt_5_default
from .interface import Model, ModelProvider

if TYPE_CHECKING:
    import openai

    from ._openai_client import OpenAIClientModel

OpenAIApi = Literal["responses", "chat_completions"]
_default_api: OpenAIApi = "responses"
OpenAIResponsesTransport = Literal["http", "websocket"]
_default_transport: OpenAIResponsesTransport = "http"

OpenAIPrefixMode = Literal["alias", "model_id"]
UnknownPrefixMode = Literal["error", "model_id"]
def set_default_openai_api(api: OpenAIApi) -> None:
    """As in the OpenAI Agents SDK: which OpenAI API a model given by name runs on (``"responses"`` by default,
    or ``"chat_completions"``); a model given as an object keeps its own."""
    global _default_api
    if api not in ("responses", "chat_completions"):
        raise UserError(f"set_default_openai_api takes 'responses' or 'chat_completions', got {api!r}")
    _default_api = api


def set_default_openai_responses_transport(transport: OpenAIResponsesTransport) -> None:
    """As in the OpenAI Agents SDK: how a Responses model resolved by name talks to the API, ``"http"`` (the default)
    or ``"websocket"`` (``OpenAIResponsesWSModel``: one persistent socket per model, reused turn after turn). A model
    given as an object keeps its own transport, and a run's ``model_provider`` chooses for the names it resolves."""
    global _default_transport
    if transport not in ("http", "websocket"):
        raise ValueError("Invalid OpenAI Responses transport. Expected one of: 'http', 'websocket'.")
    _default_transport = transport


def get_default_openai_responses_transport() -> OpenAIResponsesTransport:
    return _default_transport


class OpenAIResponsesWebSocketOptions(TypedDict):
    """The websocket connection's options (``OpenAIProvider(responses_websocket_options=...)``), passed to
    ``websockets``' ``connect``: keepalive ping interval and timeout in seconds (``None``: no pings / no pong
    deadline), and the largest incoming message in bytes (``None``, the default here: no limit)."""

    ping_interval: NotRequired[float | None]
    ping_timeout: NotRequired[float | None]
    max_size: NotRequired[int | None]


def resolve_model(
    run_model: str | Model | None, agent_model: str | Model | None, provider: ModelProvider | None = None
) -> Model:
    """The run's model (``RunConfig.model``, which overrides every agent's, as in the OpenAI Agents SDK), else the
    agent's, else ``$OPENAI_DEFAULT_MODEL`` or the SDK's default model (``get_default_model()``).

    A model given as an object is used as it is. One given by name (or none) comes from ``provider``
    (``RunConfig.model_provider``) when the run has one, which gets the name as given (``None``: its default);
    otherwise it is routed as the SDK's default provider, a ``MultiProvider()``, would route it (``route_model_name``:
    ``"openai/gpt-4.1"`` is ``gpt-4.1``, an unknown prefix a ``UserError``) and runs on the OpenAI Responses API (or
    the API ``set_default_openai_api`` chose) with the default client; ``"litellm/..."`` runs on a ``LitellmModel``,
    ``"any-llm/..."`` on an ``AnyLLMModel``."""
    chosen = run_model if run_model is not None else agent_model
    if isinstance(chosen, Model):
        return _sdk_signature(chosen) if chosen.sdk_signature else chosen
    if provider is not None:
        model = provider.get_model(chosen)
        if not isinstance(model, Model):
            raise UserError(
                f"{type(provider).__name__}.get_model({chosen!r}) returned {type(model).__name__}, not a Model"
            )
        return _sdk_signature(model) if model.sdk_signature else model
    routed, name = route_model_name(chosen)  # the SDK's default provider is a MultiProvider(): the same rule
    return openai_model(name) if routed is None else routed.get_model(name)


def _sdk_signature(model: Model) -> Model:
    """A model written to the SDK's ``Model`` signature, behind ours (``sdk_signature``); imported only for one."""
    from .sdk_signature import SDKSignatureModel

    return SDKSignatureModel(model)


_ADAPTERS: dict[str, ModelProvider] = {}
"""The adapter providers of runs without a ``model_provider`` (see ``route_model_name``)."""


def _adapter(prefix: str) -> ModelProvider:
    if prefix == "litellm":
        from ..extensions.models.litellm_provider import LitellmProvider  # lazily: litellm is slow to import

        return LitellmProvider()
    from ..extensions.models.any_llm_provider import AnyLLMProvider  # lazily: only such a name imports any_llm

    return AnyLLMProvider()


def route_model_name(
    model_name: str | None,
    mapped: Callable[[str], ModelProvider | None] | None = None,
    *,
    openai_prefix_mode: OpenAIPrefixMode = "alias",
    unknown_prefix_mode: UnknownPrefixMode = "error",
    adapters: dict[str, ModelProvider] | None = None,
) -> tuple[ModelProvider | None, str | None]:
    """Where a model given by name goes, by its prefix (the text before its first ``/``), as the OpenAI Agents SDK's
    ``MultiProvider`` routes it: ``(provider, the name to ask it for)``, ``None`` for the OpenAI provider.

    No name, or no ``/``: OpenAI, the name as it is. A prefix ``mapped`` gives a provider for (a ``provider_map``
    entry) goes there, without the prefix. ``litellm/`` goes to a ``LitellmProvider`` (the SDK's LiteLLM adapter,
    ``agents_otel.extensions.models``), without the prefix: ``litellm/anthropic/claude-sonnet-4-5`` is LiteLLM's
    ``anthropic/claude-sonnet-4-5``; it imports ``litellm`` only then (an ``ImportError`` naming the ``litellm``
    extra when it is missing). ``any-llm/`` goes to an ``AnyLLMProvider`` the same way (``any-llm/openai/gpt-4.1``
    is any-llm's ``openai/gpt-4.1``; the ``any-llm`` extra). ``openai/``: OpenAI, without the
    prefix (``openai_prefix_mode="model_id"``: with it). Any other prefix is the SDK's ``UserError("Unknown prefix:
    ...")``, or with ``unknown_prefix_mode="model_id"`` the whole name goes to OpenAI (an OpenAI-compatible
    endpoint that expects ``openrouter/openai/gpt-4o``). Why one function: ``MultiProvider`` and a model given by
    name in a run without a ``model_provider`` must never route a name differently.

    ``adapters`` keeps the adapter providers made here, one per prefix, so their models (and the connections those
    hold) are made once per event loop and reused, not made again for every run: a ``MultiProvider`` passes its
    own (its ``aclose()`` closes them), a run without one shares the module's."""
    if model_name is None or "/" not in model_name:
        return None, model_name
    prefix, rest = model_name.split("/", 1)
    provider = mapped(prefix) if mapped is not None else None
    if provider is not None:
        return provider, rest
    if prefix in ("litellm", "any-llm"):
        made = _ADAPTERS if adapters is None else adapters
        adapter = made.get(prefix)
        if adapter is None:
            adapter = made.setdefault(prefix, _adapter(prefix))  # setdefault: two threads keep one
        return adapter, rest
    if prefix == "openai":
        return None, rest if openai_prefix_mode == "alias" else model_name
    if unknown_prefix_mode == "model_id":
        return None, model_name
    raise UserError(
        f"Unknown prefix: {prefix} (model {model_name!r}). As in the OpenAI Agents SDK, a model name with a '/' is "
        "routed by its prefix: none or 'openai/' means OpenAI. Map the prefix to a ModelProvider with "
        "MultiProvider(provider_map=...), or send the whole name to your OpenAI-compatible endpoint with "
        "RunConfig(model_provider=MultiProvider(unknown_prefix_mode='model_id')) or OpenAIProvider(), which takes "
        "names as they are."
    )


def openai_model(
    model_name: str | None,
    *,
    use_responses: bool | None = None,
    client: openai.AsyncOpenAI | None = None,
    transport: OpenAIResponsesTransport | None = None,
    websocket_options: OpenAIResponsesWebSocketOptions | None = None,
    strict_feature_validation: bool = False,
    buffer_streamed_tool_calls: bool = False,
) -> OpenAIClientModel:
    """An OpenAI model by name (``None``: ``get_default_model()``, and the model is not *explicit*: a Responses call
    with a stored prompt then sends no ``model``, so the prompt's own applies, as in the SDK), on the Responses API or
    Chat Completions as ``use_responses`` says (``None``: as ``set_default_openai_api`` chose), on ``client``
    (``None``: the shared instance on the default client). The one rule for both a model given by name and
    ``OpenAIProvider``. A Responses model goes over ``transport`` (``None``: as
    ``set_default_openai_responses_transport`` chose); a Chat Completions model takes the two SDK flags.
    """
    explicit = model_name is not None
    name = model_name if model_name is not None else get_default_model()
    if use_responses is None:
        use_responses = _default_api == "responses"
    if use_responses and (transport or _default_transport) == "websocket":
        from .responses_websocket import OpenAIResponsesWSModel  # lazily, as below; websockets only when connecting

        if client is None and websocket_options is None and explicit:
            return OpenAIResponsesWSModel.for_name(name)
        return OpenAIResponsesWSModel(
            name, openai_client=client, websocket_options=websocket_options, model_is_explicit=explicit
        )
    if use_responses:
        from .openai_responses import OpenAIResponsesModel  # lazily: runs on other models never import openai

        if client is None and explicit:
            return OpenAIResponsesModel.for_name(name)
        return OpenAIResponsesModel(name, openai_client=client, model_is_explicit=explicit)
    from .openai_chatcompletions import OpenAIChatCompletionsModel

    if client is None and not (strict_feature_validation or buffer_streamed_tool_calls):
        return OpenAIChatCompletionsModel.for_name(name)
    return OpenAIChatCompletionsModel(
        name,
        openai_client=client,
        strict_feature_validation=strict_feature_validation,
        buffer_streamed_tool_calls=buffer_streamed_tool_calls,
    )
