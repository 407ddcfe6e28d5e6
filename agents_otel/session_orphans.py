"""Orphaned tool items left out of a session's history before the model reads it, as the SDK leaves them out.

A session may hold a tool call without its output (a run that stopped between the two, an item imported from
elsewhere) or, once ``SessionSettings(limit=...)`` cuts the history to its latest items, an output whose call was
cut off. The Responses API rejects both, so a run that starts from the history drops them from what the model reads
(the session itself keeps them). The rules are the SDK's (``drop_orphan_function_calls`` on a committed session
read):

* a call of one of the paired kinds (``function_call``, ``custom_tool_call``, ``shell_call``, ``apply_patch_call``,
  ``computer_call``, ``local_shell_call``, ``tool_search_call``, ``program``) whose output of the matching kind is
  nowhere in the list is left out, with the ``reasoning`` items just before it (the API rejects a reasoning item not
  followed by the item it led to). An async API call still pending (``"async": true``, a non-empty ``call_id``,
  ``status`` completed or unset) stays: its output comes later, from elsewhere;
* a hosted shell call a program made that is still running (``status`` unset or ``in_progress``) stays; an
  anonymous ``tool_search_call`` (no ``call_id``) stays when a later anonymous ``tool_search_output`` answers it;
* a ``program`` with no ``program_output`` is an orphan, and so is every item it made (its ``caller``);
* only with a history limit and no ``session_input_callback``: an output whose call is not (or no longer) in the
  list is left out too. Without a limit the history is whole, so such an output is the caller's to keep.

Only the items that came from the session are pruned; the run's new input is sent as given. A call answered by the
new input (its output given as this run's input) is not an orphan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .conversation_items import ConversationItem, FunctionCall, FunctionCallOutput, ProgramCall, RawInputItem

_OUTPUT_OF: dict[str, str] = {
    "program": "program_output",
    "function_call": "function_call_output",
    "custom_tool_call": "custom_tool_call_output",
    "shell_call": "shell_call_output",
    "apply_patch_call": "apply_patch_call_output",
    "computer_call": "computer_call_output",
    "local_shell_call": "local_shell_call_output",
    "tool_search_call": "tool_search_output",
}
_OUTPUT_TYPES = frozenset(_OUTPUT_OF.values())
_PENDING_ASYNC_KINDS = frozenset({"function_call", "custom_tool_call"})


def without_orphans(
    items: Sequence[ConversationItem], history: Sequence[int] | set[int], *, outputs: bool
) -> list[ConversationItem]:
    """``items`` (the session's history and the run's new input, in the order the model reads them) without the
    orphaned tool items among the ``history`` positions (those that came from the session); ``outputs``: leave out
    outputs whose call is missing too (a limited history read without a ``session_input_callback``). The kept items
    are the same objects; the list is a new one."""
    prunable = set(history)
    views = [_view(item) for item in items]
    if not any(
        view is not None and (view.get("type") in _OUTPUT_OF or (outputs and view.get("type") in _OUTPUT_TYPES))
        for index, view in enumerate(views)
        if index in prunable
    ):
        return list(items)  # the usual history: nothing to look at
    completed: dict[str, set[str]] = {kind: set() for kind in _OUTPUT_TYPES}
    for view in views:
        if view is not None and view.get("type") in completed and isinstance(view.get("call_id"), str):
            completed[view["type"]].add(view["call_id"])
    orphan_programs = _orphan_programs(views, prunable, completed["program_output"])
    answered_searches = _answered_anonymous_searches(views)

    dropped: set[int] = set()
    calls_dropped: set[int] = set()  # what takes the reasoning before it along
    for index in sorted(prunable):
        view = views[index] if 0 <= index < len(views) else None
        if view is None or not isinstance(view.get("type"), str):
            continue
        kind, call_id, caller = view["type"], view.get("call_id"), _caller_id(view)
        if caller is not None and caller in orphan_programs:
            dropped.add(index)
            calls_dropped.add(index)
            continue
        output_kind = _OUTPUT_OF.get(kind)
        if output_kind is None or (kind == "program" and isinstance(call_id, str) and call_id not in orphan_programs):
            continue  # not a call; or a program answered, or with items of its own in the new input
        if _stays(view, kind, call_id, caller, index, completed, output_kind, answered_searches):
            continue
        dropped.add(index)
        calls_dropped.add(index)

    if outputs:
        kept_calls: dict[str, set[str]] = {kind: set() for kind in _OUTPUT_TYPES}
        for index, view in enumerate(views):
            if index not in dropped and view is not None and isinstance(view.get("call_id"), str):
                output_kind = _OUTPUT_OF.get(str(view.get("type")))
                if output_kind is not None:
                    kept_calls[output_kind].add(view["call_id"])
        for index in prunable:
            view = views[index] if 0 <= index < len(views) and index not in dropped else None
            if view is None or view.get("type") not in kept_calls:
                continue
            call_id = view.get("call_id")
            if isinstance(call_id, str) and call_id not in kept_calls[view["type"]]:
                dropped.add(index)

    if not dropped:
        return list(items)
    dropped |= _reasoning_before(views, dropped, calls_dropped)
    return [item for index, item in enumerate(items) if index not in dropped]


def _stays(
    view: Mapping[str, Any],
    kind: str,
    call_id: Any,
    caller: str | None,
    index: int,
    completed: dict[str, set[str]],
    output_kind: str,
    answered_searches: set[int],
) -> bool:
    """Whether a call among the session's items is kept: answered, or one of the calls allowed to wait."""
    if caller is not None and _running_hosted_shell(view):
        return True
    if isinstance(call_id, str) and call_id in completed[output_kind]:
        return True
    if (
        kind in _PENDING_ASYNC_KINDS
        and view.get("async") is True
        and view.get("status") in (None, "completed")
        and isinstance(call_id, str)
        and bool(call_id)
    ):
        return True  # an async API call still pending: its output comes later
    return kind == "tool_search_call" and not isinstance(call_id, str) and index in answered_searches


def _view(item: ConversationItem) -> Mapping[str, Any] | None:
    """The fields the rules read, in the wire form: a raw item's own dict; ``None`` for a message."""
    if type(item) is RawInputItem:
        return item.data
    if isinstance(item, FunctionCall):
        if isinstance(item, ProgramCall):
            return {"type": "function_call", "call_id": item.call_id, "caller": item.caller}
        return {"type": "function_call", "call_id": item.call_id}
    if isinstance(item, FunctionCallOutput):
        return {"type": "function_call_output", "call_id": item.call_id}
    return None


def _caller_id(view: Mapping[str, Any]) -> str | None:
    """The ``program`` that made this item, if a program did."""
    caller = view.get("caller")
    if not isinstance(caller, Mapping) or caller.get("type") != "program":
        return None
    caller_id = caller.get("caller_id")
    return caller_id if isinstance(caller_id, str) else None


def _running_hosted_shell(view: Mapping[str, Any]) -> bool:
    return view.get("type") == "shell_call" and view.get("status") in (None, "in_progress")


def _orphan_programs(
    views: list[Mapping[str, Any] | None], prunable: set[int], finished: set[str]
) -> set[str]:
    """The session's ``program`` calls without a ``program_output`` and nothing of theirs outside the session's
    items (the run's new input) keeping them going."""
    orphans: set[str] = set()
    for index in prunable:
        view = views[index] if 0 <= index < len(views) else None
        if view is None or view.get("type") != "program":
            continue
        call_id = view.get("call_id")
        if not isinstance(call_id, str) or call_id in finished:
            continue
        if not any(
            other is not None and _caller_id(other) == call_id and position not in prunable
            for position, other in enumerate(views)
        ):
            orphans.add(call_id)
    return orphans


def _answered_anonymous_searches(views: list[Mapping[str, Any] | None]) -> set[int]:
    """Positions of anonymous ``tool_search_call`` items each answered by a later anonymous output."""
    answered: set[int] = set()
    waiting_outputs = 0
    for index in range(len(views) - 1, -1, -1):
        view = views[index]
        if view is None or isinstance(view.get("call_id"), str):
            continue
        if view.get("type") == "tool_search_output":
            waiting_outputs += 1
        elif view.get("type") == "tool_search_call" and waiting_outputs > 0:
            answered.add(index)
            waiting_outputs -= 1
    return answered


def _reasoning_before(
    views: list[Mapping[str, Any] | None], dropped: set[int], calls_dropped: set[int]
) -> set[int]:
    """The ``reasoning`` items whose next non-reasoning item is a call left out as an orphan."""
    out: set[int] = set()
    for index, view in enumerate(views):
        if view is None or view.get("type") != "reasoning" or index in dropped:
            continue
        following = index + 1
        while following < len(views) and (views[following] or {}).get("type") == "reasoning":
            following += 1
        if following in calls_dropped:
            out.add(index)
    return out


__all__ = ["without_orphans"]
