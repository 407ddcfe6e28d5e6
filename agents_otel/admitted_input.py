"""The SDK's ``InputItem`` run item: an input item admitted into a run's conversation, as a run item.

The SDK makes one for each input item added to a ``RunState`` before the run resumes (``state.add_input(...)``);
so does this runtime (``pending_input``), in ``new_items`` and the conversation. SDK code that builds, stores or
``isinstance``-checks one runs unchanged and reads the same
fields: ``agent``, ``raw_item`` (the Responses-format input dict), ``type == "input_item"`` and ``input_id`` (a
unique id per admitted item, which the SDK uses to add each item to a conversation once).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .exceptions import UserError
from .input_items import conversation_items
from .items import ConversationItem, RunItemBase


@dataclass(slots=True, init=False)
class InputItem(RunItemBase):
    """An input item admitted into the conversation (``InputItem(agent=..., raw_item={...})``), as in the SDK."""

    raw_item: dict[str, Any]
    """The input item as given (a plain field here, where ``RunItemBase`` derives it)."""
    type: Literal["input_item"]
    input_id: str

    def __init__(
        self,
        agent: Any = None,
        raw_item: Mapping[str, Any] | None = None,
        type: Literal["input_item"] = "input_item",
        input_id: str | None = None,
    ) -> None:
        if not isinstance(raw_item, Mapping):
            raise UserError(f"InputItem raw_item must be a Responses-format input dict, got {raw_item!r}")
        if type != "input_item":
            raise UserError(f"InputItem type is 'input_item', got {type!r}")
        conversation_items([raw_item])  # an item no model could be given is refused here, not when it is sent
        self._agent = agent
        self.raw_item = dict(raw_item)
        self.type = type
        self.input_id = input_id if input_id is not None else uuid.uuid4().hex

    def conversation_item(self) -> ConversationItem:
        return conversation_items([self.raw_item])[0]

    def to_input_item(self) -> dict[str, Any]:
        """The item as it was given, as the SDK returns an input item's ``raw_item``."""
        return dict(self.raw_item)
