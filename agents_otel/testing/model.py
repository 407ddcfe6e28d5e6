"""``ScriptedModel``: a deterministic model for tests and offline demos.

Each step is one model response, consumed in order, one per model call. Our forms: a list of items
(``function_call(...)``, ``assistant_message(...)``, ... or the ``openai`` output items, read once when queued), an
exception (raised), or a callable taking the ``ModelRequest`` and returning the items. The OpenAI Agents SDK's forms
too: a ``ModelStep`` (``raise_error`` / ``respond`` / ``stream``), its dict form, or a ``ModelResponse`` (see
``steps``). ``.calls`` records every request.

A list of our items is the fast path (the benchmarks run on it): no snapshot, no conversion, placeholder usage (one
"token" per item) and, when streamed, word-sized ``TextDelta``s. An SDK form behaves as in the SDK: its own usage
(else ``default_usage``, else none), its ``response_id``, the SDK's Responses stream events (``step_events``).

A scripted tool call the agent could not accept (a tool it does not have, arguments that are not a JSON object,
a misspelt, missing or mistyped argument) raises ``ScriptCallError`` and fails the run: a typo in a script must not
turn into a tool error the run shrugs off while the test goes green. A test that exercises exactly those errors
says so with ``ScriptedModel(..., check_calls=False)``.
"""

from __future__ import annotations

import copy
import inspect
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any

from ..exceptions import UserError
from ..items import AssistantMessage, FunctionCall, ModelOutputItem
from ..models.interface import Model, ModelRequest, ModelResponse, ModelStreamEvent, RefusalDelta, TextDelta, Usage
from ..retry import ModelRetryAdvice, ModelRetryAdviceRequest
from .helpers import assistant_message, check_call, function_call
from .steps import (
    InvalidModelStep,
    ModelCall,
    ModelScriptError,
    ModelStep,
    ModelStepSpec,
    ScriptExhaustedError,
    UnconsumedModelSteps,
    UnexpectedModelCall,
    model_call,
    output_items,
    sdk_step,
)

Step = (
    Sequence[Any]
    | BaseException
    | Callable[[ModelRequest], Sequence[ModelOutputItem]]
    | ModelStep
    | Mapping[str, Any]
    | ModelResponse
)

def _queued(step: Any, index: int) -> Any:
    """A step as the queue holds it: our forms as they are (a list copied, so a later change to it is not seen),
    the SDK's as a checked ``ModelStep``."""
    if isinstance(step, ModelStep | Mapping | ModelResponse):
        return sdk_step(step, index)
    if isinstance(step, BaseException) or callable(step):
        return step
    if isinstance(step, Sequence) and not isinstance(step, str | bytes):
        return output_items(step, index)
    raise InvalidModelStep(
        f"Scripted model step #{index + 1} must be a list of output items, a ModelStep, a ModelStepSpec dict, a "
        f"ModelResponse, an exception or a callable, got {type(step).__name__}",
        reason="invalid_input",
        input_index=index,
    )


class ScriptedModel(Model):
    provider_name = "scripted"

    def __init__(
        self,
        steps: Iterable[Step] = (),
        *,
        model_name: str = "scripted",
        repeat: bool = False,
        check_calls: bool = True,
        emit_traces: bool = False,
        default_usage: Usage | None = None,
    ) -> None:
        """``repeat=True`` starts over after the last step, so one model can serve many runs (benchmarks, servers).
        ``check_calls=False`` lets scripted tool calls the agent cannot accept through, for tests of tool errors.
        ``default_usage`` is the usage of each step that has none of its own. ``emit_traces`` is the SDK's flag and
        changes nothing: the runtime records every model call as a ``chat`` span, this one included."""
        if not isinstance(emit_traces, bool):
            raise UserError(f"ScriptedModel(emit_traces=...) must be a bool, got {emit_traces!r}")
        self.steps: list[Any] = [_queued(step, index) for index, step in enumerate(steps)]
        self.model_name = model_name
        self.repeat = repeat
        self.check_calls = check_calls
        self.emit_traces = emit_traces
        self.calls: list[ModelRequest] = []
        self._default_usage: Usage | None = None
        self.set_default_usage(default_usage)
        self._streamed: set[int] = set()
        self._advice: dict[int, tuple[Exception, ModelRetryAdvice]] = {}
        self._next = 0
        self._lock = threading.Lock()

    # -- the SDK's queue and call history ------------------------------------------------------------------------

    @property
    def remaining_steps(self) -> int:
        """Steps not yet used (with ``repeat=True``: not yet used in this round)."""
        return len(self.steps) - self._next

    @property
    def model_calls(self) -> tuple[ModelCall, ...]:
        """Every call as the SDK's ``ModelCall`` (the SDK's ``calls``; ours holds the ``ModelRequest``s)."""
        return tuple(model_call(request, index in self._streamed) for index, request in enumerate(self.calls))

    @property
    def first_call(self) -> ModelCall | None:
        return model_call(self.calls[0], 0 in self._streamed) if self.calls else None

    @property
    def last_call(self) -> ModelCall | None:
        last = len(self.calls) - 1
        return model_call(self.calls[last], last in self._streamed) if self.calls else None

    def enqueue(self, step: Step) -> None:
        self.steps.append(_queued(step, 0))

    def extend(self, steps: Iterable[Step]) -> None:
        self.steps.extend([_queued(step, index) for index, step in enumerate(steps)])

    def set_default_usage(self, usage: Usage | None) -> None:
        if usage is not None and not isinstance(usage, Usage):
            raise UserError(f"ScriptedModel default_usage must be a Usage or None, got {usage!r}")
        self._default_usage = copy.deepcopy(usage)

    def assert_complete(self) -> None:
        """Raise ``UnconsumedModelSteps`` if the run ended before using every step."""
        remaining = self.remaining_steps
        if remaining:
            raise UnconsumedModelSteps(
                f"{remaining} scripted model step(s) were not used", remaining_steps=remaining
            )

    def get_retry_advice(self, request: ModelRetryAdviceRequest) -> ModelRetryAdvice | None:
        """The advice scripted with ``ModelStep.raise_error(error, retry_advice=...)`` for that very error."""
        configured = self._advice.get(id(request.error))
        if configured is None or configured[0] is not request.error:
            return None
        return copy.deepcopy(configured[1])

    # -- answering ------------------------------------------------------------------------------------------------

    def _take(self, request: ModelRequest, streamed: bool) -> Any:
        with self._lock:
            index = len(self.calls)
            self.calls.append(request)
            if streamed:
                self._streamed.add(index)
            if self._next >= len(self.steps):
                if not self.repeat or not self.steps:
                    raise ScriptExhaustedError(
                        f"ScriptedModel has {len(self.steps)} steps and was asked for response {index + 1} "
                        f"({'streamed' if streamed else 'not streamed'})",
                        call=model_call(request, streamed),
                        call_index=index,
                    )
                self._next = 0
            step = self.steps[self._next]
            self._next += 1
        return step

    def _respond(self, request: ModelRequest, step: Any) -> ModelResponse:
        """One of our forms' response (the fast path)."""
        if isinstance(step, BaseException):
            raise step
        output = list(step(request) if callable(step) else step)
        calls = any(type(o) is FunctionCall for o in output)
        if calls and self.check_calls:
            for item in output:
                if type(item) is FunctionCall:
                    check_call(item, request.tools)
        default = self._default_usage
        # Placeholder usage (one "token" per item), cheap so the benchmark measures the runtime, not the script.
        if default is None:
            usage = Usage(input_tokens=len(request.input), output_tokens=len(output))
        else:
            usage = copy.deepcopy(default)
        return ModelResponse(
            output=output,
            usage=usage,
            response_id=f"scripted-{len(self.calls)}",
            model=self.model_name,
            finish_reasons=("tool_call" if calls else "stop",),
        )

    async def _resolve(self, step: ModelStep, call: ModelCall) -> ModelStep:
        """The step a responder chain ends on; raises the step's error (remembering its retry advice)."""
        while step.responder is not None:
            try:
                result = step.responder(call)
                if inspect.isawaitable(result):
                    result = await result
            except Exception as error:  # advice scripted for an earlier raise of this object no longer applies
                self._advice.pop(id(error), None)
                raise
            step = sdk_step(result, 0)
        if step.error is not None:
            if step.retry_advice is None:
                self._advice.pop(id(step.error), None)
            else:
                self._advice[id(step.error)] = (step.error, copy.deepcopy(step.retry_advice))
            raise step.error
        return step

    def _sdk_response(self, request: ModelRequest, step: ModelStep) -> ModelResponse:
        output = list(step.output)
        calls = any(type(o) is FunctionCall for o in output)
        if calls and self.check_calls:
            for item in output:
                if type(item) is FunctionCall:
                    check_call(item, request.tools)
        if step.usage == Usage():
            usage = copy.deepcopy(self._default_usage) if self._default_usage is not None else Usage(requests=1)
        else:
            usage = copy.deepcopy(step.usage)
        return ModelResponse(
            output=output,
            usage=usage,
            response_id=step.response_id,
            request_id=step.request_id,
            raw_usage=copy.deepcopy(step.raw_usage) if request.settings.preserve_raw_usage is True else None,
            model=self.model_name,
            finish_reasons=("tool_call" if calls else "stop",),
        )

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        step = self._take(request, False)
        if type(step) is ModelStep:
            return self._sdk_response(request, await self._resolve(step, model_call(request, False)))
        return self._respond(request, step)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        step = self._take(request, True)
        if type(step) is ModelStep:
            async for event in self._sdk_stream(request, step):
                yield event
            return
        response = self._respond(request, step)
        for item in response.output:
            if isinstance(item, AssistantMessage):
                for piece in re.findall(r"\S+\s*|\s+", item.content):
                    yield TextDelta(piece)
                for piece in re.findall(r"\S+\s*|\s+", item.refusal):
                    yield RefusalDelta(piece)
            else:  # a tool call arrives as a chunk of its own, as from a provider (timed, nothing forwarded)
                yield TextDelta("")
        yield response

    async def _sdk_stream(self, request: ModelRequest, step: ModelStep) -> AsyncIterator[ModelStreamEvent]:
        """An SDK step streamed: its exact Responses events read as the Responses model reads a stream, or (without
        them) the SDK's automatic stream of its output (``step_events``), each event a chunk of its own passed to
        the run's stream: a text / refusal delta as a ``TextDelta`` / ``RefusalDelta`` carrying it, any other as
        an empty ``TextDelta`` carrying it, as the Responses model reads a real stream."""
        call = model_call(request, True)
        step = await self._resolve(step, call)
        if step.stream_events is not None:
            async for event in self._exact_stream(request, step, call):
                yield event
            return
        from openai.types.responses import ResponseRefusalDeltaEvent, ResponseTextDeltaEvent

        from .step_events import responses_output, step_events

        items = responses_output(step.output if step._given is None else step._given)
        response = self._sdk_response(request, step)
        for event in step_events(items, response, step.response_id):
            if isinstance(event, ResponseTextDeltaEvent):
                yield TextDelta(event.delta, raw=event)
            elif isinstance(event, ResponseRefusalDeltaEvent):
                yield RefusalDelta(event.delta, raw=event)
            else:
                yield TextDelta("", raw=event)
        yield response

    async def _exact_stream(self, request: ModelRequest, step: ModelStep, call: ModelCall) -> AsyncIterator[Any]:
        from ..models.openai_responses import responses_stream

        events = step.stream_events
        source: Any = events(call) if callable(events) else _replay(events or ())
        try:
            async for event in responses_stream(source):
                if isinstance(event, ModelResponse) and self.check_calls:
                    for item in event.output:
                        if type(item) is FunctionCall:
                            check_call(item, request.tools)
                yield event
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()


async def _replay(events: Sequence[Any]) -> AsyncIterator[Any]:
    for event in copy.deepcopy(list(events)):
        yield event


# the SDK's agents.testing.model names (the step forms and errors live in ``steps``, the item helpers in ``helpers``)
__all__ = [
    "InvalidModelStep",
    "ModelCall",
    "ModelScriptError",
    "ModelStep",
    "ModelStepSpec",
    "ScriptedModel",
    "UnconsumedModelSteps",
    "UnexpectedModelCall",
    "assistant_message",
    "function_call",
]
