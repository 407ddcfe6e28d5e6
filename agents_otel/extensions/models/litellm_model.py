"""``LitellmModel``: the SDK's model on LiteLLM (``litellm.acompletion``), which reaches Anthropic, Gemini, Bedrock,
Mistral and a hundred other providers by one name (``"anthropic/claude-sonnet-4-5"``).

Why it is small: LiteLLM answers in the OpenAI Chat Completions shapes whatever the provider, so this model sends
the parameters ``OpenAIChatCompletionsModel`` would send and reads the answer, streamed or not, with the same
functions. History, tools, structured output, settings, refusals, usage and the errors a call raises are therefore
those of the Chat Completions model; the runtime wraps each call in the same ``chat {model}`` span, metrics and
``ModelSettings.retry`` attempts as any other model's. What is LiteLLM's own: the provider, known from the model
name's prefix (``gen_ai.provider.name`` says it with the GenAI conventions' value when it has one), its key and
endpoint (``api_key`` / ``base_url``, else LiteLLM's environment variables), ``reasoning_effort``, which LiteLLM
translates per provider and so may also come from ``extra_body``, and the provider state LiteLLM carries in its
own message fields: Claude's thinking blocks and Gemini's thought signatures, read into the reasoning item and the
calls and sent back as the SDK sends them.

Importing this module imports ``litellm`` (about two seconds): nothing else in ``agents_otel`` imports it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

try:
    import litellm
except ImportError as exc:  # pragma: no cover - exercised by a test that hides the package
    raise ImportError(
        "LitellmModel needs the litellm package, an optional dependency: pip install 'agents_otel[litellm]'"
    ) from exc

from ...exceptions import UserError
from ...model_retry import client_retries_disabled, openai_retry_advice
from ...models._chat_provider_data import is_gemini, litellm_signatures
from ...models._openai_chat_input import ReasoningReplay
from ...models._openai_client import address_of
from ...models._openai_errors import openai_errors
from ...models._openai_settings import plain_reasoning
from ...models.gpt5_defaults import get_default_model_settings
from ...models.implied_settings import without_implied
from ...models.interface import Model, ModelRequest, ModelResponse, ModelSettings, ModelStreamEvent
from ...models.openai_chatcompletions import chat_request_params, chat_stream, model_response, stream_params
from ...models.reasoning_content_replay import ShouldReplayReasoningContent
from ...retry import ModelRetryAdvice, ModelRetryAdviceRequest
from ._adapter_common import LITELLM_PROVIDER_NAMES, close_provider_stream, genai_spelling

__all__ = ["GENAI_PROVIDER_NAMES", "LitellmModel", "genai_provider_name"]

GENAI_PROVIDER_NAMES: dict[str, str] = LITELLM_PROVIDER_NAMES
"""LiteLLM's provider prefixes whose provider has a well-known ``gen_ai.provider.name`` value; any other prefix
(``ollama``, ``openrouter``) is the attribute's value as it is."""


def genai_provider_name(model: str) -> str:
    """``gen_ai.provider.name`` for a LiteLLM model name: its prefix (or, without one, the provider LiteLLM infers
    from the name, ``gpt-4o`` -> ``openai``) in the GenAI conventions' spelling; ``litellm`` when unknown."""
    if "/" in model:
        prefix = model.split("/", 1)[0]
    else:
        try:
            prefix = str(litellm.get_llm_provider(model)[1])
        except Exception:  # LiteLLM raises its BadRequestError (or worse) for a name it cannot place
            prefix = "litellm"
    return genai_spelling(prefix, GENAI_PROVIDER_NAMES)


class LitellmModel(Model):
    """``LitellmModel(model="anthropic/claude-sonnet-4-5", api_key=...)``: a model by its LiteLLM name.

    ``base_url`` and ``api_key`` go to LiteLLM with every call (``None``: LiteLLM's environment variables, such as
    ``ANTHROPIC_API_KEY``). ``ModelSettings`` map as on ``OpenAIChatCompletionsModel``; ``extra_args`` are
    keyword arguments of ``litellm.acompletion`` (``drop_params=True``, ``num_retries=...``).
    A provider's reasoning text is a ``reasoning`` item, as on ``OpenAIChatCompletionsModel``, and
    ``should_replay_reasoning_content`` decides as there whether it goes back as ``reasoning_content`` (``None``:
    the SDK's default, DeepSeek models only). Anthropic's thinking blocks (signed, redacted ones too) go back to the
    Claude model that wrote them when ``ModelSettings.reasoning.effort`` is set, and a Gemini model's thought
    signatures on the calls they signed (a call without one: ``skip_thought_signature_validator``), as in the SDK.
    """

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        should_replay_reasoning_content: Any = None,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise UserError(f"LitellmModel needs a model name such as 'openai/gpt-4.1', got {model!r}")
        if should_replay_reasoning_content is not None and not callable(should_replay_reasoning_content):
            raise UserError(
                "LitellmModel(should_replay_reasoning_content=...) must be a function of a "
                f"ReasoningContentReplayContext returning a bool, or None; got {should_replay_reasoning_content!r}"
            )
        self.should_replay_reasoning_content: ShouldReplayReasoningContent | None = should_replay_reasoning_content
        self.model = model
        self.model_name = model
        self.base_url = base_url
        self.api_key = api_key
        self.provider_name = genai_provider_name(model)
        if base_url:
            self.server_address, self.server_port = address_of(base_url)

    def get_retry_advice(self, request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
        """LiteLLM's errors are the openai package's error classes with their status and response headers, so the
        OpenAI models' advice (``Retry-After``, ``x-should-retry``) reads them as they are."""
        return openai_retry_advice(request)

    def get_default_model_settings(self) -> ModelSettings:
        """The implied settings of the OpenAI model a routed name carries (``openai/gpt-5``,
        ``openrouter/openai/gpt-5.4-mini``), as the SDK 0.25's; none for other vendors' models."""
        return get_default_model_settings(self.model.removeprefix("openai/").removeprefix("openrouter/openai/"))

    def _request_settings(
        self, settings: ModelSettings, *, prompt: Any, has_tools: bool, implied: frozenset[str]
    ) -> ModelSettings:
        """An implied effort gives way to a ``reasoning_effort`` in ``extra_args`` or ``extra_body``."""
        extra_body = settings.extra_body
        reasoning = "reasoning_effort" in (settings.extra_args or {}) or (
            isinstance(extra_body, dict) and "reasoning_effort" in extra_body
        )
        return without_implied(settings, implied, reasoning=reasoning)

    def request_params(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments of ``litellm.acompletion`` for ``request`` (without ``stream``)."""
        effort = (plain_reasoning(request.settings.reasoning) or {}).get("effort")
        # Claude's signed thinking blocks go back when thinking is asked for (reasoning.effort), as in the SDK:
        # Anthropic requires them with the tool results of a thinking turn.
        replay = ReasoningReplay(
            self.model, self.base_url, self.should_replay_reasoning_content, thinking_blocks=effort is not None
        )
        params = chat_request_params(self.model, request, replay)
        if is_gemini(self.model):  # each call of the current turn with its thought signature, in LiteLLM's field
            litellm_signatures(params["messages"])
        extra_body = params.get("extra_body")
        if isinstance(extra_body, dict) and "reasoning_effort" in extra_body:
            # LiteLLM translates a top-level reasoning_effort for each provider (Anthropic's thinking budget, ...);
            # ModelSettings.reasoning and extra_args, already set at the top, win over extra_body's, as in the SDK.
            body = dict(extra_body)
            params.setdefault("reasoning_effort", body.pop("reasoning_effort"))
            if body:
                params["extra_body"] = body
            else:
                del params["extra_body"]
        if self.api_key is not None:
            params["api_key"] = self.api_key
        if self.base_url is not None:
            params["base_url"] = self.base_url
        if client_retries_disabled():  # ModelSettings.retry manages this attempt: no resend inside LiteLLM
            params["num_retries"] = 0
            params["max_retries"] = 0
        return params

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        params = self.request_params(request)
        with openai_errors():
            completion = await litellm.acompletion(**params)
        for choice in getattr(completion, "choices", None) or ():
            _refusal_in_place(choice.message)
        raw_usage = request.settings.preserve_raw_usage is True
        return model_response(completion, raw_usage=raw_usage, model_name=self.model_name)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        """Deltas as LiteLLM's chunks arrive, then the response assembled from them (as the Chat Completions model
        streams). The provider stream is closed however the iteration ends; a failure to close it after the whole
        answer arrived is only logged, since the answer is already complete."""
        params = {**stream_params(request), **self.request_params(request), "stream": True}
        with openai_errors():
            stream = await litellm.acompletion(**params)
            finished = False
            try:
                raw_usage = request.settings.preserve_raw_usage is True
                async for event in chat_stream(stream, request, self.model_name, raw_usage=raw_usage):
                    finished = isinstance(event, ModelResponse)
                    yield event
            finally:
                await close_provider_stream(stream, finished, "LiteLLM")

    def __repr__(self) -> str:
        return f"LitellmModel({self.model!r}, base_url={self.base_url!r})"


def _refusal_in_place(message: Any) -> None:
    """LiteLLM before 1.110 keeps a refusal in ``provider_specific_fields`` rather than the message's own field,
    where the Chat Completions reader looks: moved there, so the refusal is a ``ModelRefusalError`` on every
    version, not an empty answer."""
    fields = getattr(message, "provider_specific_fields", None)
    if isinstance(fields, dict) and fields.get("refusal") and not getattr(message, "refusal", None):
        message.refusal = fields["refusal"]
