"""The SDK's ``agents.run_context`` path: the context wrapper every hook, tool and guardrail receives."""

from __future__ import annotations

from .context_wrapper import RunContextWrapper, TContext
from .lifecycle import AgentHookContext

__all__ = ["AgentHookContext", "RunContextWrapper", "TContext"]
