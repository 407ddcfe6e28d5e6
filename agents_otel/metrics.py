"""Metrics through the OTel metrics API: tool durations, progress and stall counts, model call duration and tokens.

Why metrics at all when spans carry the same durations: spans are sampled (head or tail), metrics are not, and a
hung tool produces no ended span for spanmetrics to count. So the counts operators alert on are taken here, from
the runtime's own records, independently of any sampler.

Cost discipline: instruments are created once per MeterProvider and cached; a tool call costs one histogram
record at its end (the SDK's ``record`` is ~5-8 µs, the one unavoidable cost). Progress pays nothing: the
progress counter is an *observable* counter over totals kept here, to which an ending call adds its final
sequence number (a dict update), and the SDK reads the totals only when it collects.

Names: ``gen_ai.execute_tool.duration``, ``gen_ai.invoke_agent.duration``, ``gen_ai.client.operation.duration``,
``gen_ai.client.operation.time_to_first_chunk``, ``gen_ai.client.operation.time_per_output_chunk`` and
``gen_ai.client.token.usage`` follow the GenAI semantic conventions (open-telemetry/semantic-conventions-genai,
``model/gen-ai/metrics.yaml``); the progress and stall counters are ours, in the ``agents_otel.*`` namespace.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation

from .tracing import attributes as A
from .version import __version__

if TYPE_CHECKING:
    from .models.interface import Model, ModelResponse
    from .tool_call import ToolCall

logger = logging.getLogger(__name__)

TOOL_DURATION = "gen_ai.execute_tool.duration"
AGENT_DURATION = "gen_ai.invoke_agent.duration"
"""Histogram (s): one agent invocation end to end, equal to its ``invoke_agent`` span's duration."""
OPERATION_DURATION = "gen_ai.client.operation.duration"
TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk"
"""Histogram (s), streamed model calls only: request to first chunk."""
TIME_PER_OUTPUT_CHUNK = "gen_ai.client.operation.time_per_output_chunk"
"""Histogram (s), streamed model calls only: one measurement per chunk after the first, the gap since the previous."""
TOKEN_USAGE = "gen_ai.client.token.usage"
PROGRESS_EVENTS = "agents_otel.tool.progress"
"""Counter (observable, cumulative): ``send_progress`` calls accepted, by ``gen_ai.tool.name`` and
``gen_ai.agent.name``; a call's events are counted when it ends."""
TOOL_STALLS = "agents_otel.tool.stalls"
"""Counter: stalls detected (a call sent no progress for its stall timeout), by tool, at detection time. Starts at
0 for a (tool, agent) the first time a call of it runs with a stall timeout, so the first stall of a process is an
increase from 0 that ``increase()`` sees, not a series born at 1."""
GEN_AI_TOKEN_TYPE = "gen_ai.token.type"

# Bucket advice from the GenAI conventions (seconds, and tokens).
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
CHUNK_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
"""The conventions' advice for time-to-first-token histograms: chunks come milliseconds apart, below the 10 ms
floor of the duration buckets."""
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)

_METER_NAME = "agents_otel"


class Instruments:
    """The runtime's instruments on one MeterProvider. Build with :func:`instruments_for`, which caches."""

    __slots__ = (
        "_progress_lock",
        "_progress_totals",
        "_stall_series",
        "_tool_attributes",
        "agent_duration",
        "operation_duration",
        "progress_events",
        "time_per_output_chunk",
        "time_to_first_chunk",
        "token_usage",
        "tool_duration",
        "tool_stalls",
    )

    def __init__(self, provider: MeterProvider) -> None:
        meter = provider.get_meter(_METER_NAME, __version__)
        self.tool_duration = meter.create_histogram(
            TOOL_DURATION, "s", "Duration of tool executions", explicit_bucket_boundaries_advisory=DURATION_BUCKETS
        )
        self._progress_totals: dict[tuple[str, str], int] = {}
        self._progress_lock = threading.Lock()
        self.progress_events = meter.create_observable_counter(
            PROGRESS_EVENTS, [self._observe_progress], "{event}", "Progress events sent by tools"
        )
        self.tool_stalls = meter.create_counter(TOOL_STALLS, "{stall}", "Tool calls quiet past their stall timeout")
        self._stall_series: set[tuple[str, str]] = set()
        self._tool_attributes: dict[tuple[str, str, str | None], dict[str, str]] = {}
        """The duration histogram's attributes per (tool, agent, error type), built once: the SDK only reads them."""
        self.operation_duration = meter.create_histogram(
            OPERATION_DURATION, "s", "GenAI operation duration", explicit_bucket_boundaries_advisory=DURATION_BUCKETS
        )
        self.token_usage = meter.create_histogram(
            TOKEN_USAGE, "{token}", "Input and output tokens used", explicit_bucket_boundaries_advisory=TOKEN_BUCKETS
        )
        self.agent_duration = meter.create_histogram(
            AGENT_DURATION, "s", "GenAI agent invocation duration", explicit_bucket_boundaries_advisory=DURATION_BUCKETS
        )
        self.time_to_first_chunk = meter.create_histogram(
            TIME_TO_FIRST_CHUNK,
            "s",
            "Time to receive the first chunk of a streamed response",
            explicit_bucket_boundaries_advisory=CHUNK_BUCKETS,
        )
        self.time_per_output_chunk = meter.create_histogram(
            TIME_PER_OUTPUT_CHUNK,
            "s",
            "Time per output chunk after the first",
            explicit_bucket_boundaries_advisory=CHUNK_BUCKETS,
        )

    def tool_finished(self, call: ToolCall, duration: float) -> None:
        """A tool call ended. Never raises: a broken metrics pipeline must not fail the call it measures."""
        try:  # inline rather than a helper: one Python call less on every tool call
            key = (call.call.name, call.agent.name, call.error_type)
            attributes = self._tool_attributes.get(key)
            if attributes is None:
                attributes = self._tool_attributes[key] = _tool_duration_attributes(*key)
            self.tool_duration.record(duration, attributes)
            if call.sequence:
                series = key[:2]
                with self._progress_lock:
                    self._progress_totals[series] = self._progress_totals.get(series, 0) + call.sequence
        except Exception:
            logger.exception("agents_otel: recording tool metrics failed")

    def _observe_progress(self, options: CallbackOptions) -> Iterable[Observation]:
        with self._progress_lock:
            totals = list(self._progress_totals.items())
        for (tool, agent), total in totals:
            yield Observation(total, {A.GEN_AI_TOOL_NAME: tool, A.GEN_AI_AGENT_NAME: agent})

    def tool_supervised(self, call: ToolCall) -> None:
        """A call runs with a stall timeout: its tool's stall series exists from now on, at 0. Never raises.

        Why: an SDK counter is exported only once something was added, so without this the first stall of a
        process creates a series whose first sample is already 1, and ``increase()`` reads 0 for it: the typical
        incident (a tool hanging in a freshly started process) would never alert. One set lookup per call after
        the first.
        """
        key = (call.tool_name, call.agent_name)
        if key in self._stall_series:
            return
        self._stall_series.add(key)  # loop thread only; a rare duplicate add(0) would be harmless
        try:
            self.tool_stalls.add(0, {A.GEN_AI_TOOL_NAME: call.tool_name, A.GEN_AI_AGENT_NAME: call.agent_name})
        except Exception:
            logger.exception("agents_otel: recording tool metrics failed")

    def tool_stalled(self, call: ToolCall) -> None:
        self.tool_stalls.add(1, {A.GEN_AI_TOOL_NAME: call.tool_name, A.GEN_AI_AGENT_NAME: call.agent_name})

    def model_call(
        self,
        model: Model,
        response: ModelResponse | None,
        error_type: str | None,
        duration: float,
        agent_name: str | None = None,
    ) -> None:
        """A model call ended, successfully or not. Never raises, like :meth:`tool_finished`."""
        try:
            self._model_call(model, response, error_type, duration, agent_name)
        except Exception:
            logger.exception("agents_otel: recording model call metrics failed")

    def _model_call(
        self,
        model: Model,
        response: ModelResponse | None,
        error_type: str | None,
        duration: float,
        agent_name: str | None,
    ) -> None:
        attributes = A.model_attributes(model)
        if agent_name:  # ours, not the conventions': lets a slow-model alert name the agent waiting for it
            attributes[A.GEN_AI_AGENT_NAME] = agent_name
        if response is not None and response.model:
            attributes[A.GEN_AI_RESPONSE_MODEL] = response.model
        if error_type is not None:
            attributes[A.ERROR_TYPE] = error_type
        self.operation_duration.record(duration, attributes)
        if response is not None:
            self.token_usage.record(response.usage.input_tokens, {**attributes, GEN_AI_TOKEN_TYPE: "input"})
            self.token_usage.record(response.usage.output_tokens, {**attributes, GEN_AI_TOKEN_TYPE: "output"})

    def agent_invoked(self, attributes: dict[str, Any], error_type: str | None, duration: float) -> None:
        """An agent run ended; ``attributes`` are its span's identity (operation, provider, model, agent). Never
        raises."""
        try:
            if error_type is not None:
                attributes = {**attributes, A.ERROR_TYPE: error_type}
            self.agent_duration.record(duration, attributes)
        except Exception:
            logger.exception("agents_otel: recording agent metrics failed")

    def model_chunks(self, model: Model, response: ModelResponse | None, first: float, gaps: list[float]) -> None:
        """A streamed model call's chunk timing, recorded when it ends (so the response model is known). Never
        raises."""
        try:
            attributes = A.model_attributes(model)
            if response is not None and response.model:
                attributes[A.GEN_AI_RESPONSE_MODEL] = response.model
            self.time_to_first_chunk.record(first, attributes)
            record = self.time_per_output_chunk.record
            for gap in gaps:
                record(gap, attributes)
        except Exception:
            logger.exception("agents_otel: recording chunk metrics failed")


def _tool_duration_attributes(tool_name: str, agent_name: str, error_type: str | None) -> dict[str, str]:
    attributes = {
        A.GEN_AI_OPERATION_NAME: A.OP_EXECUTE_TOOL,
        A.GEN_AI_TOOL_NAME: tool_name,
        A.GEN_AI_TOOL_TYPE: "function",
        A.GEN_AI_AGENT_NAME: agent_name,
    }
    if error_type is not None:
        attributes[A.ERROR_TYPE] = error_type
    return attributes


Built = TypeVar("Built")


class PerMeterProvider(Generic[Built]):
    """Instruments built once per MeterProvider (the run's ``RunConfig.meter_provider``, else the global one, with
    metrics export configured from the environment first); the runtime's and MCP's share this one rule.

    Caching the global proxy provider is safe: its instruments forward to whatever provider the app sets later.
    """

    def __init__(self, build: Callable[[MeterProvider], Built]) -> None:
        self._build = build
        self._cache: weakref.WeakKeyDictionary[MeterProvider, Built] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, provider: MeterProvider | None) -> Built:
        if provider is None:
            from .tracing.metrics_export import auto_configure_metrics

            auto_configure_metrics()  # once per process, whatever tracing did (an app may bring its own tracing)
            provider = metrics.get_meter_provider()
        found = self._cache.get(provider)
        if found is not None:
            return found
        with self._lock:
            found = self._cache.get(provider)
            if found is None:
                found = self._cache[provider] = self._build(provider)
        return found


instruments_for = PerMeterProvider(Instruments)
"""Instruments for ``RunConfig.meter_provider``, else the global provider; created once per provider."""
