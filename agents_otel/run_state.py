"""The SDK's ``agents.run_state`` path: the public, resumable ``RunState`` (``agents_otel.RunState``).

Why a module of this name holds only a re-export: SDK code writes ``from agents.run_state import RunState`` to resume a
paused run, so this path must give the very class the package root exports; the runtime's own per-run record is
``run_runtime.RunRuntime``, a different thing under a different name.
"""

from .run_resume_state import RunState as RunState

__all__ = ["RunState"]
