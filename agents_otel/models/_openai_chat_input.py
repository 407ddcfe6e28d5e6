"""Conversation items as Chat Completions messages.

The tool calls of one model turn travel in a single assistant message (the API requires every ``tool`` message to
answer a call of the assistant message before it), each with the model's own id and its arguments verbatim, even
when they are not valid JSON. User content parts in the Responses format become their Chat Completions
equivalents; a structured tool output's text parts become the tool message's. Items (and tool output images or
files) this API has no form for raise ``UserError`` rather than vanish from the conversation. A ``reasoning`` item
is no message of its own: as the OpenAI Agents SDK does, its text rides on the assistant message of the turn that
follows it, when :class:`ReasoningReplay` says so: a ``reasoning_content`` summary when the replay hook (by default
DeepSeek's rule) says yes, a ``reasoning`` field's text back to the very model that wrote it; else it is left out,
the provider's private state. Anthropic's signed thinking blocks go back whole to the Claude model that wrote them
when ``ReasoningReplay.thinking_blocks`` says so (LiteLLM's ``thinking_blocks`` field), and a Gemini call's thought
signature on the call itself (``_chat_provider_data``). A turn's reasoning does not outlive the turn: a user, system
or tool message, or a message after a finished text-only turn, drops it.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any, Final

from ..exceptions import UserError
from ..items import (
    AssistantMessage,
    ConversationItem,
    FunctionCall,
    FunctionCallOutput,
    RawInputItem,
    SystemMessage,
    UserMessage,
)
from ._chat_provider_data import signature_field
from ._chat_reasoning import REASONING_FIELD_KEY, THINKING_BLOCKS
from .reasoning_content_replay import (
    ReasoningContentReplayContext,
    ReasoningContentSource,
    ShouldReplayReasoningContent,
    default_should_replay_reasoning_content,
)

_INLINE_BLOCKS: Final = "_inline_thinking_blocks"
"""A pending field that is no message field: thinking blocks rebuilt from an older item, put ahead of the content."""


@dataclass(frozen=True, slots=True)
class ReasoningReplay:
    """Which reasoning text goes back to ``model`` (at ``base_url``, when known) and in which message field;
    ``hook``: the model's ``should_replay_reasoning_content`` (``None``: the SDK's default rule);
    ``thinking_blocks``: send Anthropic's signed thinking blocks back to a Claude model (``LitellmModel`` with
    ``reasoning.effort`` set, as the SDK decides), which requires them with the turn's tool results."""

    model: str
    base_url: str | None = None
    hook: ShouldReplayReasoningContent | None = None
    thinking_blocks: bool = False

    def fields(self, data: dict[str, Any]) -> dict[str, Any]:
        """The assistant message fields a reasoning item (as JSON) adds to its turn's message."""
        extra = data.get("provider_data")
        extra = extra if isinstance(extra, dict) else {}
        origin = extra.get("model") or ""
        fields: dict[str, Any] = {}
        same_model = extra.get(REASONING_FIELD_KEY) == "reasoning" and origin == self.model
        if same_model and (text := _texts(data.get("content"), "reasoning_text")):
            fields["reasoning"] = text
        if self.thinking_blocks and _claude(self.model):
            blocks = self._blocks(data, extra, origin)
            if THINKING_BLOCKS in blocks:  # the blocks hold that text, signed
                fields.pop("reasoning", None)
            fields.update(blocks)
        base_url = self.base_url.rstrip("/") if self.base_url is not None else None
        source = ReasoningContentSource(item=data, origin_model=origin or None, provider_data=extra)
        context = ReasoningContentReplayContext(model=self.model, base_url=base_url, reasoning=source)
        decide = self.hook if self.hook is not None else default_should_replay_reasoning_content
        if decide(context) and (text := _texts(data.get("summary"), None)):
            fields["reasoning_content"] = text
        return fields

    def _blocks(self, data: dict[str, Any], extra: dict[str, Any], origin: str) -> dict[str, Any]:
        """Thinking blocks for this Claude model: the item's own (``provider_data``, whole: redacted and empty
        blocks too) in LiteLLM's ``thinking_blocks`` field, when the item is this model's or of no known origin;
        an item without them (stored before they were kept) has its ``reasoning_text`` parts and newline-joined
        signatures rebuilt into blocks ahead of the message content, as the SDK does for such items."""
        if origin != self.model and any(key != THINKING_BLOCKS for key in extra):
            return {}  # another model's reasoning: its signatures would not verify here
        blocks = extra.get(THINKING_BLOCKS)
        if isinstance(blocks, list) and blocks and all(isinstance(b, dict) for b in blocks):
            return {THINKING_BLOCKS: deepcopy(blocks)}
        parts = data.get("content")
        if not parts or extra.get(REASONING_FIELD_KEY) == "reasoning":
            return {}
        encrypted = data.get("encrypted_content")
        signatures = encrypted.split("\n") if isinstance(encrypted, str) and encrypted else []
        rebuilt: list[dict[str, Any]] = []
        for part in parts:
            if isinstance(part, dict) and part.get("type") == "reasoning_text":
                block = {"type": "thinking", "thinking": part.get("text", "")}
                if signatures:
                    block["signature"] = signatures.pop(0)
                rebuilt.append(block)
        return {_INLINE_BLOCKS: rebuilt} if rebuilt else {}


def _claude(model: str) -> bool:
    name = model.lower()
    return "claude" in name or "anthropic" in name


def _apply(message: dict[str, Any], pending: dict[str, Any]) -> None:
    """A turn's pending reasoning fields onto its assistant message (rebuilt thinking blocks ahead of its content)."""
    for key, value in pending.items():
        if key == _INLINE_BLOCKS:
            content = message.get("content")
            text = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or ())
            message["content"] = [*value, *text]
        else:
            message[key] = value


def _texts(parts: Any, kind: str | None) -> str:
    """The non-empty texts of a reasoning item's ``summary`` or ``content`` parts (of type ``kind``), one a line."""
    texts = [
        p["text"]
        for p in parts or ()
        if isinstance(p, dict) and p.get("text") and (kind is None or p.get("type") == kind)
    ]
    return "\n".join(texts)


def chat_messages(
    system_instructions: str | None, items: list[ConversationItem], replay: ReasoningReplay | None = None
) -> list[dict[str, Any]]:
    """``replay``: the reasoning replay rule (``None``: no reasoning text is sent back)."""
    messages: list[dict[str, Any]] = []
    if system_instructions:
        messages.append({"role": "system", "content": system_instructions})
    pending: dict[str, str] = {}  # reasoning text waiting for its turn's assistant message
    sealed: dict[str, Any] | None = None  # a plain-text input message: a message of its own (the SDK's easy message)
    for item in items:
        if type(item) is RawInputItem and item.data.get("async") is True and item.data.get("type") == "function_call":
            item = _pending_async_call(item.data)
        last = messages[-1] if messages and messages[-1]["role"] == "assistant" and messages[-1] is not sealed else None
        if isinstance(item, UserMessage):
            pending = {}
            messages.append({"role": "user", "content": _user_content(item.content)})
        elif isinstance(item, AssistantMessage):
            content = item.content if item.content or not item.refusal else None
            so_far = last.get("content") if last is not None else None
            if item.plain:
                last = sealed = {"role": "assistant", "content": content}
                messages.append(last)
            elif last is not None and isinstance(so_far, list) and "refusal" not in last:
                if content:  # text after the turn's tool calls, its thinking blocks rebuilt ahead of it
                    last["content"] = [*so_far, {"type": "text", "text": content}]
            elif last is not None and so_far is None and "refusal" not in last:
                last["content"] = content  # text that came after the turn's tool calls
            else:
                if last is not None and not last.get("tool_calls"):
                    pending = {}  # a finished text-only turn: reasoning read after it is stale (as the SDK)
                last = {"role": "assistant", "content": content}
                messages.append(last)
            if item.refusal:  # the API's own field for it, as the SDK sends a refusal part back
                last["refusal"] = item.refusal
            _apply(last, pending)
            pending = {}
        elif isinstance(item, FunctionCall):
            function = {"name": item.name, "arguments": item.arguments}
            call = {"id": item.call_id, "type": "function", "function": function}
            if replay is not None and type(item) is not FunctionCall:  # a Gemini call's thought signature
                call.update(signature_field(item, replay.model))
            if last is None:
                last = {"role": "assistant", "content": None}
                messages.append(last)
            last.setdefault("tool_calls", []).append(call)
            _apply(last, pending)
            pending = {}
        elif isinstance(item, FunctionCallOutput):
            pending = {}
            messages.append({"role": "tool", "tool_call_id": item.call_id, "content": _tool_content(item)})
        elif isinstance(item, SystemMessage):
            pending = {}
            messages.append({"role": item.role, "content": _text_content(item.content, item.role)})
        elif isinstance(item, RawInputItem) and item.data.get("type") == "reasoning":
            pending = replay.fields(item.data) if replay is not None else {}
        elif isinstance(item, RawInputItem):
            raise UserError(
                f"The Chat Completions API has no form for a {item.data.get('type')!r} input item; "
                "use OpenAIResponsesModel for it"
            )
    return messages


def _pending_async_call(data: dict[str, Any]) -> FunctionCall:
    """An imported async API call (``"async": true``, kept as it came for the Responses API): Chat Completions has
    no such flag, so it goes as the plain tool call it is, paired with its output once that was added."""
    return FunctionCall(str(data.get("name", "")), str(data.get("arguments", "")), str(data.get("call_id", "")))


def _user_content(content: str | list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    return [_user_part(part) for part in content]


def _user_part(part: dict[str, Any]) -> dict[str, Any]:
    kind = part.get("type")
    if kind in ("input_text", "text"):
        return {"type": "text", "text": part.get("text", "")}
    if kind == "input_image":
        url = part.get("image_url")
        if not url:
            raise UserError("An input_image part needs 'image_url' for the Chat Completions API (file_id is not sent)")
        image: dict[str, Any] = {"url": url}
        if part.get("detail"):
            image["detail"] = part["detail"]
        return {"type": "image_url", "image_url": image}
    if kind == "input_file":
        file = {k: part[k] for k in ("file_data", "file_id", "filename") if part.get(k)}
        if not file:
            raise UserError("An input_file part needs 'file_data' or 'file_id' for the Chat Completions API")
        return {"type": "file", "file": file}
    if kind in ("image_url", "file", "input_audio"):
        return part  # already in the Chat Completions form
    raise UserError(f"The Chat Completions API has no form for a {kind!r} content part")


def _tool_content(item: FunctionCallOutput) -> str | list[dict[str, Any]]:
    """A structured tool output's parts: a ``tool`` message takes text parts only. The SDK drops the other parts
    (or sends a placeholder); here an image or file the model would never see is an error."""
    if isinstance(item.output, str):
        return item.output
    content = []
    for part in item.output:
        if part.get("type") != "input_text":
            raise UserError(
                f"The output of tool call {item.call_id!r} holds an {part.get('type')} part, and a Chat Completions "
                "tool message takes text only; use OpenAIResponsesModel for tools that return images or files"
            )
        content.append({"type": "text", "text": part.get("text", "")})
    return content


def _text_content(content: str | list[dict[str, Any]], role: str) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for part in content:
        if part.get("type") not in ("input_text", "text"):
            raise UserError(f"A {role} message takes only text parts, got {part.get('type')!r}")
        texts.append(str(part.get("text", "")))
    return "\n".join(texts)
