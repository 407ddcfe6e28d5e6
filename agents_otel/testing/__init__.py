"""Deterministic test doubles: ``ScriptedModel`` and the items it answers with, in this package's form and in the
OpenAI Agents SDK's (``agents.testing``: ``ModelStep``, ``ModelStepSpec``, ``ModelCall`` and the script errors).

The SDK's sandbox doubles (``ScriptedSandboxSession``, ``scripted_sandbox_session``, ``SandboxCall``, the
``SandboxScriptError``s) are here too, loaded on first use (``testing.sandbox``): they need ``agents_otel.sandbox``,
which ``import agents_otel.testing`` should not load for tests that never touch a sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .helpers import ScriptCallError, assistant_message, check_call, computer_call, custom_tool_call, function_call
from .model import ScriptedModel
from .steps import (
    InvalidModelStep,
    ModelCall,
    ModelScriptError,
    ModelStep,
    ModelStepSpec,
    ScriptExhaustedError,
    UnconsumedModelSteps,
    UnexpectedModelCall,
)

if TYPE_CHECKING:
    from .sandbox import (
        InvalidSandboxStep,
        SandboxCall,
        SandboxCallMatcherError,
        SandboxScriptError,
        SandboxStepSpec,
        ScriptedSandboxSession,
        UnconsumedSandboxSteps,
        UnexpectedSandboxCall,
        scripted_sandbox_session,
    )

_SANDBOX_NAMES = frozenset(
    {
        "InvalidSandboxStep",
        "SandboxCall",
        "SandboxCallMatcherError",
        "SandboxScriptError",
        "SandboxStepSpec",
        "ScriptedSandboxSession",
        "UnconsumedSandboxSteps",
        "UnexpectedSandboxCall",
        "scripted_sandbox_session",
    }
)


def __getattr__(name: str) -> Any:
    if name in _SANDBOX_NAMES:
        from . import sandbox

        return getattr(sandbox, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "InvalidModelStep",
    "InvalidSandboxStep",
    "ModelCall",
    "ModelScriptError",
    "ModelStep",
    "ModelStepSpec",
    "SandboxCall",
    "SandboxCallMatcherError",
    "SandboxScriptError",
    "SandboxStepSpec",
    "ScriptCallError",
    "ScriptExhaustedError",
    "ScriptedModel",
    "ScriptedSandboxSession",
    "UnconsumedModelSteps",
    "UnconsumedSandboxSteps",
    "UnexpectedModelCall",
    "UnexpectedSandboxCall",
    "assistant_message",
    "check_call",
    "computer_call",
    "custom_tool_call",
    "function_call",
    "scripted_sandbox_session",
]
