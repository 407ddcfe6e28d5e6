"""An MCP server's approval policy (``require_approval``) and retry settings, checked when the server is built.

Approval: the SDK's forms (``"always"`` / ``"never"``, a bool, ``{tool: "always" | "never" | bool}``,
``{"always": {"tool_names": [...]}, "never": {...}}``, a callable ``(run_context, agent, tool) -> bool``) become
each listed tool's ``FunctionTool.needs_approval``, so an MCP call waits on the same human-in-the-loop machinery
as any function tool (``result.interruptions``, ``RunState.approve`` / ``reject``).

Retries: ``tools/list`` and ``tools/call`` requests that fail (a JSON-RPC error, a request timeout, a transport
error) are sent again up to ``max_retry_attempts`` times (``-1``: without limit), waiting
``retry_backoff_seconds_base * 2**n`` (at most ``retry_backoff_seconds_max``) before the n-th new attempt. A
tool's own failure (``isError``) is an answer, not retried. A lost connection is not retried either: the session
is gone and every attempt would fail the same way.
"""

from __future__ import annotations

import asyncio
import inspect
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypedDict

from ..exceptions import UserError

if TYPE_CHECKING:
    from ..agent import AgentBase
    from ..context_wrapper import RunContextWrapper


class RequireApprovalToolList(TypedDict, total=False):
    tool_names: list[str]


class RequireApprovalObject(TypedDict, total=False):
    always: RequireApprovalToolList
    never: RequireApprovalToolList


RequireApprovalPolicy: TypeAlias = Literal["always", "never"]
RequireApprovalMapping: TypeAlias = dict[str, "RequireApprovalPolicy | bool"]
LocalMCPApprovalCallable: TypeAlias = Callable[
    ["RunContextWrapper[Any]", "AgentBase[Any]", Any], "bool | Awaitable[bool]"
]
"""``(run_context, agent, tool) -> bool`` (sync or async), asked for each call of the server's tools."""
RequireApprovalSetting: TypeAlias = (
    "RequireApprovalPolicy | RequireApprovalObject | RequireApprovalMapping | LocalMCPApprovalCallable | bool | None"
)

ApprovalPolicy: TypeAlias = "bool | dict[str, bool] | LocalMCPApprovalCallable"


def approval_policy(setting: object) -> ApprovalPolicy:
    """``require_approval`` in one of three shapes: a bool, a per-tool map, or the callable."""
    if setting is None:
        return False
    if isinstance(setting, bool):
        return setting
    if isinstance(setting, str):
        return _word(setting, "require_approval")
    if callable(setting):
        return setting
    if not isinstance(setting, dict):
        raise UserError(
            "require_approval must be 'always', 'never', a bool, a dict or a callable (run_context, agent, tool); "
            f"got {type(setting).__name__}"
        )
    if any(isinstance(setting.get(k), dict) for k in ("always", "never")):
        unknown = sorted(set(setting) - {"always", "never"})
        if unknown:
            raise UserError(f"require_approval: unexpected keys {unknown!r}; expected only 'always' and 'never'")
        always = _tool_names(setting.get("always", {}), "always")
        never = _tool_names(setting.get("never", {}), "never")
        both = sorted(set(always) & set(never))
        if both:
            raise UserError(f"require_approval: tool names in both always and never: {both!r}")
        return {**dict.fromkeys(never, False), **dict.fromkeys(always, True)}
    return {
        str(name): value if isinstance(value, bool) else _word(value, f"require_approval[{name!r}]")
        for name, value in setting.items()
    }


def _word(value: object, where: str) -> bool:
    if value == "always":
        return True
    if value == "never":
        return False
    raise UserError(f"{where}: expected 'always' or 'never', got {value!r}")


def _tool_names(entry: object, policy: str) -> list[str]:
    if not isinstance(entry, dict):
        raise UserError(f"require_approval[{policy!r}] must be {{'tool_names': [...]}}, got {type(entry).__name__}")
    names = entry.get("tool_names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise UserError(f"require_approval[{policy!r}]['tool_names'] must be a list of strings, got {names!r}")
    return names


def needs_approval_for(policy: ApprovalPolicy, tool: Any, agent: Any) -> Any:
    """The ``FunctionTool.needs_approval`` of one listed tool. A callable policy without an agent (a listing
    outside a run) requires approval: the check it would make cannot be skipped."""
    if isinstance(policy, bool):
        return policy
    if isinstance(policy, dict):
        return policy.get(str(tool.name), False)
    if agent is None:
        return True
    decide = policy

    async def ask(run_context: Any, _params: dict[str, Any], _call_id: str) -> Any:
        verdict = decide(run_context, agent, tool)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        return verdict  # the approval machinery refuses anything but a bool, naming the tool

    return ask


# ---- retries ----------------------------------------------------------------------------------------------------


def check_retries(attempts: object, base: object, cap: object) -> None:
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < -1:
        raise UserError(f"max_retry_attempts must be an int >= -1 (-1: without limit), got {attempts!r}")
    knobs = (("retry_backoff_seconds_base", base, False), ("retry_backoff_seconds_max", cap, True))
    for knob, value, optional in knobs:
        if value is None and optional:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise UserError(f"{knob} must be a non-negative finite number of seconds, got {value!r}")


def backoff_seconds(base: float, cap: float | None, backoffs_taken: int) -> float:
    try:
        delay = math.ldexp(base, backoffs_taken)
    except OverflowError:
        delay = math.inf
    return delay if cap is None else min(delay, cap)


async def sleep(seconds: float) -> None:
    """The wait between attempts (a seam the tests replace to see the delays)."""
    await asyncio.sleep(seconds)


def may_retry(max_attempts: int, retries_done: int) -> bool:
    return max_attempts == -1 or retries_done < max_attempts
