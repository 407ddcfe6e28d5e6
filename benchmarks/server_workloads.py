"""W6: the HTTP server. ``agents-otel serve`` against the same ``create_app`` app under plain ``uvicorn.run``
(which makes its own listening socket), both real processes on 127.0.0.1, measured in the same run.

- request latency: ``GET /config`` over one keep-alive connection (where Nagle's algorithm against delayed ACKs
  showed as 44 ms per response before ``agents-otel serve`` set ``TCP_NODELAY``);
- SSE throughput: time per delivered event for one watcher following a run whose tool sends ``W6_EVENTS``
  progress events (the run's stream coalesces what its consumer has not taken yet, so fewer arrive).

Rounds alternate between the two servers; each figure is a median.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

W6_REQUESTS = 200
W6_EVENTS = 5_000

APP = textwrap.dedent(
    f"""
    from agents_otel import Agent, ToolContext, function_tool
    from agents_otel.server import create_app
    from agents_otel.testing import ScriptedModel, assistant_message, function_call

    @function_tool
    async def chatter(ctx: ToolContext) -> str:
        \"\"\"Send progress events.\"\"\"
        for i in range({W6_EVENTS}):
            ctx.send_progress({{"i": i}})
        return "done"

    def make_agent():
        model = ScriptedModel([[function_call("chatter", {{}}, call_id="c")], [assistant_message("ok")]])
        return Agent(name="Bench", tools=[chatter], model=model)

    app = create_app(make_agent, replay_buffer_size={W6_EVENTS * 2}, max_running_runs=10_000)
    """
)


@dataclass
class W6Result:
    latency: dict[str, list[float]]
    per_event: dict[str, list[float]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(kind: str, directory: Path) -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": str(directory)}
    if kind == "serve":
        command = [sys.executable, "-m", "agents_otel.cli", "serve", "bench_app:make_agent", "--port", "0"]
        command += ["--log-level", "warning", "--max-running-runs", "10000"]
    else:
        port = _free_port()
        code = f"import uvicorn, bench_app; uvicorn.run(bench_app.app, host='127.0.0.1', port={port}, log_level='info')"
        command = [sys.executable, "-c", code]
    process = subprocess.Popen(
        command, cwd=directory, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if found:
                break
        else:
            raise RuntimeError(f"{kind} server did not start")
        # drain its output so a full pipe never stalls it
        import threading

        threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
        yield f"http://127.0.0.1:{found.group(1)}"
    finally:
        process.terminate()
        process.wait(30)


def _latency(client: httpx.Client, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get("/config")
        times.append(time.perf_counter() - t0)
        response.raise_for_status()
    return statistics.median(times)


def _per_event(client: httpx.Client) -> float:
    run = client.post("/runs", json={"input": "go"}).json()
    t0 = time.perf_counter()
    count = 0
    last = ""
    with client.stream("GET", run["events_url"]) as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                count += 1
                last = line
    elapsed = time.perf_counter() - t0
    if '"run_completed"' not in last:
        raise RuntimeError(f"the SSE run did not deliver every event ({count}, last {last[:80]!r})")
    return elapsed / count


def measure_w6(rounds: int) -> W6Result:
    result = W6Result({"serve": [], "uvicorn": []}, {"serve": [], "uvicorn": []})
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "bench_app.py").write_text(APP)
        with _server("serve", directory) as serve_url, _server("uvicorn", directory) as uvicorn_url:
            urls = {"serve": serve_url, "uvicorn": uvicorn_url}
            clients = {k: httpx.Client(base_url=u, timeout=60) for k, u in urls.items()}
            try:
                for client in clients.values():  # warm-up
                    _latency(client, 20)
                    _per_event(client)
                for i in range(rounds):
                    order = ["serve", "uvicorn"] if i % 2 == 0 else ["uvicorn", "serve"]
                    for kind in order:
                        result.latency[kind].append(_latency(clients[kind], W6_REQUESTS // 10))
                        result.per_event[kind].append(_per_event(clients[kind]))
            finally:
                for client in clients.values():
                    client.close()
    return result


if __name__ == "__main__":
    r = measure_w6(5)
    for name, samples in (("latency", r.latency), ("per event", r.per_event)):
        fig, base = statistics.median(samples["serve"]), statistics.median(samples["uvicorn"])
        print(f"{name}: serve {fig * 1e6:.1f} µs, uvicorn {base * 1e6:.1f} µs, ratio {fig / base:.2f}x")
