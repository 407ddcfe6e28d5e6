"""The OpenAI Agents SDK (``openai-agents``, package ``agents``) side of the benchmarks: the peer.

Workload 1 — *parallel tool fan-out*: a fake model (no network) whose first response asks for K
parallel calls of a trivial async ``@function_tool`` and whose second response is a final text
message. One run = ``Runner.run`` (or ``Runner.run_streamed`` with every event consumed).

Tracing is ON, but its export is neutralised: :func:`install_counting_tracing` replaces the SDK's
processors (by default a ``BatchTraceProcessor`` feeding the OpenAI backend exporter) with a
:class:`CountingProcessor` that only counts traces/spans and drops them. Span creation, context
propagation and processor dispatch are still paid; serialisation and HTTP export are not.

Every sample is checked after the clock stops (final output, K tool outputs, one trace, one
``function`` span per tool call, two model ``response`` spans, every started span ended), so a
broken run cannot post a good number.

Use from ``run.py``::

    counter = install_counting_tracing()
    cases = workload1_cases(counter, ks=(1, 10, 100), streamed=False)   # {K: Case}
    samples = await ainterleave(list(cases.values()), rounds=..., warmup=...)
    scaling = Scaling({k: samples[c.name] for k, c in cases.items()})

or standalone: ``python benchmarks/peer_openai_agents.py``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from agents import (
    Agent,
    Runner,
    RunResult,
    RunResultStreaming,
    ToolCallOutputItem,
    function_tool,
    set_trace_processors,
    set_tracing_disabled,
)
from agents.items import ModelResponse
from agents.models.interface import Model, ModelTracing
from agents.tracing import TracingProcessor, response_span
from agents.usage import Usage
from harness import Case, Sample, Scaling, ainterleave, apeak_memory
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputText,
)

FINAL_TEXT = "done"
TOOL_NAME = "echo"
DEFAULT_KS: tuple[int, ...] = (1, 10, 100)


# --------------------------------------------------------------------------------------------
# tracing with no export
# --------------------------------------------------------------------------------------------


class CountingProcessor(TracingProcessor):
    """A trace processor that counts traces and spans (by ``span_data.type``) and discards them."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.traces_started = 0
        self.traces_ended = 0
        self.spans_started: Counter[str] = Counter()
        self.spans_ended: Counter[str] = Counter()

    def on_trace_start(self, trace: Any) -> None:
        self.traces_started += 1

    def on_trace_end(self, trace: Any) -> None:
        self.traces_ended += 1

    def on_span_start(self, span: Any) -> None:
        self.spans_started[span.span_data.type] += 1

    def on_span_end(self, span: Any) -> None:
        self.spans_ended[span.span_data.type] += 1

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass


def install_counting_tracing() -> CountingProcessor:
    """Make the SDK trace every run, into a :class:`CountingProcessor` only (no exporter)."""
    counter = CountingProcessor()
    set_trace_processors([counter])  # replaces the default BatchTraceProcessor + backend exporter
    set_tracing_disabled(False)  # overrides OPENAI_AGENTS_DISABLE_TRACING if it is set
    return counter


# --------------------------------------------------------------------------------------------
# the fake model and the tool
# --------------------------------------------------------------------------------------------


@function_tool
async def echo(x: int) -> str:
    """Return a short string.

    Args:
        x: Any integer.
    """
    return f"ok {x}"


def _response(output: Sequence[Any]) -> Response:
    return Response(
        id="resp_bench",
        created_at=0,
        model="fake",
        object="response",
        output=list(output),
        tool_choice="auto",
        tools=[],
        top_p=None,
        parallel_tool_calls=True,
        status="completed",
    )


class FanOutModel(Model):
    """Turn 1: K parallel ``echo`` calls; turn 2: the final text ``"done"``. No network.

    Everything the model returns is built in ``__init__`` (untimed setup), as a scripted model
    would be. Like the SDK's real ``OpenAIResponsesModel``, each call opens a ``response`` span.
    Build one per run: the model is stateful (it counts turns).
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self.turn = 0
        calls = [
            ResponseFunctionToolCall(
                id=f"fc_{i}", call_id=f"call_{i}", type="function_call", name=TOOL_NAME,
                arguments=f'{{"x":{i}}}',
            )
            for i in range(k)
        ]
        final = ResponseOutputMessage(
            id="msg_final", type="message", role="assistant", status="completed",
            content=[ResponseOutputText(text=FINAL_TEXT, type="output_text", annotations=[], logprobs=[])],
        )
        self._outputs: list[list[Any]] = [calls, [final]]
        self._streams: list[list[Any]] = []
        for output in self._outputs:
            resp = _response(output)
            events: list[Any] = [ResponseCreatedEvent(response=_response([]), sequence_number=0,
                                                      type="response.created")]
            for i, item in enumerate(output):
                events.append(ResponseOutputItemDoneEvent(item=item, output_index=i, sequence_number=i + 1,
                                                          type="response.output_item.done"))
            events.append(ResponseCompletedEvent(response=resp, sequence_number=len(output) + 1,
                                                 type="response.completed"))
            self._streams.append(events)

    def _next_turn(self) -> int:
        turn = self.turn
        if turn >= len(self._outputs):
            raise AssertionError(f"FanOutModel called {turn + 1} times; expected 2")
        self.turn += 1
        return turn

    async def get_response(
        self, system_instructions: Any, input: Any, model_settings: Any, tools: Any, output_schema: Any,
        handoffs: Any, tracing: ModelTracing, *, previous_response_id: Any = None,
        conversation_id: Any = None, prompt: Any = None,
    ) -> ModelResponse:
        with response_span(disabled=tracing.is_disabled()):
            turn = self._next_turn()
            return ModelResponse(output=list(self._outputs[turn]), usage=Usage(), response_id=None)

    async def stream_response(
        self, system_instructions: Any, input: Any, model_settings: Any, tools: Any, output_schema: Any,
        handoffs: Any, tracing: ModelTracing, *, previous_response_id: Any = None,
        conversation_id: Any = None, prompt: Any = None,
    ) -> AsyncIterator[Any]:
        with response_span(disabled=tracing.is_disabled()):
            turn = self._next_turn()
            for event in self._streams[turn]:
                yield event


# --------------------------------------------------------------------------------------------
# workload 1
# --------------------------------------------------------------------------------------------


@dataclass
class _State:
    k: int
    agent: Agent[Any]
    model: FanOutModel


def _setup(k: int, counter: CountingProcessor) -> _State:
    model = FanOutModel(k)
    agent: Agent[Any] = Agent(name="bench", instructions="Call the tools.", tools=[echo], model=model)
    counter.reset()
    return _State(k, agent, model)


async def _run(state: _State) -> RunResult:
    return await Runner.run(state.agent, "go")


async def _run_streamed(state: _State) -> RunResultStreaming:
    result = Runner.run_streamed(state.agent, "go")
    async for _event in result.stream_events():
        pass
    return result


def check_run(state: _State, result: RunResult | RunResultStreaming, counter: CountingProcessor) -> None:
    """Raise unless the run did exactly what workload 1 asks, with the expected spans."""
    k = state.k
    if isinstance(result, RunResultStreaming) and not result.is_complete:
        raise AssertionError("streamed run not complete after consuming all events")
    if result.final_output != FINAL_TEXT:
        raise AssertionError(f"final_output {result.final_output!r} != {FINAL_TEXT!r}")
    if state.model.turn != 2:
        raise AssertionError(f"model called {state.model.turn} times, expected 2")
    outputs = [it.output for it in result.new_items if isinstance(it, ToolCallOutputItem)]
    if sorted(outputs) != sorted(f"ok {i}" for i in range(k)):
        raise AssertionError(f"expected {k} tool outputs 'ok i', got {len(outputs)}: {outputs[:3]}...")
    if (counter.traces_started, counter.traces_ended) != (1, 1):
        raise AssertionError(f"traces started/ended {counter.traces_started}/{counter.traces_ended} != 1/1")
    if counter.spans_started != counter.spans_ended:
        raise AssertionError(f"unended spans: started {counter.spans_started} ended {counter.spans_ended}")
    if counter.spans_ended["function"] != k:
        raise AssertionError(f"{counter.spans_ended['function']} function spans for {k} tool calls")
    if counter.spans_ended["response"] != 2:
        raise AssertionError(f"{counter.spans_ended['response']} response spans, expected 2")
    if counter.spans_ended["agent"] != 1:
        raise AssertionError(f"{counter.spans_ended['agent']} agent spans, expected 1")


def workload1_cases(
    counter: CountingProcessor, ks: Sequence[int] = DEFAULT_KS, *, streamed: bool = False,
    prefix: str = "sdk",
) -> dict[int, Case]:
    """One :class:`Case` per K. ``counter`` must be the processor installed by
    :func:`install_counting_tracing` (it is reset in each sample's setup and read in its check)."""
    run = _run_streamed if streamed else _run
    mode = "streamed" if streamed else "run"
    return {
        k: Case(
            name=f"{prefix}/{mode}/K={k}",
            setup=lambda k=k: _setup(k, counter),
            run=run,
            check=lambda state, result: check_run(state, result, counter),
        )
        for k in ks
    }


async def measure_workload1(
    ks: Sequence[int] = DEFAULT_KS, *, streamed: bool = False, rounds: int = 30, warmup: int = 5,
    counter: CountingProcessor | None = None,
) -> Scaling:
    """t(K) for each K (medians over ``rounds`` interleaved samples) and the marginal cost per call."""
    counter = counter or install_counting_tracing()
    cases = workload1_cases(counter, ks, streamed=streamed)
    samples: dict[str, Sample] = await ainterleave(list(cases.values()), rounds=rounds, warmup=warmup)
    return Scaling({k: samples[c.name] for k, c in cases.items()})


async def peak_memory_workload1(k: int = 100, *, streamed: bool = False,
                                counter: CountingProcessor | None = None) -> int:
    """Peak traced Python-heap growth (bytes) during one checked run at size K (setup excluded)."""
    counter = counter or install_counting_tracing()
    state = _setup(k, counter)
    run = _run_streamed if streamed else _run
    result, peak = await apeak_memory(run, state)
    check_run(state, result, counter)
    return peak


async def _main() -> None:
    from harness import fmt_bytes, fmt_seconds

    counter = install_counting_tracing()
    for streamed in (False, True):
        s = await measure_workload1(streamed=streamed, counter=counter)
        mode = "run_streamed" if streamed else "run"
        ts = ", ".join(f"t({k})={fmt_seconds(s.t(k))} (iqr {s.samples[k].iqr_rel:.0%})" for k in s.ks)
        print(f"SDK Runner.{mode}: {ts}; marginal/call={fmt_seconds(s.marginal)}")
    print(f"SDK peak memory K=100: {fmt_bytes(await peak_memory_workload1(100, counter=counter))}")


if __name__ == "__main__":
    asyncio.run(_main())
