"""A Codex conversation: each ``run`` is one turn (one CLI process); the thread id the first turn reports makes the
next turns resume it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Literal, TypeAlias

from typing_extensions import TypedDict

from .codex_options import CodexOptions
from .events import (
    ItemCompletedEvent,
    ThreadErrorEvent,
    ThreadEvent,
    ThreadStartedEvent,
    TurnCompletedEvent,
    TurnFailedEvent,
    Usage,
    coerce_thread_event,
)
from .exec import CodexExec, CodexExecArgs
from .items import ThreadItem, is_agent_message_item
from .output_schema_file import create_output_schema_file
from .thread_options import ThreadOptions
from .turn_options import TurnOptions


class TextInput(TypedDict):
    type: Literal["text"]
    text: str


class LocalImageInput(TypedDict):
    type: Literal["local_image"]
    path: str


UserInput: TypeAlias = TextInput | LocalImageInput
Input: TypeAlias = str | list[UserInput]


@dataclass(frozen=True)
class Turn:
    items: list[ThreadItem]
    """Every completed item, in order."""
    final_response: str
    """The last agent message's text (``""`` when Codex wrote none)."""
    usage: Usage | None


RunResult = Turn


@dataclass(frozen=True)
class StreamedTurn:
    events: AsyncGenerator[ThreadEvent, None]
    """The turn's events as the CLI writes them; the CLI runs while this is iterated (``aclose()`` stops it)."""


RunStreamedResult = StreamedTurn


class Thread:
    def __init__(
        self,
        *,
        exec_client: CodexExec,
        options: CodexOptions,
        thread_options: ThreadOptions,
        thread_id: str | None = None,
    ) -> None:
        self._exec = exec_client
        self._options = options
        self._thread_options = thread_options
        self._id = thread_id

    @property
    def id(self) -> str | None:
        """``None`` until the first turn's ``thread.started`` event (or the id given to ``resume_thread``)."""
        return self._id

    async def run_streamed(self, input: Input, turn_options: TurnOptions | None = None) -> StreamedTurn:
        return StreamedTurn(events=self._events(input, turn_options or TurnOptions()))

    async def run(self, input: Input, turn_options: TurnOptions | None = None) -> Turn:
        """The whole turn: its completed items, final response and usage. A failed turn or a stream error is a
        ``RuntimeError`` with Codex's message, as in the SDK."""
        items: list[ThreadItem] = []
        final_response = ""
        usage: Usage | None = None
        events = self._events(input, turn_options or TurnOptions())
        try:
            async for event in events:
                if isinstance(event, ItemCompletedEvent):
                    items.append(event.item)
                    if is_agent_message_item(event.item):
                        final_response = event.item.text
                elif isinstance(event, TurnCompletedEvent):
                    usage = event.usage
                elif isinstance(event, TurnFailedEvent):
                    raise RuntimeError(event.error.message)
                elif isinstance(event, ThreadErrorEvent):
                    raise RuntimeError(f"Codex stream error: {event.message}")
        finally:
            await events.aclose()
        return Turn(items=items, final_response=final_response, usage=usage)

    async def _events(self, input: Input, turn_options: TurnOptions) -> AsyncGenerator[ThreadEvent, None]:
        schema_file = create_output_schema_file(turn_options.output_schema)
        options = self._thread_options
        prompt, images = _normalize_input(input)
        signal = turn_options.signal
        if turn_options.idle_timeout_seconds is not None and signal is None:
            signal = asyncio.Event()
        lines = self._exec.run(
            CodexExecArgs(
                input=prompt,
                base_url=self._options.base_url,
                api_key=self._options.api_key,
                thread_id=self._id,
                images=images,
                model=options.model,
                sandbox_mode=options.sandbox_mode,
                working_directory=options.working_directory,
                additional_directories=list(options.additional_directories) if options.additional_directories else None,
                skip_git_repo_check=options.skip_git_repo_check,
                output_schema_file=schema_file.schema_path,
                model_reasoning_effort=options.model_reasoning_effort,
                signal=signal,
                idle_timeout_seconds=turn_options.idle_timeout_seconds,
                network_access_enabled=options.network_access_enabled,
                web_search_mode=options.web_search_mode,
                web_search_enabled=options.web_search_enabled,
                approval_policy=options.approval_policy,
            )
        )
        try:
            async for line in lines:
                try:
                    event = coerce_thread_event(json.loads(line))
                except Exception as exc:
                    raise RuntimeError(f"Failed to parse event: {line}") from exc
                if isinstance(event, ThreadStartedEvent):
                    self._id = event.thread_id  # later turns resume this thread
                yield event
        finally:
            await lines.aclose()  # kills the CLI if the turn stopped early
            schema_file.cleanup()


def _normalize_input(input: Input) -> tuple[str, list[str]]:
    """Text parts joined by blank lines into the prompt; image paths passed as ``--image``."""
    if isinstance(input, str):
        return input, []
    texts = [part.get("text", "") for part in input if part["type"] == "text"]
    images = [part.get("path", "") for part in input if part["type"] == "local_image"]
    return "\n\n".join(texts), [path for path in images if path]
