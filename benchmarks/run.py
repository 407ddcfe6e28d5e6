"""Run the benchmark suite and print ONE table: agents_otel (figure) against a baseline measured in the same run.

    .venv/bin/python benchmarks/run.py [--rounds N] [--warmup N] [--quick] [--plain] [--strict] [--clock wall|thread]
                                       [--only W1,W2,...] [--profile sdk|otel|progress|latency]

Every figure is the median of repeated samples, interleaved with its baseline in the same event
loop, and reported as ratio = agents_otel / baseline (lower is better); the "baseline is" column
says what the baseline is (the OpenAI Agents SDK, a floor built from bare OTel SDK calls, a bare
asyncio equivalent, ...). Each sample is checked (outputs, span and event counts) after its timed
window, so a broken run cannot post a number. Exit status: 1 if a measurement errored (or, with
--strict, a target was missed). This is not a test: nothing here runs under ``make test``.

Workloads
---------
W1  parallel tool fan-out: a scripted model asks for K parallel calls of a trivial async tool,
    then answers "done"; t(K) for K in {1, 10, 100}, and the marginal cost per extra tool call
    (t[100] - t[1]) / 99, for Runner.run and Runner.run_streamed, against openai-agents; peak heap
    at K=100; the OTLP exporter's encoding cost per span (export_workloads.py).
W2  send_progress cost per call, async tool and sync tool in a worker thread, against a floor of
    bare span.add_event + one hand-off per call (progress_workloads.py).
W3  delivery latency send_progress -> stream consumer, 100 parallel tools x 1,000 events, p50/p99,
    against a bare asyncio.Queue under the same load (progress_workloads.py).
W4  Runner.run with the OTLP endpoint down against no exporter (export_workloads.py).
W5  peak memory, one tool emitting 1,000,000 progress events to a slow consumer against 10,000
    (progress_workloads.py).
W6  the HTTP server: request latency (GET /config, keep-alive) and time per SSE event through
    ``agents-otel serve`` against the same app under plain ``uvicorn.run`` (server_workloads.py).
W7  server replicas through Redis: a run's progress from its tool on replica A to an SSE watcher on replica B,
    time per event (burst) and delivery latency p50/p99 (paced), against the in-process server (run and
    watcher on one replica, no broker), interleaved in the same run (replica_workloads.py; needs redis-server).

Rows for agents_otel show *pending* while ``agents_otel`` is not importable
(``agents_otel_side`` raises NotImplementedError): the baseline is still measured and shown.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import agents_otel_side as otel
import export_workloads as export
import floor
import harness
import peer_openai_agents as sdk
import progress_workloads as progress
import replica_workloads as replicas
import server_workloads as server
from harness import Case, Row, Sample, Scaling, Table, Target

KS: tuple[int, ...] = (1, 10, 100)

# The targets (issue 7). Ratios are figure / baseline unless the target is absolute.
TARGETS: dict[str, Target] = {
    "marginal": Target.at_most(0.05),  # W1: <= 0.05x the OpenAI Agents SDK's marginal cost per tool call
    "marginal_floor": Target.at_most(1.15),  # W1 (issue 16): <= 1.15x the floor (bare OTel span + one Task per call)
    "progress": Target.at_most(1.5),  # W2: <= 1.5x the floor (bare add_event + one hand-off)
    "latency_p99": Target.figure_at_most(1e-3),  # W3: p99 <= 1 ms in-process
    "endpoint_down": Target.at_most(1.05),  # W4: <= 1.05x the run with no exporter
    "memory_flat": Target.at_most(1.10),  # W5: "flat": 1M events within 10 % of 10k events
    "server_latency": Target.at_most(1.5),  # W6 (issue 18): serve adds nothing per request (was 85x: no TCP_NODELAY)
}
WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "W7")


@dataclass
class SideState:
    """Whether the agents_otel side can be measured, and if not, why."""

    status: harness.Status = "ok"
    reason: str = ""
    tracing: Any = None


@dataclass
class W1Result:
    mode: str
    sdk: Scaling
    otel: Scaling | None
    otel_state: SideState
    floor: Scaling | None = None
    extra: dict[str, Any] = field(default_factory=dict)


SDK = "openai-agents, same workload"
FLOOR = "floor: OTel span + Task per call"


def _err(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:160]


def _error_rows(table: Table, names: list[str], exc: BaseException) -> None:
    for name in names:
        table.add(Row(name, None, None, note="error (see below)", status="error"))
    table.footnotes.append(f"{names[0]}: {_err(exc)}")


# --------------------------------------------------------------------------------------------
# agents_otel side: the marked place where the system under test plugs in
# --------------------------------------------------------------------------------------------


def otel_side() -> SideState:
    """Build the agents_otel tracing pipeline, or say why it cannot be measured yet."""
    try:
        return SideState(tracing=otel.make_tracing())
    except NotImplementedError as exc:
        return SideState("pending", str(exc))
    except Exception as exc:
        return SideState("error", _err(exc))


async def otel_workload1_cases(side: SideState, streamed: bool) -> dict[int, Case]:
    """agents_otel's W1 cases, smoke-tested once each; {} (and side updated) if not measurable."""
    if side.status != "ok":
        return {}
    try:
        cases = otel.workload1_cases(side.tracing, KS, streamed=streamed)
        for case in cases.values():
            await harness.asmoke(case)
        return cases
    except NotImplementedError as exc:
        side.status, side.reason = "pending", str(exc)
    except Exception as exc:
        side.status, side.reason = "error", _err(exc)
    return {}


# --------------------------------------------------------------------------------------------
# workload 1
# --------------------------------------------------------------------------------------------


async def workload1(
    args: argparse.Namespace, counter: sdk.CountingProcessor, streamed: bool, side: SideState
) -> W1Result:
    mode = "run_streamed" if streamed else "run"
    sdk_cases = sdk.workload1_cases(counter, KS, streamed=streamed)
    otel_cases = await otel_workload1_cases(side, streamed)
    # The floors on providers of their own: they must not pay for agents_otel's span processor (nor the peers' do).
    floor_cases = floor.floor_cases(otel.make_counting_provider(), KS) if otel_cases else {}
    root_cases = floor.floor_cases(otel.make_counting_provider(), KS, parented=False) if otel_cases else {}
    # Runner.run builds a run's tool items only when RunResult.new_items is read: a second agents_otel case reads
    # them inside the timed window, so what that costs is a row of its own rather than left out.
    items_cases = otel.workload1_cases(side.tracing, KS, read_items=True) if otel_cases and not streamed else {}
    cases = [
        *sdk_cases.values(), *otel_cases.values(), *items_cases.values(), *floor_cases.values(), *root_cases.values()
    ]
    try:
        samples: dict[str, Sample] = await harness.ainterleave(cases, rounds=args.rounds, warmup=args.warmup)
    except Exception as exc:
        if not otel_cases:
            raise
        side.status, side.reason = "error", _err(exc)
        otel_cases = {}
        samples = await harness.ainterleave(list(sdk_cases.values()), rounds=args.rounds, warmup=args.warmup)
    sdk_scaling = Scaling({k: samples[c.name] for k, c in sdk_cases.items()})
    otel_scaling = Scaling({k: samples[c.name] for k, c in otel_cases.items()}) if otel_cases else None
    floor_scaling = Scaling({k: samples[c.name] for k, c in floor_cases.items()}) if floor_cases else None
    extra: dict[str, Any] = {}
    if otel_cases and items_cases:
        extra["items"] = Scaling({k: samples[c.name] for k, c in items_cases.items()})
    if otel_cases and root_cases:
        extra["root_floor"] = Scaling({k: samples[c.name] for k, c in root_cases.items()})
    return W1Result(mode, sdk_scaling, otel_scaling, side, floor=floor_scaling, extra=extra)


PEERS = {"pydantic-ai": "peer_pydantic_ai.py", "langgraph": "peer_langgraph.py"}
"""Peers measured in venvs of their own (``make bench`` builds them under ``.venv-bench/``), see peer_common.py."""
PEER_VENVS = Path(__file__).resolve().parent.parent / ".venv-bench" / f"{sys.version_info[0]}.{sys.version_info[1]}"
"""One set of peer venvs per Python (``make bench PYTHON=...`` builds the set for the Python it runs on)."""


def w1_peer_rows(table: Table, r: W1Result, args: argparse.Namespace) -> None:
    """Our marginal cost per tool call against each peer's, each normalised to its own process's floor."""
    if r.otel is None or r.floor is None:
        return
    for peer, script in PEERS.items():
        python = PEER_VENVS / peer / "bin" / "python"
        name = f"W1 Runner.run marginal / tool call vs {peer}"
        clock = ["--clock", args.clock]
        if not python.exists():
            table.add(Row(name, None, None, note=f"no {python} (make bench builds it)", status="pending"))
            continue
        try:
            out = subprocess.run(
                [str(python), script, "--rounds", str(args.rounds), "--warmup", str(args.warmup), *clock],
                cwd=Path(__file__).resolve().parent,
                capture_output=True,
                text=True,
                timeout=600,
                check=True,
            ).stdout
            got = json.loads(out.strip().splitlines()[-1])
        except Exception as exc:  # a broken peer venv must not cost the table its other rows
            _error_rows(table, [name], exc)
            continue
        normalised = got["marginal"] * r.floor.marginal / got["floor_marginal"]
        table.add(
            Row(
                name,
                r.otel.marginal,
                normalised,
                note=(
                    f"{peer} {got['version']}, tracing: {got['traced']}; own venv, its marginal "
                    f"{got['marginal'] * 1e6:.1f} µs scaled by floor ratio (ours {r.floor.marginal * 1e6:.1f} µs / "
                    f"its {got['floor_marginal'] * 1e6:.1f} µs)"
                ),
                basis=f"{peer}, same workload",
            )
        )


def _iqr_note(fig: Sample, base: Sample) -> str:
    """Noise indicator: inter-quartile range / median of figure and baseline."""
    return f"iqr {fig.iqr_rel:.0%} / {base.iqr_rel:.0%}"


def w1_rows(table: Table, r: W1Result) -> None:
    name = f"W1 Runner.{r.mode}"
    if r.otel is None:
        status, note = r.otel_state.status, f"{r.otel_state.status} (see below)"
        for k in r.sdk.ks:
            table.add(Row(f"{name} t(K={k})", None, r.sdk.t(k), note=note, status=status, basis=SDK))
        table.add(
            Row(
                f"{name} marginal / tool call",
                None,
                r.sdk.marginal,
                target=TARGETS.get("marginal"),
                note=note,
                status=status,
                basis=SDK,
            )
        )
        return
    for k in r.sdk.ks:
        table.add(
            Row(
                f"{name} t(K={k})",
                r.otel.t(k),
                r.sdk.t(k),
                basis=SDK,
                note=_iqr_note(r.otel.samples[k], r.sdk.samples[k]),
            )
        )
    k_hi = r.sdk.ks[-1]
    table.add(
        Row(
            f"{name} marginal / tool call",
            r.otel.marginal,
            r.sdk.marginal,
            target=TARGETS.get("marginal"),
            note=f"(t{k_hi}-t{r.sdk.ks[0]})/{k_hi - r.sdk.ks[0]}",
            basis=SDK,
        )
    )
    if r.floor is not None:
        table.add(
            Row(
                f"{name} marginal / tool call vs floor",
                r.otel.marginal,
                r.floor.marginal,
                target=TARGETS.get("marginal_floor"),
                note=(
                    "floor: bare SDK span, 6 attributes, child of the run's span, made current, one Task per call "
                    "(benchmarks/floor.py)"
                ),
                basis=FLOOR,
            )
        )
        root, items = r.extra.get("root_floor"), r.extra.get("items")
        # rows without a target: the floor as first measured, and the deferred cost of reading new_items
        extra_rows = [
            (
                "vs floor of root spans",
                r.otel,
                root,
                "the floor as first measured: each call's span a root span (a trace per call), no target",
            ),
            (
                "vs floor, new_items read",
                items,
                r.floor,
                "the same run reading RunResult.new_items while timed (its tool items are built on read)",
            ),
        ]
        for label, figure, base, note in extra_rows:
            if figure is not None and base is not None:
                table.add(
                    Row(f"{name} marginal / tool call {label}", figure.marginal, base.marginal, note=note, basis=FLOOR)
                )


async def w1_memory_row(table: Table, counter: sdk.CountingProcessor, side: SideState, k: int = 100) -> None:
    base = await sdk.peak_memory_workload1(k, counter=counter)
    fig: int | None = None
    status: harness.Status = side.status
    note = f"{side.status} (see below)" if side.status != "ok" else "tracemalloc peak, one run"
    if side.status == "ok":
        try:
            fig = await otel.peak_memory_workload1(k, tracing=side.tracing)
        except NotImplementedError as exc:
            status, note = "pending", "pending (see below)"
            side.status, side.reason = "pending", str(exc)
        except Exception as exc:
            status, note = "error", "error (see below)"
            side.status, side.reason = "error", _err(exc)
    table.add(Row(f"W1 Runner.run peak heap (K={k})", fig, base, unit="B", note=note, status=status, basis=SDK))


# --------------------------------------------------------------------------------------------
# W1 extra: OTLP encoding cost per span
# --------------------------------------------------------------------------------------------


async def w1_encoding_row(table: Table, args: argparse.Namespace) -> None:
    name = "W1 OTLP encode+serialise / span"
    try:
        enc, span, n, nbytes = await export.measure_encoding(rounds=max(5, args.rounds // 3), warmup=2)
    except Exception as exc:
        _error_rows(table, [name], exc)
        return
    table.add(
        Row(
            name,
            enc.median,
            span.median,
            status="info",
            basis="SDK span start+end (BSP)",
            note=f"{n} W1 spans/sample, {nbytes} B/span; worker thread, off the run's path; {_iqr_note(enc, span)}",
        )
    )


# --------------------------------------------------------------------------------------------
# W2..W5
# --------------------------------------------------------------------------------------------


async def w2_rows(table: Table, args: argparse.Namespace) -> None:
    m = progress.W2_M
    labels = {"otel": "default sampling", "otel-all": "every event on span"}
    names = [f"W2 send_progress {mode}, {labels[side]}" for mode in ("async", "thread") for side in labels]
    try:
        tracing = otel.make_tracing()
        cases = progress.w2_cases(tracing, m)
        for case in cases.values():
            await harness.asmoke(case)
        samples = await harness.ainterleave(list(cases.values()), rounds=max(5, args.rounds // 3), warmup=2)
    except Exception as exc:
        _error_rows(table, names, exc)
        return
    for mode in ("async", "thread"):
        floor = samples[cases[mode, "floor"].name]
        basis = "add_event + Queue.put_nowait" if mode == "async" else "add_event + call_soon_threadsafe"
        for side, label in labels.items():
            fig = samples[cases[mode, side].name]
            table.add(
                Row(
                    f"W2 send_progress {mode}, {label}",
                    fig.median,
                    floor.median,
                    basis=basis,
                    target=TARGETS["progress"],
                    note=f"per call, M={m}; {_iqr_note(fig, floor)}",
                )
            )


async def w3_rows(table: Table, args: argparse.Namespace) -> None:
    tools, events = progress.W3_TOOLS, progress.W3_EVENTS
    names = [f"W3 delivery latency p50 ({tools}x{events})", f"W3 delivery latency p99 ({tools}x{events})"]
    try:
        cases = progress.w3_cases(otel.make_tracing(), tools, events)
        samples = await harness.ainterleave(cases, rounds=max(2, args.rounds // 12), warmup=1)
    except Exception as exc:
        _error_rows(table, names, exc)
        return
    basis = "bare asyncio.Queue, same load"
    for q, name in zip(("p50", "p99"), names, strict=True):
        fig, base = samples[f"w3/otel:{q}"], samples[f"w3/queue:{q}"]
        table.add(
            Row(
                name,
                fig.median,
                base.median,
                basis=basis,
                target=TARGETS["latency_p99"] if q == "p99" else None,
                note=f"median of {fig.n} runs; no event coalesced",
            )
        )


async def w4_rows(table: Table, args: argparse.Namespace) -> None:
    names = [
        "W4 endpoint down (configure_tracing)",
        "W4 endpoint down, app's own SDK BSP, queue filling",
        "W4 endpoint down, app's own SDK BSP, queue full",
        "W4 endpoint up (SDK BSP, discarding)",
    ]
    try:
        r = await export.measure_w4(2 * args.rounds)
    except Exception as exc:
        _error_rows(table, names, exc)
        return
    base = r.samples["none"]
    for config, name in zip(("down-agents-otel", "down-filling", "down-full", "up-discard"), names, strict=True):
        fig = r.samples[config]
        table.add(
            Row(
                name,
                fig.median,
                base.median,
                basis="no exporter",
                target=TARGETS["endpoint_down"] if config == "down-agents-otel" else None,
                note=f"Runner.run K={export.W4_K}, n={fig.n}; {_iqr_note(fig, base)}",
            )
        )
    table.footnotes.append(
        f"W4: {r.blocks} blocks of {export.W4_BLOCK} runs; the dead endpoint saw {r.export_calls} export calls, "
        f"all failed ({r.export_failures}); {r.log_records} OTel log records captured (not printed)."
    )


async def w5_row(table: Table, args: argparse.Namespace) -> None:
    large = 100_000 if args.quick else progress.W5_LARGE
    name = f"W5 peak heap, {large:,} vs {progress.W5_SMALL:,} events"
    try:
        tracing = otel.make_tracing()
        small = await progress.w5_peak(tracing, progress.W5_SMALL)
        big = await progress.w5_peak(tracing, large)
    except Exception as exc:
        _error_rows(table, [name], exc)
        return
    table.add(
        Row(
            name,
            big.peak,
            small.peak,
            unit="B",
            basis=f"same, {progress.W5_SMALL:,} events",
            target=TARGETS["memory_flat"],
            note=f"tracemalloc, one run each; consumer saw {big.received:,} / {small.received:,} "
            f"(rest coalesced); {big.seconds:.0f} s",
        )
    )


async def w6_rows(table: Table, args: argparse.Namespace) -> None:
    names = ["W6 server request latency, agents-otel serve", "W6 server time per SSE event, agents-otel serve"]
    rounds = max(5, args.rounds // 6)
    try:
        r = await asyncio.to_thread(server.measure_w6, rounds)
    except Exception as exc:
        _error_rows(table, names, exc)
        return
    basis = "same app, plain uvicorn.run"
    for name, samples, what in (
        (names[0], r.latency, f"GET /config x{server.W6_REQUESTS // 10} per round, keep-alive"),
        (names[1], r.per_event, f"one watcher, tool sends {server.W6_EVENTS:,} progress events"),
    ):
        fig, base = Sample("serve", samples["serve"]), Sample("uvicorn", samples["uvicorn"])
        target = TARGETS["server_latency"] if name == names[0] else None
        note = f"{what}; {rounds} rounds; {_iqr_note(fig, base)}"
        table.add(Row(name, fig.median, base.median, basis=basis, target=target, note=note))


async def w7_rows(table: Table, args: argparse.Namespace) -> None:
    rounds = 3 if args.quick else 7
    names = {
        "burst": f"W7 replica A->B via Redis, time / event ({replicas.W7_BURST:,} burst)",
        "p50": f"W7 replica A->B via Redis, latency p50 ({replicas.W7_PACED} x 1 ms)",
        "p99": f"W7 replica A->B via Redis, latency p99 ({replicas.W7_PACED} x 1 ms)",
    }
    try:
        r = await replicas.measure_w7(rounds)
    except Exception as exc:
        _error_rows(table, list(names.values()), exc)
        return
    for figure, name in names.items():
        fig, base = r.median(figure, "replica"), r.median(figure, "local")
        note = f"median of {rounds} runs"
        if figure == "burst":
            note += f"; {1 / fig:,.0f} vs {1 / base:,.0f} events/s"
        table.add(Row(name, fig, base, basis="in-process server, same load", note=note))


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


async def main_async(args: argparse.Namespace, *, environment_notes: bool = True) -> Table:
    t0 = time.perf_counter()
    table = Table(
        "agents_otel — medians; ratio = agents_otel / baseline measured in the same run (lower is better)",
        figure_label="agents_otel",
        baseline_label="baseline",
    )
    only = set(args.only)
    counter = sdk.install_counting_tracing()
    side = otel_side()

    if "W1" in only:
        harness.use_clock(args.clock)  # W1's timed windows only: the other workloads time other threads too
        try:
            for streamed in (False, True):
                result = await workload1(args, counter, streamed, side)
                w1_rows(table, result)
                if not streamed:
                    w1_peer_rows(table, result, args)
        finally:
            harness.use_clock("wall")
        await w1_encoding_row(table, args)
        await w1_memory_row(table, counter, side)
    if "W2" in only:
        await w2_rows(table, args)
    if "W3" in only:
        await w3_rows(table, args)
    if "W4" in only:
        await w4_rows(table, args)
    if "W5" in only:
        await w5_row(table, args)
    if "W6" in only:
        await w6_rows(table, args)
    if "W7" in only:
        await w7_rows(table, args)

    if side.status != "ok":
        table.footnotes.append(f"agents_otel side {side.status.upper()}: {side.reason}")
    if "W1" in only:
        table.footnotes.append(
            f"W1: {args.rounds} interleaved rounds after {args.warmup} warm-up rounds, timed by the "
            f"{'thread CPU' if args.clock == 'thread' else 'wall'} clock (--clock); "
            f"gc collected (and heap frozen) outside timed windows; each sample's output/spans/events checked."
        )
    if environment_notes:
        table.footnotes += environment_footnotes(time.perf_counter() - t0)
    return table


def environment_footnotes(elapsed: float) -> list[str]:
    return [
        "Tracing on everywhere: openai-agents processors replaced by a counter (no export); agents_otel: OTel SDK "
        "BatchSpanProcessor -> counting exporter, force_flush outside timed windows (W4 uses the real exporter).",
        f"Python {platform.python_version()}, openai-agents {_version('openai-agents')}, "
        f"opentelemetry-sdk {_version('opentelemetry-sdk')}, {os.cpu_count()} CPUs, "
        f"load avg {os.getloadavg()[0]:.1f} at the end; took {elapsed:.0f} s.",
    ]


def isolated_table(args: argparse.Namespace) -> Table:
    """Each workload in a fresh interpreter, merged into one table.

    Why: one workload leaves its process changed for the next (a frozen heap, idle exporter threads, warmed
    caches), which moved W4's ratios from 1.02x alone to 1.2x after W1-W3. Each child runs ``--only W<n>
    --emit-json FILE``; figures and baselines of a row are still measured in the same process and run."""
    t0 = time.perf_counter()
    table = Table(
        "agents_otel — medians; ratio = agents_otel / baseline measured in the same run (lower is better)",
        figure_label="agents_otel",
        baseline_label="baseline",
    )
    passthrough = ["--quick"] if args.quick else ["--rounds", str(args.rounds), "--warmup", str(args.warmup)]
    passthrough += ["--clock", args.clock]
    for workload in args.only:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rows.json"
            command = [sys.executable, __file__, *passthrough, "--only", workload, "--emit-json", str(out)]
            proc = subprocess.run(command, capture_output=True, text=True)
            if proc.returncode not in (0, 1) or not out.exists():
                table.add(
                    Row(
                        f"{workload} (child process)",
                        None,
                        None,
                        status="error",
                        note=(proc.stderr.strip().splitlines() or ["no output"])[-1][:200],
                    )
                )
                continue
            data = json.loads(out.read_text())
        for raw in data["rows"]:
            target = Target(**raw["target"]) if raw["target"] else None
            table.add(Row(**{**raw, "target": target}))
        table.footnotes += [f for f in data["footnotes"] if f not in table.footnotes]
    table.footnotes.append("Each workload ran in its own fresh interpreter (--in-process to run them in one).")
    table.footnotes += environment_footnotes(time.perf_counter() - t0)
    return table


async def profile(which: str) -> str:
    """pyinstrument profile: W1 Runner.run at K=100 (sdk|otel), W2's async tool loop (progress, every event
    recorded, so the full path shows), or one W3 run (latency)."""
    k = KS[-1]
    repeats = 20
    if which == "sdk":
        counter = sdk.install_counting_tracing()
        case = sdk.workload1_cases(counter, (k,))[k]
    elif which == "otel":
        case = otel.workload1_cases(otel.make_tracing(), (k,))[k]
    elif which == "progress":
        case = progress.w2_cases(otel.make_tracing(), 20_000)["async", "otel-all"]
        repeats = 5
    else:
        case = progress.w3_cases(otel.make_tracing())[0]
        repeats = 1

    async def once() -> None:
        state = case.setup() if case.setup else None
        await case.run(state)

    return await harness.profile_async(once, repeats=repeats)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=60, help="recorded rounds per workload (default 60)")
    p.add_argument("--warmup", type=int, default=5, help="unrecorded warm-up rounds (default 5)")
    p.add_argument("--quick", action="store_true", help="10 rounds, 2 warm-up: a smoke run, noisy")
    p.add_argument("--plain", action="store_true", help="plain-text table instead of rich")
    p.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    p.add_argument(
        "--clock",
        choices=("wall", "thread"),
        default="wall",
        help="W1's timer (peers included): wall (perf_counter) or thread (this thread's CPU time, which a shared, "
        "loaded machine does not inflate; see harness.use_clock)",
    )
    p.add_argument(
        "--only", default=",".join(WORKLOADS), help=f"comma-separated workloads to run (default {','.join(WORKLOADS)})"
    )
    p.add_argument(
        "--in-process",
        action="store_true",
        help="run all workloads in this process instead of one fresh interpreter each",
    )
    p.add_argument("--emit-json", metavar="FILE", help=argparse.SUPPRESS)  # a child of the isolated run
    p.add_argument(
        "--profile",
        choices=("sdk", "otel", "progress", "latency"),
        help="after the table, print a pyinstrument profile to stderr: W1 Runner.run at K=100 "
        "(sdk|otel), W2's send_progress loop (progress) or one W3 run (latency)",
    )
    args = p.parse_args(argv)
    args.only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    unknown = set(args.only) - set(WORKLOADS)
    if unknown:
        p.error(f"unknown workloads {sorted(unknown)}; choose from {WORKLOADS}")
    if args.quick:
        args.rounds, args.warmup = 10, 2
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    table: Table | None = None
    if args.emit_json:
        table = asyncio.run(main_async(args, environment_notes=False))
        rows = [
            {**dataclasses.asdict(r), "target": dataclasses.asdict(r.target) if r.target else None} for r in table.rows
        ]
        Path(args.emit_json).write_text(json.dumps({"rows": rows, "footnotes": table.footnotes}))
        return 0
    if len(args.only) > 1 and not args.in_process:
        table = isolated_table(args)
    elif args.only:
        table = asyncio.run(main_async(args))
    if table is not None:
        table.print(plain=args.plain)
    if args.profile:
        print(asyncio.run(profile(args.profile)), file=sys.stderr)
    if table is None:
        return 0
    if any(r.status == "error" for r in table.rows):
        return 1
    if args.strict and table.failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
