"""A model's answer as the OpenAI Agents SDK shows it: ``ModelResponse.output`` in the ``openai`` Responses types.

The runtime keeps each answer as its own items (``AssistantMessage``, ``FunctionCall``, ``RawInputItem``: one
shape for every model). SDK code reads ``result.raw_responses[i].output`` and ``on_llm_end``'s ``response.output``
as ``openai`` objects (``item.type == "message"``, ``isinstance(item, ResponseFunctionShellToolCall)`` to find a
container id); given our items it would silently find nothing. Converting every answer when it arrives would cost a
pydantic object per tool call on every run, so what the application is handed is a :class:`ModelResponseView`:
the same response, whose ``output`` is converted when first read. Everything else reads through to the response.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .conversation_items import AssistantMessage, FunctionCall, RawInputItem, input_dict
from .models.interface import ModelResponse
from .responses_format import FAKE_RESPONSES_ID, function_call_object, hosted_call_object, output_message_object


class ModelResponseView(ModelResponse):
    """``source`` with its output as the SDK's ``openai`` output items. A message gets the SDK's placeholder id
    (:data:`FAKE_RESPONSES_ID`): the runtime keeps no provider message ids. Assigning ``output`` replaces the
    view's own list; ``to_input_items()`` is the response's own."""

    __slots__ = ("_sdk_output", "_source")

    _source: ModelResponse
    _sdk_output: list[Any] | None

    @property
    def output(self) -> list[Any]:
        output = self._sdk_output
        if output is None:
            output = self._sdk_output = [sdk_output_item(item) for item in self._source.output]
        return output

    @output.setter
    def output(self, value: list[Any]) -> None:
        self._sdk_output = value

    def to_input_items(self) -> list[dict[str, Any]]:
        return self._source.to_input_items()

    def __repr__(self) -> str:
        """The response as the runtime keeps it, named as the SDK's ``ModelResponse`` it stands for. Not the
        converted output: a repr must stay cheap (Python 3.11's ``asyncio.run`` formats the finished main task's
        result, a ``RunResult``, on its way out), and converting loads ``openai.types`` and builds an object per
        item."""
        return repr(self._source)

    @property
    def source(self) -> ModelResponse:
        """The response as the runtime keeps it (its items in this package's types)."""
        return self._source


def _read_through(name: str) -> property:
    def get(view: ModelResponseView) -> Any:
        return getattr(view._source, name)

    def put(view: ModelResponseView, value: Any) -> None:
        setattr(view._source, name, value)

    return property(get, put, doc=f"The response's ``{name}``.")


for _name in ("usage", "response_id", "request_id", "raw_usage", "model", "finish_reasons"):
    setattr(ModelResponseView, _name, _read_through(_name))


def response_view(response: ModelResponse) -> ModelResponse:
    """``response`` as the application is handed it (a view is returned as it is)."""
    if isinstance(response, ModelResponseView):
        return response
    view: ModelResponseView = object.__new__(ModelResponseView)
    view._source = response
    view._sdk_output = None
    return view


def response_views(responses: Iterable[ModelResponse]) -> list[ModelResponse]:
    return [response_view(r) for r in responses]


def sdk_output_item(item: Any) -> Any:
    """One output item in the SDK's type: ``ResponseOutputMessage``, ``ResponseFunctionToolCall``, or the
    ``openai`` type of a kept item (reasoning, a hosted or shell call; its dict if the installed ``openai`` cannot
    read it). Anything else (an item a model of one's own put there) is given as it is."""
    kind = type(item)
    if kind is AssistantMessage:
        message = output_message_object(item.content, item.refusal, item.annotations)
        return message if message.id == FAKE_RESPONSES_ID else message.model_copy(update={"id": FAKE_RESPONSES_ID})
    if kind is FunctionCall:
        return function_call_object(item.call_id, item.name, item.arguments)
    if isinstance(item, FunctionCall):  # a program's or a hosted agent's call: its input form carries the rest
        return hosted_call_object(input_dict(item))
    if kind is RawInputItem:
        return hosted_call_object(item.data)
    return item
