"""Conversation items as the OpenAI Responses API's input-item dicts, the format the SDK stores in sessions.

Sessions keep plain JSON so a history written by one process (or by the SDK) is read by another. The conversion is
``input_items``' (one path for run input, ``to_input_list()`` and sessions alike); these names are the sessions'.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .input_items import conversation_items, input_item, input_list
from .items import ConversationItem


def to_response_item(item: ConversationItem) -> dict[str, Any]:
    return input_item(item)


def to_response_items(items: Iterable[ConversationItem]) -> list[dict[str, Any]]:
    return input_list(list(items))


def from_response_items(items: Iterable[Any]) -> list[ConversationItem]:
    """Items read back; anything no model could take is a ``UserError``, never silently dropped."""
    return conversation_items(list(items))
