"""A reasoning model's reasoning summary as the model writes it, read from the run's raw Responses stream events.

A streamed run forwards every Responses stream event (a Chat Completions stream's converted to them): a reasoning
item is announced by ``response.output_item.added`` (type ``reasoning``, its summary still empty), its summary
arrives in parts (``summary_index``), each as ``response.reasoning_summary_text.delta`` events, and
``response.output_item.done`` closes the item with every part's whole text. The UI protocols (:mod:`.ag_ui`,
:mod:`.ai_sdk`) stream the summary from these, so a UI shows the model's reasoning while it thinks rather than
all at once when its answer is complete; ``/runs`` carries them as ``reasoning_*`` events (:mod:`.event_json`).
Only these three kinds are read: a part's start and end are told by its ``summary_index`` (a delta of a new
index starts it, the next part or the item's end ends it), so the ``summary_part.*`` and ``summary_text.done``
events, which repeat what the item's end says, stay out of ``/runs``. The model's encrypted reasoning, and its raw
reasoning text (``reasoning_text.*``), are never read.

:func:`read_reasoning` reads one raw event (duck-typed: no provider types needed); :class:`ReasoningStream` keeps,
per run, which output index is which reasoning item (``item_id`` is not unique: a converted Chat Completions
stream's events all say ``__fake_id__``) and which items streamed, so each mapping turns deltas into its own
protocol's events and sends a streamed item's summary only once: its ``reasoning_item_created`` (which comes when
the model's answer is complete) is matched to it and adds nothing but what the stream left out. An item whose
summary never streamed (a model that does not stream, a scripted list step) is sent whole then, as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..stream_events import RawResponsesStreamEvent


@dataclass(frozen=True, slots=True)
class ReasoningAdded:
    """A reasoning item was added to the model's output: its summary may follow."""

    output_index: int
    item_id: str | None


@dataclass(frozen=True, slots=True)
class SummaryDelta:
    output_index: int
    summary_index: int
    delta: str


@dataclass(frozen=True, slots=True)
class ReasoningDone:
    """The item is complete (``output_item.done``): ``summary``, each part's whole text."""

    output_index: int
    summary: tuple[str, ...]


ReasoningRead = ReasoningAdded | SummaryDelta | ReasoningDone


def read_reasoning(event: RawResponsesStreamEvent) -> ReasoningRead | None:
    """The reasoning summary event ``event`` is, or ``None`` (text, calls, any other raw event)."""
    data = event.data
    kind = getattr(data, "type", None)
    index = getattr(data, "output_index", None)
    if not isinstance(kind, str) or not isinstance(index, int):
        return None
    if kind == "response.reasoning_summary_text.delta":
        delta, part = getattr(data, "delta", None), getattr(data, "summary_index", 0)
        return SummaryDelta(index, part, delta) if isinstance(delta, str) and isinstance(part, int) else None
    if kind in ("response.output_item.added", "response.output_item.done"):
        item = getattr(data, "item", None)
        if _field(item, "type") != "reasoning":
            return None
        if kind == "response.output_item.done":
            return ReasoningDone(index, summary_texts(_field(item, "summary")))
        item_id = _field(item, "id")
        return ReasoningAdded(index, item_id if isinstance(item_id, str) else None)
    return None


def summary_texts(summary: Any) -> tuple[str, ...]:
    """The text of each part of a reasoning item's ``summary`` (a provider's objects or their JSON)."""
    if not isinstance(summary, list | tuple):
        return ()
    return tuple(text if isinstance(text := _field(part, "text"), str) else "" for part in summary)


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


@dataclass(slots=True)
class StreamedReasoning:
    """One reasoning item whose summary streams: each part's text so far, by summary index."""

    id: str
    """The item's id in the protocols' events (unique in the run; its parts' ids are made from it)."""
    output_index: int
    item_id: str | None
    parts: dict[int, list[str]] = field(default_factory=dict)
    """Each part's deltas so far, joined only when the summary's end is compared with them (a summary streams in
    many small deltas; adding each to one string would copy the part whole each time)."""
    open_part: int | None = None
    started: bool = False
    """A part has started (the protocols opened the item); an item without a summary never starts."""
    ended: bool = False

    def part_id(self, part: int) -> str:
        return f"{self.id}-{part}"


@dataclass(frozen=True, slots=True)
class ReasoningChange:
    """What one event did to a streamed item: ``start`` (its first part begins), ``part_start``, ``delta``
    (``text``), ``part_end``, ``end`` (after its last part); ``part`` is the summary index."""

    kind: Literal["start", "part_start", "delta", "part_end", "end"]
    item: StreamedReasoning
    part: int = 0
    text: str = ""


class ReasoningStream:
    """One run's reasoning items whose summary streamed: by output index while the model writes them, in order
    until the run's ``reasoning_item_created`` claims each (so a protocol sends each summary once)."""

    def __init__(self) -> None:
        self._writing: dict[int, StreamedReasoning] = {}
        self._unclaimed: list[StreamedReasoning] = []

    def feed(self, event: RawResponsesStreamEvent) -> list[ReasoningChange]:
        read = read_reasoning(event)
        if read is None:
            return []
        if isinstance(read, ReasoningAdded):
            # An unclaimed item at this index or after it came from an answer that never completed (a retried
            # model call): no reasoning_item_created will claim it, so it is ended and forgotten.
            stale = [item for item in self._unclaimed if item.output_index >= read.output_index]
            changes = [change for item in stale for change in self._finish(item, ())]
            self._unclaimed = [item for item in self._unclaimed if item not in stale]
            self._writing = {index: item for index, item in self._writing.items() if item not in stale}
            added = StreamedReasoning(uuid.uuid4().hex, read.output_index, read.item_id)
            self._writing[read.output_index] = added
            self._unclaimed.append(added)
            return changes
        writing = self._writing.get(read.output_index)
        if writing is None:  # never announced (or already ended): ignored
            return []
        if isinstance(read, SummaryDelta):
            return self._delta(writing, read.summary_index, read.delta)
        del self._writing[read.output_index]
        return self._finish(writing, read.summary)

    def claim(self, item_id: str | None, summary: Sequence[str]) -> list[ReasoningChange] | None:
        """The run's reasoning item (``reasoning_item_created``, in the model's output order) matched to the one
        that streamed: the oldest unclaimed one with its id, else the oldest. ``None``: none streamed, so the
        protocol sends the summary whole; else what the stream left out of ``summary`` and its end, if the stream
        never said it was done."""
        if not self._unclaimed:
            return None
        match = next((s for s in self._unclaimed if item_id and s.item_id == item_id), self._unclaimed[0])
        self._unclaimed.remove(match)
        self._writing = {index: item for index, item in self._writing.items() if item is not match}
        return self._finish(match, summary)

    def open_changes(self) -> list[ReasoningChange]:
        """End every item still streaming (the run was cancelled or stopped mid-reasoning)."""
        changes = [change for item in self._writing.values() for change in self._finish(item, ())]
        self._writing.clear()
        return changes

    def _delta(self, item: StreamedReasoning, part: int, text: str) -> list[ReasoningChange]:
        if not text or (part in item.parts and part != item.open_part):  # nothing, or a part already ended
            return []
        changes = self._open(item, part) if part != item.open_part else []
        item.parts[part].append(text)
        changes.append(ReasoningChange("delta", item, part, text))
        return changes

    @staticmethod
    def _open(item: StreamedReasoning, part: int) -> list[ReasoningChange]:
        changes: list[ReasoningChange] = []
        if not item.started:
            item.started = True
            changes.append(ReasoningChange("start", item))
        elif item.open_part is not None:
            changes.append(ReasoningChange("part_end", item, item.open_part))
        item.open_part, item.parts[part] = part, []
        changes.append(ReasoningChange("part_start", item, part))
        return changes

    def _finish(self, item: StreamedReasoning, summary: Sequence[str]) -> list[ReasoningChange]:
        """End ``item``, adding what ``summary`` (its parts' whole text) has that the deltas did not carry: the rest
        of the open part, a part that never streamed, whole; so the streamed summary is the whole summary."""
        if item.ended:
            return []
        changes: list[ReasoningChange] = []
        for part, text in enumerate(summary):
            pieces = item.parts.get(part)
            if not text or (pieces is not None and part != item.open_part):  # empty, or a part already ended
                continue
            if pieces is None:
                changes.extend(self._open(item, part))
            sent = "".join(pieces or ())
            if text != sent and text.startswith(sent):
                item.parts[part] = [text]
                changes.append(ReasoningChange("delta", item, part, text[len(sent) :]))
        if item.open_part is not None:
            changes.append(ReasoningChange("part_end", item, item.open_part))
            item.open_part = None
        if item.started:
            changes.append(ReasoningChange("end", item))
        item.ended = True
        return changes
