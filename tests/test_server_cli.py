"""``agents-otel serve MODULE:ATTR`` as a real process: it prints its address once listening, then serves runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from server_support import SAFETY_TIMEOUT, watch

from agents_otel.cli import main

SERVED = textwrap.dedent(
    """
    from agents_otel import Agent
    from agents_otel.testing import ScriptedModel, assistant_message

    def make_agent():
        return Agent(name="Greeter", model=ScriptedModel([[assistant_message("hello from the CLI")]]))

    not_an_agent = 42
    """
)


def test_serve_runs_an_agent_factory_over_http(tmp_path: Path) -> None:
    (tmp_path / "served_app.py").write_text(SERVED)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agents_otel.cli",
            "serve",
            "served_app:make_agent",
            "--port",
            "0",
            "--log-level",
            "warning",
            "--trace-url-template",
            "http://traces.test/{trace_id}",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # printed once the socket is listening
        assert banner.startswith("agents-otel serve: make_agent on http://127.0.0.1:"), banner
        base_url = banner.rsplit(" ", 1)[1].strip()
        with httpx.Client(base_url=base_url, timeout=SAFETY_TIMEOUT) as client:
            run = client.post("/runs", json={"input": "hi"}).json()
            events = list(watch(client, run["events_url"]))
            config = client.get("/config").json()
    finally:
        process.terminate()
        process.wait(SAFETY_TIMEOUT)

    assert events[-1] == {**events[-1], "type": "run_completed", "final_output": "hello from the CLI"}
    assert config["trace_url_template"] == "http://traces.test/{trace_id}"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("served_app", "expected MODULE:ATTR"),
        ("no_such_module_xyz:agent", "cannot import"),
        ("served_app:missing", "has no attribute"),
        ("served_app:not_an_agent", "not an Agent"),
    ],
)
def test_serve_rejects_targets_that_are_not_agents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    (tmp_path / "served_app.py").write_text(SERVED)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "served_app", raising=False)
    assert main(["serve", target]) == 2
    assert message in capsys.readouterr().err


def test_serve_requires_the_token_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "served_app.py").write_text(SERVED)
    env = {**os.environ, "AGENTS_OTEL_SERVER_TOKEN": "t0ken"}
    command = [sys.executable, "-m", "agents_otel.cli", "serve", "served_app:make_agent", "--port", "0"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().rsplit(" ", 1)[1].strip()
        with httpx.Client(base_url=base_url, timeout=SAFETY_TIMEOUT) as client:
            refused = client.post("/runs", json={"input": "hi"})
            run = client.post("/runs", json={"input": "hi"}, headers={"Authorization": "Bearer t0ken"}).json()
            events = list(watch(client, run["events_url"]))  # the events URL carries its own stream token
    finally:
        process.terminate()
        process.wait(SAFETY_TIMEOUT)
    assert refused.status_code == 401
    assert events[-1]["type"] == "run_completed"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from agents_otel import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"agents-otel {__version__}"


@pytest.mark.parametrize("command", ["serve", "mcp"])
@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_an_impossible_port_is_a_usage_error_not_a_traceback(
    command: str, port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression (issue 10): --port 99999 died with a raw OverflowError traceback.
    with pytest.raises(SystemExit) as done:
        main([command, "served_app:make_agent", "--port", port])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "is not a port number" in err and "Traceback" not in err
