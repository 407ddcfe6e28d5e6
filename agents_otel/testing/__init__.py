"""Deterministic test doubles: ``ScriptedModel`` and the items it answers with, in this package's form and in the
OpenAI Agents SDK's (``agents.testing``: ``ModelStep``, ``ModelStepSpec``, ``ModelCall`` and the script errors).

The SDK's sandbox doubles (``ScriptedSandboxSession``, ``scripted_sandbox_session``, ...) are not here: they need
``agents.sandbox``, which this runtime does not have, so importing them is an ``ImportError``.
"""

from __future__ import annotations

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

__all__ = [
    "InvalidModelStep",
    "ModelCall",
    "ModelScriptError",
    "ModelStep",
    "ModelStepSpec",
    "ScriptCallError",
    "ScriptExhaustedError",
    "ScriptedModel",
    "UnconsumedModelSteps",
    "UnexpectedModelCall",
    "assistant_message",
    "check_call",
    "computer_call",
    "custom_tool_call",
    "function_call",
]
