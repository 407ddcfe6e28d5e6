"""The conversation of one run as the agent loop keeps it: what the next model call reads, and what is not yet saved.

Two lists because a handoff input filter may rewrite what the next agent reads, while the session must still get
what really happened. ``unsaved`` is ``None`` when the run has no session, so a run without one keeps no copy.

When OpenAI keeps the conversation (``Runner.run(previous_response_id=..., conversation_id=...,
auto_previous_response_id=True)``), ``server`` says how much of ``history`` the server already has, and each model
call sends only the rest; ``history`` itself still keeps everything, so ``to_input_list()``, hooks and the trace see
the whole run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import UserError
from .input_items import conversation_items
from .items import (
    ConversationItem,
    RawInputItem,
    RunItem,
    UserMessage,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .agent import Agent
    from .run_config import RunConfig
    from .sessions import Session


class ServerConversation:
    """What OpenAI already holds of a run's conversation, and how the next call refers to it.

    The SDK's rule: a call sends ``previous_response_id`` (or ``conversation``) and only the items produced since the
    last call (tool outputs, a handoff's transfer message); the model's own output items are on the server already.
    Response ids chain from one call to the next unless a ``conversation_id`` is given (the conversation itself
    moves on) or chaining was not asked for.
    """

    __slots__ = ("chained", "conversation_id", "previous_response_id", "sent")

    def __init__(self, conversation_id: str | None, previous_response_id: str | None, auto: bool) -> None:
        self.conversation_id = conversation_id
        self.previous_response_id = previous_response_id
        self.chained = conversation_id is None and (previous_response_id is not None or auto)
        self.sent = 0
        """How many items of the history the server has (what was sent, and what it answered)."""

    def copy(self) -> ServerConversation:
        """The same position in the same server-side conversation, moving on by itself from here (a paused run's
        state may be resumed more than once)."""
        twin = ServerConversation(self.conversation_id, self.previous_response_id, False)
        twin.chained, twin.sent = self.chained, self.sent
        return twin

    def answered(self, response_id: str | None, history_length: int) -> None:
        """A call succeeded and its output joined the history: all of it is on the server now."""
        self.sent = history_length
        if self.chained and response_id is not None:
            self.previous_response_id = response_id


class Conversation:
    __slots__ = ("history", "new_input", "omit_ids", "server", "start", "unsaved")

    def __init__(
        self,
        history: list[ConversationItem],
        *,
        unsaved: list[ConversationItem] | None,
        start: str | None = None,
        server: ServerConversation | None = None,
    ) -> None:
        self.history = history
        self.start: str | tuple[ConversationItem, ...] = start if start is not None else tuple(history)
        """The conversation before the run's first turn (the input string, or the session history plus the input
        items): the SDK's ``input_history`` of a handoff."""
        self.unsaved = unsaved
        self.new_input: list[dict[str, Any]] | None = None
        """With a ``Session``: the input items this run added to it (a sandbox memory rollout records only those)."""
        self.server = server
        """``None``: every call sends the whole history (the default)."""
        self.omit_ids = False
        """``RunConfig(reasoning_item_id_policy="omit")``: the model's reasoning items join the history without their
        ``id``. Kept here so a run resumed from a ``RunState`` goes on with the policy it stopped with."""

    def request_input(self) -> list[ConversationItem]:
        """What the next model call sends: the whole history, or only what the server has not seen."""
        server = self.server
        return list(self.history) if server is None else self.history[server.sent :]

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


def without_ids(items: Iterable[ConversationItem]) -> list[ConversationItem]:
    """``items`` with each ``reasoning`` item's ``id`` left out (``RunConfig(reasoning_item_id_policy="omit")``):
    the model still reads the reasoning (its summary and encrypted content) without referring to a stored item
    the server may no longer have. The other items are the same objects."""
    return [
        RawInputItem({k: v for k, v in item.data.items() if k != "id"})
        if type(item) is RawInputItem and item.data.get("type") == "reasoning" and "id" in item.data
        else item
        for item in items
    ]


def input_history_items(history: str | tuple[Any, ...]) -> list[ConversationItem]:
    if isinstance(history, str):
        return [UserMessage(history)]
    return conversation_items(history)


def check_server_managed(agent: Agent[Any], config: RunConfig) -> None:
    """Output guardrails cannot reject an answer the server has already stored as part of the conversation, so an
    agent with them cannot run on server-side conversation state (the SDK refuses the same combination)."""
    if agent.output_guardrails or config.output_guardrails:
        raise UserError(
            f"Agent {agent.name!r} has output guardrails, which cannot be combined with conversation_id, "
            "previous_response_id or auto_previous_response_id: a rejected answer would stay in the conversation "
            "OpenAI keeps"
        )


def server_conversation(
    agent: Agent[Any],
    config: RunConfig,
    session: Session | None,
    previous_response_id: Any,
    auto_previous_response_id: Any,
    conversation_id: Any,
) -> ServerConversation | None:
    """The run's server-side conversation state, checked before the run starts (``None``, and nothing checked, for
    a run without it). Every combination that cannot work is a ``UserError`` here rather than a run that quietly
    sends the wrong conversation, or a 400 from the API after the first turn."""
    if previous_response_id is None and conversation_id is None and not auto_previous_response_id:
        return None
    for name, value in (("previous_response_id", previous_response_id), ("conversation_id", conversation_id)):
        if value is not None and (not isinstance(value, str) or not value):
            raise UserError(f"{name} must be a non-empty string or None, got {value!r}")
    if not isinstance(auto_previous_response_id, bool):
        raise UserError(f"auto_previous_response_id must be a bool, got {auto_previous_response_id!r}")
    if previous_response_id is not None and conversation_id is not None:
        raise UserError(
            "previous_response_id and conversation_id cannot both be given: the Responses API continues either a "
            "stored response or a conversation"
        )
    if session is not None:
        raise UserError(
            "Session persistence and server-side conversation state (conversation_id, previous_response_id, "
            "auto_previous_response_id) cannot be combined: the session would replay history the server already has"
        )
    check_server_managed(agent, config)
    if config.nest_handoff_history:
        # The SDK turns nesting off with a warning; here the run says so before it starts.
        raise UserError(
            "RunConfig nest_handoff_history=True cannot be combined with conversation_id, previous_response_id or "
            "auto_previous_response_id: OpenAI keeps the conversation, so the next agent of a handoff would read it "
            "whole, not nested"
        )
    return ServerConversation(conversation_id, previous_response_id, auto_previous_response_id)
