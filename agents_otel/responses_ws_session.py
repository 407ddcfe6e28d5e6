"""``responses_websocket_session()``: runs that share one websocket-configured provider, as the SDK's helper.

Why: a websocket model keeps its connection only as long as something keeps the model; runs that each build their
provider would each open a socket. The session holds one ``MultiProvider`` (prefix routing as usual) whose OpenAI
provider uses the Responses websocket transport, passes the same ``RunConfig`` to every run it starts (agent-as-tool
runs inherit it), so turn after turn, and run after run, reuse one connection per model; leaving the ``async with``
closes them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from .agent import Agent
from .models import OpenAIPrefixMode, OpenAIResponsesWebSocketOptions, UnknownPrefixMode
from .models.multi_provider import MultiProvider
from .models.openai_provider import OpenAIProvider
from .result import RunResult, RunResultStreaming
from .run import Runner
from .run_config import RunConfig


class ResponsesWebSocketSession:
    """``provider`` and the ``run_config`` every run of the session gets (a ``RunConfig``, or its settings as a
    dict); ``run_config.model_provider`` must be a ``MultiProvider`` whose ``openai_provider`` is ``provider``."""

    def __init__(self, provider: OpenAIProvider, run_config: RunConfig | Mapping[str, Any]) -> None:
        self.provider = provider
        self.run_config = _run_config(run_config)
        self._multi_provider()

    def _multi_provider(self) -> MultiProvider:
        model_provider = self.run_config.model_provider
        if not isinstance(model_provider, MultiProvider):
            raise TypeError("ResponsesWebSocketSession.run_config.model_provider must be a MultiProvider.")
        if model_provider.openai_provider is not self.provider:
            raise ValueError("ResponsesWebSocketSession provider and run_config.model_provider are not aligned.")
        return model_provider

    def _runner_kwargs(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self._multi_provider()
        if "run_config" in kwargs:
            raise ValueError(
                f"Do not pass `run_config` to ResponsesWebSocketSession.{method}(): the session's is used."
            )
        return {**kwargs, "run_config": self.run_config}

    async def run(self, starting_agent: Agent[Any], input: Any, **kwargs: Any) -> RunResult:
        """``Runner.run`` with the session's ``RunConfig``."""
        return await Runner.run(starting_agent, input, **self._runner_kwargs("run", kwargs))

    def run_streamed(self, starting_agent: Agent[Any], input: Any, **kwargs: Any) -> RunResultStreaming:
        """``Runner.run_streamed`` with the session's ``RunConfig``. Read it to its end (or cancel it) before the
        session closes: a run still reading from a connection that closes fails."""
        return Runner.run_streamed(starting_agent, input, **self._runner_kwargs("run_streamed", kwargs))

    async def aclose(self) -> None:
        """Close the provider's websocket connections (and any client it built)."""
        await self._multi_provider().aclose()

    def __repr__(self) -> str:
        return f"ResponsesWebSocketSession(provider={self.provider!r})"


@asynccontextmanager
async def responses_websocket_session(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    websocket_base_url: str | None = None,
    organization: str | None = None,
    project: str | None = None,
    openai_prefix_mode: OpenAIPrefixMode = "alias",
    unknown_prefix_mode: UnknownPrefixMode = "error",
    responses_websocket_options: OpenAIResponsesWebSocketOptions | None = None,
) -> AsyncIterator[ResponsesWebSocketSession]:
    """``async with responses_websocket_session() as ws: await ws.run(agent, "hi")``: a session on a new
    ``MultiProvider`` (the Responses API over a websocket; the options as ``MultiProvider``'s ``openai_*`` ones),
    closed when the block ends."""
    model_provider = MultiProvider(
        openai_api_key=api_key,
        openai_base_url=base_url,
        openai_websocket_base_url=websocket_base_url,
        openai_organization=organization,
        openai_project=project,
        openai_use_responses=True,
        openai_use_responses_websocket=True,
        openai_responses_websocket_options=responses_websocket_options,
        openai_prefix_mode=openai_prefix_mode,
        unknown_prefix_mode=unknown_prefix_mode,
    )
    session = ResponsesWebSocketSession(model_provider.openai_provider, RunConfig(model_provider=model_provider))
    try:
        yield session
    finally:
        await session.aclose()


def _run_config(value: RunConfig | Mapping[str, Any]) -> RunConfig:
    if isinstance(value, RunConfig):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"run_config must be a RunConfig or a dict of its settings, got {type(value).__name__}")
    known = {f.name for f in dataclasses.fields(RunConfig)}
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise TypeError(f"Unknown run_config settings: {', '.join(unknown)}")
    return RunConfig(**value)
