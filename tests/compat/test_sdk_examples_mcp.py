"""The OpenAI Agents SDK's MCP example programs (release 0.24.0, ``examples/mcp``), run unchanged on agents_otel.

As tests/compat/test_sdk_examples.py does for the other directories (harness: tests/sdk_examples_support.py), with
the example's MCP server real: the official ``mcp`` package's server (the SDK's ``server.py`` next to the example)
in the subprocess the example starts itself, or the npm ``@modelcontextprotocol/server-filesystem`` over stdio. The
assertions read what the program printed (the servers' ``[debug-server]`` lines too: they share the test's stdout),
which tools the fake model server was offered and which tool outputs came back to it.

What the examples need from the machine, all installed by ``make test`` from the project's own files, never fetched
while the tests run:

- ``uv`` (the dev extra in pyproject.toml puts it in the venv's ``bin``): the HTTP examples start their server with
  ``uv run server.py``. The environment makes that run the script on this interpreter (``UV_PYTHON``) outside any
  project (``UV_NO_PROJECT``: the script's directory is inside this repository, whose project uv must not sync),
  offline;
- ``@modelcontextprotocol/server-filesystem`` (tests/js/package.json): ``make sdk-examples`` links
  ``.sdk-examples/node_modules`` to tests/js/node_modules, so ``npx -y`` run in the examples' directories finds it
  in the local tree (offline: ``npm_config_offline``).

The HTTP examples wait three seconds (``time.sleep(3)``) for their server to start; here that one call waits instead
until the server accepts connections (``server_start_waits``), the condition the pause stands for.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import pytest
from fake_openai import FakeOpenAIServer
from sdk_examples_support import (
    EXAMPLES_DIR,
    EXAMPLES_HOME,
    bodies,
    require_examples,
    run_example,
    tool_names,
    tool_outputs,
)

FILESYSTEM_SERVER = EXAMPLES_HOME / "node_modules" / "@modelcontextprotocol" / "server-filesystem" / "package.json"

EXCLUDED: dict[str, str] = {
    "mcp/git_example/main.py": (
        "starts its server with `uvx mcp-server-git`, which downloads mcp-server-git from PyPI when it runs; "
        "the tests run offline"
    ),
    "mcp/get_all_mcp_tools_example/main.py": (
        "imports agents.mcp.util.MCPUtil, the SDK's internal tool conversion, not offered here (docs/migrating.md: "
        "importing it is an ImportError saying why)"
    ),
    "mcp/sse_remote_example/main.py": "connects to a remote MCP server on the internet (gitmcp.io)",
    "mcp/streamable_http_remote_example/main.py": "connects to a remote MCP server on the internet (Hugging Face)",
}
"""Examples of ``examples/mcp`` that do not run here, and why."""


def mcp_environment(tmp_path: Path) -> dict[str, str]:
    """What the examples' server commands need: ``uv`` and ``npx`` resolving to the project's installs, offline."""
    bin_dir = str(Path(sys.executable).parent)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    if shutil.which("uv", path=path) is None:
        pytest.fail("uv is not installed in the venv: run `make test` (the dev extra brings it)", pytrace=False)
    return {
        "PATH": path,
        "UV_PYTHON": sys.executable,
        "UV_NO_PROJECT": "1",
        "UV_OFFLINE": "1",
        "UV_NO_PYTHON_DOWNLOADS": "1",
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "npm_config_offline": "true",
        "npm_config_cache": str(tmp_path / "npm-cache"),
        "npm_config_update_notifier": "false",
        "PYTHONUNBUFFERED": "1",  # the servers' [debug-server] lines reach the captured stdout as they print
    }


def require_filesystem_server() -> None:
    if not FILESYSTEM_SERVER.is_file():
        pytest.fail(
            f"@modelcontextprotocol/server-filesystem is not reachable from {EXAMPLES_HOME}: run `make test` "
            "(or `make js-clients sdk-examples`)",
            pytrace=False,
        )


def _wait_for_listener(host: str, port: int, process: Any, real_sleep: Any) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if isinstance(process, subprocess.Popen) and process.poll() is not None:
            raise AssertionError(f"the example's server exited with status {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        real_sleep(0.05)
    raise AssertionError(f"the example's server did not listen on {host}:{port} within 30 s")


@contextlib.contextmanager
def server_start_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``time.sleep`` called by an example's ``__main__`` code waits until the server the example is starting
    listens (its ``*_HOST`` / ``*_PORT`` globals), instead of a fixed time; every other caller sleeps as usual."""
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        frame: FrameType | None = sys._getframe(1)
        scope = frame.f_globals if frame else {}
        if scope.get("__name__") != "__main__" or not str(scope.get("__file__", "")).startswith(str(EXAMPLES_DIR)):
            real_sleep(seconds)
            return
        host = next(value for key, value in scope.items() if key.endswith("_HOST") and isinstance(value, str))
        port = next(value for key, value in scope.items() if key.endswith("_PORT") and isinstance(value, int))
        _wait_for_listener(host, port, frame.f_locals.get("process") if frame else None, real_sleep)

    monkeypatch.setattr(time, "sleep", sleep)
    yield


class Run(Protocol):
    def __call__(
        self, module: str, *, cwd: Path | None = None, env: dict[str, str] | None = None, waits: bool = True
    ) -> str: ...


@pytest.fixture
def run(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capfd: Any) -> Run:
    """Run ``examples.<module>`` against ``fake_openai`` with the MCP environment; return all it and its servers
    printed (file-descriptor capture: the servers are other processes). ``waits=False``: the example's sleeps
    are its own (a polling loop), not a fixed pause for its server."""

    def go(module: str, *, cwd: Path | None = None, env: dict[str, str] | None = None, waits: bool = True) -> str:
        require_examples()
        capfd.readouterr()
        with server_start_waits(monkeypatch) if waits else contextlib.nullcontext():
            run_example(
                module,
                monkeypatch,
                fake_openai.base_url,
                cwd or tmp_path,
                env={**mcp_environment(tmp_path), **(env or {})},
            )
        out: str = capfd.readouterr().out
        return out

    return go


def own_lines(out: str) -> str:
    """The program's own output: without its server's lines (uvicorn's log, the tools' ``[debug-server]`` prints),
    which interleave with it on the same stdout."""
    server = ("INFO:", "WARNING:", "[debug-server]")
    return "".join(line for line in out.splitlines(keepends=True) if not line.startswith(server))


def texts(output: Any) -> list[str]:
    """The text parts of a function_call_output's ``output`` (a string, or a list of content parts)."""
    if isinstance(output, str):
        return [output]
    return [part["text"] for part in output if part.get("type") == "input_text"]


def test_the_excluded_examples_exist() -> None:
    require_examples()
    for path in EXCLUDED:
        assert (EXAMPLES_DIR / path).is_file(), path


# ------------------------------------------------------------------------------ servers the example starts (uv run)


def _echo_server_script(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(tool_calls=[("add", {"a": 7, "b": 22}, "c_add")])
    fake_openai.enqueue(text="7 + 22 = 29.")
    fake_openai.enqueue(tool_calls=[("get_current_weather", {"city": "Tokyo"}, "c_weather")])
    fake_openai.enqueue(text="Sunny in Tokyo.")
    fake_openai.enqueue(tool_calls=[("get_secret_word", {}, "c_secret")])
    fake_openai.enqueue(text="The secret word is a fruit.")


def _check_echo_server_run(out: str, fake_openai: FakeOpenAIServer) -> list[dict[str, Any]]:
    assert "[debug-server] add(7, 22)" in out and "[debug-server] get_current_weather(Tokyo)" in out
    assert "[debug-server] get_secret_word()" in out
    out = own_lines(out)
    assert "Running: Add these numbers: 7 and 22.\n7 + 22 = 29.\n" in out
    assert "Running: What's the weather in Tokyo?\nSunny in Tokyo.\n" in out
    assert "Running: What's the secret word?\nThe secret word is a fruit.\n" in out
    sent = bodies(fake_openai)
    assert len(sent) == 6
    assert sorted(tool_names(sent[0])) == ["add", "get_current_weather", "get_secret_word"]
    assert sent[0]["tool_choice"] == "required"
    add = next(tool for tool in sent[0]["tools"] if tool["name"] == "add")
    assert add["description"] == "Add two numbers" and set(add["parameters"]["properties"]) == {"a", "b"}
    # Text here, where the SDK sends a text content part (docs/migrating.md, "What differs, on purpose").
    assert tool_outputs(sent[1])["c_add"] == "29"
    assert texts(tool_outputs(sent[5])["c_secret"])[0] in {"apple", "banana", "cherry"}
    return sent


def test_sse_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    _echo_server_script(fake_openai)
    out = run("mcp.sse_example.main")
    sent = _check_echo_server_run(out, fake_openai)
    assert texts(tool_outputs(sent[3])["c_weather"]) == ["The weather in Tokyo is sunny with a light breeze and 20°C."]


def test_streamablehttp_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    _echo_server_script(fake_openai)
    out = run("mcp.streamablehttp_example.main")
    sent = _check_echo_server_run(out, fake_openai)
    # Its weather tool asks wttr.in first (2 s timeout) and falls back to this offline.
    assert texts(tool_outputs(sent[3])["c_weather"])[0]


def test_streamablehttp_custom_client_example(
    run: Run, fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The example's httpx_client_factory makes an httpx2 client (mcp 2.x's HTTP package); a hook on every httpx2
    # client made while it runs records the requests, to see that its client is the one that spoke to the server.
    from agents_otel.mcp import MCP_MAJOR

    httpx2 = pytest.importorskip("httpx2")
    if MCP_MAJOR < 2:
        pytest.skip("the example's factory makes httpx2 clients, which mcp 1.x does not take")
    sent: list[Any] = []
    real_init = httpx2.AsyncClient.__init__

    def recording_init(self: Any, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        self.event_hooks["request"].append(_record_into(sent))

    monkeypatch.setattr(httpx2.AsyncClient, "__init__", recording_init)
    fake_openai.enqueue(tool_calls=[("add", {"a": 7, "b": 22}, "c_add")])
    fake_openai.enqueue(text="7 + 22 = 29.")
    out = run("mcp.streamablehttp_custom_client_example.main")
    assert "[debug-server] add(7, 22)" in out
    assert "Running: Add these numbers: 7 and 22.\n7 + 22 = 29.\n" in own_lines(out)
    requests = bodies(fake_openai)
    assert len(requests) == 2 and sorted(tool_names(requests[0])) == ["add", "get_secret_word"]
    assert tool_outputs(requests[1])["c_add"] == "29"
    to_mcp = [r for r in sent if r.url.path == "/mcp"]
    assert to_mcp and all(r.headers["x-custom-client"] == "agents-mcp-example" for r in to_mcp)
    assert {r.headers["user-agent"] for r in to_mcp} == {"OpenAI-Agents-MCP/1.0"}


def _record_into(sent: list[Any]) -> Any:
    async def record(request: Any) -> None:
        sent.append(request)

    return record


def test_prompt_server(run: Run, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="1. Overall Assessment: os.system with user input is a command injection.")
    out = own_lines(run("mcp.prompt_server.main"))
    assert (
        "User can select from these prompts:\n"
        "  1. generate_code_review_instructions - Generate agent instructions for code review tasks\n"
    ) in out
    assert "Getting instructions from prompt: generate_code_review_instructions\nGenerated instructions\n" in out
    assert "1. Overall Assessment: os.system with user input is a command injection.\n" in out
    (sent,) = bodies(fake_openai)
    assert sent["instructions"].startswith(
        "You are a senior python code review specialist. Your role is to provide comprehensive code analysis "
        "with focus on security vulnerabilities."
    )
    assert "tools" not in sent or not sent["tools"]  # the agent has no MCP servers: the prompt only
    assert sent["input"][0]["content"].startswith("Please review this code:")


# ------------------------------------------------------------------------ the filesystem server over stdio (npx)


def test_filesystem_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    require_filesystem_server()
    samples = EXAMPLES_DIR / "mcp" / "filesystem_example" / "sample_files"
    fake_openai.enqueue(tool_calls=[("list_directory", {"path": str(samples)}, "c_list")])
    fake_openai.enqueue(text="favorite_books.txt, favorite_cities.txt, favorite_songs.txt")
    fake_openai.enqueue(tool_calls=[("read_text_file", {"path": str(samples / "favorite_books.txt")}, "c_books")])
    fake_openai.enqueue(text="Harry Potter.")
    fake_openai.enqueue(tool_calls=[("read_text_file", {"path": str(samples / "favorite_songs.txt")}, "c_songs")])
    fake_openai.enqueue(text="Try 'Blinding Lights'.")
    # Run from the examples' home so the example's `npx` (no cwd of its own) finds the package linked there.
    out = own_lines(run("mcp.filesystem_example.main", cwd=EXAMPLES_HOME))
    listed = "favorite_books.txt, favorite_cities.txt, favorite_songs.txt"
    assert f"Running: Read the files and list them.\n{listed}\n" in out
    assert "Running: Read favorite_books.txt and tell me my #1 favorite book.\nHarry Potter.\n" in out
    assert out.endswith(
        "Running: Read favorite_songs.txt and suggest one new song that I might like.\nTry 'Blinding Lights'.\n"
    )
    sent = bodies(fake_openai)
    assert {"list_directory", "read_text_file", "write_file"} <= set(tool_names(sent[0]))
    assert texts(tool_outputs(sent[1])["c_list"]) == [
        "[FILE] favorite_books.txt\n[FILE] favorite_cities.txt\n[FILE] favorite_songs.txt"
    ]
    books = (samples / "favorite_books.txt").read_text()
    assert texts(tool_outputs(sent[3])["c_books"]) == [books]


def test_tool_filter_example(run: Run, fake_openai: FakeOpenAIServer) -> None:
    require_filesystem_server()
    samples = EXAMPLES_DIR / "mcp" / "tool_filter_example" / "sample_files"
    fake_openai.enqueue(tool_calls=[("list_directory", {"path": str(samples)}, "c_list")])
    fake_openai.enqueue(text="books.txt and favorite_songs.txt.")
    fake_openai.enqueue(text="I can't: write operations are blocked by the tool filter.")
    out = own_lines(run("mcp.tool_filter_example.main"))
    assert "Approving a tool call... (name: list_directory)\nbooks.txt and favorite_songs.txt.\n" in out
    assert out.endswith(
        "Attempting to write a file (should be blocked):\nI can't: write operations are blocked by the tool filter.\n"
    )
    sent = bodies(fake_openai)
    assert len(sent) == 3
    assert sorted(tool_names(sent[0])) == ["list_directory", "read_file"]  # the filter's allowed list, no write_file
    assert tool_outputs(sent[1]) == {"c_list": "[FILE] books.txt\n[FILE] favorite_songs.txt"}
    assert sorted(tool_names(sent[2])) == ["list_directory", "read_file"]
    assert not (samples / "test.txt").exists()


# ------------------------------------------------------------------------------------------------ manager_example


def test_manager_example_smoke_test(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example's own smoke test: its MCP server (``python -m examples.mcp.manager_example.mcp_server``, on
    this interpreter, ``examples`` found through ``PYTHONPATH``) and its FastAPI app's MCPServerManager endpoints.
    pytest's assertion rewriter claims modules named ``*_test.py`` and cannot hand ``runpy`` their code: it is off
    the import path meanwhile."""
    finders = [finder for finder in sys.meta_path if type(finder).__name__ != "AssertionRewritingHook"]
    monkeypatch.setattr(sys, "meta_path", finders)
    pythonpath = os.pathsep.join(filter(None, [str(EXAMPLES_HOME), os.environ.get("PYTHONPATH")]))
    out = own_lines(run("mcp.manager_example.smoke_test", env={"PYTHONPATH": pythonpath}, waits=False))
    assert out.endswith("MCP manager example smoke test completed successfully.\n")
