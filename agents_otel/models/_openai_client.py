"""Which openai client a model talks to, and what the ``chat`` span says about it.

A model given a client uses it exactly as configured: retries, timeout, base URL, headers, Azure auth. A model
without one uses the default client: the one passed to ``set_default_openai_client``, else one built from
``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``. The built one is cached per event loop, because building a client per run
is expensive and an httpx connection pool must not be reused after the loop it was opened on has closed (``run_sync``
keeps the thread's default loop open between calls, so its runs share one client; ``asyncio.run`` loops do not).
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import urlsplit

import openai

from ..exceptions import UserError
from ..model_retry import client_retries_disabled, openai_retry_advice
from ..retry import ModelRetryAdvice, ModelRetryAdviceRequest
from .gpt5_defaults import get_default_model_settings
from .interface import Model, ModelSettings, RefusalDelta, TextDelta

T = TypeVar("T")

OPENAI_BASE_URL = "https://api.openai.com/v1"
PROVIDER_OPENAI = "openai"
PROVIDER_AZURE_OPENAI = "azure.ai.openai"
_PLACEHOLDER_KEY = "not-needed"
"""Sent when only ``OPENAI_BASE_URL`` is set: local servers (Ollama, vLLM) ignore the key, the client demands one."""

_explicit_default: openai.AsyncOpenAI | None = None
_default_key: str | None = None
_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def set_default_openai_client(client: openai.AsyncOpenAI | None, use_for_tracing: bool = True) -> None:
    """Use ``client`` for every OpenAI model built without one (e.g. ``Agent(model="gpt-4.1-mini")``).

    ``None`` goes back to clients built from the environment. The caller owns the client and its event loop.
    ``use_for_tracing`` (as in the SDK): the client's key becomes the key ``default_exporter()`` uploads traces to
    OpenAI with, which it does only once registered (``add_trace_processor(default_processor())``).
    """
    global _explicit_default
    _explicit_default = client
    if use_for_tracing and client is not None:
        _use_for_tracing(client.api_key)


def set_default_openai_key(key: str, use_for_tracing: bool = True) -> None:
    """As in the OpenAI Agents SDK: the API key of the default client (instead of ``OPENAI_API_KEY``), and with
    ``use_for_tracing`` the key of ``default_exporter()`` too (see ``set_default_openai_client``)."""
    global _default_key
    with _lock:
        _default_key = key
        _per_loop.clear()  # clients already built carry the old key
    if use_for_tracing:
        _use_for_tracing(key)


def _use_for_tracing(key: str) -> None:
    """The SDK's ``set_tracing_export_api_key(key)``, without its warning: SDK code passes ``use_for_tracing=True``
    by default, and a process that never uploads traces to OpenAI needs no warning for it."""
    from ..tracing.processors import default_exporter

    default_exporter().set_api_key(key)


def default_openai_client() -> openai.AsyncOpenAI:
    if _explicit_default is not None:
        return _explicit_default
    loop = asyncio.get_running_loop()
    client = _per_loop.get(loop)
    if client is None:
        with _lock:
            client = _per_loop.get(loop)
            if client is None:
                client = _client_from_env()
                _per_loop[loop] = client
    return client


def _client_from_env() -> openai.AsyncOpenAI:
    return build_client()


def build_client(
    api_key: str | None = None, base_url: str | None = None, **options: Any
) -> openai.AsyncOpenAI:
    """A client from what is given, the rest from the default key and the environment. A base URL without any key
    gets a placeholder key (local OpenAI-compatible servers ignore it; the client refuses to start without one)."""
    base_url = base_url or os.environ.get("OPENAI_BASE_URL")
    api_key = api_key or _default_key or os.environ.get("OPENAI_API_KEY") or (_PLACEHOLDER_KEY if base_url else None)
    try:
        return openai.AsyncOpenAI(api_key=api_key, base_url=base_url, **options)
    except openai.OpenAIError as exc:
        raise UserError(
            "No OpenAI client configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for another server), "
            f"pass openai_client=..., or call set_default_openai_client(). ({exc})"
        ) from exc


def default_base_url() -> str:
    if _explicit_default is not None:
        return str(_explicit_default.base_url)
    return os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL


def address_of(base_url: str) -> tuple[str | None, int | None]:
    """``server.address`` / ``server.port`` of a base URL; the port is explicit even when it is the scheme's."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        return None, None
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"https": 443, "http": 80}.get(parts.scheme)
    return parts.hostname, port


class OpenAIClientModel(Model):
    """What both OpenAI models share: the model name, the client, and the span identity derived from the client.

    ``provider_name``, ``server_address`` and ``server_port`` follow the client (Azure clients report
    ``azure.ai.openai``); assign them to override, e.g. ``model.provider_name = "x_ai"`` for a compatible endpoint.
    """

    _instances: ClassVar[dict[tuple[type[Any], str], Any]] = {}

    def __init__(self, model: str, openai_client: openai.AsyncOpenAI | None = None) -> None:
        self.model_name = model
        self._client = openai_client
        self._provider_override: str | None = None
        self._address_override: tuple[str | None, int | None] | None = None

    def get_default_model_settings(self) -> ModelSettings | None:
        """The defaults of this model's name (``get_default_model_settings(model_name)``), as the SDK's OpenAI
        models read them from their ``model``."""
        return get_default_model_settings(self.model_name)

    @classmethod
    def for_name(cls, model: str) -> Self:
        """The shared instance for ``model`` on the default client, so a model given by name costs nothing per run."""
        key = (cls, model)
        instance = OpenAIClientModel._instances.get(key)
        if instance is None:
            instance = OpenAIClientModel._instances.setdefault(key, cls(model))
        return instance  # type: ignore[no-any-return]

    @property
    def client(self) -> openai.AsyncOpenAI:
        client = self._client if self._client is not None else default_openai_client()
        if client_retries_disabled():  # ModelSettings.retry manages this attempt: no hidden resends inside it
            return client.with_options(max_retries=0)
        return client

    def get_retry_advice(self, request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
        return openai_retry_advice(request)

    def _base_url(self) -> str:
        return str(self._client.base_url) if self._client is not None else default_base_url()

    @property
    def provider_name(self) -> str:
        if self._provider_override is not None:
            return self._provider_override
        client = self._client if self._client is not None else _explicit_default
        return PROVIDER_AZURE_OPENAI if isinstance(client, openai.AsyncAzureOpenAI) else PROVIDER_OPENAI

    @provider_name.setter
    def provider_name(self, value: str) -> None:
        self._provider_override = value

    @property
    def server_address(self) -> str | None:
        return self._address()[0]

    @server_address.setter
    def server_address(self, value: str | None) -> None:
        self._address_override = (value, self._address()[1])

    @property
    def server_port(self) -> int | None:
        return self._address()[1]

    @server_port.setter
    def server_port(self, value: int | None) -> None:
        self._address_override = (self._address()[0], value)

    def _address(self) -> tuple[str | None, int | None]:
        if self._address_override is not None:
            return self._address_override
        return address_of(self._base_url())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_name!r}, base_url={self._base_url()!r})"


def stream_request_id(stream: Any) -> str | None:
    """The ``x-request-id`` of the HTTP response a client stream reads (the SDK's ``ModelResponse.request_id``)."""
    headers = getattr(getattr(stream, "response", None), "headers", None)
    value = headers.get("x-request-id") if headers is not None else None
    return value if isinstance(value, str) else None


async def stream_deltas(
    stream: AsyncIterable[T], feed: Callable[[T], TextDelta | RefusalDelta | None]
) -> AsyncIterator[TextDelta | RefusalDelta]:
    """One delta per chunk of a provider stream: its text (or refusal), or an empty ``TextDelta`` for a chunk without
    either (``feed`` also assembles the rest of the answer).

    Every chunk is forwarded, so the ``chat`` span's time to first chunk and the time-per-output-chunk metric see
    the wire's chunks even when the answer is only tool calls; empty deltas never reach the run's stream.
    """
    async for chunk in stream:
        delta = feed(chunk)
        yield delta if delta is not None else TextDelta("", raw=chunk)
