"""Running a model's computer calls on the program's computer, through the one tool-call path.

Each ``computer_call`` in an answer becomes one call of an internal ``FunctionTool`` (``ComputerFunction``) run by
``execute_tool_call``: the same ``execute_tool`` span, hooks, ``tool_called`` / ``tool_output`` items and stream
events as a function tool's, with ``gen_ai.tool.name`` ``computer`` (``gen_ai.tool.type`` ``function``: the
conventions' value for a tool run on the client side). Hooks see the ``ComputerTool`` itself, as in the SDK. A
turn's computer calls run one after another, after its function calls (two batches on one screen must not
interleave); a failing action fails the run, as in the SDK. The call's answer is a ``computer_call_output`` with
the screenshot, not text.

Which computer: ``resolve_computer`` gives each run context its own (a ``ComputerProvider`` or factory makes one per
run, disposed by ``dispose_resolved_computers`` when the run ends); the model request is built from a copy of the
tool holding that computer (the preview tool entry needs its display size), so concurrent runs never share one.
"""

from __future__ import annotations

import copy
import inspect
import json
import logging
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from opentelemetry import trace

from .computer import (
    COMPUTER_TRACE_NAME,
    AsyncComputer,
    Computer,
    ComputerCallText,
    ComputerLike,
    ComputerScreenshot,
    ComputerTool,
    ComputerToolSafetyCheckData,
)
from .computer_actions import perform
from .exceptions import ModelBehaviorError, UserError
from .items import FunctionCall, RawInputItem
from .responses_format import hosted_call_object
from .tool import FunctionTool
from .tool_execution import execute_tool_call
from .tool_features import ComputerToolCustomDataContext
from .tracing import attributes as A

if TYPE_CHECKING:
    from .agent import Agent
    from .agent_loop import AgentLoop
    from .context_wrapper import RunContextWrapper
    from .conversation import Conversation
    from .hosted_tools import HostedTool
    from .local_tools import LocalTool
    from .tool_context import ToolContext

logger = logging.getLogger("agents_otel")


@dataclass
class _Resolved:
    computer: ComputerLike
    dispose: Any = None


_by_run: dict[int, tuple[weakref.ref[Any], dict[ComputerTool[Any], _Resolved]]] = {}
"""Each run context's computers, by the context's identity (``RunContextWrapper`` compares by value, so it cannot be
a dict key); an entry goes when its context is collected, or when the run disposes it."""


def _computers(run_context: RunContextWrapper[Any], create: bool) -> dict[ComputerTool[Any], _Resolved] | None:
    key = id(run_context)
    entry = _by_run.get(key)
    if entry is not None and entry[0]() is run_context:
        return entry[1]
    if not create:
        return None

    def forget(ref: weakref.ref[Any]) -> None:
        current = _by_run.get(key)
        if current is not None and current[0] is ref:
            del _by_run[key]

    computers: dict[ComputerTool[Any], _Resolved] = {}
    _by_run[key] = (weakref.ref(run_context, forget), computers)
    return computers


async def resolve_computer(*, tool: ComputerTool[Any], run_context: RunContextWrapper[Any]) -> ComputerLike:
    """The computer ``tool`` uses in the run of ``run_context``: the tool's own, or the one its factory / provider
    made for that run (made on first use, then the same one until ``dispose_resolved_computers``)."""
    computers = _computers(run_context, create=True)
    assert computers is not None
    found = computers.get(tool)
    if found is not None:
        return found.computer
    config: Any = tool.computer
    dispose = None
    if isinstance(config, Computer | AsyncComputer):
        computer: Any = config
    else:
        create = config
        if not callable(config) or callable(getattr(config, "create", None)):  # a ComputerProvider (or alike)
            create, dispose = config.create, getattr(config, "dispose", None)
        computer = create(run_context=run_context)
        if inspect.isawaitable(computer):
            computer = await computer
    if not isinstance(computer, Computer | AsyncComputer):
        raise UserError(
            f"The computer tool did not provide a computer instance (its factory returned {type(computer).__name__}, "
            "not a Computer or AsyncComputer)"
        )
    computers[tool] = _Resolved(computer, dispose)
    return computer


async def dispose_resolved_computers(*, run_context: RunContextWrapper[Any]) -> None:
    """Dispose the computers made for the run of ``run_context`` (a provider's ``dispose``); the next
    ``resolve_computer`` for it makes new ones. A failing ``dispose`` is logged, and the others still run."""
    computers = _computers(run_context, create=False)
    if computers is None:
        return
    del _by_run[id(run_context)]
    for resolved in computers.values():
        if resolved.dispose is None:
            continue
        try:
            done = resolved.dispose(run_context=run_context, computer=resolved.computer)
            if inspect.isawaitable(done):
                await done
        except Exception as exc:
            logger.warning("Failed to dispose computer for run context: %s: %s", type(exc).__name__, exc)


def has_computers(run_context: RunContextWrapper[Any]) -> bool:
    """Whether the run resolved any computer (what a run's end checks before disposing)."""
    return bool(_by_run) and _computers(run_context, create=False) is not None


async def offered_tools(
    hosted: list[HostedTool | LocalTool], run_context: RunContextWrapper[Any]
) -> list[HostedTool | LocalTool]:
    """A turn's hosted tools with the ``ComputerTool`` replaced by the run's copy holding its computer (the same
    tool when it holds one already, so hooks and requests see the program's object)."""
    if not any(isinstance(t, ComputerTool) for t in hosted):
        return hosted
    offered: list[HostedTool | LocalTool] = []
    for tool in hosted:
        if isinstance(tool, ComputerTool):
            computer = await resolve_computer(tool=tool, run_context=run_context)
            tool = tool if tool.computer is computer else tool.with_computer(computer)
        offered.append(tool)
    return offered


@dataclass(slots=True)
class ComputerFunction(FunctionTool):
    """The internal tool a turn's computer calls run as; hooks see ``computer_tool`` in its place."""

    computer_tool: Any = None

    def hook_view(self, result: Any) -> tuple[Any, Any]:
        """What hooks get: the ``ComputerTool``, and the screenshot's base64 as ``on_tool_end``'s result (the SDK's)."""
        return self.computer_tool, (result.screenshot if isinstance(result, ComputerScreenshot) else result)

    def custom_data_context(
        self, ctx: ToolContext[Any], call: FunctionCall, value: Any, text: Any
    ) -> ComputerToolCustomDataContext:
        """The tool's extractor context: the model's call as the SDK types it, the screenshot's data URL, and a copy
        of the ``computer_call_output`` item."""
        assert isinstance(value, ComputerScreenshot) and isinstance(call.arguments, ComputerCallText)
        tool_call = hosted_call_object(call.arguments.item)
        return ComputerToolCustomDataContext(ctx, self.computer_tool, tool_call, str(value), copy.deepcopy(value.item))


class ComputerTurn:
    """The computer calls of one model answer, run after the turn's function calls."""

    def __init__(self, loop: AgentLoop, agent: Agent[Any], tool: ComputerTool[Any]) -> None:
        self.loop = loop
        self.agent = agent
        self.tool = tool
        self.calls: list[FunctionCall] = []
        self.items: dict[str, dict[str, Any]] = {}
        self.acknowledged: dict[str, list[dict[str, Any]] | None] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.function = ComputerFunction(
            COMPUTER_TRACE_NAME,
            "",
            {},
            self._invoke,
            failure_error_function=None,
            custom_data_extractor=cast(Any, tool.custom_data_extractor),  # its own context: custom_data_context
            computer_tool=tool,
        )

    def add(self, data: dict[str, Any]) -> None:
        call_id = data.get("call_id")
        if not isinstance(call_id, str) or not call_id:
            raise ModelBehaviorError(f"The model's computer_call has no call_id: {data.get('id')!r}")
        actions = data.get("actions") or ([data["action"]] if data.get("action") else [])
        self.items[call_id] = data
        self.calls.append(FunctionCall(COMPUTER_TRACE_NAME, ComputerCallText(json.dumps(actions), data), call_id))

    async def run(self, conversation: Conversation) -> None:
        for call in self.calls:
            self.acknowledged[call.call_id] = await self._acknowledge(self.items[call.call_id])
            await execute_tool_call(self.loop.run, self.agent, call, self.function)
            conversation.add(RawInputItem(self.outputs.pop(call.call_id)))

    async def _acknowledge(self, data: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The call's pending safety checks, each acknowledged by ``on_safety_check`` (one declined fails the run)."""
        checks = data.get("pending_safety_checks")
        callback = self.tool.on_safety_check
        if not checks or callback is None:
            return None
        tool_call = hosted_call_object(data)
        acknowledged: list[dict[str, Any]] = []
        for index, check in enumerate(checks):
            safety_check = tool_call.pending_safety_checks[index] if not isinstance(tool_call, dict) else check
            answer = callback(ComputerToolSafetyCheckData(self.loop.wrapper, self.agent, tool_call, safety_check))
            if inspect.isawaitable(answer):
                answer = await answer
            if not isinstance(answer, bool):
                raise UserError(f"ComputerTool on_safety_check returned {type(answer).__name__}, not bool")
            if not answer:
                raise UserError("Computer tool safety check was not acknowledged")
            acknowledged.append({key: check.get(key) for key in ("id", "code", "message")})
        return acknowledged

    async def _invoke(self, ctx: ToolContext[Any], arguments: str) -> ComputerScreenshot:
        call_id = ctx.tool_call_id
        data = self.items[call_id]
        computer = await resolve_computer(tool=self.tool, run_context=self.loop.wrapper)
        actions = data.get("actions") or ([data["action"]] if data.get("action") else [])
        screenshot = await perform(computer, actions)
        value = ComputerScreenshot(screenshot, call_id, self.acknowledged.pop(call_id, None))
        trace.get_current_span().set_attributes(
            {
                A.COMPUTER_ACTIONS: [str(a.get("type")) for a in actions if isinstance(a, dict)],
                A.COMPUTER_SCREENSHOT_MIME_TYPE: value.mime_type,
                A.COMPUTER_SCREENSHOT_SIZE: value.size,
            }
        )
        self.outputs[call_id] = value.item
        return value


def add_computer_call(
    turn: ComputerTurn | None, loop: AgentLoop, agent: Agent[Any], hosted: list[HostedTool], data: dict[str, Any]
) -> ComputerTurn:
    """Take a ``computer_call`` from the model's answer into the turn's computer calls (made on the first)."""
    if turn is None:
        tool = next((t for t in hosted if isinstance(t, ComputerTool)), None)
        if tool is None:
            raise ModelBehaviorError(f"The model made a computer_call, but agent {agent.name!r} has no ComputerTool")
        turn = ComputerTurn(loop, agent, tool)
    loop.used_tools.add(id(agent))  # counts for reset_tool_choice, as in the SDK
    turn.add(data)
    return turn


__all__ = [
    "ComputerFunction",
    "ComputerTurn",
    "add_computer_call",
    "dispose_resolved_computers",
    "has_computers",
    "offered_tools",
    "resolve_computer",
]
