"""``OpenAIChatCompletionsModel``: a model on ``POST /v1/chat/completions``, the API nearly every OpenAI-compatible
server speaks (vLLM, Ollama, LiteLLM, Azure OpenAI, llama.cpp).

History becomes chat messages as ``_openai_chat_input`` describes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from openai.types.chat import ChatCompletion

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
            "model": self.model_name,
            "messages": chat_messages(request.system_instructions, request.input),
        }
        params.update(tool_params(request.tools, settings, "chat", request.hosted_tools))
        params.update(output_format_params(request.output_schema, "chat"))
        apply_settings(params, settings, "chat")
        return params

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        create: Any = self.client.chat.completions.create
        with openai_errors():
            completion: ChatCompletion = await create(**self.request_params(request))
        return model_response(completion)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        """Text deltas as they arrive, then the response assembled from the chunks.

        Usage is asked for with ``stream_options.include_usage``. The first chunk is forwarded as an empty
        ``TextDelta`` when it carries no text, so the ``chat`` span's time to first chunk is measured even when the
        answer is only tool calls.
        """
        create: Any = self.client.chat.completions.create
        include_usage = request.settings.include_usage is not False  # usage is asked for unless turned off
        params = {"stream_options": {"include_usage": include_usage}, **self.request_params(request), "stream": True}
        assembler = ChatStreamAssembler()
        with openai_errors():
            stream = await create(**params)
            async with stream:
                async for delta in stream_deltas(stream, assembler.feed):
                    yield delta
        yield assembler.finish()


def model_response(completion: ChatCompletion) -> ModelResponse:
    if not completion.choices:
        raise ModelError("The chat completion has no choices", error_type=INVALID_RESPONSE)
    choice = completion.choices[0]
    output: list[ModelOutputItem] = choice_items(choice.message, choice.finish_reason)
    usage = completion.usage
    return ModelResponse(
        output=output,
        usage=usage_from_openai(usage),
        response_id=completion.id or None,
        model=completion.model or None,
        finish_reasons=tuple(finish_reason_of(c.finish_reason) for c in completion.choices if c.finish_reason),
    )
