"""What the W1 peers outside this venv share: their own floor, the measurement loop and the JSON they print.

Each peer (Pydantic AI, LangGraph) runs in a venv of its own (``make bench`` builds them), so its dependencies never
meet ours. A figure from another process cannot be interleaved with ours, so each peer process also measures the
*floor* (benchmarks/floor.py: a bare OTel span per call plus one Task) interleaved with itself, and run.py compares
ratios to each process's own floor: ``(ours / our floor) / (peer / its floor)``. Machine drift between the two
processes then cancels out, as it does for ratios measured in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
from collections.abc import Awaitable, Callable
from importlib import metadata
from typing import Any

import floor
import harness
from agents_otel_side import make_counting_provider
from harness import Case, Scaling

KS = (1, 10, 100)


RunK = Callable[[int], Awaitable[Any]]
Outputs = Callable[[Any], list[str]]


def peer_cases(name: str, run_k: RunK, outputs: Outputs) -> dict[int, Case]:
    """One case per K: ``run_k(k)`` runs the peer's agent with K parallel tool calls (timed); ``outputs(result)``
    extracts the tool outputs and flushes any spans, after the clock stopped."""

    def check(k: int, result: Any) -> None:
        got = outputs(result)
        if sorted(got) != sorted(f"ok {i}" for i in range(k)):
            raise AssertionError(f"{name}: expected {k} tool outputs, got {got[:3]}...")

    return {
        k: Case(name=f"{name}/K={k}", setup=lambda k=k: k, run=run_k, check=lambda k, out: check(k, out)) for k in KS
    }


async def measure(name: str, package: str, run_k: RunK, outputs: Outputs, traced: str) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--clock", choices=("wall", "thread"), default="wall")
    args = parser.parse_args()
    harness.use_clock(args.clock)
    cases = peer_cases(name, run_k, outputs)
    floors = floor.floor_cases(make_counting_provider(), KS)
    samples = await harness.ainterleave([*cases.values(), *floors.values()], rounds=args.rounds, warmup=args.warmup)
    peer = Scaling({k: samples[c.name] for k, c in cases.items()})
    base = Scaling({k: samples[c.name] for k, c in floors.items()})
    return {
        "peer": name,
        "version": metadata.version(package),
        "traced": traced,
        "python": platform.python_version(),
        "marginal": peer.marginal,
        "floor_marginal": base.marginal,
        "t": {str(k): peer.t(k) for k in KS},
    }


def main(name: str, package: str, run_k: RunK, outputs: Outputs, traced: str) -> None:
    result = asyncio.run(measure(name, package, run_k, outputs, traced))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
