"""Real ``redis-server`` instances and ``agents-otel serve`` replicas in separate processes, for the replica tests.

Every process is started on a free port in a temp directory and stopped by the test that started it. Readiness is
read from the process itself (Redis logs "Ready to accept connections"; ``agents-otel serve`` prints its address
once its socket listens), never waited for with sleeps.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from support import free_port, missing

TESTS = Path(__file__).resolve().parent
START_TIMEOUT = 30.0


def require_redis_server() -> str:
    found = shutil.which("redis-server") or "/usr/bin/redis-server"
    if Path(found).exists():
        return found
    message = "Debian's redis-server is not installed: run `make redis` (apt-get install redis-server)"
    missing(message)


def _read_until(stream: IO[str], marker: str, what: str) -> list[str]:
    seen: list[str] = []
    for line in stream:
        seen.append(line)
        if marker in line:
            return seen
    raise RuntimeError(f"{what} exited before {marker!r}:\n{''.join(seen)}")


class RedisServer:
    """One redis-server without persistence: a restart starts it empty, as after a crash without AOF/RDB."""

    def __init__(self, directory: Path) -> None:
        self.binary = require_redis_server()
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.directory),
                "--save", "",
                "--appendonly", "no",
                "--logfile", "",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        _read_until(self.process.stdout, "Ready to accept connections", "redis-server")
        # Keep draining its log so a chatty server never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(START_TIMEOUT)
        self.process = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Replica:
    """``agents-otel serve replica_app:make_agent --broker URL`` in its own process."""

    def __init__(self, broker_url: str, control_url: str, log: Path, *extra: str, via_env: bool = False) -> None:
        """``via_env``: name the broker with ``AGENTS_OTEL_BROKER_URL`` instead of ``--broker``."""
        # tests/ for replica_app, then this checkout's agents_otel (a worktree's, not the venv's editable install)
        path = os.pathsep.join((str(TESTS), str(TESTS.parent)))
        env = {**os.environ, "REPLICA_TEST_CONTROL_URL": control_url, "PYTHONPATH": path}
        env["AGENTS_OTEL_TRACE_FILE"] = str(log.with_suffix(".traces.jsonl"))  # not ./.agents_otel in tests/
        env.pop("AGENTS_OTEL_BROKER_URL", None)
        if via_env:
            env["AGENTS_OTEL_BROKER_URL"] = broker_url
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "agents_otel.cli", "serve", "replica_app:make_agent",
                "--port", "0", "--log-level", "warning", *(() if via_env else ("--broker", broker_url)), *extra,
            ],
            cwd=TESTS,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        banner = _read_until(self.process.stdout, " on http://", f"replica (log: {log})")[-1]
        self.base_url = banner.strip().rsplit(" on ", 1)[1]

    def kill(self) -> None:
        """``kill -9``: no shutdown code runs, the lease is simply never renewed again."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(START_TIMEOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()
