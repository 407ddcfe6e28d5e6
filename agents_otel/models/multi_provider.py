"""``MultiProvider`` and ``MultiProviderMap``: the OpenAI Agents SDK's provider that picks a provider by the model
name's prefix (``"openai/gpt-4.1"``, ``"ollama/llama3.1"``), for ``RunConfig(model_provider=...)``.

Why: SDK programs mix providers in one run by naming models with a prefix, and map their own prefixes to their own
providers. The routing rule is ``route_model_name``, the same one a run without a ``model_provider`` follows (the
SDK's default provider is a ``MultiProvider()``). The ``litellm/`` prefix goes to ``LitellmProvider`` and
``any-llm/`` to ``AnyLLMProvider`` (each imported only then). The ``openai_*`` options are ``OpenAIProvider``'s,
passed to the OpenAI provider it builds (whose ``agent_registration`` a run on this provider records).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import openai

from ..exceptions import UserError
from ..openai_registration import OpenAIAgentRegistrationConfig
from . import OpenAIPrefixMode, OpenAIResponsesWebSocketOptions, UnknownPrefixMode, route_model_name
from .interface import Model, ModelProvider
from .openai_provider import OpenAIProvider

MultiProviderOpenAIPrefixMode = OpenAIPrefixMode
MultiProviderUnknownPrefixMode = UnknownPrefixMode


class MultiProviderMap:
    """A map of model name prefixes (``"my_prefix"`` for ``"my_prefix/some-model"``) to ``ModelProvider``s."""

    def __init__(self) -> None:
        self._mapping: dict[str, ModelProvider] = {}

    def has_prefix(self, prefix: str) -> bool:
        """Whether ``prefix`` is mapped."""
        return prefix in self._mapping

    def get_mapping(self) -> dict[str, ModelProvider]:
        """A copy of the prefix -> provider mapping."""
        return self._mapping.copy()

    def set_mapping(self, mapping: dict[str, ModelProvider]) -> None:
        """Replace the mapping with ``mapping`` (kept as given, as in the SDK)."""
        self._mapping = mapping

    def get_provider(self, prefix: str) -> ModelProvider | None:
        """The provider for ``prefix`` (e.g. ``"openai"`` or ``"my_prefix"``), ``None`` when unmapped."""
        return self._mapping.get(prefix)

    def add_provider(self, prefix: str, provider: ModelProvider) -> None:
        """Map ``prefix`` to ``provider`` (replacing any provider it had)."""
        self._mapping[prefix] = provider

    def remove_provider(self, prefix: str) -> None:
        """Unmap ``prefix``; a ``KeyError`` when it is not mapped."""
        del self._mapping[prefix]

    def __repr__(self) -> str:
        return f"MultiProviderMap({sorted(self._mapping)!r})"


class MultiProvider(ModelProvider):
    """Models by name, their provider chosen by the name's prefix: a ``provider_map`` prefix goes to its provider
    (without the prefix; it wins over everything below), ``openai/`` or no prefix to ``openai_provider`` (an
    ``OpenAIProvider`` built from the ``openai_*`` options), ``litellm/`` to a ``LitellmProvider``, ``any-llm/`` to an
    ``AnyLLMProvider``, and any other prefix is ``UserError("Unknown prefix: ...")``.

    ``openai_prefix_mode="model_id"`` sends ``openai/...`` names whole, and ``unknown_prefix_mode="model_id"`` sends
    names with an unknown prefix whole, to the OpenAI provider: for an OpenAI-compatible endpoint whose model ids
    are namespaced (``openrouter/openai/gpt-4o``)."""

    def __init__(
        self,
        *,
        provider_map: MultiProviderMap | None = None,
        openai_api_key: str | None = None,
        openai_base_url: str | None = None,
        openai_client: openai.AsyncOpenAI | None = None,
        openai_organization: str | None = None,
        openai_project: str | None = None,
        openai_use_responses: bool | None = None,
        openai_use_responses_websocket: bool | None = None,
        openai_websocket_base_url: str | None = None,
        openai_responses_websocket_options: OpenAIResponsesWebSocketOptions | None = None,
        openai_prefix_mode: MultiProviderOpenAIPrefixMode = "alias",
        unknown_prefix_mode: MultiProviderUnknownPrefixMode = "error",
        openai_strict_feature_validation: bool = False,
        openai_agent_registration: OpenAIAgentRegistrationConfig | Mapping[str, Any] | None = None,
        openai_buffer_streamed_tool_calls: bool = False,
    ) -> None:
        if provider_map is not None and not callable(getattr(provider_map, "get_provider", None)):
            raise UserError(
                f"MultiProvider provider_map must be a MultiProviderMap, got {type(provider_map).__name__} "
                "(for a dict: provider_map = MultiProviderMap(); provider_map.set_mapping(your_dict))"
            )
        self.provider_map = provider_map
        self.openai_provider = OpenAIProvider(
            api_key=openai_api_key,
            base_url=openai_base_url,
            openai_client=openai_client,
            organization=openai_organization,
            project=openai_project,
            use_responses=openai_use_responses,
            use_responses_websocket=openai_use_responses_websocket,
            websocket_base_url=openai_websocket_base_url,
            responses_websocket_options=openai_responses_websocket_options,
            strict_feature_validation=openai_strict_feature_validation,
            agent_registration=openai_agent_registration,
            buffer_streamed_tool_calls=openai_buffer_streamed_tool_calls,
        )
        if openai_prefix_mode not in ("alias", "model_id"):
            raise UserError(f"MultiProvider openai_prefix_mode takes 'alias' or 'model_id', got {openai_prefix_mode!r}")
        if unknown_prefix_mode not in ("error", "model_id"):
            raise UserError(
                f"MultiProvider unknown_prefix_mode takes 'error' or 'model_id', got {unknown_prefix_mode!r}"
            )
        self._openai_prefix_mode: MultiProviderOpenAIPrefixMode = openai_prefix_mode
        self._unknown_prefix_mode: MultiProviderUnknownPrefixMode = unknown_prefix_mode
        self._adapters: dict[str, ModelProvider] = {}
        """The ``litellm/`` and ``any-llm/`` providers this one routed to (closed by :meth:`aclose`)."""

    def get_model(self, model_name: str | None) -> Model:
        """The model for ``model_name``, from the provider its prefix names (see the class); ``None``: the OpenAI
        provider's default model."""
        mapped = self.provider_map.get_provider if self.provider_map is not None else None
        provider, name = route_model_name(
            model_name,
            mapped,
            openai_prefix_mode=self._openai_prefix_mode,
            unknown_prefix_mode=self._unknown_prefix_mode,
            adapters=self._adapters,
        )
        return (self.openai_provider if provider is None else provider).get_model(name)

    async def aclose(self) -> None:
        """Close the OpenAI provider and every mapped provider, each once, all of them even when one fails (the
        first failure is raised after); a cancellation stops at once. A mapped provider without ``aclose`` holds
        nothing to close here and is skipped."""
        providers: list[ModelProvider] = [self.openai_provider, *self._adapters.values()]
        if self.provider_map is not None:
            providers.extend(self.provider_map.get_mapping().values())
        seen: set[int] = set()
        first_error: Exception | None = None
        for provider in providers:
            if provider is self or id(provider) in seen:
                continue
            seen.add(id(provider))
            close = getattr(provider, "aclose", None)
            if close is None:
                continue
            try:
                await close()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if first_error is None:
                    first_error = error
        if first_error is not None:
            raise first_error

    def __repr__(self) -> str:
        prefixes = sorted(self.provider_map.get_mapping()) if self.provider_map is not None else []
        return (
            f"MultiProvider(provider_map={prefixes!r}, openai_provider={self.openai_provider!r}, "
            f"openai_prefix_mode={self._openai_prefix_mode!r}, unknown_prefix_mode={self._unknown_prefix_mode!r})"
        )
