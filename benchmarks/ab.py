"""In-process A/B of agents_otel at two commits: W1's marginal cost per tool call, both copies and the floor
interleaved in one process.

Why: two processes measured one after the other differ by more than most single changes on the hot path (±0.1 of
the floor ratio on this VM); two copies of the package imported side by side and sampled round-robin with the floor
share every slow phase of the machine, so their difference is read to ±0.2 µs. Both sides are loaded the same way:
the working tree is copied as ``agents_otel_new``, the base commit extracted (``git archive``) as
``agents_otel_base``; neither is the installed ``agents_otel``.

    .venv-3.12/bin/python benchmarks/ab.py --base b3e3c4d                 # run and run_streamed, 60 rounds
    .venv/bin/python benchmarks/ab.py --base HEAD~1 --modes r --rounds 150

``--new agents_otel`` measures the installed package instead of a copy of the working tree (what
``benchmarks/ablation.py`` patches). ``--gc disable`` turns the collector off inside the timed windows.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import agents_otel_side as otel
import floor
import harness
from harness import Case, Scaling

ROOT = Path(__file__).resolve().parent.parent
KS = (1, 100)


def load_copies(base: str, new: str) -> tuple[str, str]:
    """Import paths for the base commit and the working tree, as packages of their own names."""
    where = Path(tempfile.mkdtemp(prefix="agents_otel_ab_"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", base, "agents_otel"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    (where / "agents_otel").rename(where / "agents_otel_base")
    sys.path.insert(0, str(where))
    if new == "agents_otel_new":
        subprocess.run(["cp", "-r", str(ROOT / "agents_otel"), str(where / "agents_otel_new")], check=True)
    return "agents_otel_base", new


async def compare(
    base: str, new: str, modes: Sequence[str], rounds: int, gc_mode: harness.GcMode, check_items: bool = True
) -> str:
    harness.use_clock("thread")
    # A provider per side: each copy registers its own span processor, which the other side and the floor must not
    # pay for.
    new_tracing, base_tracing = otel.make_counting_provider(), otel.make_counting_provider()
    groups: dict[tuple[str, str], dict[int, Case]] = {}
    for mode in modes:
        groups["new", mode] = otel.workload1_cases(
            new_tracing, KS, streamed=mode == "s", prefix="new", package=new, check_items=check_items
        )
        groups["base", mode] = otel.workload1_cases(
            base_tracing, KS, streamed=mode == "s", prefix="base", package=base
        )
    groups["floor", ""] = floor.floor_cases(otel.make_counting_provider(), KS)
    groups["floor-root", ""] = floor.floor_cases(otel.make_counting_provider(), KS, parented=False)
    cases = [case for group in groups.values() for case in group.values()]
    samples = await harness.ainterleave(cases, rounds=rounds, warmup=5, gc_mode=gc_mode)
    marginal = {key: Scaling({k: samples[c.name] for k, c in group.items()}).marginal for key, group in groups.items()}
    f = marginal["floor", ""]
    parts = [
        f"Python {sys.version.split()[0]}, floor {f * 1e6:.2f} µs (root spans: {marginal['floor-root', ''] * 1e6:.2f})"
    ]
    for mode in modes:
        n, b = marginal["new", mode], marginal["base", mode]
        parts.append(
            f"{'run' if mode == 'r' else 'run_streamed'}: new {n * 1e6:.2f} µs ({n / f:.3f}x), "
            f"base {b * 1e6:.2f} µs ({b / f:.3f}x), new - base {(n - b) * 1e6:+.2f} µs"
        )
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD", help="the commit to compare against (default HEAD)")
    parser.add_argument("--new", default="agents_otel_new", help="agents_otel_new (the working tree) or agents_otel")
    parser.add_argument("--modes", default="rs", help="r (Runner.run), s (run_streamed) or both (default rs)")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--gc", choices=("collect", "disable"), default="collect")
    args = parser.parse_args(argv)
    base, new = load_copies(args.base, args.new)
    print(asyncio.run(compare(base, new, list(args.modes), args.rounds, args.gc)))


if __name__ == "__main__":
    main()
