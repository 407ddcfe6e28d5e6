"""The conversation of one run as the agent loop keeps it: what the next model call reads, and what is not yet saved.

Two lists because a handoff input filter may rewrite what the next agent reads, while the session must still get
what really happened. ``unsaved`` is ``None`` when the run has no session, so a run without one keeps no copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .input_items import conversation_items
from .items import (
    ConversationItem,
    RunItem,
    UserMessage,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


class Conversation:
    __slots__ = ("history", "start", "unsaved")

    def __init__(
        self, history: list[ConversationItem], *, unsaved: list[ConversationItem] | None, start: str | None = None
    ) -> None:
        self.history = history
        self.start: str | tuple[ConversationItem, ...] = start if start is not None else tuple(history)
        """The conversation before the run's first turn (the input string, or the session history plus the input
        items): the SDK's ``input_history`` of a handoff."""
        self.unsaved = unsaved

    def add(self, item: ConversationItem) -> None:
        self.history.append(item)
        if self.unsaved is not None:
            self.unsaved.append(item)

    def extend(self, items: Sequence[ConversationItem]) -> None:
        self.history.extend(items)  # one call for a turn's tool outputs, not one per call
        if self.unsaved is not None:
            self.unsaved.extend(items)

    def take_unsaved(self) -> list[ConversationItem]:
        out = self.unsaved or []
        if self.unsaved is not None:
            self.unsaved = []
        return out


def from_run_items(items: Iterable[RunItem]) -> list[ConversationItem]:
    """Run items back as what the model reads (for a handoff input filter's result)."""
    return [item.conversation_item() for item in items]


def input_history_items(history: str | tuple[Any, ...]) -> list[ConversationItem]:
    if isinstance(history, str):
        return [UserMessage(history)]
    return conversation_items(history)
