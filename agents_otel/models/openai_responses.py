"""``OpenAIResponsesModel``: a model on the OpenAI Responses API (``POST /v1/responses``) through the official client.

By default the conversation is sent whole on every turn (nothing relies on server-side storage), so history is
exactly the run's ``history`` and a run can move between models and APIs. A run given ``previous_response_id``,
``conversation_id`` or ``auto_previous_response_id`` sends ``previous_response_id`` / ``conversation`` and only the
items the server has not seen (the agent loop decides which; see ``ModelRequest``). Tool calls go back as
``function_call`` items with the model's own ``call_id`` and its ``arguments`` verbatim, even when they are not valid
JSON, so every ``function_call_output`` pairs with the call the model actually made.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from typing import Any, TypeAlias

import openai
from openai.types.responses import Response, ResponseInputItemParam

from ..exceptions import ModelError, UserError
from ..items import (
    AssistantMessage,
    ConversationItem,
    FunctionCall,
    FunctionCallOutput,
    ModelOutputItem,
    RawInputItem,
    SystemMessage,
    UserMessage,
)
from ..local_tools import LOCAL_CALL_KINDS
from ..responses_format import (
    FAKE_RESPONSES_ID,
    assistant_message_dict,
    function_call_dict,
    function_call_output_dict,
)
from ._openai_client import OpenAIClientModel, stream_deltas, stream_request_id
from ._openai_errors import openai_errors
from ._openai_output_format import output_format_params
from ._openai_responses_output import RESPONSE_EVENTS, ResponsesStreamAssembler, output_items
from ._openai_settings import apply_settings
from ._openai_tools import tool_params
from ._openai_usage import raw_usage_snapshot, usage_from_openai
from .implied_settings import without_implied
from .interface import ModelRequest, ModelResponse, ModelSettings, ModelStreamEvent

TResponseInputItem: TypeAlias = ResponseInputItemParam
"""The SDK's name for one Responses API input item (a typed dict), as programs annotate their input lists with it;
``Runner.run`` takes such dicts as they are (see :mod:`agents_otel.input_items`)."""


class OpenAIResponsesModel(OpenAIClientModel):
    """``OpenAIResponsesModel("gpt-4.1-mini")`` or ``OpenAIResponsesModel("gpt-4.1-mini", openai_client=client)``.

    ``ModelSettings`` map to ``temperature``, ``top_p``, ``max_output_tokens``, ``tool_choice`` and
    ``parallel_tool_calls``; ``extra_args`` are passed to ``client.responses.create`` as keyword arguments
    (``{"store": False}``, ``{"reasoning": {...}}``, ``{"timeout": 30}``, ``{"extra_headers": {...}}``).

    ``model_is_explicit=False`` (a provider's model for an agent that names none): a call with a stored prompt
    (``Agent(prompt=...)``) sends no ``model``, so the prompt's configured model answers, as in the SDK.
    """

    def __init__(
        self, model: str, openai_client: openai.AsyncOpenAI | None = None, *, model_is_explicit: bool = True
    ) -> None:
        super().__init__(model, openai_client)
        self.model_is_explicit = model_is_explicit

    def _request_settings(
        self, settings: ModelSettings, *, prompt: Any, has_tools: bool, implied: frozenset[str]
    ) -> ModelSettings:
        """Implied defaults give way, as in the SDK 0.25, to a stored prompt that picks the model (its own settings
        apply) and to ``extra_args`` carrying ``reasoning`` / ``text``."""
        extra = settings.extra_args or {}
        prompt_model = prompt is not None and not self.model_is_explicit
        return without_implied(
            settings, implied, reasoning=prompt_model or "reasoning" in extra, verbosity=prompt_model or "text" in extra
        )

    def request_params(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments of ``client.responses.create`` for ``request`` (without ``stream``)."""
        params = responses_request_params(self.model_name, request)
        if request.prompt is not None and not self.model_is_explicit:
            del params["model"]
        return params

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        create: Any = self.client.responses.create
        with openai_errors():
            response: Response = await create(**self.request_params(request))
        return model_response(response, raw_usage=request.settings.preserve_raw_usage is True)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        """Text deltas as they arrive, then the response assembled from the streamed items.

        The first event is an empty ``TextDelta`` for the stream's first chunk (``response.created``), so the
        ``chat`` span's time to first chunk is measured even when the answer is only tool calls.
        """
        with openai_errors():
            async with contextlib.aclosing(self.stream_events(request)) as events:  # closed even when left early
                async for event in responses_stream(events, raw_usage=request.settings.preserve_raw_usage is True):
                    yield event

    async def stream_events(self, request: ModelRequest) -> AsyncGenerator[Any]:
        """The transport: the Responses stream events of ``request``, typed as the openai package types them (here
        over HTTP; ``OpenAIResponsesWSModel`` reads the same events from a websocket). Everything else, the request
        and how the events become a ``ModelResponse``, is the same for both."""
        create: Any = self.client.responses.create
        stream = await create(**self.request_params(request), stream=True)
        request_id = stream_request_id(stream)
        async with stream:
            async for event in stream:
                if request_id is not None and event.type in RESPONSE_EVENTS:
                    event.response._request_id = request_id  # where a response the client parsed carries it
                yield event


def responses_request_params(model_name: str, request: ModelRequest) -> dict[str, Any]:
    """The Responses API parameters for ``request`` (without ``stream``); ``AnyLLMModel``
    (``agents_otel.extensions.models``) sends the same ones through any-llm, so the two cannot drift apart."""
    settings = request.settings
    params: dict[str, Any] = {"model": model_name, "input": responses_input(request.input)}
    if request.system_instructions:
        params["instructions"] = request.system_instructions
    if request.prompt is not None:
        params["prompt"] = request.prompt
    if request.previous_response_id is not None:
        params["previous_response_id"] = request.previous_response_id
    if request.conversation_id is not None:
        params["conversation"] = request.conversation_id
    params.update(tool_params(request.tools, settings, "responses", request.hosted_tools, model_name))
    params.update(output_format_params(request.output_schema, "responses"))
    apply_settings(params, settings, "responses")
    return params


async def responses_stream(stream: AsyncIterable[Any], *, raw_usage: bool = False) -> AsyncIterator[ModelStreamEvent]:
    """A delta per stream event (see ``stream_deltas``), then the ``ModelResponse`` assembled from them; the caller
    opens and closes ``stream`` and maps its errors."""
    assembler = ResponsesStreamAssembler()
    async for delta in stream_deltas(stream, assembler.feed):
        yield delta
    final, items = assembler.finish()
    yield model_response(final, items, raw_usage=raw_usage)


def responses_input(items: list[ConversationItem]) -> list[dict[str, Any]]:
    """The Responses API input of a conversation. As the SDK cleans it: a reasoning item another provider made (a
    Chat Completions answer's, with ``provider_data``) is left out, and no item carries ``provider_data`` or the
    made-up id ``__fake_id__``, which the API would refuse."""
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, UserMessage):
            out.append({"role": "user", "content": item.content})
        elif isinstance(item, AssistantMessage):
            if item.refusal or item.annotations:  # only an output message holds a refusal part or annotations
                out.append(assistant_message_dict(item.content, item.refusal, item.annotations))  # (no id, as the SDK)
            else:
                out.append({"role": "assistant", "content": item.content})
        elif isinstance(item, FunctionCall):
            out.append(function_call_dict(item.call_id, item.name, item.arguments))
        elif isinstance(item, FunctionCallOutput):
            out.append(function_call_output_dict(item.call_id, item.output))
        elif isinstance(item, SystemMessage):
            out.append({"role": item.role, "content": item.content})
        elif isinstance(item, RawInputItem):
            data = item.data  # an item type we do not interpret: the API gets it untouched, but for
            if data.get("provider_data") or data.get("id") == FAKE_RESPONSES_ID:  # what another API's answer left
                if data.get("type") == "reasoning" and data.get("provider_data"):
                    continue  # another provider's reasoning (Chat Completions): the SDK does not send it either
                data = {k: v for k, v in data.items() if k != "provider_data" and (k, v) != ("id", FAKE_RESPONSES_ID)}
            out.append(data)
        else:
            raise UserError(f"{type(item).__name__} is not a conversation item the Responses API can take")
    return out


def model_response(
    response: Response, output: list[ModelOutputItem] | None = None, *, raw_usage: bool = False
) -> ModelResponse:
    """``output``: items assembled from a stream, else the response's own. ``request_id`` is the one the client
    read from the HTTP response (``x-request-id``); ``raw_usage`` (``ModelSettings.preserve_raw_usage``) keeps the
    usage payload as the API sent it."""
    raise_if_failed(response)
    items = output if output is not None else output_items(list(response.output))
    usage = response.usage
    return ModelResponse(
        output=items,
        usage=usage_from_openai(usage),
        response_id=response.id,
        request_id=getattr(response, "_request_id", None),
        raw_usage=raw_usage_snapshot(usage) if raw_usage else None,
        model=response.model,
        finish_reasons=(finish_reason(response, items),),
    )


def raise_if_failed(response: Response) -> None:
    if response.status == "failed":
        error = response.error
        message = error.message if error is not None else "no error details"
        failure = ModelError(f"The model failed to respond: {message}", error_type=(error.code if error else "failed"))
        if response.usage is not None:  # the tokens it used still count (the SDK 0.25's)
            failure._terminal_usage = usage_from_openai(response.usage)
        raise failure


def finish_reason(response: Response, items: list[ModelOutputItem]) -> str:
    """The Responses API has a status, not a finish reason: map it onto the GenAI conventions' finish reasons
    (``stop``, ``length``, ``content_filter``, ``tool_call``), as the Chat Completions reasons are."""
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        return {"max_output_tokens": "length", "content_filter": "content_filter"}.get(reason or "", "incomplete")
    if any(isinstance(i, FunctionCall) or _runs_here(i) for i in items):
        return "tool_call"
    return "stop"


def _runs_here(item: ModelOutputItem) -> bool:
    """A ``computer_call``, a custom tool's or a shell's call is a tool call too, run by this process."""
    return type(item) is RawInputItem and item.data.get("type") in _CALLS_RUN_HERE


_CALLS_RUN_HERE = frozenset(("computer_call", "custom_tool_call", *LOCAL_CALL_KINDS))
