"""A deterministic model for tests and offline demos: ``ScriptedModel``.

Each step is one model response: a list of ``function_call(...)`` / ``assistant_message(...)`` items, consumed in
order, one per model call. A step may also be an exception (raised, to test error paths) or a callable taking
the ``ModelRequest`` and returning the items (to answer from what the model received). ``.calls`` records every
request. Streaming splits assistant text into word-sized ``TextDelta``s so stream consumers see real deltas, and
sends each tool call as a chunk of its own (an empty ``TextDelta`` whose ``raw`` is the call), as providers do.

A scripted tool call the agent could not accept (a tool it does not have, arguments that are not a JSON object,
a misspelt, missing or mistyped argument) raises ``ScriptCallError`` and fails the run: a typo in a script must not
turn into a tool error the run shrugs off while the test goes green. A test that exercises exactly those errors
says so with ``ScriptedModel(..., check_calls=False)``.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from .exceptions import ModelBehaviorError, UserError
from .items import AssistantMessage, FunctionCall, ModelOutputItem, RawInputItem
from .models.interface import (
    Model,
    ModelRequest,
    ModelResponse,
    ModelStreamEvent,
    RefusalDelta,
    TextDelta,
    ToolSpec,
    Usage,
)

Step = Sequence[ModelOutputItem] | BaseException | Callable[[ModelRequest], Sequence[ModelOutputItem]]

_ids = itertools.count(1)


def function_call(
    name: str, arguments: dict[str, Any] | str | None = None, *, call_id: str | None = None
) -> FunctionCall:
    """A tool call as the model would make it. ``arguments`` may be a dict or raw (possibly malformed) JSON."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
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


def assistant_message(text: str, *, refusal: str = "") -> AssistantMessage:
    """A message the scripted model writes; ``refusal=...`` scripts a model that refuses (``ModelRefusalError``)."""
    return AssistantMessage(text, refusal)


class ScriptExhaustedError(ModelBehaviorError):
    """The run asked the ScriptedModel for more responses than it has steps."""


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


class ScriptedModel(Model):
    provider_name = "scripted"

    def __init__(
        self,
        steps: Sequence[Step],
        *,
        model_name: str = "scripted",
        repeat: bool = False,
        check_calls: bool = True,
    ) -> None:
        """``repeat=True`` starts over after the last step, so one model can serve many runs (benchmarks, servers).
        ``check_calls=False`` lets scripted tool calls the agent cannot accept through, for tests of tool errors."""
        self.steps = list(steps)
        self.model_name = model_name
        self.repeat = repeat
        self.check_calls = check_calls
        self.calls: list[ModelRequest] = []
        self._next = 0
        self._lock = threading.Lock()

    def _step(self, request: ModelRequest) -> ModelResponse:
        with self._lock:
            self.calls.append(request)
            if self._next >= len(self.steps):
                if not self.repeat or not self.steps:
                    raise ScriptExhaustedError(
                        f"ScriptedModel has {len(self.steps)} steps and was asked for response {self._next + 1}"
                    )
                self._next = 0
            step = self.steps[self._next]
            self._next += 1
        if isinstance(step, BaseException):
            raise step
        output = list(step(request) if callable(step) else step)
        calls = any(type(o) is FunctionCall for o in output)
        if calls and self.check_calls:
            for item in output:
                if type(item) is FunctionCall:
                    check_call(item, request.tools)
        # Placeholder usage (one "token" per item), cheap so the benchmark measures the runtime, not the script.
        return ModelResponse(
            output=output,
            usage=Usage(input_tokens=len(request.input), output_tokens=len(output)),
            response_id=f"scripted-{len(self.calls)}",
            model=self.model_name,
            finish_reasons=("tool_call" if calls else "stop",),
        )

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        return self._step(request)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        response = self._step(request)
        for item in response.output:
            if isinstance(item, AssistantMessage):
                for piece in re.findall(r"\S+\s*|\s+", item.content):
                    yield TextDelta(piece)
                for piece in re.findall(r"\S+\s*|\s+", item.refusal):
                    yield RefusalDelta(piece)
            else:  # a tool call arrives as a chunk of its own, as from a provider (timed, not forwarded as text)
                yield TextDelta("", raw=item)
        yield response


__all__ = [
    "ScriptCallError",
    "ScriptExhaustedError",
    "ScriptedModel",
    "assistant_message",
    "check_call",
    "computer_call",
    "custom_tool_call",
    "function_call",
]
