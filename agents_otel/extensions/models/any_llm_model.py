"""``AnyLLMModel``: the SDK's model on mozilla-ai's any-llm (``AnyLLM.create(provider)``), which reaches OpenAI,
Anthropic, Mistral, OpenRouter, Ollama and the other providers it ships by one ``provider/model`` name.

Why it is small: any-llm answers in the OpenAI shapes whatever the provider, so this model sends the parameters our
OpenAI models would send and reads the answers, streamed or not, with their functions. On Chat Completions those
are ``OpenAIChatCompletionsModel``'s (``chat_request_params`` / ``chat_stream`` / ``model_response``); on the
Responses API, which any-llm offers for the providers that have it (OpenAI's own), ``OpenAIResponsesModel``'s
(``responses_request_params`` / ``responses_stream``). As in the SDK, a model uses the Responses API when its
provider supports it and ``api`` does not say otherwise. History, tools, structured output, settings, refusals,
usage and the errors a call raises are therefore those of the OpenAI models; the runtime wraps each call in the same
``chat {model}`` span, metrics and ``ModelSettings.retry`` attempts as any other model's. What is any-llm's own: the
provider, named by the model name's prefix (``gen_ai.provider.name`` says it with the GenAI conventions' value when
it has one), and its key and endpoint (``api_key`` / ``base_url``, else the environment variables any-llm reads).

Importing this module imports ``any_llm``: nothing else in ``agents_otel`` imports it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from copy import copy
from typing import Any, Literal

import openai
from pydantic import ValidationError

try:
    from any_llm import AnyLLM
    from any_llm.exceptions import AnyLLMError, MissingApiKeyError, UnsupportedProviderError
except ImportError as exc:  # pragma: no cover - exercised by a test that hides the package
    raise ImportError(
        "AnyLLMModel needs the any-llm-sdk package, an optional dependency: pip install 'agents_otel[any-llm]'"
    ) from exc

from openai.types.responses import Response

from ...exceptions import ModelError, ModelHTTPError, ModelRateLimitError, UserError
from ...model_retry import client_retries_disabled, openai_retry_advice
from ...models._openai_chat_input import ReasoningReplay
from ...models._openai_client import address_of
from ...models._openai_errors import INVALID_RESPONSE, model_error_from
from ...models.gpt5_defaults import get_default_model_settings
from ...models.implied_settings import without_implied
from ...models.interface import Model, ModelRequest, ModelResponse, ModelSettings, ModelStreamEvent
from ...models.openai_chatcompletions import chat_request_params, chat_stream, stream_params
from ...models.openai_chatcompletions import model_response as chat_model_response
from ...models.openai_responses import model_response as responses_model_response
from ...models.openai_responses import responses_request_params, responses_stream
from ...retry import ModelRetryAdvice, ModelRetryAdviceRequest
from ._adapter_common import ANY_LLM_PROVIDER_NAMES, close_provider_stream, genai_spelling

__all__ = ["AnyLLMApi", "AnyLLMModel"]

AnyLLMApi = Literal["responses", "chat_completions"]
"""The OpenAI API shape an ``AnyLLMModel`` asks its provider for; ``None``: Responses where the provider has it."""


class AnyLLMModel(Model):
    """``AnyLLMModel(model="mistral/mistral-small-latest", api_key=...)``: a model by its any-llm name,
    ``provider/model`` (a name without ``/`` is an OpenAI model, as in the SDK).

    ``base_url`` and ``api_key`` go to ``AnyLLM.create`` (``None``: the provider's environment variables, such as
    ``MISTRAL_API_KEY``). ``api``: ``"responses"`` or ``"chat_completions"`` to pin the API (``"responses"`` on a
    provider without it is a ``UserError`` at the first call, never a silent fall-back); ``None``: the Responses API
    when the provider has it. ``ModelSettings`` map as on the OpenAI model of that API; ``extra_args`` are keyword
    arguments of any-llm's ``acompletion`` / ``aresponses``.
    """

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        api: AnyLLMApi | None = None,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise UserError(f"AnyLLMModel needs a model name such as 'openai/gpt-4.1', got {model!r}")
        if api not in (None, "responses", "chat_completions"):
            raise UserError(f"AnyLLMModel(api=...) takes None, 'responses' or 'chat_completions', got {api!r}")
        provider, _, provider_model = model.partition("/") if "/" in model else ("openai", "/", model)
        if not provider or not provider_model:
            raise UserError(
                f"AnyLLMModel needs a model name 'provider/model' (such as 'openrouter/openai/gpt-4.1'), got {model!r}"
            )
        self.model = model
        self.model_name = model
        self.base_url = base_url
        self.api_key = api_key
        self.api = api
        self.any_llm_provider = provider
        self.provider_model = provider_model
        self.provider_name = genai_spelling(provider, ANY_LLM_PROVIDER_NAMES)
        if base_url:
            self.server_address, self.server_port = address_of(base_url)
        self._providers: dict[bool, Any] = {}  # by "the runtime manages retries": the provider client without its own

    def get_retry_advice(self, request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
        """any-llm's errors carry the provider SDK's exception; for OpenAI-compatible providers that is the openai
        class with its status and response headers, which the OpenAI models' advice reads as it is."""
        return openai_retry_advice(request)

    def get_default_model_settings(self) -> ModelSettings:
        """The implied settings of an OpenAI model (``openai/gpt-5``, ``openrouter/openai/gpt-5.4-mini``), by the
        provider's own model name, as the SDK 0.25's; none for other providers' models."""
        if self.any_llm_provider == "openai":
            return get_default_model_settings(self.provider_model)
        if self.any_llm_provider == "openrouter" and self.provider_model.startswith("openai/"):
            return get_default_model_settings(self.provider_model.removeprefix("openai/"))
        return ModelSettings()

    def _request_settings(
        self, settings: ModelSettings, *, prompt: Any, has_tools: bool, implied: frozenset[str]
    ) -> ModelSettings:
        """On Chat Completions an implied effort gives way to a ``reasoning_effort`` in ``extra_args``."""
        reasoning = "reasoning_effort" in (settings.extra_args or {}) and self.selected_api() == "chat_completions"
        return without_implied(settings, implied, reasoning=reasoning)

    def selected_api(self) -> AnyLLMApi:
        """The API this model's calls use (see ``api``)."""
        supports = bool(getattr(self._provider_class(), "SUPPORTS_RESPONSES", False))
        if self.api == "responses" and not supports:
            raise UserError(
                f"AnyLLMModel({self.model!r}, api='responses'): any-llm's {self.any_llm_provider!r} provider has no "
                "Responses API; use api='chat_completions' or leave api unset"
            )
        return self.api or ("responses" if supports else "chat_completions")

    def request_params(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments of the provider's ``acompletion`` or ``aresponses`` for ``request`` (without
        ``stream``); ``model`` is the provider's own name, without the prefix."""
        if request.prompt is not None:  # running without the template would answer a different prompt
            raise UserError(
                f"Agent prompt {request.prompt['id']!r}: AnyLLMModel cannot send stored prompt templates (any-llm's "
                "Responses parameters have no prompt, and Chat Completions none at all); use OpenAIResponsesModel"
            )
        if self.selected_api() == "responses":
            return responses_request_params(self.provider_model, request)
        # reasoning is replayed by the name its items record (the model's own, as in the SDK)
        return chat_request_params(self.provider_model, request, ReasoningReplay(self.model_name))

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        params = self.request_params(request)
        provider = self._provider()
        raw_usage = request.settings.preserve_raw_usage is True
        with any_llm_errors():
            if "messages" in params:
                return chat_model_response(
                    await provider.acompletion(**params), raw_usage=raw_usage, model_name=self.model_name
                )
            model, data = params.pop("model"), params.pop("input")
            answer = await provider.aresponses(model, data, **params)
        return responses_model_response(_openai_response(answer), raw_usage=raw_usage)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        """Deltas as the provider's chunks arrive, then the response assembled from them (as the OpenAI model of the
        same API streams). The provider stream is closed however the iteration ends; a failure to close it after the
        whole answer arrived is only logged."""
        params = self.request_params(request)
        provider = self._provider()
        raw_usage = request.settings.preserve_raw_usage is True
        with any_llm_errors():
            if "messages" in params:
                stream = await provider.acompletion(**{**stream_params(request), **params, "stream": True})
                events = chat_stream(stream, request, self.model_name, raw_usage=raw_usage)
            else:
                model, data = params.pop("model"), params.pop("input")
                stream = await provider.aresponses(model, data, **params, stream=True)
                events = responses_stream(stream, raw_usage=raw_usage)
            finished = False
            try:
                async for event in events:
                    finished = isinstance(event, ModelResponse)
                    yield event
            finally:
                await close_provider_stream(stream, finished, "any-llm")

    def _provider_class(self) -> Any:
        try:
            return AnyLLM.get_provider_class(self.any_llm_provider)
        except UnsupportedProviderError as error:
            raise UserError(f"AnyLLMModel({self.model!r}): {error}") from error

    def _provider(self) -> Any:
        """The any-llm provider, made at the first call (it reads its key then); the runtime's replays
        (``ModelSettings.retry``) get a copy whose client makes no resends of its own."""
        own_retries_off = client_retries_disabled()
        provider = self._providers.get(own_retries_off)
        if provider is not None:
            return provider
        base: Any = self._providers.get(False)
        if base is None:
            self._provider_class()  # an unknown provider: the UserError naming it
            try:
                # unified_exceptions: errors carry the provider SDK's exception whatever ANY_LLM_UNIFIED_EXCEPTIONS says
                base = AnyLLM.create(
                    self.any_llm_provider, api_key=self.api_key, api_base=self.base_url, unified_exceptions=True
                )
            except MissingApiKeyError as error:
                raise UserError(f"AnyLLMModel({self.model!r}): {error}; or pass api_key=...") from error
            self._providers[False] = base
        if not own_retries_off:
            return base
        provider = base
        with_options = getattr(getattr(base, "client", None), "with_options", None)
        if callable(with_options):  # an openai-style client; other SDKs' clients keep their own policy
            provider = copy(base)
            provider.client = with_options(max_retries=0)
        self._providers[True] = provider
        return provider

    async def aclose(self) -> None:
        """Close the provider clients this model made (the SDK's ``close``); the next call makes new ones."""
        clients = {id(c): c for c in (getattr(p, "client", None) for p in self._providers.values()) if c is not None}
        self._providers.clear()
        for client in clients.values():
            close = getattr(client, "close", None) or getattr(client, "aclose", None)
            if close is not None:
                result = close()
                if hasattr(result, "__await__"):
                    await result

    close = aclose

    def __repr__(self) -> str:
        return f"AnyLLMModel({self.model!r}, base_url={self.base_url!r}, api={self.api!r})"


@contextlib.contextmanager
def any_llm_errors() -> Iterator[None]:
    """any-llm's errors as the runtime's typed ``ModelError``s. An error whose provider exception is the openai
    package's becomes exactly what the OpenAI models raise (also an instance of that openai class, so SDK code that
    catches ``openai.RateLimitError`` still does); another provider's error by its HTTP status, with the any-llm
    error as ``__cause__``."""
    try:
        yield
    except AnyLLMError as error:
        original = error.original_exception
        if isinstance(original, openai.OpenAIError):
            raise model_error_from(original) from error
        status = error.status_code
        if status is None:
            raise ModelError(f"any-llm: {error}", error_type=type(error).__name__) from error
        cls = ModelRateLimitError if status == 429 else ModelHTTPError
        message = f"HTTP {status} from the model server: {error}"
        raise cls(message, error_type=str(status), status_code=status) from error
    except openai.OpenAIError as error:  # raised before any-llm's handler saw it
        raise model_error_from(error) from error


def _openai_response(answer: Any) -> Response:
    """A provider that normalises to the OpenResponses types answers a ``ResponseResource``: read as the OpenAI
    ``Response`` it mirrors (OpenAI's own provider answers one already)."""
    if isinstance(answer, Response):
        return answer
    try:
        return Response.model_validate(answer.model_dump(by_alias=True) if hasattr(answer, "model_dump") else answer)
    except ValidationError as error:
        raise ModelError(
            f"any-llm's Responses answer is not an OpenAI Response: {error}", error_type=INVALID_RESPONSE
        ) from error
