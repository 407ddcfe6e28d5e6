"""``RunContextWrapper``: what the application's callbacks receive about the run they are part of.

The OpenAI Agents SDK hands this object to dynamic instructions, lifecycle hooks, guardrails and handoff callbacks;
code written for the SDK reads ``wrapper.context`` (the object given to ``Runner.run(..., context=...)``) and
``wrapper.usage``. It is a plain record on purpose: the runtime's own run state lives elsewhere, so user code can
build one in a unit test without a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .models.interface import Usage

TContext = TypeVar("TContext")


@dataclass
class RunContextWrapper(Generic[TContext]):
    """The application's context object and the run's token usage so far."""

    context: TContext
    usage: Usage = field(default_factory=Usage)
    tool_input: Any = field(default=None, kw_only=True)
    """In the run of an agent used as a tool with structured ``parameters`` (or an ``input_builder``): the tool
    call's validated arguments as JSON-ready data (a dict for a model or dataclass), as in the SDK. ``None``
    elsewhere. Keyword-only, so the positional ``(context, usage, ...)`` of this class and its subclasses stays."""
