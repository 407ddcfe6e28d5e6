"""A deterministic model for tests and offline demos: ``ScriptedModel``.

Each step is one model response: a list of ``function_call(...)`` / ``assistant_message(...)`` items, consumed in
order, one per model call. A step may also be an exception (raised, to test error paths) or a callable taking
the ``ModelRequest`` and returning the items (to answer from what the model received). ``.calls`` records every
request. Streaming splits assistant text into word-sized ``TextDelta``s so stream consumers see real deltas, and
sends each tool call as a chunk of its own (an empty ``TextDelta`` whose ``raw`` is the call), as providers do.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from .exceptions import ModelBehaviorError
from .items import AssistantMessage, FunctionCall, ModelOutputItem
from .models.interface import Model, ModelRequest, ModelResponse, ModelStreamEvent, TextDelta, Usage

Step = Sequence[ModelOutputItem] | BaseException | Callable[[ModelRequest], Sequence[ModelOutputItem]]

_ids = itertools.count(1)


def function_call(
    name: str, arguments: dict[str, Any] | str | None = None, *, call_id: str | None = None
) -> FunctionCall:
    """A tool call as the model would make it. ``arguments`` may be a dict or raw (possibly malformed) JSON."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
    return FunctionCall(name, raw, call_id or f"call_{next(_ids)}")


def assistant_message(text: str) -> AssistantMessage:
    return AssistantMessage(text)


class ScriptExhaustedError(ModelBehaviorError):
    """The run asked the ScriptedModel for more responses than it has steps."""


class ScriptedModel(Model):
    provider_name = "scripted"

    def __init__(self, steps: Sequence[Step], *, model_name: str = "scripted", repeat: bool = False) -> None:
        """``repeat=True`` starts over after the last step, so one model can serve many runs (benchmarks, servers)."""
        self.steps = list(steps)
        self.model_name = model_name
        self.repeat = repeat
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
            else:  # a tool call arrives as a chunk of its own, as from a provider (timed, not forwarded as text)
                yield TextDelta("", raw=item)
        yield response


__all__ = ["ScriptExhaustedError", "ScriptedModel", "assistant_message", "function_call"]
