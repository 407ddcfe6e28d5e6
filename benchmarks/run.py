"""Run the benchmark suite and print ONE table: agents_otel (figure) vs openai-agents (baseline).

    .venv/bin/python benchmarks/run.py [--rounds N] [--warmup N] [--quick] [--plain] [--strict]
                                       [--profile sdk|otel]

Every figure is the median of repeated samples, interleaved round-robin with its baseline in the
same event loop, and reported as ratio = agents_otel / openai-agents (lower is better). Each
sample is checked (outputs, span counts) after its timed window, so a broken run cannot post a
number. Exit status: 1 if a measurement errored (or, with --strict, a target was missed).

Workloads
---------
W1  parallel tool fan-out: a scripted model asks for K parallel calls of a trivial async tool,
    then answers "done"; t(K) for K in {1, 10, 100}, and the marginal cost per extra tool call
    (t[100] - t[1]) / 99, for Runner.run and Runner.run_streamed; peak heap at K=100.

Rows for agents_otel show *pending* while ``agents_otel`` is not importable
(``agents_otel_side`` raises NotImplementedError): the baseline is still measured and shown.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import agents_otel_side as otel
import harness
import peer_openai_agents as sdk
from harness import Case, Row, Sample, Scaling, Table, Target

KS: tuple[int, ...] = (1, 10, 100)

# Provisional targets on ratio = agents_otel / openai-agents. Only the marginal per-call cost has
# one so far ("no more expensive per tool call than the SDK"); the rest are shown for context.
TARGETS: dict[str, Target] = {
    "marginal": Target.at_most(1.0),
}


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
    extra: dict[str, Any] = field(default_factory=dict)


def _err(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:160]


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


async def workload1(args: argparse.Namespace, counter: sdk.CountingProcessor, streamed: bool,
                    side: SideState) -> W1Result:
    mode = "run_streamed" if streamed else "run"
    sdk_cases = sdk.workload1_cases(counter, KS, streamed=streamed)
    otel_cases = await otel_workload1_cases(side, streamed)
    cases = list(sdk_cases.values()) + list(otel_cases.values())
    try:
        samples: dict[str, Sample] = await harness.ainterleave(cases, rounds=args.rounds, warmup=args.warmup)
    except Exception as exc:
        if not otel_cases:
            raise
        side.status, side.reason = "error", _err(exc)
        otel_cases = {}
        samples = await harness.ainterleave(
            list(sdk_cases.values()), rounds=args.rounds, warmup=args.warmup
        )
    sdk_scaling = Scaling({k: samples[c.name] for k, c in sdk_cases.items()})
    otel_scaling = Scaling({k: samples[c.name] for k, c in otel_cases.items()}) if otel_cases else None
    return W1Result(mode, sdk_scaling, otel_scaling, side)


def _iqr_note(fig: Sample, base: Sample) -> str:
    """Noise indicator: inter-quartile range / median of figure and baseline."""
    return f"iqr {fig.iqr_rel:.0%} / {base.iqr_rel:.0%}"


def w1_rows(table: Table, r: W1Result) -> None:
    name = f"W1 Runner.{r.mode}"
    if r.otel is None:
        status, note = r.otel_state.status, f"{r.otel_state.status} (see below)"
        for k in r.sdk.ks:
            table.add(Row(f"{name} t(K={k})", None, r.sdk.t(k), note=note, status=status))
        table.add(Row(f"{name} marginal / tool call", None, r.sdk.marginal,
                      target=TARGETS.get("marginal"), note=note, status=status))
        return
    for k in r.sdk.ks:
        table.add(Row(f"{name} t(K={k})", r.otel.t(k), r.sdk.t(k),
                      note=_iqr_note(r.otel.samples[k], r.sdk.samples[k])))
    k_hi = r.sdk.ks[-1]
    table.add(Row(
        f"{name} marginal / tool call", r.otel.marginal, r.sdk.marginal, target=TARGETS.get("marginal"),
        note=f"(t{k_hi}-t{r.sdk.ks[0]})/{k_hi - r.sdk.ks[0]}",
    ))


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
    table.add(Row(f"W1 Runner.run peak heap (K={k})", fig, base, unit="B", note=note, status=status))


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


async def main_async(args: argparse.Namespace) -> Table:
    t0 = time.perf_counter()
    table = Table(
        "agents_otel vs openai-agents — medians, ratio = agents_otel / openai-agents (lower is better)",
        figure_label="agents_otel",
        baseline_label="openai-agents",
    )
    counter = sdk.install_counting_tracing()
    side = otel_side()

    for streamed in (False, True):
        w1_rows(table, await workload1(args, counter, streamed, side))
    await w1_memory_row(table, counter, side)

    elapsed = time.perf_counter() - t0
    if side.status != "ok":
        table.footnotes.append(f"agents_otel side {side.status.upper()}: {side.reason}")
    table.footnotes += [
        f"{args.rounds} interleaved rounds after {args.warmup} warm-up rounds per workload; "
        f"gc collected (and heap frozen) outside timed windows; each sample's output/spans checked.",
        "openai-agents tracing ON, processors replaced by a counter (no export); agents_otel: OTel SDK "
        "BatchSpanProcessor -> counting exporter, force_flush outside timed windows.",
        f"Python {platform.python_version()}, openai-agents {_version('openai-agents')}, "
        f"opentelemetry-sdk {_version('opentelemetry-sdk')}, {os.cpu_count()} CPUs; "
        f"targets are provisional; took {elapsed:.0f} s.",
    ]
    return table


async def profile(which: str) -> str:
    k = KS[-1]
    if which == "sdk":
        counter = sdk.install_counting_tracing()
        case = sdk.workload1_cases(counter, (k,))[k]
    else:
        case = otel.workload1_cases(otel.make_tracing(), (k,))[k]

    async def once() -> None:
        state = case.setup() if case.setup else None
        await case.run(state)

    return await harness.profile_async(once, repeats=20)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=60, help="recorded rounds per workload (default 60)")
    p.add_argument("--warmup", type=int, default=5, help="unrecorded warm-up rounds (default 5)")
    p.add_argument("--quick", action="store_true", help="10 rounds, 2 warm-up: a smoke run, noisy")
    p.add_argument("--plain", action="store_true", help="plain-text table instead of rich")
    p.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    p.add_argument("--profile", choices=("sdk", "otel"),
                   help="after the table, print a pyinstrument profile of W1 Runner.run at K=100")
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.warmup = 10, 2
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    table = asyncio.run(main_async(args))
    table.print(plain=args.plain)
    if args.profile:
        print(asyncio.run(profile(args.profile)), file=sys.stderr)
    if any(r.status == "error" for r in table.rows):
        return 1
    if args.strict and table.failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
