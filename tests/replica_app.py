"""The agent the replica tests serve with ``agents-otel serve replica_app:make_agent`` in separate processes.

A run's input is ``GATE STEPS``: its one tool takes STEPS steps, each waiting for a token the test pushes to the
list ``gate:GATE`` in the *control* Redis (``REPLICA_TEST_CONTROL_URL``), then sending progress. The control
Redis is not the broker, so a test can restart the broker mid-run while still driving the tool. Each execution
of the tool counts itself in ``executions:GATE``, so a test can prove a run was never executed twice.
"""

from __future__ import annotations

import os
from typing import Any

import redis

from agents_otel import Agent, ToolContext, function_tool
from agents_otel.items import UserMessage
from agents_otel.models.interface import ModelRequest
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SAFETY_TIMEOUT = 60


def _control() -> redis.Redis:
    return redis.Redis.from_url(os.environ["REPLICA_TEST_CONTROL_URL"], decode_responses=True)


@function_tool
def stepper(ctx: ToolContext[Any], gate: str, steps: int) -> str:
    """Take ``steps`` steps, each released by the test."""
    control = _control()
    control.incr(f"executions:{gate}")
    for i in range(1, steps + 1):
        if control.blpop([f"gate:{gate}"], timeout=SAFETY_TIMEOUT) is None:
            raise TimeoutError(f"{gate}: step {i} was never released")
        ctx.send_progress({"step": i, "progress": i / steps})
    return f"{gate} done"


def _plan(request: ModelRequest) -> list[Any]:
    text = next(item.content for item in request.input if isinstance(item, UserMessage))
    gate, steps = text.split()
    return [function_call("stepper", {"gate": gate, "steps": int(steps)}, call_id=f"call_{gate}")]


def make_agent() -> Agent[Any]:
    return Agent(name="Replicated", tools=[stepper], model=ScriptedModel([_plan, [assistant_message("all done")]]))
