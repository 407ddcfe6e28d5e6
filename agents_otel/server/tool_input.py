"""A function call's input as the model writes it, read from the run's raw Responses stream events.

A streamed run forwards every Responses stream event (a Chat Completions stream's converted to them): a function
call is announced by ``response.output_item.added`` (its ``name`` and ``call_id``, arguments still empty), its
arguments arrive as ``response.function_call_arguments.delta`` events (``output_index`` and ``item_id``, no call
id), and ``response.function_call_arguments.done`` (not every stream sends it) or ``response.output_item.done``
close it. The UI protocols (:mod:`.ag_ui`, :mod:`.ai_sdk`) stream a tool call's input from these, so a UI can
show a long argument being written; ``/runs`` carries them as ``tool_input_*`` events (:mod:`.event_json`).

:func:`read_tool_input` reads one raw event (duck-typed: no provider types needed); :class:`StreamedCalls` keeps,
per run, which output index is which call (``item_id`` is not unique: a Chat Completions stream's converted events
all say ``__fake_id__``), so each mapping turns deltas into its own protocol's events. A delta or end for an index
no ``output_item.added`` announced (or already ended) is ignored. Nothing here runs on the runtime's tool path:
the calls are matched to their later ``tool_called`` events by call id, on the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ..stream_events import RawResponsesStreamEvent


@dataclass(frozen=True, slots=True)
class InputStarted:
    """A function call was added to the model's output: its input starts streaming."""

    output_index: int
    call_id: str
    tool_name: str
    arguments: str
    """Usually empty; a stream that announces a call with arguments already written has them here."""


@dataclass(frozen=True, slots=True)
class InputDelta:
    output_index: int
    delta: str


@dataclass(frozen=True, slots=True)
class InputDone:
    """The call's arguments are complete (``function_call_arguments.done``, or the item's ``output_item.done``,
    ``item_done``; the first ends the input, the other is ignored)."""

    output_index: int
    arguments: str | None
    item_done: bool
    call_id: str | None = None


ToolInput = InputStarted | InputDelta | InputDone


def read_tool_input(event: RawResponsesStreamEvent) -> ToolInput | None:
    """The function call input event ``event`` is, or ``None`` (text, hosted tools' items, anything else)."""
    data = event.data
    kind = getattr(data, "type", None)
    index = getattr(data, "output_index", None)
    if not isinstance(kind, str) or not isinstance(index, int):
        return None
    if kind == "response.function_call_arguments.delta":
        delta = getattr(data, "delta", None)
        return InputDelta(index, delta) if isinstance(delta, str) else None
    if kind == "response.function_call_arguments.done":
        return InputDone(index, _text(getattr(data, "arguments", None)), item_done=False)
    if kind in ("response.output_item.added", "response.output_item.done"):
        item = getattr(data, "item", None)
        if getattr(item, "type", None) != "function_call":
            return None
        call_id, name = getattr(item, "call_id", None), getattr(item, "name", None)
        arguments = _text(getattr(item, "arguments", None))
        if kind == "response.output_item.done":
            return InputDone(index, arguments, item_done=True, call_id=call_id if isinstance(call_id, str) else None)
        if isinstance(call_id, str) and call_id and isinstance(name, str):
            return InputStarted(index, call_id, name, arguments or "")
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(slots=True)
class StreamedCall:
    call_id: str
    tool_name: str
    ended: bool = False
    _pieces: list[str] = field(default_factory=list, repr=False)
    """The arguments' deltas, joined when read: a long argument comes in thousands of deltas, and adding each to
    one string would copy it whole each time."""

    @property
    def arguments(self) -> str:
        """The arguments streamed so far."""
        if len(self._pieces) > 1:
            self._pieces[:] = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    def add(self, text: str) -> None:
        self._pieces.append(text)


@dataclass(frozen=True, slots=True)
class InputChange:
    """What one raw event did to a call's streamed input: ``start``, ``delta`` (``text``) or ``end``."""

    kind: Literal["start", "delta", "end"]
    call: StreamedCall
    text: str = ""


class StreamedCalls:
    """One run's function calls whose input streamed: by output index while the model writes them, by call id
    for the rest of the run (so a protocol announces each call once)."""

    def __init__(self) -> None:
        self._writing: dict[int, StreamedCall] = {}
        self._calls: dict[str, StreamedCall] = {}

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._calls

    def __iter__(self) -> Iterator[StreamedCall]:
        """Every call that streamed in the run, in the order the model began them."""
        return iter(self._calls.values())

    def open_calls(self) -> list[StreamedCall]:
        """Calls started and not ended (the stream broke off, the run was cancelled mid-arguments)."""
        return [call for call in self._calls.values() if not call.ended]

    def end(self, call_id: str) -> bool:
        """End a streamed call whose stream never said its arguments were done (its tool started: they were);
        ``True`` if it was still open."""
        call = self._calls.get(call_id)
        if call is None or call.ended:
            return False
        call.ended = True
        self._writing = {index: open_call for index, open_call in self._writing.items() if open_call is not call}
        return True

    def feed(self, event: RawResponsesStreamEvent) -> list[InputChange]:
        read = read_tool_input(event)
        if read is None:
            return []
        if isinstance(read, InputStarted):
            if read.call_id in self._calls:  # announced already (a repeated event): never twice
                return []
            started = self._writing[read.output_index] = self._calls[read.call_id] = StreamedCall(
                read.call_id, read.tool_name
            )
            changes = [InputChange("start", started)]
            if read.arguments:
                changes.append(self._delta(started, read.arguments))
            return changes
        call = self._writing.get(read.output_index)
        if call is None or call.ended:
            return []
        if isinstance(read, InputDelta):
            return [self._delta(call, read.delta)] if read.delta else []
        changes = []
        # Arguments that never came as deltas (or only in part): the rest, so the streamed input is the whole.
        if read.arguments and read.arguments != call.arguments and read.arguments.startswith(call.arguments):
            changes.append(self._delta(call, read.arguments[len(call.arguments) :]))
        call.ended = True
        del self._writing[read.output_index]
        changes.append(InputChange("end", call))
        return changes

    @staticmethod
    def _delta(call: StreamedCall, text: str) -> InputChange:
        call.add(text)
        return InputChange("delta", call, text)
