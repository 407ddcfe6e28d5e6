"""Every Python block of the SDK-capability pages runs as written (offline, each in a fresh interpreter) and prints
what the page says it does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXPECTED: dict[str, list[list[str] | None]] = {  # per page, what each of its blocks prints, block by block
    "structured-output.md": [["Lima 19"]],
    "tool-use-behavior.md": [["{'eur': 9.5}"]],
    "handoffs.md": [
        ["now running: Billing", "handoff_occured", "Billing -> Your refund is on its way."],
        ["True True"],
        [
            "['AssistantMessage', 'AssistantMessage', 'AssistantMessage'] I refunded one charge.",
            "['AssistantMessage', 'UserMessage'] I refunded one charge.",
        ],
    ],
    "guardrails.md": [
        ["[False]", "stopped by no_homework"],
        ["c1 Refused: this tool only reads.", "c2 [withheld", "c3 42 rows", "['reject_content', 'allow', 'allow']"],
        ["['small']", "done"],
    ],
    "lifecycle-hooks.md": [["start Calculator", "tool add -> 5", "end Calculator 5"]],
    "sessions.md": [
        ["You are Ada.", "'role': 'user', 'content': 'Who am I?'"],
        ["{'acme': 2, 'globex': 2}"],  # a store with one history per tenant (the wrapper keyword)
        ["['user', 'assistant', 'user']", "6"],
        ["['user', 'assistant', 'user']", "5 8"],
        None,  # needs OPENAI_API_KEY: run by tests/test_docs_run.py against the fake OpenAI server
        None,  # OpenAIResponsesCompactionSession, needs OPENAI_API_KEY: the same
        ["You are Ada. 4", "['__enc__', 'kid', 'payload', 'v']"],
        None,  # needs a Redis server: run by tests/test_docs_run.py against a real redis-server
        ["You are Ada. 3", "['user', 'assistant', 'user', 'assistant']"],
        [  # AdvancedSQLiteSession: turns, a branch, usage per turn
            "[(1, 'Capital of France?'), (2, 'Weather there?')]",
            "4 4",
            "[('main', 2), ('sights', 2)]",
            "3",
        ],
    ],
    "human-in-the-loop.md": [
        [
            'waiting: cancel_order {"order_id": "A-1"}',
            'waiting: refund {"order_id": "A-3", "amount": 500}',
            "A-1 cancelled, A-2 refunded",
        ],
        [
            "Published q3; a copy stays in the project folder.",
            "['Also keep a copy in the project folder.']",
            "UserMessage Also keep a copy in the project folder.",
        ],
        ["Removed /tmp/a.log; /etc/hosts is not mine to delete.", "False"],  # deciding inside the run
        None,  # remote MCP servers, needs OPENAI_API_KEY: run by tests/test_docs_run.py against the fake server
        ["All done."],  # approvals inside an agent used as a tool
        [
            'waiting: Billing refund {"order_id": "A-1", "amount": 20}',
            "The refund is done. ['ann refunded 20.0 on A-1']",
        ],
    ],
}
CASES = [
    (page, i, block)
    for page in EXPECTED
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), re.S))
]


def test_every_block_has_its_expectations() -> None:
    assert sorted((page, i) for page, i, _ in CASES) == sorted(
        (page, i) for page, blocks in EXPECTED.items() for i in range(len(blocks))
    )


@pytest.mark.parametrize(("page", "index", "block"), CASES, ids=[f"{p}-{i}" for p, i, _ in CASES])
def test_docs_block_runs(page: str, index: int, block: str, tmp_path: Path) -> None:
    expected = EXPECTED[page][index]
    if expected is None:
        assert block.startswith("# needs: ")
        return
    script = tmp_path / "block.py"
    script.write_text(block)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OTEL_", "AGENTS_OTEL_"))}
    env["AGENTS_OTEL_AUTO_CONFIGURE"] = "false"  # no trace file written into the test's directory
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    for fragment in expected:
        assert fragment in proc.stdout
