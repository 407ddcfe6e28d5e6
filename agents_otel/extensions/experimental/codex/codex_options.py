"""How to start the Codex CLI process: which binary, which endpoint and key, which environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .payloads import coerce_options


@dataclass(frozen=True)
class CodexOptions:
    codex_path_override: str | None = None
    """The ``codex`` executable; else ``CODEX_PATH``, else ``codex`` on ``PATH``."""
    base_url: str | None = None
    """Given to the CLI as ``OPENAI_BASE_URL``."""
    api_key: str | None = None
    """Given to the CLI as ``CODEX_API_KEY``."""
    env: Mapping[str, str] | None = None
    """The CLI's whole environment: when set, ``os.environ`` is not inherited."""
    codex_subprocess_stream_limit_bytes: int | None = None
    """The longest JSONL line read from the CLI (64 KiB to 64 MiB; default 8 MiB, or
    ``OPENAI_AGENTS_CODEX_SUBPROCESS_STREAM_LIMIT_BYTES``): one event carries a command's whole output."""


def coerce_codex_options(options: CodexOptions | Mapping[str, Any] | None) -> CodexOptions | None:
    return coerce_options(CodexOptions, options, "CodexOptions")
