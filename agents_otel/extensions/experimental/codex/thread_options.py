"""What a Codex thread runs with: model, sandbox, working directory, approvals, web search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .payloads import coerce_options

ApprovalMode = Literal["never", "on-request", "on-failure", "untrusted"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ModelReasoningEffort = Literal["minimal", "low", "medium", "high", "xhigh"]
WebSearchMode = Literal["disabled", "cached", "live"]


@dataclass(frozen=True)
class ThreadOptions:
    """Each field becomes one CLI flag or ``--config`` override; ``None`` leaves the CLI's own default."""

    model: str | None = None
    sandbox_mode: SandboxMode | None = None
    working_directory: str | None = None
    skip_git_repo_check: bool | None = None
    """Needed when ``working_directory`` is not inside a Git repository (the CLI refuses otherwise)."""
    model_reasoning_effort: ModelReasoningEffort | None = None
    network_access_enabled: bool | None = None
    """Network access for commands in a ``workspace-write`` sandbox."""
    web_search_mode: WebSearchMode | None = None
    web_search_enabled: bool | None = None
    """The older switch: ``True`` is ``web_search_mode="live"``, ``False`` ``"disabled"``; ``web_search_mode`` wins."""
    approval_policy: ApprovalMode | None = None
    additional_directories: Sequence[str] | None = None


def coerce_thread_options(options: ThreadOptions | Mapping[str, Any] | None) -> ThreadOptions | None:
    return coerce_options(ThreadOptions, options, "ThreadOptions")
