"""Starting the official test server: stdio parameters, and a Streamable HTTP subprocess on a free port."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

OFFICIAL_SERVER = Path(__file__).with_name("official_server.py")
OFFICIAL_TOOLS = (
    "count", "slow_count", "fail", "work_forever", "hang", "add", "remember", "send_late", "flaky", "attempts",
    "show_meta", "charted", "meet",
)  # fmt: skip
"""The official test server's tools, in the order it lists them (a test that lists them all compares with this)."""


def stdio_params(script: Path = OFFICIAL_SERVER, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    params: dict[str, object] = {"command": sys.executable, "args": [str(script), *args]}
    if env:
        params["env"] = env
    return params


@contextlib.contextmanager
def http_server(script: Path = OFFICIAL_SERVER, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The script with ``--http``, which prints ``PORT <n>`` once bound; yields the ``/mcp`` URL and the process."""
    with _served(script, "--http", "/mcp", *args) as found:
        yield found


@contextlib.contextmanager
def sse_server(script: Path = OFFICIAL_SERVER, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The script with ``--sse`` (HTTP+SSE); yields the ``/sse`` URL and the process."""
    with _served(script, "--sse", "/sse", *args) as found:
        yield found


@contextlib.contextmanager
def _served(script: Path, flag: str, path: str, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    proc = subprocess.Popen(
        [sys.executable, str(script), flag, *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("PORT "), f"server did not start: {line!r}"
        yield f"http://127.0.0.1:{int(line.split()[1])}{path}", proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def process_gone(pid: int) -> bool:
    """Exited and reaped: a zombie still has its /proc entry."""
    return not Path(f"/proc/{pid}").exists()
