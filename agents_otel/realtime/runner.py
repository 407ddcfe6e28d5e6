"""``RealtimeRunner``, as the SDK's: what ``Runner`` is for text agents — here it makes a live
:class:`RealtimeSession` for a starting agent instead of running to a result.

Why the model is made here, once: ``OpenAIRealtimeWebSocketModel`` is the default transport; a custom
``RealtimeModel`` (another vendor, a test double) drives the same session.
"""

from __future__ import annotations

from typing import Any

from .agent import RealtimeAgent
from .config import RealtimeRunConfig
from .model import RealtimeModel, RealtimeModelConfig
from .session import RealtimeSession


class RealtimeRunner:
    def __init__(
        self,
        starting_agent: RealtimeAgent[Any],
        *,
        model: RealtimeModel | None = None,
        config: RealtimeRunConfig | None = None,
    ) -> None:
        if model is None:
            from .openai_realtime import OpenAIRealtimeWebSocketModel

            model = OpenAIRealtimeWebSocketModel()
        self._starting_agent = starting_agent
        self._config = config
        self._model = model

    async def run(self, *, context: Any = None, model_config: RealtimeModelConfig | None = None) -> RealtimeSession:
        """A session, not yet connected: ``async with await runner.run() as session:`` connects it."""
        return RealtimeSession(
            model=self._model,
            agent=self._starting_agent,
            context=context,
            model_config=model_config,
            run_config=self._config,
        )


__all__ = ["RealtimeRunner"]
