"""``Capability``: what a ``SandboxAgent`` can do in its sandbox — tools, a fragment of the prompt, and changes to
the manifest of a fresh session — as in the OpenAI Agents SDK's ``agents.sandbox.capabilities``.

Why per-run copies: an agent's capabilities are shared by every run of the agent, but each run binds them to its
own session (and ``run_as`` user); the runtime clones them for a run (:meth:`Capability.clone`) and binds the
clones, so two runs of one agent never see each other's session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from ..workspace_paths import SandboxWorkspaceScope

if TYPE_CHECKING:
    from ...tool import Tool
    from ..manifest import Manifest
    from ..session.base_sandbox_session import BaseSandboxSession
    from ..types import User


class Capability(BaseModel):
    """Subclass it for a capability of your own: override :meth:`tools`, :meth:`instructions`,
    :meth:`process_manifest` (a fresh session's manifest) or :meth:`process_context` (the model's input)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    type: str
    session: Any = Field(default=None, exclude=True)
    """The run's live session (a ``BaseSandboxSession``), bound by the runtime before :meth:`tools` is asked."""
    run_as: Any = Field(default=None, exclude=True)
    """The ``User`` model-facing operations run as (``SandboxAgent.run_as``), or ``None``."""
    workspace_scope: SandboxWorkspaceScope = Field(default_factory=SandboxWorkspaceScope, exclude=True, repr=False)
    """Where the model's relative paths start for this run (``SandboxRunConfig.cwd``): ``scope.anchor(path)``."""

    def clone(self) -> Capability:
        """A per-run copy: its own fields (deep-copied where they are plain data), the same session and tools."""
        cloned = self.model_copy(deep=False)
        for name, value in self.__dict__.items():
            cloned.__dict__[name] = _clone_value(value)
        return cloned

    def bind(self, session: BaseSandboxSession) -> None:
        self.session = session

    def bind_run_as(self, user: User | None) -> None:
        self.run_as = user

    def bind_workspace_scope(self, scope: SandboxWorkspaceScope) -> None:
        self.workspace_scope = scope

    @property
    def cwd(self) -> str | None:
        """The scope's ``cwd`` relative to the workspace root (``None``: the root)."""
        cwd = self.workspace_scope.cwd
        return cwd.as_posix() if cwd is not None else None

    def required_capability_types(self) -> set[str]:
        """Capability ``type``s that must be on the agent too (checked when the run prepares the agent)."""
        return set()

    def tools(self) -> list[Tool]:
        return []

    def process_manifest(self, manifest: Manifest) -> Manifest:
        return manifest

    async def instructions(self, manifest: Manifest) -> str | None:
        """A fragment for the system prompt's capability section (``None``: nothing)."""
        _ = manifest
        return None

    def sampling_params(self, sampling_params: dict[str, Any]) -> dict[str, Any]:
        """Extra model request parameters for each of the agent's model calls (merged into the run's
        ``ModelSettings.extra_args``, the capability's keys winning)."""
        _ = sampling_params
        return {}

    def process_context(self, context: list[Any]) -> list[Any]:
        return context


def _clone_value(value: Any) -> Any:
    """Plain data is copied, live objects (sessions, tools, locks, callables) are shared."""
    if value is None or isinstance(value, str | int | float | bool | bytes):
        return value
    if isinstance(value, list):
        return [_clone_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _clone_value(v) for k, v in value.items()}
    if isinstance(value, set):
        return {_clone_value(v) for v in value}
    if isinstance(value, tuple):
        return tuple(_clone_value(v) for v in value)
    if isinstance(value, SandboxWorkspaceScope):
        return value
    if isinstance(value, BaseModel) and not isinstance(value, Capability):
        try:
            return value.model_copy(deep=True)
        except Exception:  # a model holding a live object: shared, as other live objects are
            return value
    return value
