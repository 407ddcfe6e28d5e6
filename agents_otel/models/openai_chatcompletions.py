"""``OpenAIChatCompletionsModel``: a model on ``POST /v1/chat/completions``, the API nearly every OpenAI-compatible
server speaks (vLLM, Ollama, LiteLLM, Azure OpenAI, llama.cpp).

History becomes chat messages as ``_openai_chat_input`` describes. ``chat_request_params``, ``chat_stream`` and
``model_response`` are the one Chat Completions path: ``LitellmModel`` (``agents_otel.extensions.models``) sends
the same parameters through ``litellm.acompletion`` and reads its OpenAI-shaped answers with them, so the two
models cannot drift apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

import openai

from ..exceptions import ModelError, UserError
from ..items import ModelOutputItem
from ..tracing.messages import finish_reason_of
from ._openai_chat_input import ReasoningReplay, chat_messages
from ._openai_chat_output import ChatStreamAssembler, choice_items
from ._openai_client import OpenAIClientModel, stream_request_id
from ._openai_errors import INVALID_RESPONSE, openai_errors
from ._openai_output_format import output_format_params
from ._openai_settings import apply_settings
from ._openai_tools import tool_params
from ._openai_usage import raw_usage_snapshot, usage_from_openai
from .chat_stream_events import ChatStreamEvents, created_response, with_deltas
from .implied_settings import without_implied
from .interface import ModelRequest, ModelResponse, ModelSettings, ModelStreamEvent, ProviderEvent
from .reasoning_content_replay import ShouldReplayReasoningContent

_NON_REASONING_WITH_TOOLS = frozenset({"gpt-6-sol", "gpt-6-luna"})
"""Models whose Chat Completions requests with tools default to ``reasoning_effort="none"`` (the SDK 0.25's)."""


class OpenAIChatCompletionsModel(OpenAIClientModel):
    """``OpenAIChatCompletionsModel("llama3.1", openai_client=AsyncOpenAI(base_url="http://localhost:11434/v1"))``.

    ``ModelSettings`` map to ``temperature``, ``top_p``, ``max_tokens``, ``tool_choice`` and ``parallel_tool_calls``
    (``max_tokens`` because compatible servers understand it; for OpenAI reasoning models pass
    ``extra_args={"max_completion_tokens": n}``). ``extra_args`` are passed to ``client.chat.completions.create`` as
    keyword arguments.

    The SDK's options: ``strict_feature_validation`` (``True``: a Responses-only feature — a stored prompt,
    ``previous_response_id`` / ``conversation_id``, an image or file tool output, ``reasoning.mode`` /
    ``reasoning.context`` — is a ``UserError``) is how this model always behaves, whatever the flag: it never drops
    what it cannot send. ``buffer_streamed_tool_calls=True`` reads a stream's tool calls as the SDK's buffering
    does, for servers whose tool-call chunks are unreliable: a fragment's name replaces the name so far (it is
    not appended), and a call left without an id or a name, or a ``tool_calls`` finish without any call, is a
    ``ModelBehaviorError`` (unbuffered: names are joined, a missing id is made up).

    Reasoning text a provider sends beside the answer (``reasoning_content``, ``reasoning``, ``thinking_blocks``) is
    a ``reasoning`` item, as in the SDK (``_chat_reasoning``). ``should_replay_reasoning_content`` (a
    ``ReasoningContentReplayContext -> bool`` hook, ``None``: the SDK's default, DeepSeek only) decides per item
    whether its summary goes back as the next request's ``reasoning_content``; a ``reasoning`` field's text goes
    back to the model that wrote it.
    """

    def __init__(
        self,
        model: str,
        openai_client: openai.AsyncOpenAI | None = None,
        should_replay_reasoning_content: Any = None,
        strict_feature_validation: bool = False,
        buffer_streamed_tool_calls: bool = False,
    ) -> None:
        if should_replay_reasoning_content is not None and not callable(should_replay_reasoning_content):
            raise UserError(
                "OpenAIChatCompletionsModel(should_replay_reasoning_content=...) must be a function of a "
                f"ReasoningContentReplayContext returning a bool, or None; got {should_replay_reasoning_content!r}"
            )
        for name, flag in (("strict_feature_validation", strict_feature_validation),
                           ("buffer_streamed_tool_calls", buffer_streamed_tool_calls)):  # fmt: skip
            if not isinstance(flag, bool):
                raise UserError(f"OpenAIChatCompletionsModel({name}=...) must be a bool, got {flag!r}")
        super().__init__(model, openai_client)
        self.should_replay_reasoning_content: ShouldReplayReasoningContent | None = should_replay_reasoning_content
        self.strict_feature_validation = strict_feature_validation
        self.buffer_streamed_tool_calls = buffer_streamed_tool_calls

    def _request_settings(
        self, settings: ModelSettings, *, prompt: Any, has_tools: bool, implied: frozenset[str]
    ) -> ModelSettings:
        """Implied defaults give way, as in the SDK 0.25, to ``extra_args`` carrying ``reasoning_effort`` /
        ``verbosity``, and an implied effort to the non-reasoning mode a GPT-6 model needs for tools here."""
        extra = settings.extra_args or {}
        reasoning = "reasoning_effort" in extra or (has_tools and self.model_name in _NON_REASONING_WITH_TOOLS)
        return without_implied(settings, implied, reasoning=reasoning, verbosity="verbosity" in extra)

    def request_params(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments of ``client.chat.completions.create`` for ``request`` (without ``stream``)."""
        replay = ReasoningReplay(self.model_name, self._base_url(), self.should_replay_reasoning_content)
        params = chat_request_params(self.model_name, request, replay)
        if self.model_name in _NON_REASONING_WITH_TOOLS and "tools" in params and "reasoning_effort" not in params:
            # as the SDK 0.25: these models take function tools on Chat Completions only in non-reasoning mode
            # (an effort the application set, in reasoning or extra_args / extra_body, is sent as it is)
            params["reasoning_effort"] = "none"
        return params

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        create: Any = self.client.chat.completions.create
        with openai_errors():
            completion = await create(**self.request_params(request))
        raw_usage = request.settings.preserve_raw_usage is True
        return model_response(completion, raw_usage=raw_usage, model_name=self.model_name)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        """Text (and refusal) deltas as they arrive, among the Responses stream events the SDK makes of the chunks
        (``response.created``, ``output_item.added``, ``function_call_arguments.delta``, ..., ``response.completed``),
        then the response assembled from the chunks.

        Usage is asked for with ``stream_options.include_usage``. A chunk without text is an empty ``TextDelta``
        (never forwarded), so the ``chat`` span's time to first chunk is measured even when the answer is only tool
        calls.
        """
        create: Any = self.client.chat.completions.create
        params = {**stream_params(request), **self.request_params(request), "stream": True}
        raw_usage = request.settings.preserve_raw_usage is True
        with openai_errors():
            stream = await create(**params)
            request_id = stream_request_id(stream)
            async with stream:
                events = chat_stream(
                    stream, request, self.model_name, raw_usage=raw_usage, buffered=self.buffer_streamed_tool_calls
                )
                async for event in events:
                    if isinstance(event, ModelResponse):
                        event.request_id = request_id
                    yield event


def chat_request_params(
    model_name: str, request: ModelRequest, replay: ReasoningReplay | None = None
) -> dict[str, Any]:
    """The Chat Completions parameters for ``request`` (without ``stream``): ``model``, ``messages``, tools,
    structured output and the settings, refusing what the API cannot carry. ``replay``: which reasoning text goes
    back (``None``: the SDK's default rule for ``model_name``, at no known endpoint)."""
    settings = request.settings
    if request.prompt is not None:  # running without the template would answer a different prompt
        raise UserError(
            f"Agent prompt {request.prompt['id']!r}: stored prompt templates need the Responses API "
            "(OpenAIResponsesModel); Chat Completions has no prompt parameter"
        )
    if request.server_managed:  # the new items alone would be a different conversation
        raise UserError(
            "previous_response_id, conversation_id and auto_previous_response_id need the Responses API "
            "(OpenAIResponsesModel): Chat Completions keeps no conversation on the server and must be sent the "
            "whole history; run without them to send it"
        )
    params: dict[str, Any] = {
        "model": model_name,
        "messages": chat_messages(request.system_instructions, request.input, replay or ReasoningReplay(model_name)),
    }
    params.update(tool_params(request.tools, settings, "chat", request.hosted_tools))
    params.update(output_format_params(request.output_schema, "chat"))
    apply_settings(params, settings, "chat")
    return params


def stream_params(request: ModelRequest) -> dict[str, Any]:
    """Usage is asked for unless ``include_usage=False``, so a streamed call reports tokens as a complete one does."""
    return {"stream_options": {"include_usage": request.settings.include_usage is not False}}


async def chat_stream(
    stream: AsyncIterable[Any],
    request: ModelRequest,
    model_name: str,
    *,
    raw_usage: bool = False,
    buffered: bool = False,
) -> AsyncIterator[ModelStreamEvent]:
    """One delta per chunk (its text or refusal, else an empty ``TextDelta``: the ``chat`` span times every wire
    chunk), each among the Responses events the SDK makes of the chunk (``ProviderEvent``s, see
    ``chat_stream_events``), then the closing events and the ``ModelResponse`` assembled from the chunks. The caller
    opens and closes ``stream`` and maps its errors. ``request`` and ``model_name`` fill ``response.created``;
    ``raw_usage``: keep the usage payload as sent (``preserve_raw_usage``); ``buffered``: the SDK's buffered tool-call
    reading (``buffer_streamed_tool_calls``)."""
    assembler = ChatStreamAssembler(raw_usage=raw_usage, buffered=buffered, model=model_name)
    events = ChatStreamEvents(created_response(model_name, request), buffered=buffered)
    async for chunk in stream:
        delta = assembler.feed(chunk)
        for event in with_deltas(delta, chunk, events.feed(chunk)):
            yield event
    response = assembler.finish(events.reasoning())
    for closing in events.finish(response):
        yield ProviderEvent(closing)
    yield response


def model_response(completion: Any, *, raw_usage: bool = False, model_name: str | None = None) -> ModelResponse:
    """The ``ModelResponse`` of a ``ChatCompletion``, or of anything shaped like one (LiteLLM's ``ModelResponse``);
    ``raw_usage``: keep its usage payload as sent (``ModelSettings.preserve_raw_usage``); ``model_name``: the
    model's name as configured, which a reasoning item records (else the completion's ``model``)."""
    if not completion.choices:
        raise ModelError("The chat completion has no choices", error_type=INVALID_RESPONSE)
    choice = completion.choices[0]
    provider_data: dict[str, Any] = {"model": model_name or completion.model}
    if completion.id:
        provider_data["response_id"] = completion.id
    output: list[ModelOutputItem] = choice_items(choice.message, choice.finish_reason, provider_data)
    return ModelResponse(
        output=output,
        usage=usage_from_openai(getattr(completion, "usage", None)),  # LiteLLM leaves the field out without usage
        response_id=completion.id or None,
        request_id=getattr(completion, "_request_id", None),
        raw_usage=raw_usage_snapshot(getattr(completion, "usage", None)) if raw_usage else None,
        model=completion.model or None,
        finish_reasons=tuple(finish_reason_of(c.finish_reason) for c in completion.choices if c.finish_reason),
    )
