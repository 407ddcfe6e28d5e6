"""What the pipeline runs between transcription and speech, as in the SDK: a ``VoiceWorkflowBase`` turns each
transcript into text to speak; ``SingleAgentVoiceWorkflow`` is the common case, one agent keeping the conversation.

Why text deltas: speech starts as soon as the first sentence is complete, so a workflow yields text as the agent
streams it (``VoiceWorkflowHelper.stream_text_from``) rather than the finished answer.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from typing import Any

from ..agent import Agent
from ..exceptions import UserError
from ..result import RunResultStreaming
from ..run import Runner


class VoiceWorkflowBase(abc.ABC):
    """Your code in a voice pipeline: ``run`` receives what the user said and yields what to say back."""

    @abc.abstractmethod
    def run(self, transcription: str) -> AsyncIterator[str]:
        """Yield the answer to ``transcription`` as text (deltas or whole sentences)."""

    async def on_start(self) -> AsyncIterator[str]:
        """Text spoken before the user says anything (a greeting), on streamed input; nothing by default."""
        return
        yield


class VoiceWorkflowHelper:
    """Helpers for writing a workflow."""

    @classmethod
    async def stream_text_from(cls, result: RunResultStreaming) -> AsyncIterator[str]:
        """The text deltas of a streamed run, as the model writes them."""
        async for event in result.stream_events():
            if event.type == "raw_response_event" and getattr(event.data, "type", None) == "response.output_text.delta":
                yield event.data.delta


class SingleAgentWorkflowCallbacks:
    """Hooks of a :class:`SingleAgentVoiceWorkflow`."""

    def on_run(self, workflow: SingleAgentVoiceWorkflow, transcription: str) -> None:
        """Called with each transcript, before the agent runs."""


class SingleAgentVoiceWorkflow(VoiceWorkflowBase):
    """One agent answering each transcript, with the conversation so far as its input; after a handoff, the agent
    handed to answers the next one. Subclass :class:`VoiceWorkflowBase` for anything more."""

    def __init__(
        self, agent: Agent[Any], callbacks: SingleAgentWorkflowCallbacks | None = None, *, context: Any = None
    ) -> None:
        """``context``: the application context every run of the workflow gets (its tools' ``RunContextWrapper``),
        as ``Runner.run_streamed(context=...)``."""
        if not isinstance(agent, Agent):
            raise UserError(f"SingleAgentVoiceWorkflow needs an Agent, got {type(agent).__name__}")
        self._input_history: list[Any] = []
        self._current_agent: Agent[Any] = agent
        self._callbacks = callbacks
        self._context = context

    async def run(self, transcription: str) -> AsyncIterator[str]:
        if self._callbacks is not None:
            self._callbacks.on_run(self, transcription)
        self._input_history.append({"role": "user", "content": transcription})
        result = Runner.run_streamed(self._current_agent, self._input_history, context=self._context)
        async for delta in VoiceWorkflowHelper.stream_text_from(result):
            yield delta
        self._input_history = result.to_input_list()
        self._current_agent = result.last_agent


__all__ = ["SingleAgentVoiceWorkflow", "SingleAgentWorkflowCallbacks", "VoiceWorkflowBase", "VoiceWorkflowHelper"]
