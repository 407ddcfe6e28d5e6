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
import importlib
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import floor
import harness
from agents_otel_side import Tracing, make_counting_provider
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


def w1_cases(package: str, tracing: Tracing, streamed: bool, tag: str) -> dict[int, Case]:
    """W1 (K parallel calls of a trivial async tool, then a final answer) on ``package``."""
    core = importlib.import_module(package)
    testing = importlib.import_module(f"{package}.testing")

    @core.function_tool
    async def echo(x: int) -> str:
        """Return a short string.

        Args:
            x: Any integer.
        """
        return f"ok {x}"

    def setup(k: int) -> tuple[int, Any, Any]:
        calls = [testing.function_call("echo", {"x": i}, call_id=f"call_{i}") for i in range(k)]
        model = testing.ScriptedModel([calls, [testing.assistant_message("done")]], check_calls=False)
        agent = core.Agent(name="bench", instructions="Call the tools.", tools=[echo], model=model)
        tracing.exporter.reset()
        return k, agent, core.RunConfig(tracer_provider=tracing.provider)

    async def run(state: tuple[int, Any, Any]) -> Any:
        _, agent, config = state
        if not streamed:
            return await core.Runner.run(agent, "go", run_config=config)
        result = core.Runner.run_streamed(agent, "go", run_config=config)
        async for _ in result.stream_events():
            pass
        return result

    def check(state: tuple[int, Any, Any], result: Any) -> None:
        tracing.provider.force_flush()
        if result.final_output != "done" or tracing.exporter.by_op["execute_tool"] != state[0]:
            raise AssertionError(f"{tag}: wrong output or span count")

    mode = "s" if streamed else "r"
    return {k: Case(f"{tag}/{mode}/{k}", run, lambda k=k: setup(k), check) for k in KS}


async def compare(base: str, new: str, modes: Sequence[str], rounds: int, gc_mode: harness.GcMode) -> str:
    harness.use_clock("thread")
    tracing = make_counting_provider()
    groups: dict[tuple[str, str], dict[int, Case]] = {}
    for mode in modes:
        groups["new", mode] = w1_cases(new, tracing, mode == "s", "new")
        groups["base", mode] = w1_cases(base, tracing, mode == "s", "base")
    groups["floor", ""] = floor.floor_cases(tracing, KS)
    cases = [case for group in groups.values() for case in group.values()]
    samples = await harness.ainterleave(cases, rounds=rounds, warmup=5, gc_mode=gc_mode)
    marginal = {key: Scaling({k: samples[c.name] for k, c in group.items()}).marginal for key, group in groups.items()}
    f = marginal["floor", ""]
    parts = [f"Python {sys.version.split()[0]}, floor {f * 1e6:.2f} µs"]
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
