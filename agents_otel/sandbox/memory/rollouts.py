"""One run segment as a line of its rollout file (``<sessions_dir>/<rollout_id>.jsonl``).

What a line holds, as in the SDK: ``updated_at``, ``rollout_id``, the segment's ``input`` (with an SDK ``Session``,
only the items this run added to it), its ``generated_items``, ``interruptions`` when it paused for approvals,
``terminal_metadata`` (how it ended) and ``final_output``. System and developer messages, reasoning and compaction
items are left out: they are the runtime's, not what happened. Which file: runs that share a conversation share a
rollout (the server conversation id, else the ``Session``'s id, else ``RunConfig.group_id``, else one per run).
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ...exceptions import MaxTurnsExceeded
from ...input_items import conversation_items, input_list
from ...safe_json import to_jsonable

if TYPE_CHECKING:
    from ...agent_loop import AgentLoop

ROLLOUT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_DROPPED_ROLES = frozenset({"developer", "system"})
_KEPT_ROLES = frozenset({"assistant", "tool", "user"})
_KEPT_TYPES = frozenset({
    "apply_patch_call", "apply_patch_call_output", "computer_call", "computer_call_output", "custom_tool_call",
    "custom_tool_call_output", "function_call", "function_call_output", "local_shell_call",
    "local_shell_call_output", "mcp_approval_request", "mcp_approval_response", "mcp_call", "program",
    "program_output", "shell_call", "shell_call_output", "tool_search_call", "tool_search_output", "web_search_call",
})  # fmt: skip


def rollout_file_name(rollout_id: str) -> str:
    """``<rollout_id>.jsonl``; an id that is not a plain file name is a ``ValueError`` (it names a file)."""
    rollout_id = rollout_id.strip()
    if not ROLLOUT_ID.fullmatch(rollout_id):
        raise ValueError(
            f"Sandbox memory rollout id {rollout_id!r} is not a file-safe id (letters, digits, '.', '_' or '-')"
        )
    return f"{rollout_id}.jsonl"


def rollout_id_of(loop: AgentLoop) -> str:
    server = loop.conversation.server
    if server is not None and server.conversation_id and server.conversation_id.strip():
        return server.conversation_id.strip()
    session_id = getattr(loop.session, "session_id", None) if loop.session is not None else None
    if isinstance(session_id, str) and session_id.strip():
        return session_id.strip()
    group_id = loop.run.config.group_id
    if group_id is not None and group_id.strip():
        return group_id.strip()
    return f"run-{uuid.uuid4().hex}"


class RolloutTerminalMetadata(BaseModel):
    terminal_state: str
    """``completed``, ``interrupted``, ``cancelled``, ``failed``, ``max_turns_exceeded`` or ``guardrail_tripped``."""
    exception_type: str | None = None
    exception_message: str | None = None
    has_final_output: bool = False


def terminal_metadata(loop: AgentLoop, error: BaseException | None) -> RolloutTerminalMetadata:
    if error is None and loop.final_output is not None:
        return RolloutTerminalMetadata(terminal_state="completed", has_final_output=True)
    if error is None and loop.interruptions:
        return RolloutTerminalMetadata(terminal_state="interrupted")
    if error is None:
        return RolloutTerminalMetadata(terminal_state="failed")
    if isinstance(error, MaxTurnsExceeded):
        state = "max_turns_exceeded"
    elif "Guardrail" in type(error).__name__:  # the run's and the tools' tripwires, as the SDK tells them
        state = "guardrail_tripped"
    elif isinstance(error, asyncio.CancelledError):
        state = "cancelled"
    else:
        state = "failed"
    return RolloutTerminalMetadata(
        terminal_state=state, exception_type=type(error).__name__, exception_message=str(error) or None
    )


def _kept(item: dict[str, Any]) -> bool:
    role = item.get("role")
    if role in _DROPPED_ROLES:
        return False
    return role in _KEPT_ROLES or item.get("type") in _KEPT_TYPES


def segment_payload(loop: AgentLoop, error: BaseException | None, rollout_id: str) -> dict[str, Any]:
    """The line of the rollout file for the run segment ``loop`` just ended (``error``: why it failed)."""
    new_input = loop.conversation.new_input
    input_items = new_input if new_input is not None else input_list(conversation_items(loop.input))
    generated = [item.to_input_item() for item in loop.run.run_items()]
    metadata = terminal_metadata(loop, error)
    payload: dict[str, Any] = {
        "updated_at": datetime.now(tz=UTC).isoformat(),
        "rollout_id": rollout_id,
        "input": to_jsonable([item for item in input_items if _kept(item)]),
        "generated_items": to_jsonable([item for item in generated if _kept(item)]),
    }
    if loop.interruptions:
        payload["interruptions"] = to_jsonable([item.to_input_item() for item in loop.interruptions])
    payload["terminal_metadata"] = metadata.model_dump(mode="json")
    if error is None and loop.final_output is not None:
        payload["final_output"] = to_jsonable(loop.final_output)
    return payload


def dump_line(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), default=str) + "\n"
