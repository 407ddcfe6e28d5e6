"""The items a scripted model answers with (``function_call``, ``assistant_message``, ...) and the check of a
scripted tool call against the agent's tools.

The helpers return our own items, whichever API the calling code was written for: a script is data the runtime
reads, and one item type per kind keeps the hot path (one isinstance per item) the same for every script. They take
the SDK's keywords too (``item_id=``, ``namespace=``), so SDK-style scripts run unchanged.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..exceptions import UserError
from ..items import AssistantMessage, FunctionCall, RawInputItem
from ..models.interface import ToolSpec

_ids = itertools.count(1)


def function_call(
    name: str,
    arguments: Mapping[str, Any] | str | None = None,
    *,
    call_id: str | None = None,
    item_id: str | None = None,
    namespace: str | None = None,
) -> FunctionCall:
    """A tool call as the model would make it. ``arguments`` may be a mapping or raw (possibly malformed) JSON.

    ``item_id`` and ``namespace`` are the SDK's: this runtime's items carry no output item id, and it finds a
    namespaced function by its own name, as it does for a real model's call, so both are accepted and not stored.
    """
    for label, value in (("item_id", item_id), ("namespace", namespace)):
        if value is not None and not isinstance(value, str):
            raise UserError(f"function_call({label}=...) must be a string or None, got {value!r}")
    if isinstance(arguments, str):
        raw = arguments
    elif arguments is None or isinstance(arguments, Mapping):
        raw = json.dumps(dict(arguments or {}))
    else:
        raise UserError(f"function_call() arguments must be a mapping, a JSON string or None, got {arguments!r}")
    return FunctionCall(name, raw, call_id or f"call_{next(_ids)}")


def custom_tool_call(name: str, input: str, *, call_id: str | None = None) -> RawInputItem:
    """A ``CustomTool`` call as the Responses API returns it (``custom_tool_call`` with its raw ``input``)."""
    call_id = call_id or f"call_{next(_ids)}"
    return RawInputItem({"type": "custom_tool_call", "call_id": call_id, "name": name, "input": input})


def computer_call(
    *actions: dict[str, Any],
    call_id: str | None = None,
    pending_safety_checks: list[dict[str, Any]] | None = None,
    batched: bool = True,
) -> RawInputItem:
    """A ``computer_call`` as a Responses API model makes one, for an agent with a ``ComputerTool``: each action a
    dict (``{"type": "click", "x": 1, "y": 2, "button": "left"}``), sent as ``actions`` (the GA tool's batch), or
    with ``batched=False`` as the preview tool's single ``action``."""
    number = next(_ids)
    data: dict[str, Any] = {"type": "computer_call", "id": f"cu_{number}", "call_id": call_id or f"call_{number}"}
    if batched:
        data["actions"] = list(actions)
    else:
        if len(actions) != 1:
            raise UserError("computer_call(batched=False) takes exactly one action")
        data["action"] = actions[0]
    data["pending_safety_checks"] = list(pending_safety_checks or ())
    data["status"] = "completed"
    return RawInputItem(data)


def assistant_message(text: str, *, refusal: str = "", item_id: str | None = None) -> AssistantMessage:
    """A message the scripted model writes; ``refusal=...`` scripts a model that refuses (``ModelRefusalError``).
    ``item_id`` is the SDK's keyword: accepted, not stored (our items carry no output item id)."""
    if item_id is not None and not isinstance(item_id, str):
        raise UserError(f"assistant_message(item_id=...) must be a string or None, got {item_id!r}")
    return AssistantMessage(text, refusal)


class ScriptCallError(UserError):
    """A scripted tool call the agent could not accept; pass ``check_calls=False`` when that is the point."""


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def check_call(call: FunctionCall, tools: Sequence[ToolSpec]) -> None:
    """Raise ``ScriptCallError`` unless ``call`` names one of ``tools`` with arguments its schema admits.

    Checks what a script author gets wrong: the name, JSON syntax, unknown / missing keys and the JSON type of
    each top-level argument. Deeper constraints are the tool's own validation to report.
    """
    spec = next((t for t in tools if t.name == call.name), None)
    if spec is None:
        raise ScriptCallError(f"Scripted call to {call.name!r}, but the agent has tools {[t.name for t in tools]}")
    try:
        arguments = json.loads(call.arguments or "{}")
    except ValueError as exc:
        raise ScriptCallError(f"Scripted call to {call.name!r} has invalid JSON arguments: {exc}") from None
    if not isinstance(arguments, dict):
        raise ScriptCallError(f"Scripted call to {call.name!r}: arguments must be a JSON object, got {arguments!r}")
    schema = spec.parameters
    properties: dict[str, Any] = schema.get("properties", {})
    unknown = sorted(set(arguments) - set(properties))
    if unknown and not schema.get("additionalProperties", False):
        raise ScriptCallError(
            f"Scripted call to {call.name!r} has unknown arguments {unknown}; it takes {sorted(properties)}"
        )
    missing = sorted(set(schema.get("required", ())) - set(arguments))
    if missing:
        raise ScriptCallError(f"Scripted call to {call.name!r} lacks required arguments {missing}")
    for key, value in arguments.items():
        expected = properties.get(key, {}).get("type")
        types = [expected] if isinstance(expected, str) else expected if isinstance(expected, list) else []
        admitted = tuple(t for name in types for t in _JSON_TYPES.get(name, ()))
        wrong_bool = isinstance(value, bool) and "boolean" not in types
        if admitted and (not isinstance(value, admitted) or wrong_bool):
            raise ScriptCallError(
                f"Scripted call to {call.name!r}: argument {key!r} should be {expected}, got {value!r}"
            )


__all__ = [
    "ScriptCallError",
    "assistant_message",
    "check_call",
    "computer_call",
    "custom_tool_call",
    "function_call",
]
