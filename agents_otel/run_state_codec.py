"""The records of a paused run as JSON data and back: conversation items, model responses, usage and span ids
(``RunState.to_json`` / ``from_json``; run items are in ``run_state_items``, the whole state in ``run_state_json``).

Why every field is read through ``Node``: the JSON comes back from a database or a request, possibly edited or cut
short, and a run resumed from a wrong record would do something other than what was paused. Each missing or
mistyped field is a ``UserError`` naming its path (never its value: the state holds the conversation).
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from opentelemetry.trace import SpanContext, TraceFlags

from .conversation import Conversation, ServerConversation
from .exceptions import UserError
from .items import (
    AssistantMessage,
    ConversationItem,
    FunctionCall,
    FunctionCallOutput,
    ProgramCall,
    ProviderDataCall,
    RawInputItem,
    SystemMessage,
    UserMessage,
)
from .models.interface import InputTokensDetails, ModelResponse, OutputTokensDetails, Usage
from .token_usage import RequestUsage
from .tracing.ids import span_id_hex, trace_id_hex

MALFORMED = "RunState JSON is malformed"


def malformed(path: str, problem: str, what: str = MALFORMED) -> NoReturn:
    raise UserError(f"{what}: {path} {problem}")


def check_json(value: Any, path: str, what: str = MALFORMED) -> None:
    """``value`` is plain JSON (dicts with string keys, lists, strings, finite numbers, booleans, null), so what is
    written is what is read back; anything else is a ``UserError`` naming where it is (``what`` says which way)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                malformed(path, f"has a {type(key).__name__} key; JSON keys are strings", what)
            check_json(item, f"{path}.{key}", what)
    elif kind is list:
        for index, item in enumerate(value):
            check_json(item, f"{path}[{index}]", what)
    elif kind is float:
        if not math.isfinite(value):
            malformed(path, "is NaN or infinite, which JSON cannot hold", what)
    elif kind not in (str, int, bool, type(None)):
        malformed(path, f"is a {kind.__name__}, not JSON data", what)


def is_json(value: Any) -> bool:
    try:
        check_json(value, "")
    except UserError:
        return False
    return True


_NAMES = {str: "a string", int: "an integer", bool: "a boolean", list: "a list", dict: "an object"}


class Node:
    """One JSON object of the state and where it is, read field by field with its type checked."""

    __slots__ = ("data", "path")

    def __init__(self, data: Any, path: str) -> None:
        if type(data) is not dict:
            malformed(path, "must be an object")
        self.data: dict[str, Any] = data
        self.path = path

    def get(self, key: str, kind: type, optional: bool = False) -> Any:
        if key not in self.data:
            malformed(f"{self.path}.{key}", "is missing")
        value = self.data[key]
        if value is None and optional:
            return None
        if type(value) is not kind:  # exact: a bool is not an integer here
            malformed(f"{self.path}.{key}", f"must be {_NAMES[kind]}" + (" or null" if optional else ""))
        return value

    def text(self, key: str) -> str:
        return self.get(key, str)  # type: ignore[no-any-return]

    def opt_text(self, key: str) -> str | None:
        return self.get(key, str, optional=True)  # type: ignore[no-any-return]

    def refusal(self) -> str:
        """A message's optional ``refusal`` (absent when the model did not refuse)."""
        return (self.opt_text("refusal") or "") if "refusal" in self.data else ""

    def annotations(self) -> tuple[dict[str, Any], ...]:
        """A message's optional ``annotations``, a list of objects (absent when its text has none)."""
        if "annotations" not in self.data:
            return ()
        value = self.get("annotations", list)
        if any(type(a) is not dict for a in value):
            malformed(f"{self.path}.annotations", "must be a list of objects")
        return tuple(dict(a) for a in value)

    def number(self, key: str) -> int:
        value: int = self.get(key, int)
        if value < 0:
            malformed(f"{self.path}.{key}", "must not be negative")
        return value

    def flag(self, key: str) -> bool:
        return self.get(key, bool)  # type: ignore[no-any-return]

    def obj(self, key: str) -> Node:
        return Node(self.get(key, dict), f"{self.path}.{key}")

    def nodes(self, key: str) -> list[Node]:
        return [Node(v, f"{self.path}.{key}[{i}]") for i, v in enumerate(self.get(key, list))]

    def json(self, key: str) -> Any:
        if key not in self.data:
            malformed(f"{self.path}.{key}", "is missing")
        return self.data[key]


# ---- conversation items ------------------------------------------------------------------------------------


def encode_item(item: ConversationItem) -> dict[str, Any]:
    if isinstance(item, UserMessage):
        return {"type": "user_message", "content": item.content}
    if isinstance(item, SystemMessage):
        return {"type": "system_message", "content": item.content, "role": item.role}
    if isinstance(item, AssistantMessage):
        message: dict[str, Any] = {"type": "assistant_message", "content": item.content}
        if item.refusal:  # each written only when there is one: states without them keep their shape
            message["refusal"] = item.refusal
        if item.annotations:
            message["annotations"] = [dict(a) for a in item.annotations]
        if item.plain:  # given as plain text: it goes back as such
            message["plain"] = True
        return message
    if isinstance(item, FunctionCall):
        return encode_call(item)
    if isinstance(item, FunctionCallOutput):
        return {"type": "function_call_output", "call_id": item.call_id, "output": item.output}
    return {"type": "raw_input_item", "data": item.data}


def encode_call(call: FunctionCall) -> dict[str, Any]:
    encoded: dict[str, Any] = {"type": "function_call", "name": call.name, "arguments": call.arguments}
    encoded["call_id"] = call.call_id
    if type(call) is ProgramCall:  # a program's call: answered with its caller after the resume too
        encoded["caller"] = call.caller
    elif type(call) is ProviderDataCall:  # Gemini's thought signature goes back on the call after the resume too
        encoded["provider_data"] = call.provider_data
    return encoded


def decode_call(node: Node) -> FunctionCall:
    if node.text("type") != "function_call":
        malformed(f"{node.path}.type", "must be 'function_call'")
    name, arguments, call_id = node.text("name"), node.text("arguments"), node.text("call_id")
    if "caller" in node.data:
        return ProgramCall(name, arguments, call_id, node.get("caller", dict))
    if "provider_data" in node.data:
        return ProviderDataCall(name, arguments, call_id, node.get("provider_data", dict))
    return FunctionCall(name, arguments, call_id)


def decode_item(node: Node) -> ConversationItem:
    kind = node.text("type")
    if kind in ("user_message", "system_message"):
        content = node.json("content")
        if type(content) is not str and (type(content) is not list or any(type(p) is not dict for p in content)):
            malformed(f"{node.path}.content", "must be a string or a list of objects")
        if kind == "user_message":
            return UserMessage(content)
        role = node.text("role")
        if role not in ("system", "developer"):
            malformed(f"{node.path}.role", "must be 'system' or 'developer'")
        return SystemMessage(content, role)  # type: ignore[arg-type]
    if kind == "assistant_message":
        plain = "plain" in node.data and node.flag("plain")
        return AssistantMessage(node.text("content"), node.refusal(), node.annotations(), plain=plain)
    if kind == "function_call":
        return decode_call(node)
    if kind == "function_call_output":
        output = node.json("output")  # text, or a structured tool output's content parts
        if type(output) is not str and (type(output) is not list or any(type(p) is not dict for p in output)):
            malformed(f"{node.path}.output", "must be a string or a list of objects")
        return FunctionCallOutput(node.text("call_id"), output)
    if kind == "raw_input_item":
        return RawInputItem(node.get("data", dict))
    malformed(f"{node.path}.type", "is not a conversation item type")


def decode_items(node: Node, key: str) -> list[ConversationItem]:
    return [decode_item(n) for n in node.nodes(key)]


def encode_conversation(conversation: Conversation) -> dict[str, Any]:
    start = conversation.start
    server = conversation.server
    return {
        "history": [encode_item(i) for i in conversation.history],
        "unsaved": None if conversation.unsaved is None else [encode_item(i) for i in conversation.unsaved],
        "start": start if isinstance(start, str) else [encode_item(i) for i in start],
        "server": None
        if server is None
        else {
            "conversation_id": server.conversation_id,
            "previous_response_id": server.previous_response_id,
            "chained": server.chained,
            "sent": server.sent,
        },
    }


def decode_conversation(node: Node) -> Conversation:
    unsaved = None if node.json("unsaved") is None else decode_items(node, "unsaved")
    conversation = Conversation(decode_items(node, "history"), unsaved=unsaved)
    start = node.json("start")
    conversation.start = start if type(start) is str else tuple(decode_items(node, "start"))
    if node.json("server") is not None:
        data = node.obj("server")
        server = ServerConversation(data.opt_text("conversation_id"), data.opt_text("previous_response_id"), False)
        server.chained, server.sent = data.flag("chained"), data.number("sent")
        if server.sent > len(conversation.history):
            malformed(f"{data.path}.sent", "is past the end of the history")
        conversation.server = server
    return conversation


# ---- usage and model responses -----------------------------------------------------------------------------


def encode_usage(usage: Usage) -> dict[str, Any]:
    counts = _encode_counts(usage.input_tokens, usage.output_tokens, usage.input_tokens_details.cached_tokens,
                             usage.output_tokens_details.reasoning_tokens)
    encoded: dict[str, Any] = {"requests": usage.requests, **counts}
    if usage.total_tokens != usage.input_tokens + usage.output_tokens:  # a provider's total, kept as reported
        encoded["total_tokens"] = usage.total_tokens
    if usage.request_usage_entries:  # written only when there are some, so older readers see the state they know
        encoded["request_usage_entries"] = [
            {**_encode_counts(e.input_tokens, e.output_tokens, e.input_tokens_details.cached_tokens,
                              e.output_tokens_details.reasoning_tokens), "total_tokens": e.total_tokens}
            for e in usage.request_usage_entries
        ]
    return encoded


def _encode_counts(input_tokens: int, output_tokens: int, cached: int, reasoning: int) -> dict[str, int]:
    return {"input_tokens": input_tokens, "output_tokens": output_tokens, "cached_tokens": cached,
            "reasoning_tokens": reasoning}


def decode_usage(node: Node) -> Usage:
    entries = node.nodes("request_usage_entries") if "request_usage_entries" in node.data else []
    return Usage(
        requests=node.number("requests"),
        input_tokens=node.number("input_tokens"),
        output_tokens=node.number("output_tokens"),
        total_tokens=node.number("total_tokens") if "total_tokens" in node.data else None,
        input_tokens_details=InputTokensDetails(node.number("cached_tokens")),
        output_tokens_details=OutputTokensDetails(node.number("reasoning_tokens")),
        request_usage_entries=[_decode_entry(e) for e in entries],
    )


def _decode_entry(node: Node) -> RequestUsage:
    return RequestUsage(
        node.number("input_tokens"),
        node.number("output_tokens"),
        node.number("total_tokens"),
        InputTokensDetails(node.number("cached_tokens")),
        OutputTokensDetails(node.number("reasoning_tokens")),
    )


def encode_response(response: ModelResponse) -> dict[str, Any]:
    return {
        "output": [encode_item(i) for i in response.output],
        "usage": encode_usage(response.usage),
        "response_id": response.response_id,
        "request_id": response.request_id,
        "model": response.model,
        "finish_reasons": list(response.finish_reasons),
    }


def decode_response(node: Node) -> ModelResponse:
    output = decode_items(node, "output")
    for index, item in enumerate(output):
        if not isinstance(item, AssistantMessage | FunctionCall | RawInputItem):
            malformed(f"{node.path}.output[{index}]", "is not a model output item")
    reasons = node.get("finish_reasons", list)
    if any(type(r) is not str for r in reasons):
        malformed(f"{node.path}.finish_reasons", "must be a list of strings")
    return ModelResponse(
        output,  # type: ignore[arg-type]  # checked above
        decode_usage(node.obj("usage")),
        node.opt_text("response_id"),
        node.opt_text("request_id"),  # absent in states written before it was kept
        model=node.opt_text("model"),
        finish_reasons=tuple(reasons),
    )


# ---- span ids ------------------------------------------------------------------------------------------------


def encode_span(context: SpanContext | None) -> dict[str, Any] | None:
    if context is None:
        return None
    return {
        "trace_id": trace_id_hex(context.trace_id),
        "span_id": span_id_hex(context.span_id),
        "trace_flags": int(context.trace_flags),
    }


def decode_span(node: Node, key: str) -> SpanContext | None:
    if node.json(key) is None:
        return None
    data = node.obj(key)
    ids = []
    for field, width in (("trace_id", 32), ("span_id", 16)):
        text = data.text(field)
        if len(text) != width or any(c not in "0123456789abcdef" for c in text):
            malformed(f"{data.path}.{field}", f"must be {width} lowercase hex digits")
        ids.append(int(text, 16))
    flags = data.number("trace_flags")
    if flags > 255:
        malformed(f"{data.path}.trace_flags", "must be a byte")
    return SpanContext(ids[0], ids[1], is_remote=True, trace_flags=TraceFlags(flags))
