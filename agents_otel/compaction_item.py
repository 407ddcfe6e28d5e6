"""``CompactionItem``: the run item for a ``compaction`` item a Responses model answered with.

The Responses API may compact a long conversation on the server and answer with one ``compaction`` item (its
``encrypted_content`` stands for the turns it replaced). The SDK shows it in ``RunResult.new_items`` as a
``CompactionItem`` and never streams it (it is bookkeeping, not something a UI shows); the item goes back to the
model on the next turn as it came. A module of its own because ``items`` is at its size limit; ``items.RunItem``
names it by forward reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .items import RawInputItem, RunItemBase

COMPACTION_TYPE = "compaction"
"""The Responses API's item ``type`` of a compaction item (input and output alike)."""


@dataclass(slots=True)
class CompactionItem(RunItemBase):
    """A ``compaction`` item of the model's answer, as the SDK's ``CompactionItem``.

    ``data`` is the item as JSON (``id``, ``encrypted_content``; the output-only ``created_by`` is left out, as the
    SDK leaves it out, because the item is sent back as input). ``raw_item`` and ``to_input_item()`` are that dict,
    as in the SDK, where this item's raw item is already an input item."""

    data: dict[str, Any]
    agent_name: str
    type: Literal["compaction_item"] = field(default="compaction_item", init=False)

    def conversation_item(self) -> RawInputItem:
        return RawInputItem(self.data)

    def to_input_item(self) -> dict[str, Any]:
        return dict(self.data)

    def _raw_item(self) -> dict[str, Any]:
        return self.data


def compaction_input(data: dict[str, Any]) -> dict[str, Any]:
    """A compaction output item as the input item that returns it to the model (without ``created_by``)."""
    if "created_by" not in data:
        return data
    return {key: value for key, value in data.items() if key != "created_by"}
