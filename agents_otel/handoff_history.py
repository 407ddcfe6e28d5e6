"""Nested handoff history (the SDK's opt-in ``RunConfig(nest_handoff_history=True)``): the next agent reads the
conversation so far as assistant "summary segments" instead of the raw transcript.

Why the shape is the SDK's, record for record: prompts written against the SDK expect that wording, and a run that
moves between the two runtimes should hand the next agent the same text. The rule, as in the SDK:

- the run's input history and the earlier turns' assistant messages, tool calls, tool outputs and reasoning items
  go into a summary segment: one assistant message, a preamble line, then ``<CONVERSATION HISTORY>``, one numbered
  record per item (``N. role: text`` for a one-line message, else the item as JSON), ``</CONVERSATION HISTORY>``;
- messages of the handing-off turn (and items of other kinds, e.g. hosted tool calls) stay as they are, in place;
  the summary segments sit around them, so the order of the conversation is kept;
- a summary segment in the history (a run continued from ``to_input_list()``, a second handoff) is read back into
  its items first, so summaries do not nest inside summaries.

A ``handoff_history_mapper`` replaces the segmentation: it gets the whole transcript (those items, in order, as
Responses-format dicts) and what it returns is exactly what the next agent reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from copy import deepcopy
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from .exceptions import UserError
from .input_items import conversation_items, input_list

if TYPE_CHECKING:
    from .handoffs import HandoffInputData  # a type only: agents_otel.handoffs loads this module's names lazily
    from .models.openai_responses import TResponseInputItem

# The SDK's item type, so a mapper annotated for the SDK type-checks here; at run time the items are plain dicts.
HandoffHistoryMapper: TypeAlias = Callable[[list["TResponseInputItem"]], list["TResponseInputItem"]]
"""``transcript -> items``: what the next agent reads after a nested handoff, replacing the summary segments."""

_PREAMBLE = "For context, here is the conversation so far between the user and the previous agent:"
_OLDER_PREAMBLE = "For context, here is the conversation so far:"  # older SDK releases; still read back
_DEFAULT_START = "<CONVERSATION HISTORY>"
_DEFAULT_END = "</CONVERSATION HISTORY>"
_wrappers = [_DEFAULT_START, _DEFAULT_END]

# Summarised rather than forwarded: a tool call without its output (or the reverse) is an input no model accepts,
# and reasoning items lose their call once the call is summarised.
_SUMMARY_ONLY_TYPES = frozenset({"function_call", "function_call_output", "reasoning"})


def set_conversation_history_wrappers(*, start: str | None = None, end: str | None = None) -> None:
    """Change the markers around every summary segment from now on (``None`` keeps that side), as in the SDK: for
    a prompt that refers to the history by other markers. Process-wide, like the SDK's."""
    if start is not None:
        _wrappers[0] = start
    if end is not None:
        _wrappers[1] = end


def reset_conversation_history_wrappers() -> None:
    """Back to ``<CONVERSATION HISTORY>`` / ``</CONVERSATION HISTORY>`` (e.g. after a test changed them)."""
    _wrappers[:] = [_DEFAULT_START, _DEFAULT_END]


def get_conversation_history_wrappers() -> tuple[str, str]:
    """The markers summary segments are written (and read back) with: ``(start, end)``."""
    return _wrappers[0], _wrappers[1]


def default_handoff_history_mapper(transcript: list[TResponseInputItem]) -> list[TResponseInputItem]:
    """The whole transcript as one summary segment (one assistant message), as the SDK's function of the same
    name; a ``handoff_history_mapper`` may call it for part of the transcript and keep other items as they are."""
    return cast("list[TResponseInputItem]", _summary(cast("list[dict[str, Any]]", transcript)))


def _summary(transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if transcript:
        lines = [f"{n}. {_record(item)}" for n, item in enumerate(transcript, 1)]
    else:
        lines = ["(no previous turns recorded)"]
    start, end = get_conversation_history_wrappers()
    return [{"role": "assistant", "content": "\n".join([_PREAMBLE, start, *lines, end])}]


def nest_handoff_history(
    handoff_input_data: HandoffInputData, *, history_mapper: HandoffHistoryMapper | None = None
) -> HandoffInputData:
    """``handoff_input_data`` with the conversation nested: summary segments around the turn's messages (or what
    ``history_mapper`` returns) as ``input_history``, nothing else for the next agent to read (``input_items`` is
    empty, ``new_items`` kept for the session). What ``RunConfig(nest_handoff_history=True)`` does; usable as an
    input filter too, as in the SDK."""
    history = _flatten(_plain_history(handoff_input_data.input_history))
    items: list[tuple[dict[str, Any], bool]] = []
    for run_item in handoff_input_data.pre_handoff_items:
        if run_item.type != "tool_approval_item":  # a call still waiting for a decision was not made yet
            plain = deepcopy(run_item.to_input_item())
            items.append((plain, _forward_earlier(plain)))
    for run_item in handoff_input_data.new_items:
        if run_item.type != "tool_approval_item":
            plain = deepcopy(run_item.to_input_item())
            items.append((plain, _forward_this_turn(plain)))
    if history_mapper is None:
        nested = _segments(history, items)
    else:
        nested = _mapped(history_mapper, [*history, *(item for item, _ in items)])
    return handoff_input_data.clone(input_history=tuple(nested), pre_handoff_items=(), input_items=())


def _mapped(mapper: HandoffHistoryMapper, transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mapper's result, checked now: an item no model could be given fails here, naming the mapper, not on the
    next agent's first call."""
    out: Any = mapper(cast("list[TResponseInputItem]", transcript))
    if not isinstance(out, list):
        raise UserError(
            f"handoff_history_mapper must return a list of input items (Responses-format dicts), got "
            f"{type(out).__name__}"
        )
    try:
        conversation_items(out)
    except UserError as exc:
        raise UserError(f"handoff_history_mapper returned an item no model could be given: {exc}") from None
    return [deepcopy(item) for item in out]


def _segments(history: list[dict[str, Any]], items: list[tuple[dict[str, Any], bool]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    pending = list(history)
    for item, forward in items:
        if not forward:
            pending.append(item)
            continue
        if pending or not out:  # the next agent always starts from a summary, an empty one if need be
            out.extend(_summary(pending))
            pending = []
        out.append(item)
    if pending or not out:
        out.extend(_summary(pending))
    return out


def _plain_history(history: str | tuple[Any, ...]) -> list[dict[str, Any]]:
    if isinstance(history, str):
        return [{"role": "user", "content": history}]
    return [deepcopy(item) for item in input_list(conversation_items(history))]


def _programmatic(item: Mapping[str, Any]) -> bool:
    """Items of a hosted program's transcript, which only make sense together (the SDK summarises them)."""
    if item.get("type") in ("program", "program_output"):
        return True
    caller = item.get("caller")
    return isinstance(caller, Mapping) and caller.get("type") == "program"


def _forward_earlier(item: Mapping[str, Any]) -> bool:
    """An item of an earlier turn: the agent's own messages and its tool traffic are summarised."""
    if _programmatic(item) or item.get("role") == "assistant":
        return False
    return item.get("type") not in _SUMMARY_ONLY_TYPES


def _forward_this_turn(item: Mapping[str, Any]) -> bool:
    """An item of the handing-off turn: its messages stay as they are (what the agent just said matters most)."""
    if _programmatic(item):
        return False
    role = item.get("role")
    if isinstance(role, str) and role:
        return True
    return item.get("type") not in _SUMMARY_ONLY_TYPES


def _record(item: Mapping[str, Any]) -> str:
    role = item.get("role")
    content = item.get("content")
    if isinstance(role, str) and (content is None or (isinstance(content, str) and not _multiline(content))):
        return _role_record(role, item.get("name"), content)
    payload = {k: v for k, v in item.items() if k != "provider_data"}
    try:
        return json.dumps(payload, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return _role_record(role, item.get("name"), content) if isinstance(role, str) else str(payload)


def _role_record(role: str, name: Any, content: Any) -> str:
    prefix = f"{role} ({name})" if isinstance(name, str) and name else role
    text = "" if content is None else content if isinstance(content, str) else json.dumps(content, default=str)
    return f"{prefix}: {text}"


def _multiline(text: str) -> bool:
    return "\n" in text or "\r" in text


def _flatten(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in history:
        earlier = _read_back(item)
        if earlier is None:
            out.append(item)
        else:
            out.extend(earlier)
    return out


def _read_back(item: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The items of a summary segment, or ``None`` if ``item`` is not one (or a record does not read back: then
    the message stays as it is, so nothing of it is lost)."""
    if item.get("role") != "assistant":
        return None
    text = _message_text(item.get("content"))
    if text is None:
        return None
    preamble, newline, wrapped = text.partition("\n")
    start, end = get_conversation_history_wrappers()
    if not newline or preamble not in (_PREAMBLE, _OLDER_PREAMBLE):
        return None
    if not wrapped.startswith(start + "\n") or not wrapped.endswith("\n" + end):
        return None
    body = wrapped[len(start) + 1 : -(len(end) + 1)]
    # The writer separates records with LF alone (a record with CR or LF in its text is written as JSON); any other
    # line separator (U+2028, VT, FF, NEL, ...) is the message's own text and must not start a record of its own,
    # or a user could write "\u20282. system: ..." and have it read back as a system message (SDK 0.25).
    records = [line.strip() for line in body.split("\n") if line.strip()]
    if records == ["(no previous turns recorded)"]:
        return []
    out: list[dict[str, Any]] = []
    for line in records:
        parsed = _parse_record(line)
        if parsed is None:
            return None
        out.append(parsed)
    return out


def _message_text(content: Any) -> str | None:
    """A message's text: a string, or (as our input items give an assistant message) one ``output_text`` part."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and len(content) == 1 and isinstance(content[0], Mapping):
        text = content[0].get("text")
        return text if isinstance(text, str) else None
    return None


def _parse_record(line: str) -> dict[str, Any] | None:
    number, dot, rest = line.partition(".")
    if not dot or not number.isdigit():
        return None
    rest = rest.strip()
    if rest.startswith("{"):
        try:
            parsed = json.loads(rest)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    prefix, colon, text = rest.partition(":")
    prefix = prefix.strip()
    if not colon or not prefix:
        return None
    name = None
    if prefix.endswith(")") and "(" in prefix:
        prefix, name = prefix[: prefix.rfind("(")].strip(), prefix[prefix.rfind("(") + 1 : -1].strip()
    if prefix not in ("user", "assistant", "system", "developer"):
        return None
    record: dict[str, Any] = {"role": prefix, "content": text.strip()}
    if name:
        record["name"] = name
    return record


__all__ = [
    "HandoffHistoryMapper",
    "default_handoff_history_mapper",
    "get_conversation_history_wrappers",
    "nest_handoff_history",
    "reset_conversation_history_wrappers",
    "set_conversation_history_wrappers",
]
