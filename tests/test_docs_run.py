"""Every ```python block in README.md and docs/*.md runs as written, each in a fresh interpreter, so the docs cannot
rot (issue 10: only 2 of 12 blocks used to run).

A block runs offline unless its first line says what it needs:

* ``# needs: OPENAI_API_KEY`` — it runs here too, against the local OpenAI-compatible server of ``tests/fake_openai``
  (real HTTP through the official client, every answer a short text), with ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``
  pointing at it.
* ``# needs: ... a Redis server at $REDIS_URL`` — it runs against a real ``redis-server`` started for the module
  (``tests/redis_support.py``), with ``REDIS_URL`` pointing at it (and the local OpenAI server if it needs a key too).
* ``# needs: <a service>`` (Jaeger, a Collector, ...) — only compiled here, since the service is not running.

docs/mcp.md and docs/ui-protocols.md have tests of their own that assert more about what their blocks print
(``tests/test_mcp_docs.py``, ``tests/test_ui_docs.py``); they are only compiled here so the suite stays fast.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai.server import FakeOpenAIServer
from redis_support import RedisServer

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COVERED_ELSEWHERE = {"mcp.md": "test_mcp_docs.py", "ui-protocols.md": "test_ui_docs.py"}
NEEDS = re.compile(r"\A# needs: (.+)\n")
RUNNABLE_NEEDS = {"OPENAI_API_KEY", "a Redis server at $REDIS_URL"}
"""What a block may need and still run here (``and`` joins several); anything else is only compiled."""
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for index, code in enumerate(BLOCK.findall(doc.read_text())):
            found.append((f"{doc.name}#{index}", code))
    return found


BLOCKS = _blocks()


@pytest.fixture(scope="module")
def openai_server() -> Iterator[FakeOpenAIServer]:
    """One local OpenAI-compatible server for all blocks (cleared before each), not one per block."""
    server = FakeOpenAIServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server for the blocks that need one, started only when one does (module scope: once)."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_the_docs_have_python_blocks_and_other_docs_tests_exist() -> None:
    assert len(BLOCKS) >= 20
    for test in COVERED_ELSEWHERE.values():
        assert (ROOT / "tests" / test).exists()


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_docs_block_runs(
    name: str, code: str, tmp_path: Path, openai_server: FakeOpenAIServer, request: pytest.FixtureRequest
) -> None:
    compile(code, name, "exec")  # every block is at least valid Python
    needs = NEEDS.match(code)
    doc = name.split("#")[0]
    if doc in COVERED_ELSEWHERE:
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OTEL_", "AGENTS_OTEL_"))}
    if needs is not None:
        wanted = {part.strip() for part in needs.group(1).split(" and ")}
        if not wanted <= RUNNABLE_NEEDS:
            return  # a service this machine does not run: compiled above
        if "OPENAI_API_KEY" in wanted:
            openai_server.clear()
            for _ in range(10):
                openai_server.enqueue(text="Done.")
            openai_server.audio.transcripts.extend(["What time is it?"] * 3)  # the voice models' endpoints
            openai_server.audio.speech.extend([bytes(range(48)) * 10] * 10)
            env.update(OPENAI_API_KEY="test-key", OPENAI_BASE_URL=openai_server.base_url)
        if "a Redis server at $REDIS_URL" in wanted:
            env["REDIS_URL"] = request.getfixturevalue("redis_url")
    script = tmp_path / "block.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90, check=False
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
