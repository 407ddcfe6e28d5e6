"""A run that finished, as a ``RunState``: the SDK gives a state for any result, and resuming it calls the model again.

Why: applications save ``result.to_state().to_json()`` after every run, finished or stopped for approvals, and
resume from it on their next start (the SDK's own ``examples/memory/file_hitl_example.py``). The SDK's state of a
finished run has no current step, which its runner takes as "run the agent again": the last agent's model is called
with the run's conversation (the input, then every item the run added), the turn count goes on from the finished
run's (``max_turns`` counts across both), the input guardrails do not run again (they ran on the first turn), the
agent's ``on_agent_start`` hooks do, and a session gets only what the new turns add (the finished run saved the
rest). ``add_input`` on such a state is a ``UserError``, as in the SDK (a terminal state takes no input).

Such a state is a ``PausedRun`` whose turn is ``finished``: nothing waits, nothing can be decided. Nothing is built
unless ``to_state()`` is called: the result keeps a reference to its finished loop until then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models.interface import ModelResponse
from .tool_approvals import PausedRun, PausedTurn

if TYPE_CHECKING:
    from .agent import Agent
    from .agent_loop import AgentLoop


def finished_run(loop: AgentLoop, starting_agent: Agent[Any]) -> PausedRun:
    """What ``to_state()`` of ``loop``'s finished run holds; ``starting_agent``: the agent the run started with."""
    items = loop.run.run_items()  # the result's new_items (built now if nobody read them)
    last = loop.responses[-1] if loop.responses else ModelResponse([])  # no model call: a max_turns handler's answer
    turn = PausedTurn(loop.last_agent or starting_agent, last, [], [], len(items), [], finished=True)
    return PausedRun.of(loop, starting_agent, turn)


__all__ = ["finished_run"]
