"""What a result offers beside its fields: ``to_input_list(mode=...)``, ``release_agents()``, and the small records
and helpers ``RunResult`` and ``RunResultStreaming`` share (a module of its own because ``result`` is at its size
limit).

``to_input_list``'s two modes, as in the OpenAI Agents SDK 0.23+: ``"normalized"`` is the conversation a follow-up
run should start from, the one the last agent answered from (after a handoff's input filter or nested history, the
rewritten one); ``"preserve_all"`` (the default) is the run's input then every item the run made, so what a handoff
filter hid from the next agent is kept. The two are the same list unless a handoff rewrote the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from weakref import ReferenceType, ref

from .approval_item import ToolApprovalItem
from .exceptions import UserError
from .input_items import RunInput, conversation_items, input_list

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .exceptions import RunErrorDetails
    from .items import ConversationItem, RunItem
    from .models.interface import ModelResponse
    from .result import RunResult
    from .run_runtime import RunRuntime

T = TypeVar("T")

ToInputListMode = Literal["preserve_all", "normalized"]
"""``to_input_list(mode=...)``, the SDK's type."""


class RunResultBase:
    """What ``RunResult`` and ``RunResultStreaming`` both are, as in the SDK (``agents.result.RunResultBase``), for
    code that takes either: ``isinstance(result, RunResultBase)``. Each defines the members itself."""

    __slots__ = ()


@dataclass(frozen=True)
class AgentToolInvocation:
    """The ``Agent.as_tool()`` call a nested run's result came from, as in the SDK: what a
    ``custom_output_extractor`` reads to know which outer call it is answering."""

    tool_name: str
    tool_call_id: str
    tool_arguments: str
    """The call's raw JSON arguments."""


def input_items(
    mode: object, run_input: RunInput, history: Sequence[ConversationItem], items: Iterable[RunItem], rewritten: bool
) -> list[dict[str, Any]]:
    """``to_input_list(mode=mode)`` of a run with this input, final history and items; ``rewritten``: a handoff
    rewrote the history (only then do the modes differ)."""
    if mode != "preserve_all" and mode != "normalized":
        raise UserError(f"to_input_list(mode=...) takes 'preserve_all' or 'normalized', got {mode!r}")
    if mode == "normalized" or not rewritten:
        return input_list(history)
    made = [item.to_input_item() for item in items if type(item) is not ToolApprovalItem]  # the SDK skips those
    return [*input_list(conversation_items(run_input)), *made]


def failed_input_list(details: RunErrorDetails | None, run_input: RunInput, mode: object) -> list[dict[str, Any]]:
    """A streamed run's ``to_input_list()`` before it completed: the input alone, or after a failure its
    conversation as the model would read it (the failed turn cut to its completed calls, each output in its own
    item type; kept by ``failed_run``), else the input and items."""
    if details is None:
        return input_items(mode, run_input, conversation_items(run_input), (), False)
    history = details.__dict__.get("_history")
    if history is not None:
        return input_items(mode, details.input, history, details.new_items, False)
    return input_list(conversation_items(details.input)) + [i.to_input_item() for i in details.new_items]


def streamed_state_error(*, failed: bool) -> UserError:
    """``to_state()`` of a streamed run without one: still running, or failed (nothing to resume; the SDK's state of
    a failed run retries from what it kept, and ``to_input_list()`` holds that here)."""
    if not failed:
        return UserError("to_state(): the streamed run has not ended; iterate stream_events() to its end first")
    return UserError(
        "to_state(): the streamed run failed, so there is nothing to resume; continue with result.to_input_list() "
        "(the completed tool calls of its last turn and their outputs included) + your next message"
    )


def release_items(items: Iterable[RunItem]) -> None:
    """``release_agent()`` on each item: the agents stay reachable through them only while the application holds
    them."""
    for item in items:
        item.release_agent()


def held(agent: Any) -> Any:
    """An agent as a result holds it (``release_agents`` makes that a weak reference): the agent, or ``None``."""
    return agent() if type(agent) is ReferenceType else agent


def weakly(agent: Any) -> Any:
    """A weak reference to ``agent`` (itself if already one, or ``None``)."""
    return ref(agent) if agent is not None and type(agent) is not ReferenceType else agent


def new_items_of(self: RunResult) -> list[RunItem]:
    """``new_items``, with the tool items a run nobody streamed built on first read.

    Why lazily: most callers of ``Runner.run`` read ``final_output`` only, and building a run item pair (and the hex
    trace ids) for each of a hundred parallel tool calls is a measurable share of the run's own cost per call.
    The items are built from the same ``ToolCall`` records, in the same order, whenever they are first read.
    """
    state = self.__dict__
    run: RunRuntime | None = state.pop("_unbuilt", None)  # set by unbuilt_result; not a field, so fields() omit it
    if run is not None:
        run.run_items()  # builds them in place: the list stored here is the run's own
    return state["new_items"]  # type: ignore[no-any-return]


def set_new_items(self: RunResult, items: list[RunItem]) -> None:
    self.__dict__["new_items"] = items


def last_agent_of(self: RunResult) -> Any:
    return held(self.__dict__["last_agent"])


def set_last_agent(self: RunResult, agent: Any) -> None:
    self.__dict__["last_agent"] = agent


def last_response_id(responses: list[ModelResponse]) -> str | None:
    return responses[-1].response_id if responses else None


def final_output_as(value: Any, cls: type[T], raise_if_incorrect_type: bool) -> T:
    if raise_if_incorrect_type and not isinstance(value, cls):
        raise TypeError(f"Final output is {type(value).__name__}, not {cls.__name__}")
    return cast(T, value)


__all__ = [
    "AgentToolInvocation",
    "RunResultBase",
    "ToInputListMode",
    "final_output_as",
    "held",
    "input_items",
    "last_agent_of",
    "last_response_id",
    "new_items_of",
    "release_items",
    "set_last_agent",
    "set_new_items",
    "weakly",
]
