"""W7: a run's tool progress reaching a watcher on *another* replica through Redis, against the in-process server.

Three ``agents-otel serve`` processes and one ``redis-server`` (Debian's, started here on a free port, no
persistence): replicas A and B share runs through Redis; S is the same server without a broker. The figure is a
run started on A and watched on B over SSE; the baseline a run started on S and watched on S, in the same rounds
(interleaved). Both go through real HTTP and SSE, so the ratio is what Redis adds.

* throughput: COUNT events sent as fast as the tool can; seconds per event from the first send to the last
  receipt (events/s is its inverse);
* latency: events paced 1 ms apart, each stamped with the wall clock when sent; receipt minus send, p50 and p99
  (same machine, same clock).

    .venv/bin/python benchmarks/replica_workloads.py    # quick look, printed as text
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

HERE = Path(__file__).resolve().parent
W7_BURST = 5_000
W7_PACED = 500
PACED_INTERVAL_US = 1_000
CONNECT_DELAY_MS = 300
FINAL = ("run_completed", "run_failed", "run_cancelled")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _read_until(stream: IO[str], marker: str, what: str) -> str:
    for line in stream:
        if marker in line:
            return line
    raise RuntimeError(f"{what} exited before printing {marker!r}")


@dataclass
class Servers:
    """redis-server, replicas A and B (broker) and S (in-process), stopped by ``close``."""

    directory: tempfile.TemporaryDirectory[str] = field(default_factory=tempfile.TemporaryDirectory)
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)

    def start(self) -> Servers:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("redis-server is missing: `make redis` installs Debian's package")
        port = _free_port()
        redis = self._spawn(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.directory.name, "--logfile", ""],
        )  # fmt: skip
        assert redis.stdout is not None
        _read_until(redis.stdout, "Ready to accept connections", "redis-server")
        broker = f"redis://127.0.0.1:{port}/0"
        for name, extra in (("A", ["--broker", broker]), ("B", ["--broker", broker]), ("S", [])):
            proc = self._spawn(
                [sys.executable, "-m", "agents_otel.cli", "serve", "replica_bench_app:make_agent",
                 "--port", "0", "--log-level", "warning", *extra],
            )  # fmt: skip
            assert proc.stdout is not None
            self.urls[name] = _read_until(proc.stdout, " on http://", f"replica {name}").strip().rsplit(" on ", 1)[1]
        return self

    def _spawn(self, argv: list[str]) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if k != "AGENTS_OTEL_BROKER_URL"}
        env["AGENTS_OTEL_TRACE_FILE"] = str(Path(self.directory.name) / f"traces-{len(self.processes)}.jsonl")
        proc = subprocess.Popen(argv, cwd=HERE, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.processes.append(proc)
        return proc

    def close(self) -> None:
        for proc in reversed(self.processes):
            proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.directory.cleanup()


@dataclass
class RunSample:
    seconds_per_event: float
    latencies: list[float]
    received: int


async def one_run(client: httpx.AsyncClient, start_on: str, watch_on: str, count: int, interval_us: int) -> RunSample:
    started = await client.post(f"{start_on}/runs", json={"input": f"{count} {interval_us} {CONNECT_DELAY_MS}"})
    started.raise_for_status()
    events_url = watch_on + started.json()["events_url"]
    latencies: list[float] = []
    first_sent = last_received = 0
    async with client.stream("GET", events_url) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            now = time.time_ns()
            event = json.loads(line[5:])
            if event["type"] == "tool_progress":
                sent = event["data"]["t"]
                first_sent = first_sent or sent
                last_received = now
                latencies.append((now - sent) / 1e9)
            elif event["type"] in FINAL:
                if event["type"] != "run_completed":
                    raise RuntimeError(f"the run ended with {event}")
                break
    if len(latencies) != count:
        raise RuntimeError(f"the watcher received {len(latencies)} of {count} progress events")
    return RunSample((last_received - first_sent) / 1e9 / count, latencies, len(latencies))


def _quantile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def _median(values: list[float]) -> float:
    return _quantile(values, 0.5)


@dataclass
class W7Result:
    burst: dict[str, list[float]]
    p50: dict[str, list[float]]
    p99: dict[str, list[float]]

    def median(self, figure: str, side: str) -> float:
        return _median(getattr(self, figure)[side])


async def measure_w7(rounds: int = 5) -> W7Result:
    """Interleaved rounds: each round runs the in-process and the cross-replica case, in alternating order."""
    servers = await asyncio.to_thread(Servers().start)
    result = W7Result({"local": [], "replica": []}, {"local": [], "replica": []}, {"local": [], "replica": []})
    try:
        routes = {"local": ("S", "S"), "replica": ("A", "B")}
        async with httpx.AsyncClient(timeout=60) as client:
            for a, b in routes.values():  # warm-up: imports, connections, Redis scripts
                await one_run(client, servers.urls[a], servers.urls[b], 100, 0)
            for index in range(rounds):
                order = list(routes.items()) if index % 2 == 0 else list(reversed(routes.items()))
                for side, (a, b) in order:
                    burst = await one_run(client, servers.urls[a], servers.urls[b], W7_BURST, 0)
                    result.burst[side].append(burst.seconds_per_event)
                    paced = await one_run(client, servers.urls[a], servers.urls[b], W7_PACED, PACED_INTERVAL_US)
                    result.p50[side].append(_quantile(paced.latencies, 0.5))
                    result.p99[side].append(_quantile(paced.latencies, 0.99))
    finally:
        await asyncio.to_thread(servers.close)
    return result


if __name__ == "__main__":
    r = asyncio.run(measure_w7())
    for figure in ("burst", "p50", "p99"):
        local, replica = r.median(figure, "local"), r.median(figure, "replica")
        ratio = replica / local
        print(f"{figure:6} in-process {local * 1e6:9.1f} us   cross-replica {replica * 1e6:9.1f} us   {ratio:.2f}x")
