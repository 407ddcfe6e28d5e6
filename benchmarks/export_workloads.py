"""Export-side figures: what OTLP encoding costs per span (W1's extra row), and a run with the endpoint down (W4).

OTLP encoding per span
    The spans of real W1 runs (K=100: one ``invoke_agent``, two ``chat`` and 100 ``execute_tool`` spans each) are
    collected, then the timed window is exactly what ``OTLPSpanExporter.export`` does before the HTTP request:
    ``encode_spans(spans).SerializePartialToString()``, over ``ENCODE_RUNS`` runs' spans at once, divided by the
    span count. Baseline, interleaved with it: the per-span cost of creating those spans in the first place, i.e.
    ``tracer.start_span(name, attributes=<the five execute_tool attributes>).end()`` on a provider with the same
    ``BatchSpanProcessor`` (counting exporter). Ratio = how many times its own creation cost a span pays again when
    it is exported over OTLP; it is paid on the processor's worker thread, off the run's critical path, but it is
    CPU (and GIL) the process spends.

W4  ``Runner.run`` (W1 at K=10, 13 spans per run) while the OTLP endpoint is down, against the same run with no
    exporter. The figure held to the target is ``down-agents-otel``: the provider ``configure_tracing`` builds (what
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` gives an agents_otel user), settled until its processor sheds spans because the
    export failed. For context, the same with a plain SDK processor an app might configure itself: "down": a
    ``BatchSpanProcessor`` (SDK defaults: queue 2048, batch 512, 5 s delay) feeding an
    ``OTLPSpanExporter`` (HTTP/protobuf) pointed at a port on 127.0.0.1 that nothing listens on (connection
    refused, retried with backoff by the exporter). "No exporter": a ``TracerProvider`` with no span processor of
    ours (spans are still recorded; only the runtime's own stream processor is attached). Two "down" states:

    * ``filling``: the queue has room (primed with 600 spans so the worker is inside its first retry loop);
    * ``full``: the queue is full (primed with 3,000 spans), so every span a run ends is dropped, and the SDK
      logs "Queue full, dropping" for each: the steady state of an app whose collector stays down. Log records are
      created and handled by a counting handler (cost paid, nothing printed).

    A third configuration, ``up-discard`` (the same SDK-default ``BatchSpanProcessor`` feeding a counting exporter
    that succeeds at once), separates what any batch processor costs per span from what the dead endpoint adds.

    The comparison is made in blocks: each block builds a fresh provider, primes it, waits until the worker's first
    export attempt has been refused and it sleeps in its retry backoff (``W4_SETTLE``), times ``W4_BLOCK`` runs,
    then shuts the exporter down (which aborts its retry backoff at once) and the processor with a bounded
    timeout, outside the timed window; blocks of the configurations rotate, so no retry thread outlives its own
    block and drift hits all configurations alike. Every run's output is checked; every "down" block must have
    seen the exporter fail (the endpoint really was down). Not in the timed runs, by design: each export attempt
    itself (encoding 512 spans, ~20 ms of CPU on the worker thread, holding the GIL) recurs every few seconds while
    the endpoint stays down; that is well under 1 % of a core, and is reported by the encoding row instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import agents_otel_side as otel
import harness
from harness import Case, Sample
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult

ENCODE_K = 100
ENCODE_RUNS = 10
W4_K = 10
W4_BLOCK = 20
W4_SETTLE = 0.2  # seconds between the first export attempt of a "down" block and its timed runs
W4_CONFIGS: tuple[str, ...] = ("down-agents-otel", "down-filling", "down-full", "up-discard", "none")


# --------------------------------------------------------------------------------------------
# OTLP encoding cost per span
# --------------------------------------------------------------------------------------------


async def collect_spans(runs: int = ENCODE_RUNS, k: int = ENCODE_K) -> list[ReadableSpan]:
    """The finished spans of ``runs`` checked W1 runs at size ``k``."""
    tracing = otel.make_tracing()
    spans: list[ReadableSpan] = []
    for _ in range(runs):
        state = otel.setup_run(k, tracing)
        tracing.exporter.keep = True
        result = await otel.run_once(state)
        otel.check_run(state, result, tracing)
        spans.extend(tracing.exporter.spans)
    if len(spans) != runs * (k + 3):
        raise AssertionError(f"collected {len(spans)} spans, expected {runs * (k + 3)}")
    return spans


def encode_cases(spans: Sequence[ReadableSpan]) -> list[Case]:
    """``otlp/encode`` (seconds per span to encode + serialise) and ``otlp/span`` (seconds per span to create)."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    n = len(spans)
    tracing = otel.make_counting_provider()
    tracer = tracing.provider.get_tracer("bench.span")
    attrs = dict(next(s.attributes for s in spans if (s.attributes or {}).get(otel.OP_ATTR) == otel.OP_TOOL) or {})

    def encode(_state: Any) -> int:
        return len(encode_spans(spans).SerializePartialToString())

    def check_encode(_state: Any, nbytes: int) -> None:
        if nbytes < n * 50:
            raise AssertionError(f"{n} spans encoded to only {nbytes} bytes")

    def create(_state: Any) -> None:
        start = tracer.start_span
        for i in range(n):
            start(f"execute_tool {i}", attributes=attrs).end()

    def check_create(_state: Any, _result: Any) -> None:
        tracing.provider.force_flush(30_000)
        if tracing.exporter.total != n:
            raise AssertionError(f"{tracing.exporter.total} spans exported, expected {n}")

    def reset() -> None:
        tracing.exporter.reset()

    return [
        Case("otlp/encode", run=encode, check=check_encode),
        Case("otlp/span", run=create, setup=reset, check=check_create),
    ]


async def measure_encoding(rounds: int, warmup: int) -> tuple[Sample, Sample, int, int]:
    """(encode per span, create per span, spans per sample, bytes per span); samples in seconds per span."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    spans = await collect_spans()
    n = len(spans)
    samples = await harness.ainterleave(encode_cases(spans), rounds=rounds, warmup=warmup)
    per_span = {k: Sample(k, [t / n for t in s.times]) for k, s in samples.items()}
    nbytes = len(encode_spans(spans).SerializePartialToString())
    return per_span["otlp/encode"], per_span["otlp/span"], n, nbytes // n


# --------------------------------------------------------------------------------------------
# W4: endpoint down vs no exporter
# --------------------------------------------------------------------------------------------


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released; connecting is checked to fail)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, contextlib.suppress(ConnectionRefusedError):
        s.settimeout(1.0)
        s.connect(("127.0.0.1", port))
        raise RuntimeError(f"port {port} is not closed")
    return port


class _CountingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1


@contextlib.contextmanager
def captured_otel_logs() -> Iterator[_CountingHandler]:
    """Route the OTel SDK/exporter loggers to a counting handler (records are made, nothing is printed)."""
    handler = _CountingHandler()
    log = logging.getLogger("opentelemetry")
    saved = (log.propagate, log.level)
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.propagate, log.level = saved


@dataclass
class DownExporter:
    """Wraps an OTLPSpanExporter to count its attempts and failures (the check needs proof it was down)."""

    inner: Any
    calls: int = 0
    failures: int = 0
    started: threading.Event = field(default_factory=threading.Event)
    closed: bool = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls += 1
        self.started.set()
        result = self.inner.export(spans)
        if result is not SpanExportResult.SUCCESS:
            self.failures += 1
        return result  # type: ignore[no-any-return]

    def shutdown(self) -> None:
        if not self.closed:
            self.closed = True
            self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


@dataclass
class W4Result:
    samples: dict[str, Sample] = field(default_factory=dict)
    export_calls: int = 0
    export_failures: int = 0
    log_records: int = 0
    blocks: int = 0
    agents_otel_shed_blocks: int = 0


async def _w4_block(config: str, port: int, n: int, warm: int) -> tuple[list[float], DownExporter | None]:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    api = otel.api()
    provider = TracerProvider()
    down: DownExporter | None = None
    processor: BatchSpanProcessor | None = None
    if config == "down-agents-otel":
        provider, processor = await _agents_otel_export_down(port)
    elif config.startswith("down"):
        down = DownExporter(OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces"))
        processor = BatchSpanProcessor(down)  # type: ignore[arg-type]  # SDK defaults, as an app would have
        provider.add_span_processor(processor)
        prime = 3000 if config == "down-full" else 600
        tracer = provider.get_tracer("bench.prime")
        for i in range(prime):
            tracer.start_span(f"prime {i}").end()
        if not await asyncio.to_thread(down.started.wait, 5.0):  # the worker is now inside its first export
            raise AssertionError("the export worker never started exporting")
        # Let that attempt encode its 512 spans (~20 ms of worker CPU) and be refused (twice: the exporter retries
        # a connection error once at once), so the timed runs see the steady state: the worker asleep in backoff.
        await asyncio.sleep(W4_SETTLE)
    elif config == "up-discard":
        processor = BatchSpanProcessor(otel.CountingExporter())  # SDK defaults
        provider.add_span_processor(processor)
    config_obj = api.RunConfig(tracer_provider=provider)
    times: list[float] = []
    try:
        for i in range(warm + n):
            state = otel.setup_run(W4_K, otel.make_counting_provider())  # its tracing is unused: config_obj wins
            state.run_config = config_obj
            harness._gc_before("collect")
            t0 = time.perf_counter_ns()
            result = await otel.run_once(state)
            t1 = time.perf_counter_ns()
            _check_output(result, W4_K)
            if i >= warm:
                times.append((t1 - t0) / 1e9)
    finally:
        if config == "down-agents-otel":
            processor.exporter.shutdown()  # type: ignore[union-attr]  # abort the retry backoff
        if down is not None:
            down.shutdown()  # aborts the exporter's retry backoff now, so the worker exits at once
        if processor is not None:
            processor.shutdown()  # joins the worker (the SDK bounds the join at 30 s; it takes milliseconds)
        provider.shutdown()
    return times, down


async def _agents_otel_export_down(port: int) -> tuple[TracerProvider, Any]:
    """What an agents_otel user gets with ``OTEL_EXPORTER_OTLP_ENDPOINT`` pointing at a dead collector:
    ``configure_tracing``'s provider, settled into its steady state (the failed export detected, spans shed)."""
    from agents_otel import configure_tracing
    from agents_otel.tracing.export_processor import BoundedBatchSpanProcessor

    provider = configure_tracing(endpoint=f"http://127.0.0.1:{port}", protocol="http/protobuf", set_global=False)
    processors = provider._active_span_processor._span_processors  # the one configure_tracing added
    (shedding,) = [p for p in processors if isinstance(p, BoundedBatchSpanProcessor)]
    tracer = provider.get_tracer("bench.prime")
    for i in range(600):
        tracer.start_span(f"prime {i}").end()
    deadline = time.monotonic() + 30
    while shedding.dropped_spans == 0:  # the worker's export is refused or stuck: spans start being shed
        if time.monotonic() > deadline:
            raise AssertionError("configure_tracing's processor never started shedding: was the endpoint down?")
        tracer.start_span("probe").end()
        await asyncio.sleep(0.05)
    return provider, shedding


def _check_output(result: Any, k: int) -> None:
    if result.final_output != otel.FINAL_TEXT:
        raise AssertionError(f"final_output {result.final_output!r}")
    outputs = [it.output for it in result.new_items if getattr(it, "type", None) == "tool_call_output_item"]
    if sorted(outputs) != sorted(f"ok {i}" for i in range(k)):
        raise AssertionError(f"expected {k} tool outputs, got {len(outputs)}")


async def measure_w4(rounds: int, *, configs: Sequence[str] = W4_CONFIGS, block: int = W4_BLOCK) -> W4Result:
    """``rounds`` runs per configuration, in rotating blocks of ``block`` runs (plus 2 untimed per block)."""
    port = closed_port()
    out = W4Result({c: Sample(f"w4/{c}") for c in configs})
    nblocks = max(1, rounds // block)
    with captured_otel_logs() as logs:
        for b in range(nblocks):
            for j in range(len(configs)):
                config = configs[(b + j) % len(configs)]
                times, down = await _w4_block(config, port, block, warm=2)
                out.samples[config].times.extend(times)
                if config == "down-agents-otel":
                    out.agents_otel_shed_blocks += 1
                if down is not None:
                    if down.failures < 1:
                        raise AssertionError(f"{config}: the exporter never failed: was the endpoint really down?")
                    out.export_calls += down.calls
                    out.export_failures += down.failures
                out.blocks += 1
        out.log_records = logs.records
    return out


async def _main() -> None:
    from harness import fmt_seconds

    enc, span, n, nbytes = await measure_encoding(rounds=10, warmup=2)
    print(f"encode {fmt_seconds(enc.median)}/span, create {fmt_seconds(span.median)}/span "
          f"({n} spans, {nbytes} B/span)")
    r = await measure_w4(20)
    for c, s in r.samples.items():
        print(f"{c}: {fmt_seconds(s.median)} (iqr {s.iqr_rel:.0%}, n={s.n})")
    print(f"export calls {r.export_calls}, failures {r.export_failures}, log records {r.log_records}")


if __name__ == "__main__":
    asyncio.run(_main())
