"""``RunConfig(call_model_input_filter=...)``: the last word on what one model call sends, as in the OpenAI Agents SDK.

Why it looks like this: the run keeps its conversation as this runtime's own items, but the SDK's filter reads and
returns Responses-format dicts (``TResponseInputItem``). So, only when a filter is configured, the call's input is
turned into dicts once, deep-copied (a filter that mutates what it was given cannot reach the run's history), and
what the filter returns is parsed back by the parser ``Runner.run`` uses for its input: an item no model could be given
is a ``UserError`` there and here, never dropped. The filter shapes that one call only; the history the next turn
reads, ``RunResult.to_input_list()`` and the session keep everything, as in the SDK. The ``chat`` span is made from
the filtered request, so the trace records what was sent.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

from .exceptions import UserError
from .input_items import conversation_items, input_list

if TYPE_CHECKING:
    from .agent import Agent
    from .models.interface import ModelRequest
    from .models.openai_responses import TResponseInputItem

TContext = TypeVar("TContext")

FILTER_NAME = "call_model_input_filter"


@dataclass
class ModelInputData:
    """What one model call sends: its input items and system instructions. The filter gets one and returns one."""

    input: list[TResponseInputItem]
    instructions: str | None


@dataclass
class CallModelData(Generic[TContext]):
    """What ``RunConfig.call_model_input_filter`` receives before each model call, as in the SDK: the call's data,
    the agent about to call its model and the run's context (the object given as ``Runner.run(context=...)``)."""

    model_data: ModelInputData
    agent: Agent[TContext]
    context: TContext | None


CallModelInputFilter: TypeAlias = Callable[[CallModelData[Any]], "ModelInputData | Awaitable[ModelInputData]"]
"""A sync or async function of :class:`CallModelData` returning the :class:`ModelInputData` to send."""


async def filter_request(
    call_filter: CallModelInputFilter, request: ModelRequest, agent: Agent[Any], context: Any
) -> ModelRequest:
    """``request`` with the input and instructions the filter chose. What the filter raises propagates unchanged,
    as in the SDK; a result that is not a ``ModelInputData`` or cannot be sent is a ``UserError``."""
    items: Any = copy.deepcopy(input_list(request.input))  # the SDK's TResponseInputItem dicts, the filter's own
    given = ModelInputData(input=items, instructions=request.system_instructions)
    value: Any = call_filter(CallModelData(model_data=given, agent=agent, context=context))
    if inspect.isawaitable(value):
        value = await value
    if not isinstance(value, ModelInputData):
        raise UserError(f"{FILTER_NAME} must return a ModelInputData instance, got {type(value).__name__}")
    instructions = value.instructions
    if instructions is not None and not isinstance(instructions, str):
        raise UserError(
            f"{FILTER_NAME} returned instructions of type {type(instructions).__name__}; expected a string or None"
        )
    try:
        sent = conversation_items(value.input)
    except UserError as exc:
        raise UserError(f"{FILTER_NAME} returned an input the model cannot be given: {exc}") from exc
    return dataclasses.replace(request, system_instructions=instructions, input=sent)


__all__ = ["CallModelData", "CallModelInputFilter", "ModelInputData", "filter_request"]
