"""``codex exec --experimental-json`` as an asyncio subprocess: the prompt on stdin, one JSON event per stdout line.

The loop never blocks on the CLI: stdout is read line by line as it comes, stderr is drained alongside (kept for the
error a failing CLI raises), and the process is killed whenever the reader stops early — cancellation, an error, an
``asyncio.Event`` signal, an idle timeout. On POSIX the CLI gets its own process group, so the kill reaches what it
started too (the npm launcher is a node process that starts the native binary).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal as signals
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from ....exceptions import UserError
from .thread_options import ApprovalMode, ModelReasoningEffort, SandboxMode, WebSearchMode

_ORIGINATOR_ENV = "CODEX_INTERNAL_ORIGINATOR_OVERRIDE"
_ORIGINATOR = "codex_sdk_ts"  # what the SDK reports to the CLI, kept so the CLI sees the same client
_STREAM_LIMIT_ENV = "OPENAI_AGENTS_CODEX_SUBPROCESS_STREAM_LIMIT_BYTES"
_DEFAULT_STREAM_LIMIT = 8 * 1024 * 1024
_MIN_STREAM_LIMIT = 64 * 1024
_MAX_STREAM_LIMIT = 64 * 1024 * 1024
_POSIX = os.name == "posix"


@dataclass(frozen=True)
class CodexExecArgs:
    input: str
    base_url: str | None = None
    api_key: str | None = None
    thread_id: str | None = None
    images: list[str] | None = None
    model: str | None = None
    sandbox_mode: SandboxMode | None = None
    working_directory: str | None = None
    additional_directories: list[str] | None = None
    skip_git_repo_check: bool | None = None
    output_schema_file: str | None = None
    model_reasoning_effort: ModelReasoningEffort | None = None
    signal: asyncio.Event | None = None
    idle_timeout_seconds: float | None = None
    network_access_enabled: bool | None = None
    web_search_mode: WebSearchMode | None = None
    web_search_enabled: bool | None = None
    approval_policy: ApprovalMode | None = None


def command_args(args: CodexExecArgs) -> list[str]:
    """The CLI's arguments for one turn (``resume -- <id>`` to continue a thread; ``-``: the prompt is on stdin)."""
    argv = ["exec", "--experimental-json"]
    if args.model:
        argv += ["--model", args.model]
    if args.sandbox_mode:
        argv += ["--sandbox", args.sandbox_mode]
    if args.working_directory:
        argv += ["--cd", args.working_directory]
    for directory in args.additional_directories or ():
        argv += ["--add-dir", directory]
    if args.skip_git_repo_check:
        argv.append("--skip-git-repo-check")
    if args.output_schema_file:
        argv += ["--output-schema", args.output_schema_file]
    config: list[str] = []
    if args.base_url:  # current CLIs read the endpoint from config; OPENAI_BASE_URL (set too) only older ones
        config.append(f"openai_base_url={json.dumps(args.base_url)}")
    if args.model_reasoning_effort:
        config.append(f'model_reasoning_effort="{args.model_reasoning_effort}"')
    if args.network_access_enabled is not None:
        config.append(f"sandbox_workspace_write.network_access={str(args.network_access_enabled).lower()}")
    web_search = args.web_search_mode or {True: "live", False: "disabled", None: None}[args.web_search_enabled]
    if web_search:
        config.append(f'web_search="{web_search}"')
    if args.approval_policy:
        config.append(f'approval_policy="{args.approval_policy}"')
    for override in config:
        argv += ["--config", override]
    if args.thread_id:
        argv.append("resume")
    for image in args.images or ():
        argv += ["--image", image]
    if args.thread_id:
        argv += ["--", args.thread_id]
    argv.append("-")
    return argv


class CodexExec:
    """Runs the CLI once per turn; ``run`` yields its stdout lines (without the newline)."""

    def __init__(
        self,
        *,
        executable_path: str | None = None,
        env: dict[str, str] | None = None,
        subprocess_stream_limit_bytes: int | None = None,
    ) -> None:
        self._executable_path = executable_path or find_codex_path()
        self._env_override = env
        self._subprocess_stream_limit_bytes = _stream_limit(subprocess_stream_limit_bytes)

    def build_env(self, args: CodexExecArgs) -> dict[str, str]:
        env = dict(self._env_override if self._env_override is not None else os.environ)
        env.setdefault(_ORIGINATOR_ENV, _ORIGINATOR)
        if args.base_url:
            env["OPENAI_BASE_URL"] = args.base_url
        if args.api_key:
            env["CODEX_API_KEY"] = args.api_key
        return env

    async def run(self, args: CodexExecArgs) -> AsyncGenerator[str, None]:
        if not self._executable_path:
            raise UserError(
                "The Codex CLI was not found: install it (npm install -g @openai/codex), or set CODEX_PATH or "
                "CodexOptions(codex_path_override=...)"
            )
        try:
            process = await asyncio.create_subprocess_exec(
                self._executable_path,
                *command_args(args),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                limit=self._subprocess_stream_limit_bytes,  # one event per line, and a line can be a whole output
                env=self.build_env(args),
                start_new_session=_POSIX,
            )
        except FileNotFoundError as exc:
            raise UserError(f"The Codex CLI {self._executable_path!r} does not exist: {exc}") from exc
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        stderr_chunks: list[bytes] = []
        stderr_task = asyncio.create_task(_drain(process.stderr, stderr_chunks))
        signal_task = asyncio.create_task(_on_signal(args.signal, process)) if args.signal is not None else None
        try:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a CLI that exited at once
                process.stdin.write(args.input.encode("utf-8"))
                await process.stdin.drain()
                process.stdin.close()
            while True:
                line = await _read_line(process, args)
                if not line:
                    break
                yield line.decode("utf-8").rstrip("\r\n")
            await process.wait()
            await stderr_task
            if process.returncode != 0:
                stderr = b"".join(stderr_chunks).decode("utf-8", errors="replace")
                raise RuntimeError(f"Codex exec exited with code {process.returncode}: {stderr}")
        finally:
            if signal_task is not None:
                signal_task.cancel()
            if process.returncode is None:
                _kill(process)
                with contextlib.suppress(ProcessLookupError):
                    await process.wait()
            if not stderr_task.done():
                stderr_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stderr_task


async def _read_line(process: asyncio.subprocess.Process, args: CodexExecArgs) -> bytes:
    assert process.stdout is not None
    if args.idle_timeout_seconds is None:
        return await process.stdout.readline()
    try:
        return await asyncio.wait_for(process.stdout.readline(), args.idle_timeout_seconds)
    except TimeoutError:
        if args.signal is not None:
            args.signal.set()
        raise RuntimeError(f"Codex stream idle for {args.idle_timeout_seconds} seconds.") from None


async def _drain(stream: asyncio.StreamReader, chunks: list[bytes]) -> None:
    while chunk := await stream.read(65536):
        chunks.append(chunk)


async def _on_signal(signal: asyncio.Event, process: asyncio.subprocess.Process) -> None:
    await signal.wait()
    if process.returncode is None:
        _terminate(process, signals.SIGTERM)


def _kill(process: asyncio.subprocess.Process) -> None:
    _terminate(process, signals.SIGKILL if _POSIX else signals.SIGTERM)


def _terminate(process: asyncio.subprocess.Process, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if _POSIX:
            os.killpg(process.pid, sig)  # the group: the launcher and the binary it started
        else:
            process.send_signal(sig)


def find_codex_path() -> str | None:
    """``CODEX_PATH``, else ``codex`` on ``PATH``; ``None`` when neither (running a turn then says how to fix it)."""
    return os.environ.get("CODEX_PATH") or shutil.which("codex")


def _stream_limit(explicit: int | None) -> int:
    if explicit is None:
        raw = os.environ.get(_STREAM_LIMIT_ENV)
        if raw is None:
            return _DEFAULT_STREAM_LIMIT
        try:
            explicit = int(raw)
        except ValueError:
            raise UserError(f"{_STREAM_LIMIT_ENV} must be an integer number of bytes, got {raw!r}") from None
    if isinstance(explicit, bool) or not isinstance(explicit, int):
        raise UserError(f"codex_subprocess_stream_limit_bytes must be an integer number of bytes, got {explicit!r}")
    if not _MIN_STREAM_LIMIT <= explicit <= _MAX_STREAM_LIMIT:
        raise UserError(
            f"codex_subprocess_stream_limit_bytes must be between {_MIN_STREAM_LIMIT} and {_MAX_STREAM_LIMIT} "
            f"bytes, got {explicit}"
        )
    return explicit
