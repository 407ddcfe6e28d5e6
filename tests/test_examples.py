"""The demo and the examples run offline, as a user would run them (subprocesses, no API key, no endpoint)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OTEL_", "AGENTS_OTEL_"))}
    env["COLUMNS"] = "160"
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def test_demo_streams_progress_then_shows_the_trace(tmp_path: Path) -> None:
    out = run_example("demo.py", tmp_path)
    assert "offline ScriptedModel" in out
    for tool in ("fetch_dataset", "crawl_site", "compress_archive", "researcher", "search_papers"):
        assert tool in out
    assert "100%" in out  # the progress bars completed
    assert "Answer:" in out
    assert "invoke_agent Orchestrator" in out and "◆ #10" in out  # the waterfall, progress inline
    assert "Slowest tools" in out
    trace_file = tmp_path / ".agents_otel" / "traces.jsonl"
    assert trace_file.exists() and "agents_otel.tool.progress" in trace_file.read_text()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("basic_progress.py", ["[analyze_data] {'status': 'fetching', 'progress': 0.25}", "Q4 sales grew 12%."]),
        ("agent_as_tool.py", ["Inner tool progress: {'status': 'fetching'", "Outer stream sees [analyze_data]"]),
        ("non_streaming.py", ["execute_tool analyze_data agents_otel.tool.progress", "Done."]),
        (
            "triage_handoffs.py",
            [
                "handoff: Triage → Refunds",
                "→ Refunds is handling the conversation",
                "[check_order] checking payments (67%)",
                "Decision by Refunds: approved=True, 42.0 EUR",
                "    handoff Triage -> Refunds\n    invoke_agent Refunds\n      chat scripted\n      execute_tool",
            ],
        ),
    ],
)
def test_seed_examples_run_offline(name: str, expected: list[str], tmp_path: Path) -> None:
    out = run_example(name, tmp_path)
    for fragment in expected:
        assert fragment in out


def test_mcp_example_streams_server_progress_and_shows_one_trace(tmp_path: Path) -> None:
    out = run_example("mcp/agent.py", tmp_path)
    for page in range(1, 5):
        assert "[crawl_site call_" in out and f"{page}/4 fetched page {page} of https://example.com" in out
    assert "Answer: The site has 4 pages" in out
    # One waterfall: the agent's tool call, the MCP CLIENT and SERVER spans, the server's tool with its progress.
    assert out.count("tools/call crawl_site") == 2
    assert out.count("execute_tool crawl_site") == 2
