"""Guardrails: checks on a run's input and on its final output, each one traced as a ``guardrail {name}`` span.

Names and semantics follow the OpenAI Agents SDK. Input guardrails (the starting agent's plus
``RunConfig.input_guardrails``) run concurrently with the first model call (``run_in_parallel=True``, the default) or
before it (``run_in_parallel=False``); output guardrails (the final agent's plus ``RunConfig.output_guardrails``) run
concurrently on the final output. A tripwire cancels the guardrails still running and whatever the run was doing,
and the run ends with ``InputGuardrailTripwireTriggered`` / ``OutputGuardrailTripwireTriggered``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, Tracer

from .exceptions import InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered, UserError
from .tracing import attributes as A
from .tracing.spans import SpanScope

if TYPE_CHECKING:
    from .agent import Agent
    from .context_wrapper import RunContextWrapper

TContext = TypeVar("TContext")
GuardrailKind = Literal["input", "output"]
GuardrailSpanKind = Literal["input", "output", "tool_input", "tool_output"]
"""``agents_otel.guardrail.type`` on a guardrail's span: an agent's input or output, or a tool's."""


@dataclass
class GuardrailFunctionOutput:
    """What a guardrail function returns: whether to stop the run, and anything worth reporting about why."""

    output_info: Any
    """Anything the guardrail wants to report (what it checked, why it tripped)."""
    tripwire_triggered: bool
    """True stops the run."""


@dataclass
class InputGuardrailResult:
    """One input guardrail's verdict, kept on ``RunResult.input_guardrail_results`` and in the tripwire error."""

    guardrail: InputGuardrail[Any]
    output: GuardrailFunctionOutput


@dataclass
class OutputGuardrailResult:
    """One output guardrail's verdict on ``agent``'s final output, kept on ``RunResult.output_guardrail_results``."""

    guardrail: OutputGuardrail[Any]
    agent_output: Any
    agent: Agent[Any]
    output: GuardrailFunctionOutput


InputGuardrailFunction = Callable[
    ["RunContextWrapper[Any]", "Agent[Any]", Any], GuardrailFunctionOutput | Awaitable[GuardrailFunctionOutput]
]
OutputGuardrailFunction = Callable[
    ["RunContextWrapper[Any]", "Agent[Any]", Any], GuardrailFunctionOutput | Awaitable[GuardrailFunctionOutput]
]


@dataclass
class InputGuardrail(Generic[TContext]):
    """``guardrail_function(context, agent, input)`` checks the run's input (a string or a list of input items)."""

    guardrail_function: InputGuardrailFunction
    name: str | None = None
    """The span's and the results' name; default: the function's name."""
    run_in_parallel: bool = True
    """True: alongside the first model call. False: before it, so a tripped run never calls the model."""

    def get_name(self) -> str:
        return self.name or str(getattr(self.guardrail_function, "__name__", "guardrail"))

    async def run(self, agent: Agent[Any], input: Any, context: RunContextWrapper[TContext]) -> InputGuardrailResult:
        return InputGuardrailResult(self, await _call(self.guardrail_function, context, agent, input, self.get_name()))


@dataclass
class OutputGuardrail(Generic[TContext]):
    """``guardrail_function(context, agent, output)`` checks the final output of the agent that produced it."""

    guardrail_function: OutputGuardrailFunction
    name: str | None = None

    def get_name(self) -> str:
        return self.name or str(getattr(self.guardrail_function, "__name__", "guardrail"))

    async def run(
        self, context: RunContextWrapper[TContext], agent: Agent[Any], agent_output: Any
    ) -> OutputGuardrailResult:
        output = await _call(self.guardrail_function, context, agent, agent_output, self.get_name())
        return OutputGuardrailResult(self, agent_output, agent, output)


async def _call(
    function: Callable[..., Any], context: Any, agent: Any, value: Any, name: str
) -> GuardrailFunctionOutput:
    if not callable(function):
        raise UserError(f"Guardrail function must be callable, got {function!r}")
    output = function(context, agent, value)
    if inspect.isawaitable(output):
        output = await output
    if not isinstance(output, GuardrailFunctionOutput):
        raise UserError(f"Guardrail {name!r} must return GuardrailFunctionOutput, got {type(output).__name__}")
    return output


@overload
def input_guardrail(func: InputGuardrailFunction) -> InputGuardrail[Any]: ...


@overload
def input_guardrail(
    *, name: str | None = None, run_in_parallel: bool = True
) -> Callable[[InputGuardrailFunction], InputGuardrail[Any]]: ...


def input_guardrail(
    func: InputGuardrailFunction | None = None, *, name: str | None = None, run_in_parallel: bool = True
) -> InputGuardrail[Any] | Callable[[InputGuardrailFunction], InputGuardrail[Any]]:
    """``@input_guardrail`` or ``@input_guardrail(name=..., run_in_parallel=...)`` on a sync or async function."""

    def decorate(f: InputGuardrailFunction) -> InputGuardrail[Any]:
        return InputGuardrail(guardrail_function=f, name=name or f.__name__, run_in_parallel=run_in_parallel)

    return decorate(func) if func is not None else decorate


@overload
def output_guardrail(func: OutputGuardrailFunction) -> OutputGuardrail[Any]: ...


@overload
def output_guardrail(*, name: str | None = None) -> Callable[[OutputGuardrailFunction], OutputGuardrail[Any]]: ...


def output_guardrail(
    func: OutputGuardrailFunction | None = None, *, name: str | None = None
) -> OutputGuardrail[Any] | Callable[[OutputGuardrailFunction], OutputGuardrail[Any]]:
    """``@output_guardrail`` or ``@output_guardrail(name=...)`` on a sync or async function."""

    def decorate(f: OutputGuardrailFunction) -> OutputGuardrail[Any]:
        return OutputGuardrail(guardrail_function=f, name=name or f.__name__)

    return decorate(func) if func is not None else decorate


# ---- running them, traced ---------------------------------------------------------------------------------------


R = TypeVar("R")


def _tripwire(result: InputGuardrailResult | OutputGuardrailResult) -> dict[str, Any]:
    return {A.GUARDRAIL_TRIPWIRE_TRIGGERED: result.output.tripwire_triggered}


async def traced_check(
    tracer: Tracer,
    kind: GuardrailSpanKind,
    name: str,
    agent_name: str,
    check: Awaitable[R],
    verdict: Callable[[R], dict[str, Any]],
    parent: Context | None = None,
    attributes: dict[str, Any] | None = None,
) -> R:
    """One guardrail check as a ``guardrail {name}`` span (every kind, agents' and tools' alike, looks the same in
    a trace); ``verdict`` turns its result into the span's closing attributes. ``parent``: the span to nest under
    when it is not the current one (a tool's guardrail, after the tool's body has left its context)."""
    span = tracer.start_span(
        f"guardrail {name}",
        parent,
        SpanKind.INTERNAL,
        {A.GUARDRAIL_NAME: name, A.GUARDRAIL_TYPE: kind, A.GEN_AI_AGENT_NAME: agent_name, **(attributes or {})},
    )
    with SpanScope(span, parent):  # current while the check runs: spans the guardrail makes nest under it
        result = await check
        span.set_attributes(verdict(result))
    return result


async def run_input_guardrails(
    tracer: Tracer,
    guardrails: list[InputGuardrail[Any]],
    agent: Agent[Any],
    input: Any,
    context: RunContextWrapper[Any],
    results: list[InputGuardrailResult],
) -> None:
    """All concurrently; each result lands in ``results`` as it completes (so a failed run still reports them).

    The first tripwire cancels the others and raises ``InputGuardrailTripwireTriggered``.
    """
    name = agent.name
    runs = [
        traced_check(tracer, "input", g.get_name(), name, g.run(agent, input, context), _tripwire) for g in guardrails
    ]
    await _first_tripwire(runs, results, InputGuardrailTripwireTriggered)


async def run_output_guardrails(
    tracer: Tracer,
    guardrails: list[OutputGuardrail[Any]],
    agent: Agent[Any],
    output: Any,
    context: RunContextWrapper[Any],
    results: list[OutputGuardrailResult],
) -> None:
    name = agent.name
    runs = [
        traced_check(tracer, "output", g.get_name(), name, g.run(context, agent, output), _tripwire) for g in guardrails
    ]
    await _first_tripwire(runs, results, OutputGuardrailTripwireTriggered)


async def _first_tripwire(
    runs: list[Coroutine[Any, Any, Any]], results: list[Any], tripped: Callable[[Any], BaseException]
) -> None:
    """Input and output guardrails alike: all at once, each result recorded as it completes; the first
    tripwire cancels the rest and raises ``tripped(result)``.

    Before the cancel, every sibling that already finished (in the same loop tick as the tripwire, so
    ``as_completed`` has not handed it over yet) is recorded too: the failed run reports each check that did
    complete, as the SDK since 0.25. Checks still running are cancelled and not reported."""
    tasks = [asyncio.ensure_future(run) for run in runs]
    try:
        for done in asyncio.as_completed(tasks):
            result = await done
            results.append(result)
            if result.output.tripwire_triggered:
                results.extend(_finished_unreported(tasks, results))
                raise tripped(result)
    finally:
        await cancel_all(tasks)


def _finished_unreported(tasks: Sequence[asyncio.Future[Any]], results: list[Any]) -> list[Any]:
    """The results of the tasks that completed successfully but are not in ``results`` yet, in task order."""
    seen = {id(r) for r in results}
    finished = [t.result() for t in tasks if t.done() and not t.cancelled() and t.exception() is None]
    return [r for r in finished if id(r) not in seen]


async def cancel_all(tasks: Sequence[asyncio.Future[Any]]) -> None:
    """Nothing left running, nothing left unretrieved: cancel what is pending, wait for it, read every outcome."""
    pending = [t for t in tasks if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
    for task in tasks:  # retrieve every outcome, so no "exception was never retrieved" is left behind
        if task.done() and not task.cancelled():
            task.exception()
