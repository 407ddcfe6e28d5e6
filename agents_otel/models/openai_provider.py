"""``OpenAIProvider``: the OpenAI Agents SDK's provider of OpenAI models by name, for ``RunConfig(model_provider=...)``.

Why: SDK programs put a run on another endpoint (a local OpenAI-compatible server, a gateway, another key) by giving
the run a provider instead of changing every agent. The models it returns are this runtime's OpenAI models, so
their ``chat`` spans name the provider and server the client really talks to. With the websocket transport
(``use_responses_websocket=True``, or ``set_default_openai_responses_transport("websocket")``) a Responses model is
an ``OpenAIResponsesWSModel``, one per model name and event loop, kept so its connection serves run after run until
``aclose()``. ``agent_registration`` names the agent harness the runs on this provider belong to (their trace
metadata's ``agent_harness_id``, ahead of the process default), and the two Chat Completions flags go to each Chat
Completions model it makes (see ``OpenAIChatCompletionsModel``).
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import openai

from ..exceptions import UserError
from ..openai_registration import OpenAIAgentRegistrationConfig, resolve_registration
from . import OpenAIResponsesWebSocketOptions, get_default_openai_responses_transport, openai_model
from ._openai_client import OpenAIClientModel, build_client
from .interface import ModelProvider


class OpenAIProvider(ModelProvider):
    """OpenAI models by name, on ``openai_client`` or on a client built from ``api_key`` / ``base_url`` /
    ``organization`` / ``project`` / ``websocket_base_url`` (each unset one from the default key and the environment,
    as the default client does; ``websocket_base_url`` from ``$OPENAI_WEBSOCKET_BASE_URL``); with none of them, on the
    default client. ``use_responses``: the Responses API (``True``) or Chat Completions (``False``); ``None`` follows
    ``set_default_openai_api``. ``use_responses_websocket``: the Responses API over a websocket (``None`` follows
    ``set_default_openai_responses_transport``), with ``responses_websocket_options``."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        websocket_base_url: str | None = None,
        openai_client: openai.AsyncOpenAI | None = None,
        organization: str | None = None,
        project: str | None = None,
        use_responses: bool | None = None,
        use_responses_websocket: bool | None = None,
        strict_feature_validation: bool = False,
        agent_registration: OpenAIAgentRegistrationConfig | Mapping[str, Any] | None = None,
        responses_websocket_options: OpenAIResponsesWebSocketOptions | None = None,
        buffer_streamed_tool_calls: bool = False,
    ) -> None:
        for name, flag in (("strict_feature_validation", strict_feature_validation),
                           ("buffer_streamed_tool_calls", buffer_streamed_tool_calls)):  # fmt: skip
            if not isinstance(flag, bool):
                raise UserError(f"OpenAIProvider({name}=...) must be a bool, got {flag!r}")
        self._strict_feature_validation = strict_feature_validation
        self._buffer_streamed_tool_calls = buffer_streamed_tool_calls
        self._agent_registration = resolve_registration(agent_registration)
        options = {
            "api_key": api_key,
            "base_url": base_url,
            "websocket_base_url": websocket_base_url,
            "organization": organization,
            "project": project,
        }
        given = {name: value for name, value in options.items() if value is not None}
        if openai_client is not None and given:
            raise UserError(
                "Don't provide api_key, base_url, websocket_base_url, organization, or project if you provide "
                f"openai_client (got {', '.join(given)})"
            )
        if openai_client is None and websocket_base_url is None and os.environ.get("OPENAI_WEBSOCKET_BASE_URL"):
            given["websocket_base_url"] = os.environ["OPENAI_WEBSOCKET_BASE_URL"]
        self._client = openai_client
        self._options = given or None
        self._use_responses = use_responses
        self._use_websocket = use_responses_websocket
        self._websocket_options = responses_websocket_options
        self._ws_models: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, OpenAIClientModel]] = (
            weakref.WeakKeyDictionary()
        )
        # A built client is kept per event loop: its connection pool must not outlive the loop it was opened on.
        self._built: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get_model(self, model_name: str | None) -> OpenAIClientModel:
        """``model_name`` (``None``: ``get_default_model()``) on this provider's client."""
        if self._use_websocket is None:
            websocket = get_default_openai_responses_transport() == "websocket"
        else:
            websocket = self._use_websocket
        if not websocket:
            client = self._client_for_loop()
            return openai_model(
                model_name or None,
                use_responses=self._use_responses,
                client=client,
                transport="http",
                strict_feature_validation=self._strict_feature_validation,
                buffer_streamed_tool_calls=self._buffer_streamed_tool_calls,
            )
        options = self._websocket_options or {}
        try:
            loop = asyncio.get_running_loop()  # a websocket model's connection belongs to one loop
        except RuntimeError:  # asked outside a run: a model of its own, not kept
            return openai_model(
                model_name or None, client=self._client_for_loop(), transport="websocket", websocket_options=options
            )
        with self._lock:
            models = self._ws_models.setdefault(loop, {})
        key = model_name or ""
        model = models.get(key)
        if model is None:
            model = models[key] = openai_model(
                model_name or None,
                use_responses=self._use_responses,
                client=self._client_for_loop(),
                transport="websocket",
                websocket_options=options,
            )
        return model

    @property
    def agent_registration(self) -> OpenAIAgentRegistrationConfig | None:
        """The registration runs on this provider record (the given one's harness id, else the process default's,
        else ``$OPENAI_AGENT_HARNESS_ID``, read when the provider was made, as in the SDK); ``None`` without one."""
        return self._agent_registration

    def _client_for_loop(self) -> openai.AsyncOpenAI | None:
        """The client to use now; ``None`` for the default client (which the models look up themselves)."""
        if self._client is not None or self._options is None:
            return self._client
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # asked outside a run: a client of its own, not cached
            return build_client(**self._options)
        with self._lock:
            client = self._built.get(loop)
            if client is None:
                client = self._built[loop] = build_client(**self._options)
        return client

    async def aclose(self) -> None:
        """Close the websocket connections of this provider's models and the client it built for the running loop
        (a client passed in is the caller's)."""
        with self._lock:
            models = self._ws_models.pop(asyncio.get_running_loop(), {})
            client = self._built.pop(asyncio.get_running_loop(), None)
        for model in models.values():
            close = getattr(model, "close", None)
            if close is not None:
                await close()
        if client is not None:
            await client.close()

    def __repr__(self) -> str:
        options: Any = {k: v for k, v in (self._options or {}).items() if k != "api_key"}
        return f"OpenAIProvider(use_responses={self._use_responses!r}, options={options!r})"
