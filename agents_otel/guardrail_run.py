"""Guardrails inside a run: where they start, what a tripwire cancels, and the stream event it leaves.

Parallel input guardrails run alongside the first model call; a tripwire (or a failing guardrail) cancels that call
at once and the run ends with the typed error. The first turn's tools only start once every guardrail passed, so a
tripped input never reaches a tool (the SDK lets them start before its guardrails finish; here the stricter order
costs nothing, since the model call is what takes the time). A tripwire is also a ``GuardrailTripwireStreamEvent``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .exceptions import InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered
from .guardrails import (
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailResult,
    OutputGuardrail,
    OutputGuardrailResult,
    cancel_all,
    run_input_guardrails,
    run_output_guardrails,
)
from .input_items import input_list
from .stream_events import GuardrailTripwireStreamEvent

if TYPE_CHECKING:
    from .agent import Agent
    from .context_wrapper import RunContextWrapper
    from .run_runtime import RunRuntime

T = TypeVar("T")


class InputChecks:
    """The starting agent's input guardrails (and the run's), with what they need from the run."""

    def __init__(
        self,
        run: RunRuntime,
        wrapper: RunContextWrapper[Any],
        agent: Agent[Any],
        input: str | tuple[Any, ...],
        results: list[InputGuardrailResult],
    ) -> None:
        self.state = run
        self.wrapper = wrapper
        self.agent = agent
        # What the SDK hands a guardrail: the input string, or the input items as Responses-format dicts.
        self.input: Any = input if isinstance(input, str) else input_list(input)
        self.results = results

    async def run(self, guardrails: list[InputGuardrail[Any]]) -> None:
        try:
            await run_input_guardrails(
                self.state.tracer, guardrails, self.agent, self.input, self.wrapper, self.results
            )
        except InputGuardrailTripwireTriggered as exc:
            result = exc.guardrail_result
            _emit_tripwire(self.state, "input", result.guardrail.get_name(), self.agent, result.output)
            raise

    async def alongside(self, guardrails: list[InputGuardrail[Any]], work: Coroutine[Any, Any, T]) -> T:
        """``work`` (the first model call) and the guardrails concurrently; the result of ``work`` once both are
        done. Whichever fails first cancels the other; nothing is left running either way.

        While they run, ``RunRuntime.parallel_input_results`` is this check's results list: a model attempt
        (a retry) about to start after a tripwire was recorded is skipped (``SkippedAttempt``) rather than sent
        in the few loop ticks before the tripwire cancels it, as the SDK's streamed runs since 0.25."""
        self.state.parallel_input_results = self.results
        guard = asyncio.ensure_future(self.run(guardrails))
        call = asyncio.ensure_future(work)
        try:
            await asyncio.wait((guard, call), return_when=asyncio.FIRST_EXCEPTION)
            if call.done() and isinstance(call.exception(), SkippedAttempt):
                await guard  # it recorded the tripwire: it raises once its siblings are cancelled
            for task in (guard, call):  # the guardrail's outcome first: a tripwire wins over a model error
                if task.done() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            return call.result()
        finally:
            self.state.parallel_input_results = None
            await cancel_all((guard, call))


class SkippedAttempt(Exception):
    """A model attempt not started because a parallel input guardrail has tripped (``InputChecks.alongside``
    raises the tripwire instead); never seen outside the run."""


def input_tripped(run: RunRuntime) -> bool:
    """Whether the input guardrails running alongside the model call have recorded a tripwire."""
    results = run.parallel_input_results
    return results is not None and any(r.output.tripwire_triggered for r in results)


async def check_output(
    run: RunRuntime,
    wrapper: RunContextWrapper[Any],
    agent: Agent[Any],
    guardrails: list[OutputGuardrail[Any]],
    output: Any,
    results: list[OutputGuardrailResult],
) -> None:
    try:
        await run_output_guardrails(run.tracer, guardrails, agent, output, wrapper, results)
    except OutputGuardrailTripwireTriggered as exc:
        result = exc.guardrail_result
        _emit_tripwire(run, "output", result.guardrail.get_name(), agent, result.output)
        raise


def _emit_tripwire(
    run: RunRuntime, kind: Literal["input", "output"], name: str, agent: Agent[Any], output: GuardrailFunctionOutput
) -> None:
    run.emit(GuardrailTripwireStreamEvent(name, kind, agent.name, output.output_info))
