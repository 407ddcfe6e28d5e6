"""Rendering of scripted turns into the OpenAI wire formats.

Pure functions, no I/O: every function takes a :class:`~fake_openai.script.Script`
plus the parsed request body and returns JSON-ready dicts (or a list of
:class:`StreamItem` for the streaming variants). The HTTP layer lives in
``server.py``.

Formats follow the public API reference (and the pydantic models of the ``openai``
package, which the self-tests validate with ``_strict_response_validation=True``):

* Responses API (``POST /v1/responses``): a ``response`` object whose ``output`` holds
  a ``reasoning`` item when scripted, ``message`` items (``output_text`` and/or ``refusal`` content) and
  ``function_call`` items; when
  streaming, the semantic event sequence ``response.created`` → ``response.in_progress``
  → per item (``response.output_item.added`` → [``response.content_part.added`` →
  ``response.output_text.delta``* → ``response.output_text.done`` →
  ``response.content_part.done``, then the same with ``response.refusal.delta``* →
  ``response.refusal.done`` for a refusal part] or [``response.function_call_arguments.delta``* →
  ``response.function_call_arguments.done``] or, for the reasoning item, [``response.reasoning_summary_part.added``
  → ``response.reasoning_summary_text.delta``* → ``response.reasoning_summary_text.done`` →
  ``response.reasoning_summary_part.done``] → ``response.output_item.done``) →
  ``response.completed``. Every event has ``type`` and an increasing
  ``sequence_number``; the SSE ``event:`` field carries the type as well; there is no
  ``[DONE]`` sentinel.
* Chat Completions (``POST /v1/chat/completions``): a ``chat.completion`` object, or
  ``chat.completion.chunk`` objects (role chunk, content deltas, ``refusal`` deltas, ``tool_calls`` deltas
  where only the first delta of a call carries ``id``/``type``/``function.name``, a
  finish chunk with an empty delta and ``finish_reason``, then - with
  ``stream_options.include_usage`` - a usage chunk with ``choices: []``) followed by
  ``data: [DONE]``.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from .script import Script, Usage


@dataclass(frozen=True)
class StreamItem:
    """One SSE message: ``data`` is a JSON-ready dict or the literal ``"[DONE]"``.

    ``gated`` marks the points where the server waits for the script's
    :class:`~fake_openai.script.StreamGate` (if any) before sending this item.
    """

    data: dict[str, Any] | str
    event: str | None = None
    gated: bool = False


class IdMaker:
    """Deterministic, per-server ids (``resp_fake0001``, ``msg_fake0002``, ...)."""

    def __init__(self) -> None:
        self._n = 0

    def __call__(self, prefix: str, sep: str = "_") -> str:
        self._n += 1
        return f"{prefix}{sep}fake{self._n:04d}"


# --------------------------------------------------------------------------- helpers


def split_text(text: str) -> list[str]:
    """Split text into word-ish deltas that concatenate back to ``text``."""
    return [piece for piece in re.findall(r"\S+\s*|\s+", text) if piece]


def split_fixed(value: str, size: int) -> list[str]:
    return [value[i : i + size] for i in range(0, len(value), size)]


def _text_chunks(script: Script) -> list[str]:
    if script.text is None:
        return []
    if isinstance(script.text, str):
        return split_text(script.text)
    return [piece for piece in script.text if piece]


def _mark_gates(items: list[StreamItem], delta_positions: list[int]) -> list[StreamItem]:
    """Gate every delta but the first, and the final (terminal) item."""
    gated = set(delta_positions[1:])
    if items:
        gated.add(len(items) - 1)
    return [
        StreamItem(data=item.data, event=item.event, gated=index in gated) for index, item in enumerate(items)
    ]


# --------------------------------------------------------------------------- Responses API


def _responses_usage(script: Script) -> dict[str, Any]:
    usage = script.usage
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_tokens, "cache_write_tokens": 0},
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


def _response_object(
    request: dict[str, Any],
    *,
    response_id: str,
    created_at: int,
    status: str,
    output: list[dict[str, Any]],
    usage: dict[str, Any] | None,
) -> dict[str, Any]:
    text_config = request.get("text") or {"format": {"type": "text"}}
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "completed_at": created_at if status == "completed" else None,
        "background": bool(request.get("background", False)),
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "max_tool_calls": request.get("max_tool_calls"),
        "model": request.get("model", "fake-model"),
        "output": output,
        "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "previous_response_id": request.get("previous_response_id"),
        "conversation": _conversation(request.get("conversation")),
        "reasoning": request.get("reasoning") or {"effort": None, "summary": None},
        "service_tier": "default",
        "store": request.get("store", True),
        "temperature": request.get("temperature", 1.0),
        "text": text_config,
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools") or [],
        "top_p": request.get("top_p", 1.0),
        "truncation": request.get("truncation", "disabled"),
        "usage": usage,
        "user": request.get("user"),
        "metadata": request.get("metadata") or {},
    }


def _conversation(sent: Any) -> dict[str, Any] | None:
    """The response names the conversation it was added to, as the API does (sent as an id or ``{"id": ...}``)."""
    if isinstance(sent, str):
        return {"id": sent}
    return sent if isinstance(sent, dict) else None


def _output_text_part(text: str, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": list(annotations or []), "logprobs": []}


def _refusal_part(refusal: str) -> dict[str, Any]:
    return {"type": "refusal", "refusal": refusal}


def _message_content(script: Script) -> list[dict[str, Any]]:
    """The complete message's parts: the text part (when scripted), then the refusal part (when scripted)."""
    text = "".join(_text_chunks(script))
    content = [_output_text_part(text, script.annotations)] if script.text is not None else []
    if script.refusal is not None:
        content.append(_refusal_part(script.refusal))
    return content


def _message_item(item_id: str, status: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": item_id, "type": "message", "status": status, "role": "assistant", "content": content}


def _function_call_item(item_id: str, call_id: str, name: str, arguments: str, status: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "function_call",
        "status": status,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
    }


def _reasoning_item(item_id: str, summary: str | None) -> dict[str, Any]:
    parts = [] if summary is None else [{"type": "summary_text", "text": summary}]
    return {"id": item_id, "type": "reasoning", "summary": parts}


@dataclass
class _PlannedOutput:
    response_id: str
    reasoning_id: str | None
    message_id: str | None
    call_item_ids: list[str]
    call_ids: list[str]


def _plan(script: Script, ids: IdMaker) -> _PlannedOutput:
    return _PlannedOutput(
        response_id=ids("resp"),
        reasoning_id=ids("rs") if script.reasoning is not None else None,
        message_id=ids("msg") if script.text is not None or script.refusal is not None else None,
        call_item_ids=[ids("fc") for _ in script.tool_calls],
        call_ids=[call.call_id or ids("call") for call in script.tool_calls],
    )


def _final_output(script: Script, plan: _PlannedOutput) -> list[dict[str, Any]]:
    output: list[dict[str, Any]] = []
    if plan.reasoning_id is not None:
        output.append(_reasoning_item(plan.reasoning_id, script.reasoning))
    output.extend(script.hosted_calls)
    if plan.message_id is not None:
        output.append(_message_item(plan.message_id, "completed", _message_content(script)))
    for call, item_id, call_id in zip(script.tool_calls, plan.call_item_ids, plan.call_ids, strict=True):
        output.append(_function_call_item(item_id, call_id, call.name, call.arguments_json, "completed"))
    return output


def render_response(script: Script, request: dict[str, Any], ids: IdMaker, created_at: int) -> dict[str, Any]:
    """Non-streaming ``POST /v1/responses`` body."""
    plan = _plan(script, ids)
    return _response_object(
        request,
        response_id=plan.response_id,
        created_at=created_at,
        status="completed",
        output=_final_output(script, plan),
        usage=_responses_usage(script),
    )


def render_response_stream(
    script: Script, request: dict[str, Any], ids: IdMaker, created_at: int
) -> list[StreamItem]:
    """Streaming ``POST /v1/responses`` events (without sequence numbers' gaps)."""
    plan = _plan(script, ids)
    items: list[StreamItem] = []
    deltas: list[int] = []

    def emit(event: dict[str, Any], *, delta: bool = False) -> None:
        event["sequence_number"] = len(items)
        if delta:
            deltas.append(len(items))
        items.append(StreamItem(data=event, event=event["type"]))

    def lifecycle(kind: str, status: str, output: list[dict[str, Any]], usage: dict[str, Any] | None) -> None:
        response = _response_object(
            request,
            response_id=plan.response_id,
            created_at=created_at,
            status=status,
            output=output,
            usage=usage,
        )
        emit({"type": kind, "response": response})

    lifecycle("response.created", "in_progress", [], None)
    lifecycle("response.in_progress", "in_progress", [], None)

    output_index = 0
    if plan.reasoning_id is not None:
        added = {"type": "response.output_item.added", "output_index": output_index}
        emit({**added, "item": _reasoning_item(plan.reasoning_id, None)})
        if script.reasoning:  # the summary as one part, in word-ish deltas (as a reasoning model streams it)
            ids = {"item_id": plan.reasoning_id, "output_index": output_index, "summary_index": 0}
            part = {"type": "summary_text", "text": ""}
            emit({"type": "response.reasoning_summary_part.added", **ids, "part": part})
            for chunk in split_text(script.reasoning):
                emit({"type": "response.reasoning_summary_text.delta", **ids, "delta": chunk})
            emit({"type": "response.reasoning_summary_text.done", **ids, "text": script.reasoning})
            emit({"type": "response.reasoning_summary_part.done", **ids, "part": {**part, "text": script.reasoning}})
        done = {"type": "response.output_item.done", "output_index": output_index}
        emit({**done, "item": _reasoning_item(plan.reasoning_id, script.reasoning)})
        output_index += 1
    for hosted in script.hosted_calls:
        added = {"type": "response.output_item.added", "output_index": output_index}
        # a program's items have no in-progress status (a program_output's is completed or incomplete)
        started = hosted if hosted.get("type") in ("program", "program_output") else {**hosted, "status": "in_progress"}
        emit({**added, "item": started})
        done = {"type": "response.output_item.done", "output_index": output_index}
        emit({**done, "item": hosted})
        output_index += 1
    if plan.message_id is not None:
        item_id = plan.message_id
        chunks = _text_chunks(script)
        text = "".join(chunks)
        common = {"item_id": item_id, "output_index": output_index, "content_index": 0}
        emit(
            {
                "type": "response.output_item.added",
                "output_index": output_index,
                "item": _message_item(item_id, "in_progress", []),
            }
        )
        if script.text is not None:
            emit({"type": "response.content_part.added", **common, "part": _output_text_part("")})
            for chunk in chunks:
                emit({"type": "response.output_text.delta", **common, "delta": chunk, "logprobs": []}, delta=True)
            for index, annotation in enumerate(script.annotations):
                added = {"type": "response.output_text.annotation.added", **common, "annotation_index": index}
                emit({**added, "annotation": annotation})
            emit({"type": "response.output_text.done", **common, "text": text, "logprobs": []})
            emit({"type": "response.content_part.done", **common, "part": _output_text_part(text, script.annotations)})
        if script.refusal is not None:
            refusal = {**common, "content_index": 1 if script.text is not None else 0}
            emit({"type": "response.content_part.added", **refusal, "part": _refusal_part("")})
            for chunk in split_text(script.refusal):
                emit({"type": "response.refusal.delta", **refusal, "delta": chunk}, delta=True)
            emit({"type": "response.refusal.done", **refusal, "refusal": script.refusal})
            emit({"type": "response.content_part.done", **refusal, "part": _refusal_part(script.refusal)})
        emit(
            {
                "type": "response.output_item.done",
                "output_index": output_index,
                "item": _message_item(item_id, "completed", _message_content(script)),
            }
        )
        output_index += 1

    for call, item_id, call_id in zip(script.tool_calls, plan.call_item_ids, plan.call_ids, strict=True):
        arguments = call.arguments_json
        emit(
            {
                "type": "response.output_item.added",
                "output_index": output_index,
                "item": _function_call_item(item_id, call_id, call.name, "", "in_progress"),
            }
        )
        for chunk in split_fixed(arguments, script.args_chunk_size):
            emit(
                {
                    "type": "response.function_call_arguments.delta",
                    "item_id": item_id,
                    "output_index": output_index,
                    "delta": chunk,
                },
                delta=True,
            )
        emit(
            {
                "type": "response.function_call_arguments.done",
                "item_id": item_id,
                "output_index": output_index,
                "arguments": arguments,
            }
        )
        emit(
            {
                "type": "response.output_item.done",
                "output_index": output_index,
                "item": _function_call_item(item_id, call_id, call.name, arguments, "completed"),
            }
        )
        output_index += 1

    lifecycle("response.completed", "completed", _final_output(script, plan), _responses_usage(script))
    return _mark_gates(items, deltas)


# --------------------------------------------------------------------------- Chat Completions


def _chat_usage(script: Script) -> dict[str, Any]:
    usage = script.usage
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": usage.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _finish_reason(script: Script) -> str:
    if script.finish_reason is not None:
        return script.finish_reason
    return "tool_calls" if script.tool_calls else "stop"


def _no_hosted_calls(script: Script) -> None:
    if script.hosted_calls:  # a test scripting them for Chat Completions has a mistake in it
        raise ValueError("hosted_calls are Responses API output items; Chat Completions has none")


def render_chat_completion(
    script: Script, request: dict[str, Any], ids: IdMaker, created: int
) -> dict[str, Any]:
    """Non-streaming ``POST /v1/chat/completions`` body."""
    _no_hosted_calls(script)
    completion_id = ids("chatcmpl", "-")
    tool_calls = [
        {
            "id": call.call_id or ids("call"),
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments_json},
        }
        for call in script.tool_calls
    ]
    message: dict[str, Any] = {
        "role": "assistant",
        "content": "".join(_text_chunks(script)) if script.text is not None else None,
        "refusal": script.refusal,
        "annotations": _chat_annotations(script),
    }
    if tool_calls:
        message["tool_calls"] = tool_calls
    if script.reasoning_field is not None and script.reasoning is not None:
        message[script.reasoning_field] = script.reasoning
    if script.thinking_blocks is not None:
        message["thinking_blocks"] = script.thinking_blocks
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": request.get("model", "fake-model"),
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_reason(script)}
        ],
        "usage": _chat_usage(script),
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }


def _chat_annotations(script: Script) -> list[dict[str, Any]]:
    """The annotations in Chat Completions' form: a Responses ``url_citation`` nested as that API nests it."""
    converted = []
    for annotation in script.annotations:
        if annotation.get("type") == "url_citation" and "url_citation" not in annotation:
            fields = {k: v for k, v in annotation.items() if k != "type"}
            annotation = {"type": "url_citation", "url_citation": fields}
        converted.append(annotation)
    return converted


def render_chat_stream(
    script: Script, request: dict[str, Any], ids: IdMaker, created: int
) -> list[StreamItem]:
    """Streaming ``POST /v1/chat/completions`` chunks, ending with ``[DONE]``."""
    _no_hosted_calls(script)
    completion_id = ids("chatcmpl", "-")
    include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
    items: list[StreamItem] = []
    deltas: list[int] = []

    def chunk(delta: dict[str, Any], finish_reason: str | None = None, *, is_delta: bool = False) -> None:
        data: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": request.get("model", "fake-model"),
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }
        if include_usage:
            data["usage"] = None
        if is_delta:
            deltas.append(len(items))
        items.append(StreamItem(data=data))

    chunk({"role": "assistant", "content": "", "refusal": None})
    for block in script.thinking_blocks or ():
        chunk({"thinking_blocks": [block]}, is_delta=True)
    if script.reasoning_field is not None:
        for piece in split_text(script.reasoning or ""):
            chunk({script.reasoning_field: piece}, is_delta=True)
    annotations = _chat_annotations(script)
    if annotations and script.annotations_on == "before":
        chunk({"annotations": annotations})
    pieces = _text_chunks(script)
    for number, piece in enumerate(pieces, 1):
        last = number == len(pieces) and script.annotations_on == "with_text"
        chunk({"content": piece, **({"annotations": annotations} if last and annotations else {})}, is_delta=True)
    for piece in split_text(script.refusal or ""):
        chunk({"refusal": piece}, is_delta=True)
    if script.annotations_on == "after":
        for annotation in annotations:
            chunk({"annotations": [annotation]})
    for index, call in enumerate(script.tool_calls):
        call_id = call.call_id or ids("call")
        head = {
            "index": index,
            "id": call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        chunk({"tool_calls": [head]})
        for piece in split_fixed(call.arguments_json, script.args_chunk_size):
            chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}, is_delta=True)
    chunk({}, _finish_reason(script))
    terminal = len(items) - 1

    if include_usage:
        items.append(
            StreamItem(
                data={
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": request.get("model", "fake-model"),
                    "service_tier": "default",
                    "system_fingerprint": "fp_fake",
                    "choices": [],
                    "usage": _chat_usage(script),
                }
            )
        )
    items.append(StreamItem(data="[DONE]"))

    gated = set(deltas[1:]) | {terminal}
    return [StreamItem(data=item.data, event=item.event, gated=i in gated) for i, item in enumerate(items)]


# --------------------------------------------------------------------------- errors

_ERROR_TYPES: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Forbidden."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    408: ("server_error", None, "Request timed out."),
    409: ("server_error", None, "Conflict."),
    422: ("invalid_request_error", None, "Unprocessable entity."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests (fake_openai)."),
}


def render_error(status: int, message: str | None = None, code: str | None = None) -> dict[str, Any]:
    """OpenAI-style error envelope ``{"error": {"message", "type", "param", "code"}}``; ``code`` overrides the
    status's usual one (``conversation_locked`` on a 400)."""
    err_type, default_code, default_message = _ERROR_TYPES.get(
        status,
        ("server_error", None, "The server had an error while processing your request (fake_openai)."),
    )
    code = code if code is not None else default_code
    return {"error": {"message": message or default_message, "type": err_type, "param": None, "code": code}}


def render_compaction(
    request: dict[str, Any], ids: IdMaker, created_at: int, usage: Usage, keep_user_messages: bool
) -> dict[str, Any]:
    """``POST /v1/responses/compact``: what the API answers, in shape: the history replaced by one ``compaction``
    item, whose ``encrypted_content`` is opaque as the real one is (here the count of items it replaced, base64).
    ``keep_user_messages``: the given ``input``'s user messages come back first, as the API returns them
    (``message`` items with ``input_text`` parts), a shape the openai client's strict validation refuses (its
    output message type is the assistant's), so the default leaves them out; a test that wants them uses a
    non-strict client, as production does. ``previous_response_id`` (the fake keeps no responses): the
    compaction item alone."""
    sent = request.get("input")
    items = [{"role": "user", "content": sent}] if isinstance(sent, str) else list(sent or [])
    output: list[dict[str, Any]] = []
    replaced = 0
    for item in items:
        is_user = isinstance(item, dict) and item.get("role") == "user" and item.get("type", "message") == "message"
        if not (is_user and keep_user_messages):
            replaced += 1
            continue
        content = item.get("content")
        parts = [{"type": "input_text", "text": content}] if isinstance(content, str) else list(content or [])
        output.append({"id": ids("msg"), "type": "message", "role": "user", "status": "completed", "content": parts})
    secret = base64.b64encode(json.dumps({"replaced": replaced}).encode()).decode()
    output.append({"id": ids("cmp"), "type": "compaction", "encrypted_content": secret, "created_by": "fake"})
    return {
        "id": ids("resp"),
        "object": "response.compaction",
        "created_at": created_at,
        "output": output,
        "usage": {
            "input_tokens": usage.input_tokens,
            "input_tokens_details": {"cached_tokens": usage.cached_tokens, "cache_write_tokens": 0},
            "output_tokens": usage.output_tokens,
            "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
            "total_tokens": usage.total_tokens,
        },
    }
