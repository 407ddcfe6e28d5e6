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

from ..exceptions import ModelError, UserError
from ..items import ModelOutputItem
from ..tracing.messages import finish_reason_of
from ._openai_chat_input import chat_messages
from ._openai_chat_output import ChatStreamAssembler, choice_items
from ._openai_client import OpenAIClientModel, stream_deltas
from ._openai_errors import INVALID_RESPONSE, openai_errors
from ._openai_output_format import output_format_params
from ._openai_settings import apply_settings
from ._openai_tools import tool_params
from ._openai_usage import usage_from_openai
from .interface import ModelRequest, ModelResponse, ModelStreamEvent


class OpenAIChatCompletionsModel(OpenAIClientModel):
    """``OpenAIChatCompletionsModel("llama3.1", openai_client=AsyncOpenAI(base_url="http://localhost:11434/v1"))``.

    ``ModelSettings`` map to ``temperature``, ``top_p``, ``max_tokens``, ``tool_choice`` and ``parallel_tool_calls``
    (``max_tokens`` because compatible servers understand it; for OpenAI reasoning models pass
    ``extra_args={"max_completion_tokens": n}``). ``extra_args`` are passed to ``client.chat.completions.create`` as
    keyword arguments.
    """

    def request_params(self, request: ModelRequest) -> dict[str, Any]:
        """The keyword arguments of ``client.chat.completions.create`` for ``request`` (without ``stream``)."""
        return chat_request_params(self.model_name, request)

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        create: Any = self.client.chat.completions.create
        with openai_errors():
            completion = await create(**self.request_params(request))
        return model_response(completion)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        """Text deltas as they arrive, then the response assembled from the chunks.

        Usage is asked for with ``stream_options.include_usage``. The first chunk is forwarded as an empty
        ``TextDelta`` when it carries no text, so the ``chat`` span's time to first chunk is measured even when the
        answer is only tool calls.
        """
        create: Any = self.client.chat.completions.create
        params = {**stream_params(request), **self.request_params(request), "stream": True}
        with openai_errors():
            stream = await create(**params)
            async with stream:
                async for event in chat_stream(stream):
                    yield event


def chat_request_params(model_name: str, request: ModelRequest) -> dict[str, Any]:
    """The Chat Completions parameters for ``request`` (without ``stream``): ``model``, ``messages``, tools,
    structured output and the settings, refusing what the API cannot carry."""
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
        "messages": chat_messages(request.system_instructions, request.input),
    }
    params.update(tool_params(request.tools, settings, "chat", request.hosted_tools))
    params.update(output_format_params(request.output_schema, "chat"))
    apply_settings(params, settings, "chat")
    return params


def stream_params(request: ModelRequest) -> dict[str, Any]:
    """Usage is asked for unless ``include_usage=False``, so a streamed call reports tokens as a complete one does."""
    return {"stream_options": {"include_usage": request.settings.include_usage is not False}}


async def chat_stream(stream: AsyncIterable[Any]) -> AsyncIterator[ModelStreamEvent]:
    """A delta per chunk (see ``stream_deltas``), then the ``ModelResponse`` assembled from them; the caller opens
    and closes ``stream`` and maps its errors."""
    assembler = ChatStreamAssembler()
    async for delta in stream_deltas(stream, assembler.feed):
        yield delta
    yield assembler.finish()


def model_response(completion: Any) -> ModelResponse:
    """The ``ModelResponse`` of a ``ChatCompletion``, or of anything shaped like one (LiteLLM's ``ModelResponse``)."""
    if not completion.choices:
        raise ModelError("The chat completion has no choices", error_type=INVALID_RESPONSE)
    choice = completion.choices[0]
    output: list[ModelOutputItem] = choice_items(choice.message, choice.finish_reason)
    return ModelResponse(
        output=output,
        usage=usage_from_openai(getattr(completion, "usage", None)),  # LiteLLM leaves the field out without usage
        response_id=completion.id or None,
        model=completion.model or None,
        finish_reasons=tuple(finish_reason_of(c.finish_reason) for c in completion.choices if c.finish_reason),
    )
