"""A Chat Completions answer's reasoning text as the one ``reasoning`` output item the OpenAI Agents SDK makes of it.

Reasoning models served through Chat Completions put their thinking in fields beside ``content``, each provider its
own: ``reasoning_content`` (DeepSeek, vLLM, ...) becomes the item's summary text; ``reasoning`` (OpenRouter,
Ollama, ...) its ``reasoning_text`` content, marked in ``provider_data`` (:data:`REASONING_FIELD_KEY`) so that it
goes back only to the model that wrote it; Anthropic's ``thinking_blocks`` (through LiteLLM) its content and
signatures (``encrypted_content``), the blocks themselves kept whole in ``provider_data``. The item is the Responses
API's, as the Responses path keeps one (a ``RawInputItem`` of its JSON, a ``ReasoningItem`` in the run), with the
SDK's made-up id and its ``provider_data`` (the model's name and the completion's id), read back when the item is
replayed (``_openai_chat_input.ReasoningReplay``). It comes first among the answer's items, before the message and
calls.

:class:`StreamedReasoning` is the same item made from a stream's deltas, with the Responses events the SDK's stream
handler makes of them (output index 0): ``output_item.added``, ``reasoning_summary_part.added`` and
``reasoning_summary_text.delta`` for ``reasoning_content``, ``reasoning_text.delta`` for ``reasoning``; the summary
part closes (``reasoning_summary_part.done``) when text, a refusal or a tool call follows it; the rest closes with
the stream (``reasoning_text.done`` for content without a summary, then ``output_item.done``).
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any, Final

from openai.types.responses import (
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseReasoningItem,
    ResponseReasoningSummaryPartAddedEvent,
    ResponseReasoningSummaryPartDoneEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningTextDeltaEvent,
    ResponseReasoningTextDoneEvent,
)
from openai.types.responses import response_reasoning_summary_part_added_event as part_added
from openai.types.responses import response_reasoning_summary_part_done_event as part_done
from openai.types.responses.response_reasoning_item import Content, Summary

from ..exceptions import ModelBehaviorError
from ..items import RawInputItem
from ..responses_format import FAKE_RESPONSES_ID

REASONING_FIELD_KEY: Final = "_chat_completions_reasoning_field"
"""The SDK's ``provider_data`` key naming the message field an item's ``reasoning_text`` came from (``"reasoning"``):
such text goes back in that field, and only to the same model."""
THINKING_BLOCKS: Final = "thinking_blocks"


def message_reasoning(message: Any, provider_data: dict[str, Any]) -> RawInputItem | None:
    """The reasoning item of a complete message (an OpenAI ``ChatCompletionMessage``, which keeps a provider's extra
    fields, or LiteLLM's), or ``None`` when it has no reasoning text. When a provider sends several fields, the
    structured ones win: ``reasoning`` is read only without ``reasoning_content`` and ``thinking_blocks``."""
    reasoning_content = getattr(message, "reasoning_content", None) or ""
    raw_blocks = getattr(message, THINKING_BLOCKS, None)
    blocks = [deepcopy(b) for b in raw_blocks if isinstance(b, dict)] if isinstance(raw_blocks, list) else []
    reasoning = getattr(message, "reasoning", None)
    if not isinstance(reasoning, str) or reasoning_content or blocks:
        reasoning = ""
    if not (reasoning_content or reasoning or blocks):
        return None
    summary = [{"text": reasoning_content, "type": "summary_text"}] if reasoning_content else []
    data: dict[str, Any] = {"id": FAKE_RESPONSES_ID, "summary": summary, "type": "reasoning"}
    extra = dict(provider_data)
    if reasoning:
        data["content"] = [{"text": reasoning, "type": "reasoning_text"}]
        extra[REASONING_FIELD_KEY] = "reasoning"
    if blocks:
        extra[THINKING_BLOCKS] = blocks
    if extra:
        data["provider_data"] = extra
    if blocks:  # also the text and signatures alone, as the SDK keeps them for callers reading the item
        data["content"] = [{"text": b["thinking"], "type": "reasoning_text"} for b in blocks if b.get("thinking")]
        signatures = [b["signature"] for b in blocks if b.get("signature")]
        if signatures:
            data["encrypted_content"] = "\n".join(signatures)
    return RawInputItem(data)


class StreamedReasoning:
    """The reasoning item of one streamed completion and its events; ``number`` hands out the stream's sequence
    numbers. :meth:`feed` each chunk's delta before its text (the part closes before the text begins),
    :meth:`finish` with the stream's closing events, :meth:`record` for the run."""

    def __init__(self, number: Callable[[], int]) -> None:
        self._number = number
        self.item: ResponseReasoningItem | None = None
        self._active: int | None = None
        self._done = False
        self._blocks: list[dict[str, Any]] = []
        self._finalized = False

    def feed(self, delta: Any, provider_data: dict[str, Any], *, calls: bool) -> list[Any]:
        """The reasoning events of one delta; ``calls``: the delta carries tool calls the stream shows now (not
        buffered), which close an open summary part as text does."""
        events: list[Any] = []
        blocks = getattr(delta, THINKING_BLOCKS, None)
        if blocks:
            grew = False
            for block in blocks:
                if isinstance(block, dict):
                    grew = self._add_block(block) or grew
            if grew:
                self._open(events, provider_data, content=False)
                self._drop_reasoning_marker()
        reasoning_content = getattr(delta, "reasoning_content", None)
        if reasoning_content:
            self._open(events, provider_data, content=False)
            self._summary_delta(events, reasoning_content)
        reasoning = getattr(delta, "reasoning", None)
        if isinstance(reasoning, str) and reasoning:
            self._open(events, provider_data, content=True)
            self._text_delta(events, reasoning)
        later = delta.content is not None or getattr(delta, "refusal", None) or calls
        if self._active is not None and not reasoning_content and later:
            self.close_part(events)
        return events

    def _open(self, events: list[Any], provider_data: dict[str, Any], *, content: bool) -> None:
        """The item begins (once): with an empty ``reasoning_text`` part when ``reasoning`` began it."""
        if self.item is not None:
            return
        item = ResponseReasoningItem(id=FAKE_RESPONSES_ID, summary=[], type="reasoning")
        extra = dict(provider_data)
        if content:
            item.content = [Content(text="", type="reasoning_text")]
            extra[REASONING_FIELD_KEY] = "reasoning"
        if extra:
            item.provider_data = extra  # type: ignore[attr-defined]  # an extra field, as the SDK sets it
        self.item = item
        added = item.model_copy(deep=True)  # as it was announced, not as it grows
        events.append(
            ResponseOutputItemAddedEvent(
                item=added, output_index=0, type="response.output_item.added", sequence_number=self._number()
            )
        )

    def _drop_reasoning_marker(self) -> None:
        """Text in ``reasoning_content`` or thinking blocks makes the item no longer a ``reasoning``-field one."""
        extra = getattr(self.item, "provider_data", None)
        if isinstance(extra, dict) and extra.get(REASONING_FIELD_KEY) == "reasoning":
            self.item.provider_data = {k: v for k, v in extra.items() if k != REASONING_FIELD_KEY}  # type: ignore[union-attr]

    def _summary_delta(self, events: list[Any], text: str) -> None:
        item = self.item
        assert item is not None
        self._drop_reasoning_marker()
        if self._active is None:  # a new summary part (also after text interrupted the last one)
            self._active = len(item.summary)
            item.summary.append(Summary(text="", type="summary_text"))
            events.append(
                ResponseReasoningSummaryPartAddedEvent(
                    item_id=FAKE_RESPONSES_ID,
                    output_index=0,
                    summary_index=self._active,
                    part=part_added.Part(text="", type="summary_text"),
                    type="response.reasoning_summary_part.added",
                    sequence_number=self._number(),
                )
            )
        events.append(
            ResponseReasoningSummaryTextDeltaEvent(
                delta=text,
                item_id=FAKE_RESPONSES_ID,
                output_index=0,
                summary_index=self._active,
                type="response.reasoning_summary_text.delta",
                sequence_number=self._number(),
            )
        )
        part = item.summary[self._active]
        item.summary[self._active] = Summary(text=part.text + text, type="summary_text")

    def _text_delta(self, events: list[Any], text: str) -> None:
        item = self.item
        assert item is not None
        events.append(
            ResponseReasoningTextDeltaEvent(
                delta=text,
                item_id=FAKE_RESPONSES_ID,
                output_index=0,
                content_index=0,
                type="response.reasoning_text.delta",
                sequence_number=self._number(),
            )
        )
        if not item.content:
            item.content = [Content(text="", type="reasoning_text")]
        item.content[0] = Content(text=item.content[0].text + text, type="reasoning_text")

    def close_part(self, events: list[Any]) -> None:
        """The open summary part ends (text, a refusal or a tool call came after it)."""
        if self.item is None or self._active is None:
            return
        index, self._active = self._active, None
        text = self.item.summary[index].text
        events.append(
            ResponseReasoningSummaryPartDoneEvent(
                item_id=FAKE_RESPONSES_ID,
                output_index=0,
                summary_index=index,
                part=part_done.Part(text=text, type="summary_text"),
                type="response.reasoning_summary_part.done",
                sequence_number=self._number(),
            )
        )

    def _add_block(self, block: dict[str, Any]) -> bool:
        """One streamed thinking fragment folded into the blocks: text grows the open block, a signature closes it,
        a ``redacted_thinking`` block comes whole. ``False``: nothing in it."""
        kind = block.get("type", "thinking")
        if kind == "redacted_thinking":
            self._blocks.append(dict(block))
            return True
        if kind != "thinking":
            return False
        for name in ("thinking", "signature"):
            if name in block and not isinstance(block[name], str):
                raise ModelBehaviorError(
                    f"Expected streamed thinking block field '{name}' to be a string, got {type(block[name]).__name__}."
                )
        text, signature = block.get("thinking") or "", block.get("signature") or ""
        metadata = {k: v for k, v in block.items() if k not in ("type", "thinking", "signature")}
        if not (text or signature or metadata):
            return False
        last = self._blocks[-1] if self._blocks else None
        if last is None or last.get("type") != "thinking" or "signature" in last:
            last = {"type": "thinking", "thinking": ""}
            self._blocks.append(last)
        last.update(metadata)
        if text:
            last["thinking"] = last.get("thinking", "") + text
        if signature:
            last["signature"] = signature
        return True

    def _finalize(self) -> None:
        """The thinking blocks onto the item, once: whole in ``provider_data``, their text as one ``reasoning_text``
        part and the last signature as ``encrypted_content`` (the SDK's streamed form)."""
        if self._finalized or self.item is None or not self._blocks:
            return
        self._finalized = True
        item = self.item
        extra = getattr(item, "provider_data", None)
        blocks = [dict(b) for b in self._blocks]
        item.provider_data = {**(extra if isinstance(extra, dict) else {}), THINKING_BLOCKS: blocks}  # type: ignore[attr-defined]
        thinking = [b for b in self._blocks if b.get("type") == "thinking"]
        text = "".join(b.get("thinking") or "" for b in thinking)
        signatures = [b["signature"] for b in thinking if b.get("signature")]
        if text:
            item.content = [*(item.content or ()), Content(text=text, type="reasoning_text")]
        if signatures:
            item.encrypted_content = signatures[-1]

    def finish(self) -> list[Any]:
        """The item's closing events: its open summary part's (else its text's, without a summary), then its own."""
        self._finalize()
        item = self.item
        events: list[Any] = []
        if item is None or self._done:
            return events
        self._done = True
        if item.summary:
            self.close_part(events)
        elif item.content:
            events.append(
                ResponseReasoningTextDoneEvent(
                    item_id=FAKE_RESPONSES_ID,
                    output_index=0,
                    content_index=0,
                    text=item.content[0].text,
                    type="response.reasoning_text.done",
                    sequence_number=self._number(),
                )
            )
        events.append(
            ResponseOutputItemDoneEvent(
                item=item, output_index=0, type="response.output_item.done", sequence_number=self._number()
            )
        )
        return events

    def record(self) -> RawInputItem | None:
        """The item as the run keeps it (its JSON, the fields set and ``provider_data``), or ``None``: no reasoning."""
        self._finalize()
        if self.item is None:
            return None
        return RawInputItem(self.item.model_dump(mode="json", exclude_unset=True))
