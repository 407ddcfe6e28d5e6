"""The SDK's ``agents.extensions.handoff_prompt``: instructions that tell an agent how handoffs work.

Applications put ``RECOMMENDED_PROMPT_PREFIX`` in agents' instructions and some compare or log the resulting
prompt, so it is kept byte for byte as the SDK has it (a prompt its users depend on, not code of ours).
"""

from __future__ import annotations

# Verbatim the SDK's text, on purpose: the prompt is a compatibility requirement (same model behaviour, same
# instructions in traces and tests written for the SDK), so it must not be reworded here.
RECOMMENDED_PROMPT_PREFIX = (
    "# System context\n"
    "You are part of a multi-agent system called the Agents SDK, designed to make agent "
    "coordination and execution easy. Agents uses two primary abstraction: **Agents** and "
    "**Handoffs**. An agent encompasses instructions and tools and can hand off a "
    "conversation to another agent when appropriate. "
    "Handoffs are achieved by calling a handoff function, generally named "
    "`transfer_to_<agent_name>`. Transfers between agents are handled seamlessly in the background;"
    " do not mention or draw attention to these transfers in your conversation with the user.\n"
)


def prompt_with_handoff_instructions(prompt: str) -> str:
    """``prompt`` after ``RECOMMENDED_PROMPT_PREFIX`` and a blank line, as the SDK joins them (a non-string is a
    ``UserError`` rather than its ``str()`` in the instructions)."""
    if not isinstance(prompt, str):
        from ..exceptions import UserError

        raise UserError(f"prompt_with_handoff_instructions needs a str, got {type(prompt).__name__}")
    return "\n\n".join((RECOMMENDED_PROMPT_PREFIX, prompt))


__all__ = ["RECOMMENDED_PROMPT_PREFIX", "prompt_with_handoff_instructions"]
