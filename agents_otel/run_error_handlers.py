"""Run error handlers: ``Runner.run(..., error_handlers={...})`` turns a run-ending error into a final output.

The OpenAI Agents SDK's names and rules: a handler keyed by error kind gets a ``RunErrorHandlerInput`` (the error,
the run's context, a ``RunErrorData`` snapshot) and returns a ``RunErrorHandlerResult``, a dict with
``final_output``, a raw final output, or ``None`` to let the error end the run. Handled here:

* ``max_turns`` — :class:`MaxTurnsExceeded`, before the model call that would pass ``max_turns``;
* ``model_refusal`` — :class:`ModelRefusalError`, when the model refuses in the message that would end the run
  (whatever the ``output_type``, as in the SDK; ``raw_responses`` holds that answer);
* ``invalid_final_output`` — the :class:`ModelBehaviorError` of a final answer that does not validate against the
  agent's structured ``output_type`` (never other model misbehaviour, e.g. an unknown tool).

An unknown key is a ``UserError`` when the run starts: the SDK ignores one, and a misspelt key would otherwise leave
the run unprotected without a word.

A handler's output is validated against the agent's ``output_type`` as the SDK does, then goes through the output
guardrails and ``on_agent_end`` like any final output. With ``include_in_history`` (the default) it is also an
assistant message: a ``MessageOutputItem`` in ``new_items`` (streamed as ``message_output_created``), in
``to_input_list()`` and in the session.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias, TypedDict

from .context_wrapper import RunContextWrapper, TContext
from .exceptions import MaxTurnsExceeded, ModelBehaviorError, ModelRefusalError, UserError
from .input_items import RunInput, input_list
from .items import MessageOutputItem, RunItem, made_by
from .models.interface import ModelResponse
from .output_schema import output_json, output_schema_for
from .response_view import response_views

if TYPE_CHECKING:
    from .agent import Agent
    from .agent_loop import AgentLoop
    from .agent_span import AgentSpan


@dataclass
class RunErrorData:
    """What the run had when the error happened, for a handler that words its fallback from it.

    ``input`` is the run's input (with a session: its history, then this input, as ``RunResult.input``);
    ``new_items`` the run items so far; ``output`` those items as Responses-format dicts; ``history`` the whole
    conversation so far as ``to_input_list()`` would give it; ``raw_responses`` the model responses (for
    ``invalid_final_output`` and ``model_refusal``, as in the SDK, the one whose answer failed or refused).
    """

    input: RunInput
    new_items: list[RunItem]
    history: list[dict[str, Any]]
    output: list[dict[str, Any]]
    raw_responses: list[ModelResponse]
    last_agent: Agent[Any]


@dataclass
class RunErrorHandlerInput(Generic[TContext]):
    """What a handler is called with: the error it may replace, the run's context, and the run so far."""

    error: MaxTurnsExceeded | ModelRefusalError | ModelBehaviorError
    context: RunContextWrapper[TContext]
    run_data: RunErrorData


@dataclass
class RunErrorHandlerResult:
    """A handler's answer when it wants to say more than the output: whether the output joins the history."""

    final_output: Any
    include_in_history: bool = True


RunErrorHandler: TypeAlias = Callable[[RunErrorHandlerInput[TContext]], Any]
"""A handler, sync or async: a ``RunErrorHandlerResult``, a dict with ``final_output`` (and optionally
``include_in_history``), any other value (the final output itself), or ``None`` (the error ends the run)."""


class RunErrorHandlers(TypedDict, Generic[TContext], total=False):
    """The handlers of a run, by error kind."""

    max_turns: RunErrorHandler[TContext]
    model_refusal: RunErrorHandler[TContext]
    invalid_final_output: RunErrorHandler[TContext]


ErrorKind = Literal["max_turns", "model_refusal", "invalid_final_output"]
KINDS: tuple[ErrorKind, ...] = ("max_turns", "model_refusal", "invalid_final_output")
_RESULT_KEYS = frozenset(("final_output", "include_in_history"))


def check_error_handlers(handlers: Mapping[str, Any] | None) -> dict[str, Callable[..., Any]] | None:
    """The handlers a run will call, or ``None`` when it has none; ``UserError`` at the call that starts the run
    for anything that could not work, rather than at the error it was meant to catch."""
    if handlers is None:
        return None
    if not isinstance(handlers, Mapping):
        raise UserError(f"error_handlers must be a dict keyed by error kind, got {type(handlers).__name__}")
    checked: dict[str, Callable[..., Any]] = {}
    for key, handler in handlers.items():
        if key not in KINDS:
            raise UserError(f"error_handlers has an unknown key {key!r}; the keys are {', '.join(KINDS)}")
        if handler is None:
            continue  # as in the SDK: no handler for that kind
        if not callable(handler):
            raise UserError(f"error_handlers[{key!r}] must be callable, got {type(handler).__name__}")
        checked[key] = handler
    return checked or None


@dataclass(slots=True)
class Recovery:
    """A handler's final output, validated, and the assistant message that records it (``None``: not in history)."""

    output: Any
    item: MessageOutputItem | None


async def recover(
    loop: AgentLoop,
    agent: Agent[Any],
    kind: ErrorKind,
    error: MaxTurnsExceeded | ModelRefusalError | ModelBehaviorError,
    span: AgentSpan,
    raw_responses: list[ModelResponse],
) -> Recovery | None:
    """Ask the run's ``kind`` handler for a final output in place of ``error``; ``None``: the error stands.

    The agent's span keeps the error as an exception event (it happened, even if the run goes on), named by
    ``agents_otel.error_handler``; without ``error.type`` or an ERROR status, since the run did not fail.
    """
    handlers = loop.error_handlers
    handler = handlers.get(kind) if handlers is not None else None
    if handler is None:
        return None
    items = list(loop.run.run_items())
    output = [item.to_input_item() for item in items]
    data = RunErrorData(
        input=loop.input,
        new_items=items,
        history=input_list(loop.conversation.history),
        output=output,
        raw_responses=response_views(raw_responses),
        last_agent=agent,
    )
    try:
        answer = handler(RunErrorHandlerInput(error, loop.wrapper, data))
        if inspect.isawaitable(answer):
            answer = await answer
        result = _handler_result(answer)
    except BaseException:
        # The handler's own failure ends the run (and is the span's error); the error it was asked about stays seen.
        span.error_handled(kind, error)
        raise
    if result is None:
        return None
    span.error_handled(kind, error)
    value = validate_final_output(agent, result.final_output)
    if not result.include_in_history:
        return Recovery(value, None)
    return Recovery(value, made_by(MessageOutputItem(final_output_text(agent, value), agent.name), agent))


def _handler_result(answer: Any) -> RunErrorHandlerResult | None:
    if answer is None or isinstance(answer, RunErrorHandlerResult):
        return answer
    if isinstance(answer, dict) and "final_output" in answer:
        extra = sorted(str(k) for k in answer if k not in _RESULT_KEYS)
        if extra:
            raise UserError(
                f"Invalid run error handler result: a dict with 'final_output' may only add 'include_in_history', "
                f"got {extra}"
            )
        return RunErrorHandlerResult(**answer)
    return RunErrorHandlerResult(answer)  # a raw final output (a dict without 'final_output' included, as the SDK)


def validate_final_output(agent: Agent[Any], value: Any) -> Any:
    """``value`` as the agent's ``output_type`` would have it from the model: a structured type's value goes to
    JSON and back through the schema (so a handler may return a model instance or its dict); plain text is kept
    as returned, as in the SDK."""
    schema = output_schema_for(agent)
    if schema is None:
        return value
    try:
        return schema.validate_json(output_json(schema, value))
    except (TypeError, ValueError, ModelBehaviorError) as exc:
        raise UserError(
            f"Invalid run error handler final_output for structured output {schema.name()}: {exc}"
        ) from exc


def final_output_text(agent: Agent[Any], value: Any) -> str:
    """The assistant message's text: the output as the model would have written it (JSON for a structured type)."""
    schema = output_schema_for(agent)
    if schema is None:
        return str(value)
    try:
        return output_json(schema, value)
    except (TypeError, ValueError):
        return str(value)


__all__ = [
    "RunErrorData",
    "RunErrorHandler",
    "RunErrorHandlerInput",
    "RunErrorHandlerResult",
    "RunErrorHandlers",
]
