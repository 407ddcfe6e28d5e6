"""The OpenAI Agents SDK's forms of a scripted step (``ModelStep``, its dict form ``ModelStepSpec``, a
``ModelResponse``), the recorded ``ModelCall`` a responder reads, and the script's typed errors.

Why a module of its own: these forms are checked and snapshotted once, when queued, so a bad step fails where it is
written (``InvalidModelStep`` with its zero-based ``input_index``), and the per-call path of our list-of-items steps
never pays for them.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from typing_extensions import TypedDict

from ..exceptions import AgentsOtelError, ModelBehaviorError, UserError
from ..input_items import input_list
from ..items import AssistantMessage, FunctionCall, ModelOutputItem, RawInputItem
from ..models.interface import ModelRequest, ModelResponse, ModelSettings, OutputSchemaSpec, ToolSpec, Usage
from ..retry import ModelRetryAdvice


class ModelScriptError(AgentsOtelError):
    """Base of the errors of a scripted model's script: a malformed step, a call past its end, steps left over."""


StepReason: TypeAlias = Literal[
    "invalid_input",
    "unsupported_field",
    "invalid_error",
    "invalid_responder",
    "invalid_stream_events",
    "conflicting_outcomes",
    "invalid_retry_advice",
]


class InvalidModelStep(ModelScriptError, UserError):
    """A step rejected before it entered the queue; ``input_index`` counts from 0 in the steps given."""

    def __init__(self, message: str, *, reason: StepReason, input_index: int) -> None:
        super().__init__(message)
        self.reason = reason
        self.input_index = input_index


class UnexpectedModelCall(ModelScriptError):
    """The model was called after its last step: ``call`` is that call, ``call_index`` its zero-based number (both
    always set when a ScriptedModel raises it; optional so the error can be made by hand, as ours always could)."""

    def __init__(self, message: str, *, call: ModelCall | None = None, call_index: int | None = None) -> None:
        super().__init__(message)
        self.call = call
        self.call_index = call_index


class ScriptExhaustedError(UnexpectedModelCall, ModelBehaviorError):
    """What this package's ScriptedModel raises for a call past its last step: the SDK's ``UnexpectedModelCall``
    (same meaning, same ``call`` / ``call_index``), and the ``ModelBehaviorError`` it always was."""


class UnconsumedModelSteps(ModelScriptError):
    """``assert_complete()`` found ``remaining_steps`` steps the run never asked for."""

    def __init__(self, message: str, *, remaining_steps: int) -> None:
        super().__init__(message)
        self.remaining_steps = remaining_steps


@dataclass(frozen=True, slots=True)
class ModelCall:
    """One call to the scripted model as the SDK's ``ModelCall`` records it: ``input`` in the Responses format
    (``[{"role": "user", "content": "hi"}]``), a snapshot taken when it was asked for. ``tools`` are the
    ``ToolSpec``s the model was offered, handoffs included (this runtime offers a handoff as a tool); ``request`` is
    our own ``ModelRequest`` of the same call."""

    system_instructions: str | None
    input: list[dict[str, Any]]
    model_settings: ModelSettings
    tools: list[ToolSpec]
    output_schema: OutputSchemaSpec | None
    previous_response_id: str | None
    conversation_id: str | None
    prompt: dict[str, Any] | None
    streamed: bool
    request: ModelRequest = field(compare=False, repr=False)

    @property
    def handoffs(self) -> list[Any]:
        raise UserError("ModelCall.handoffs: this runtime offers handoffs to the model as tools; see ModelCall.tools")

    @property
    def tracing(self) -> Any:
        raise UserError("ModelCall.tracing: the runtime records every model call as a chat span; there is no flag")


def model_call(request: ModelRequest, streamed: bool) -> ModelCall:
    return ModelCall(
        system_instructions=request.system_instructions,
        input=copy.deepcopy(input_list(request.input)),
        model_settings=copy.deepcopy(request.settings),
        tools=list(request.tools),
        output_schema=request.output_schema,
        previous_response_id=request.previous_response_id,
        conversation_id=request.conversation_id,
        prompt=copy.deepcopy(request.prompt),
        streamed=streamed,
        request=request,
    )


@dataclass
class ModelStep:
    """One scripted call, the SDK's way: ``output`` (our items or the ``openai`` output items), ``usage``,
    ``response_id``; or ``error`` to raise, ``responder`` to derive the step from the ``ModelCall``, or
    ``stream_events`` (Responses stream events, or a function of the call making them) for a streamed call.
    ``request_id`` becomes the response's, and ``raw_usage`` too when the call's settings say
    ``preserve_raw_usage=True``, as in the SDK."""

    output: Sequence[Any] = field(default_factory=tuple)
    usage: Usage = field(default_factory=Usage)
    response_id: str | None = "resp-789"
    request_id: str | None = None
    raw_usage: dict[str, Any] | None = None
    error: Exception | None = None
    responder: Responder | None = None
    stream_events: Sequence[Any] | StreamFactory | None = None
    retry_advice: ModelRetryAdvice | None = None
    _given: tuple[Any, ...] | None = field(default=None, init=False, repr=False, compare=False)
    """A queued step's output as it was given, when it held ``openai`` items or dicts (a snapshot): the automatic
    stream is made of them (their item ids, parts, logprobs), not of the items ``output`` became."""

    @classmethod
    def raise_error(cls, error: Exception, *, retry_advice: ModelRetryAdvice | None = None) -> ModelStep:
        """A call that fails with ``error``; ``retry_advice`` is what ``get_retry_advice`` says of that error."""
        return cls(error=error, retry_advice=retry_advice)

    @classmethod
    def respond(cls, responder: Responder) -> ModelStep:
        """A call answered by ``responder(call)`` (sync or async), which returns any step form."""
        return cls(responder=responder)

    @classmethod
    def stream(
        cls,
        events: Sequence[Any] | StreamFactory,
        *,
        output: Sequence[Any] = (),
        usage: Usage | None = None,
        response_id: str | None = "resp-789",
    ) -> ModelStep:
        """A streamed call yielding exactly ``events``; ``output`` answers the same step called without streaming."""
        return cls(
            output=output,
            usage=usage or Usage(),
            response_id=response_id,
            stream_events=events if callable(events) else tuple(events),
        )


class ModelStepSpec(TypedDict, total=False):
    """``ModelStep``'s fields as a dict, a step form ``ScriptedModel`` takes too."""

    output: Sequence[Any]
    usage: Usage
    response_id: str | None
    request_id: str | None
    raw_usage: dict[str, Any] | None
    error: Exception | None
    responder: Responder | None
    stream_events: Sequence[Any] | StreamFactory | None
    retry_advice: ModelRetryAdvice | None


_FIELDS = frozenset(ModelStepSpec.__annotations__)
StepResult: TypeAlias = ModelStep | ModelStepSpec | ModelResponse | Sequence[Any] | Exception
Responder: TypeAlias = Callable[[ModelCall], StepResult | Awaitable[StepResult]]
StreamFactory: TypeAlias = Callable[[ModelCall], AsyncIterator[Any]]
_OURS = (AssistantMessage, FunctionCall, RawInputItem)


def _invalid(reason: StepReason, index: int, detail: str) -> InvalidModelStep:
    return InvalidModelStep(f"Scripted model step #{index + 1} {detail}.", reason=reason, input_index=index)


def sdk_step(step: Any, index: int) -> ModelStep:
    """A ``ModelStep`` / ``ModelStepSpec`` / ``ModelResponse`` (or a responder's list or exception) as a checked,
    detached ``ModelStep``."""
    if isinstance(step, ModelStep):
        normalized = step
    elif isinstance(step, ModelResponse):
        normalized = ModelStep(output=step.output, usage=step.usage, response_id=step.response_id)
    elif isinstance(step, Exception):
        normalized = ModelStep(error=step)
    elif isinstance(step, Mapping):
        if any(key not in _FIELDS for key in step):
            raise _invalid("unsupported_field", index, f"has fields ModelStep does not: {sorted(set(step) - _FIELDS)}")
        normalized = ModelStep(**dict(step))
    else:
        normalized = ModelStep(output=step)
    _check(normalized, index)
    events = normalized.stream_events
    queued = ModelStep(
        output=output_items(normalized.output, index),
        usage=copy.deepcopy(normalized.usage),
        response_id=normalized.response_id,
        request_id=normalized.request_id,
        raw_usage=copy.deepcopy(normalized.raw_usage),
        error=normalized.error,
        responder=normalized.responder,
        stream_events=events if events is None or callable(events) else copy.deepcopy(tuple(events)),
        retry_advice=copy.deepcopy(normalized.retry_advice),
    )
    if normalized._given is not None:
        queued._given = normalized._given
    elif not all(type(item) in _OURS for item in normalized.output):
        queued._given = copy.deepcopy(tuple(normalized.output))
    return queued


def output_items(output: Sequence[Any], index: int) -> list[ModelOutputItem]:
    """Our items, from ours or from the ``openai`` output items (and their dicts) the SDK's steps hold."""
    if all(type(item) in _OURS for item in output):
        return list(output)
    from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage
    from pydantic import BaseModel

    from ..models._openai_responses_output import output_items as read

    items: list[ModelOutputItem] = []
    for item in output:
        if isinstance(item, _OURS):
            items.append(item)
        elif isinstance(item, BaseModel):
            items.extend(read([item]))
        elif isinstance(item, Mapping) and item.get("type") == "message":
            items.extend(read([ResponseOutputMessage.model_validate(dict(item))]))
        elif isinstance(item, Mapping) and item.get("type") == "function_call":
            items.extend(read([ResponseFunctionToolCall.model_validate(dict(item))]))
        elif isinstance(item, Mapping) and isinstance(item.get("type"), str):
            items.append(RawInputItem(copy.deepcopy(dict(item))))  # the runtime reads it as the model's item
        else:
            raise _invalid("invalid_input", index, f"has an output item that is no model output item: {item!r}")
    return items


def _check(step: ModelStep, index: int) -> None:
    if not isinstance(step.output, Sequence) or isinstance(step.output, str | bytes):
        raise _invalid("invalid_input", index, "must use a sequence for output")
    if not isinstance(step.usage, Usage):
        raise _invalid("invalid_input", index, "must use Usage for usage")
    for name in ("response_id", "request_id"):
        if getattr(step, name) is not None and not isinstance(getattr(step, name), str):
            raise _invalid("invalid_input", index, f"must use a string or None for {name}")
    if step.raw_usage is not None and not isinstance(step.raw_usage, dict):
        raise _invalid("invalid_input", index, "must use a dict or None for raw_usage")
    if step.error is not None and not isinstance(step.error, Exception):
        raise _invalid("invalid_error", index, "must use an Exception for error")
    if step.responder is not None and not callable(step.responder):
        raise _invalid("invalid_responder", index, "must use a callable responder")
    events = step.stream_events
    if events is not None and not callable(events) and (
        not isinstance(events, Sequence) or isinstance(events, str | bytes)
    ):
        raise _invalid("invalid_stream_events", index, "must use a sequence or a callable for stream_events")
    if sum(value is not None for value in (step.error, step.responder, events)) > 1:
        raise _invalid("conflicting_outcomes", index, "sets more than one of error, responder and stream_events")
    if step.retry_advice is not None and (not isinstance(step.retry_advice, ModelRetryAdvice) or step.error is None):
        raise _invalid("invalid_retry_advice", index, "needs an error for its ModelRetryAdvice")


__all__ = [
    "InvalidModelStep",
    "ModelCall",
    "ModelScriptError",
    "ModelStep",
    "ModelStepSpec",
    "ScriptExhaustedError",
    "UnconsumedModelSteps",
    "UnexpectedModelCall",
    "model_call",
    "output_items",
    "sdk_step",
]
