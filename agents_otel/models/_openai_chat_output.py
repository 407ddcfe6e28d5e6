"""Reading a Chat Completions answer: the items of a complete message, or assembled from streamed chunks.

A message's ``annotations`` (url citations: OpenAI's search-preview models, OpenRouter's web search) are its text's,
as the SDK converts them: each ``url_citation`` becomes the Responses API's ``url_citation`` annotation, any other
shape (another type, a citation missing a field) is skipped, and only a message with text keeps them; in a stream
they may arrive on any delta once the text has begun (with its first piece, or later), and accumulate.

A message's reasoning text (``reasoning_content``, ``reasoning``, ``thinking_blocks``) is one ``reasoning`` item
before its message and calls (``_chat_reasoning``); in a stream, ``chat_stream_events`` reads it from the deltas and
hands it to :meth:`ChatStreamAssembler.finish`.

In a stream, tool calls arrive as fragments keyed by ``index``: the first fragment carries the id and name, later
ones pieces of the arguments. A ``refusal`` (the message's field, or a delta's) is kept apart from the text: it is
no answer (``ModelRefusalError``). The chunk with ``finish_reason`` ends the answer and a trailing chunk without
choices carries usage; a stream that ends without a finish reason is an error, because half a tool call must never
be executed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from openai.types.chat import ChatCompletionChunk, ChatCompletionMessage
from openai.types.responses.response_output_text import AnnotationURLCitation
from pydantic import ValidationError

from ..exceptions import ModelBehaviorError, ModelError
from ..items import AssistantMessage, ModelOutputItem, RawInputItem
from ..tracing.messages import finish_reason_of
from ._chat_provider_data import call_id, call_signature, output_call
from ._chat_reasoning import message_reasoning
from ._openai_errors import INCOMPLETE_STREAM
from ._openai_usage import raw_usage_snapshot, usage_from_openai
from .interface import ModelResponse, RefusalDelta, TextDelta, Usage

logger = logging.getLogger(__name__)

CONTENT_FILTERED = "Response withheld by the provider's content filter."
"""The refusal of an answer the provider's filter withheld (``finish_reason="content_filter"`` and nothing else), in
the SDK's words: a refusal (``ModelRefusalError``), not an empty answer that would pass for the final output."""


def choice_items(
    message: ChatCompletionMessage | Any, finish_reason: str | None = None, provider_data: dict[str, Any] | None = None
) -> list[ModelOutputItem]:
    """The items of an OpenAI ``ChatCompletionMessage`` or one shaped like it (LiteLLM's ``Message``): its reasoning
    (carrying ``provider_data``, the model's name and the completion's id, as the SDK's item does), its text or
    refusal, its calls."""
    items: list[ModelOutputItem] = []
    reasoning = message_reasoning(message, provider_data or {})
    if reasoning is not None:
        items.append(reasoning)
    text, refusal = message.content or "", getattr(message, "refusal", None) or ""
    if finish_reason == "content_filter" and not (text or refusal or message.tool_calls):
        refusal = CONTENT_FILTERED
    if text or refusal:
        annotations = url_citations(getattr(message, "annotations", None)) if text else ()
        items.append(AssistantMessage(text, refusal, annotations))
    model = (provider_data or {}).get("model")
    for call in message.tool_calls or ():
        function = getattr(call, "function", None)  # custom (non-function) tool calls have none
        if function is not None:
            signature = call_signature(call, model)
            raw_id = call_id(call.id, model) if call.id else _fallback_id()
            items.append(output_call(function.name, function.arguments or "", raw_id, signature, provider_data or {}))
    return items


def url_citations(raw: Any) -> tuple[dict[str, Any], ...]:
    """Chat Completions annotations (typed or a provider's raw dicts) as Responses ``url_citation`` annotations;
    ``()`` when there are none, they are no list, or none is a whole url citation."""
    if not raw or not isinstance(raw, list | tuple):
        return ()
    converted: list[dict[str, Any]] = []
    for annotation in raw:
        citation = _field(annotation, "url_citation")
        if _field(annotation, "type") != "url_citation" or citation is None:
            continue
        fields = {key: _field(citation, key) for key in ("start_index", "end_index", "url", "title")}
        try:  # validated as the SDK does: an index given as "3" is read as 3, a missing field skips the citation
            valid = AnnotationURLCitation.model_validate({"type": "url_citation", **fields})
        except ValidationError:
            logger.debug("Skipping a malformed url citation: %r", annotation)
            continue
        converted.append(valid.model_dump(mode="json"))
    return tuple(converted)


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def _missing(what: str) -> ModelBehaviorError:
    return ModelBehaviorError(f"Buffered Chat Completions tool call stream ended without {what}")


def _fallback_id() -> str:
    """For servers that omit tool call ids: the output must still pair with its call."""
    return f"call_{uuid.uuid4().hex[:24]}"


@dataclass(slots=True)
class _Call:
    call_id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)
    signature: str | None = None


class ChatStreamAssembler:
    """``raw_usage``: keep the last usage payload as sent; ``buffered``: read tool calls as the SDK's
    ``buffer_streamed_tool_calls`` does (a name replaced, not joined; a call without id or name an error);
    ``model``: the model's name as configured, which a call's provider data records (Gemini's signatures)."""

    def __init__(self, *, raw_usage: bool = False, buffered: bool = False, model: str | None = None) -> None:
        self._model_name = model
        self._keep_raw_usage = raw_usage
        self._raw_usage: dict[str, Any] | None = None
        self._buffered = buffered
        self._text: list[str] = []
        self._refusal: list[str] = []
        self._annotations: list[dict[str, Any]] = []
        self._has_text = False
        self._calls: dict[int, _Call] = {}
        self._finish_reasons: list[str] = []
        self._usage = Usage()
        self._id: str | None = None
        self._model: str | None = None

    def feed(self, chunk: ChatCompletionChunk | Any) -> TextDelta | RefusalDelta | None:
        """Take one chunk (an OpenAI ``ChatCompletionChunk`` or LiteLLM's, which has no ``usage`` field until a
        chunk reports it); return the text (or refusal) delta to forward, if it has one."""
        self._id = self._id or chunk.id or None
        self._model = self._model or chunk.model or None
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self._usage = usage_from_openai(usage)
            if self._keep_raw_usage:
                self._raw_usage = raw_usage_snapshot(usage)
        text = refusal = ""
        for choice in chunk.choices[:1]:
            delta = choice.delta
            text = delta.content or ""
            self._text.append(text)
            self._has_text = self._has_text or bool(text)
            if self._has_text and (annotations := getattr(delta, "annotations", None)):  # once the text has begun
                self._annotations.extend(url_citations(annotations))
            refusal = getattr(delta, "refusal", None) or ""
            if refusal:
                self._refusal.append(refusal)
            for fragment in delta.tool_calls or ():
                self._add_fragment(fragment)
            if choice.finish_reason:
                self._finish_reasons.append(choice.finish_reason)
        if refusal and not text:
            return RefusalDelta(refusal, raw=chunk)
        return TextDelta(text, raw=chunk) if text else None

    def _add_fragment(self, fragment: Any) -> None:
        index = fragment.index if fragment.index is not None else len(self._calls)
        call = self._calls.setdefault(index, _Call())
        model = self._model_name or self._model
        if fragment.id:
            call.call_id = call_id(fragment.id, model)
        signature = call_signature(fragment, model)
        if signature is not None:
            call.signature = signature
        function = fragment.function
        if function is not None:
            if function.name:
                call.name = function.name if self._buffered else call.name + function.name
            if function.arguments:
                call.arguments.append(function.arguments)

    def _check_buffered_calls(self) -> None:
        """The SDK's checks of buffered tool calls: each whole, and a ``tool_calls`` finish backed by a call."""
        if "tool_calls" in self._finish_reasons and not self._calls:
            raise ModelBehaviorError(
                "Chat Completions stream finished with finish_reason='tool_calls' but did not include any streamed "
                "tool call deltas."
            )
        for call in self._calls.values():
            if not call.call_id:
                raise _missing("a tool call id")
            if not call.name:
                raise _missing("a function name")

    def finish(self, reasoning: RawInputItem | None = None) -> ModelResponse:
        """The assembled response; ``reasoning``: the stream's reasoning item (``StreamedReasoning.record``), first."""
        if not self._finish_reasons:
            raise ModelError("The chat completion stream ended without a finish reason", error_type=INCOMPLETE_STREAM)
        output: list[ModelOutputItem] = [reasoning] if reasoning is not None else []
        text, refusal = "".join(self._text), "".join(self._refusal)
        if "content_filter" in self._finish_reasons and not (text or refusal or self._calls):
            refusal = CONTENT_FILTERED
        if text or refusal:
            output.append(AssistantMessage(text, refusal, tuple(self._annotations)))
        if self._buffered:
            self._check_buffered_calls()
        provider_data: dict[str, Any] = {"model": self._model_name or self._model}
        if self._id:
            provider_data["response_id"] = self._id
        for index in sorted(self._calls):
            call = self._calls[index]
            raw_id = call.call_id or _fallback_id()
            output.append(output_call(call.name, "".join(call.arguments), raw_id, call.signature, provider_data))
        return ModelResponse(
            output=output,
            usage=self._usage,
            response_id=self._id,
            raw_usage=self._raw_usage,
            model=self._model,
            finish_reasons=tuple(finish_reason_of(r) for r in self._finish_reasons),
        )

