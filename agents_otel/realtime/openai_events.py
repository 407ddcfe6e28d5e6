"""Reading the OpenAI Realtime API's (GA) server events into the transport's events (``model_events``).

Why plain dicts and not the openai package's event models: the API adds events and fields often; an event this
reader does not know is passed on as ``RealtimeModelRawServerEvent`` (every event is), never a validation failure
that would end the session. Only the events the session acts on are read, and a malformed one of those is a
``RealtimeModelErrorEvent`` naming it.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from ..models.interface import InputTokensDetails, OutputTokensDetails, Usage
from .audio_tracker import ModelAudioTracker
from .items import RealtimeMessageItem, RealtimeToolCallItem
from .model import RealtimePlaybackState
from .model_events import (
    RealtimeModelAudioDoneEvent,
    RealtimeModelAudioEvent,
    RealtimeModelErrorEvent,
    RealtimeModelInputAudioTimeoutTriggeredEvent,
    RealtimeModelInputAudioTranscriptionCompletedEvent,
    RealtimeModelInputTokensDetails,
    RealtimeModelItemDeletedEvent,
    RealtimeModelItemUpdatedEvent,
    RealtimeModelOutputTextDeltaEvent,
    RealtimeModelOutputTokensDetails,
    RealtimeModelRawServerEvent,
    RealtimeModelToolCallEvent,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeModelTurnEndedEvent,
    RealtimeModelTurnStartedEvent,
    RealtimeModelUsageEvent,
)

if TYPE_CHECKING:
    from .openai_realtime import OpenAIRealtimeWebSocketModel

_MESSAGE: TypeAdapter[Any] = TypeAdapter(RealtimeMessageItem)


def playback_state(audio: ModelAudioTracker) -> RealtimePlaybackState:
    """Without a ``RealtimePlaybackTracker``: the last item the model sent, heard since its first chunk came."""
    last = audio.get_last_audio_item()
    state = audio.get_state(*last) if last is not None else None
    if last is None or state is None:
        return {"current_item_id": None, "current_item_content_index": None, "elapsed_ms": None}
    return {
        "current_item_id": last[0],
        "current_item_content_index": last[1],
        "elapsed_ms": (time.monotonic() - state.initial_received_time) * 1000,
    }


def _message(item: Mapping[str, Any], previous_item_id: str | None, status: str | None) -> Any:
    """A message item in the session's shape (the GA ``output_text`` / ``output_audio`` parts are the SDK's
    ``text`` / ``audio``)."""
    content = []
    for part in item.get("content") or []:
        part = dict(part)
        if part.get("type") in ("output_text", "text"):
            part["type"] = "text"
        elif part.get("type") in ("output_audio", "audio"):
            part["type"] = "audio"
        content.append(part)
    return _MESSAGE.validate_python(
        {
            "item_id": item.get("id") or "",
            "previous_item_id": previous_item_id,
            "type": "message",
            "role": item.get("role", "assistant"),
            "content": content,
            "status": status if status in ("in_progress", "completed", "incomplete") else "in_progress",
        }
    )


def usage_event(usage: Mapping[str, Any]) -> RealtimeModelUsageEvent:
    details_in: Mapping[str, Any] = usage.get("input_token_details") or {}
    details_out: Mapping[str, Any] = usage.get("output_token_details") or {}
    cached = int(details_in.get("cached_tokens") or 0)
    return RealtimeModelUsageEvent(
        usage=Usage(
            requests=1,
            input_tokens=int(usage.get("input_tokens") or 0),
            output_tokens=int(usage.get("output_tokens") or 0),
            input_tokens_details=InputTokensDetails(cached_tokens=cached),
            output_tokens_details=OutputTokensDetails(),
        ),
        input_tokens_details=RealtimeModelInputTokensDetails(
            text_tokens=details_in.get("text_tokens"),
            audio_tokens=details_in.get("audio_tokens"),
            image_tokens=details_in.get("image_tokens"),
            cached_tokens=details_in.get("cached_tokens"),
        ),
        output_tokens_details=RealtimeModelOutputTokensDetails(
            text_tokens=details_out.get("text_tokens"), audio_tokens=details_out.get("audio_tokens")
        ),
    )


async def handle_server_event(model: OpenAIRealtimeWebSocketModel, event: dict[str, Any]) -> None:
    emit = model._emit
    await emit(RealtimeModelRawServerEvent(data=event))
    kind = event.get("type")
    try:
        if kind == "response.output_audio.delta":
            response_id = event.get("response_id", "")
            if response_id in model._muted:  # its audio was cut: what the server still streams is not played
                return
            audio = base64.b64decode(event["delta"])
            item_id, index = event["item_id"], int(event.get("content_index", 0))
            model._audio.on_audio_delta(item_id, index, audio, response_id or None)
            await emit(RealtimeModelAudioEvent(audio, response_id, item_id, index))
        elif kind == "response.output_audio.done":
            await emit(RealtimeModelAudioDoneEvent(event["item_id"], int(event.get("content_index", 0))))
        elif kind == "input_audio_buffer.speech_started":
            await model._interrupt_playback()
            await model._cancel_unless_server_does(force=False, response_id=None)
        elif kind == "response.created":
            response_id = (event.get("response") or {}).get("id")
            model._responses.created(response_id)
            await emit(RealtimeModelTurnStartedEvent(response_id=response_id))
        elif kind == "response.done":
            response = event.get("response") or {}
            model._responses.done()
            model._muted.discard(response.get("id"))
            if response.get("usage"):
                await emit(usage_event(response["usage"]))
            await emit(RealtimeModelTurnEndedEvent(response_id=response.get("id")))
        elif kind in ("session.created", "session.updated"):
            model._created_session = event.get("session") or {}
            fmt = ((model._created_session.get("audio") or {}).get("output") or {}).get("format")
            if fmt:  # the session's own format, as the SDK takes it (an attached call's G.711, say)
                model._audio.set_audio_format(fmt)
                if model._playback_tracker is not None:
                    model._playback_tracker.set_audio_format(fmt)
            if kind == "session.created":
                await model._send_tracing_config()
        elif kind == "error":
            model._responses.failed()
            await emit(RealtimeModelErrorEvent(error=event.get("error")))
        elif kind == "conversation.item.deleted":
            await emit(RealtimeModelItemDeletedEvent(item_id=event["item_id"]))
        elif kind in ("conversation.item.added", "conversation.item.created", "conversation.item.retrieved"):
            item = event["item"]
            if item.get("type") == "message":
                previous = event.get("previous_item_id") if kind == "conversation.item.created" else None
                await emit(RealtimeModelItemUpdatedEvent(_message(item, previous, item.get("status"))))
        elif kind == "conversation.item.input_audio_transcription.completed":
            await emit(RealtimeModelInputAudioTranscriptionCompletedEvent(event["item_id"], event["transcript"]))
        elif kind == "response.output_audio_transcript.delta":
            await emit(RealtimeModelTranscriptDeltaEvent(event["item_id"], event["delta"], event["response_id"]))
        elif kind == "response.output_text.delta":
            await emit(RealtimeModelOutputTextDeltaEvent(event["item_id"], event["delta"], event["response_id"]))
        elif kind in ("response.output_item.added", "response.output_item.done"):
            await _output_item(model, event["item"], done=kind == "response.output_item.done")
        elif kind == "input_audio_buffer.timeout_triggered":
            await emit(
                RealtimeModelInputAudioTimeoutTriggeredEvent(
                    event["item_id"], int(event.get("audio_start_ms", 0)), int(event.get("audio_end_ms", 0))
                )
            )
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        await emit(RealtimeModelErrorEvent(error={"message": f"malformed {kind} event: {exc!r}", "event": event}))


async def _output_item(model: OpenAIRealtimeWebSocketModel, item: Mapping[str, Any], *, done: bool) -> None:
    if item.get("type") == "function_call" and item.get("status") == "completed":
        await model._emit(
            RealtimeModelItemUpdatedEvent(
                RealtimeToolCallItem(
                    item_id=item.get("id") or "",
                    call_id=item.get("call_id"),
                    status="in_progress",  # completed when the session sends its output
                    arguments=item.get("arguments") or "",
                    name=item.get("name") or "",
                )
            )
        )
        await model._emit(
            RealtimeModelToolCallEvent(
                name=item.get("name") or "",
                call_id=item.get("call_id") or "",
                arguments=item.get("arguments") or "",
                id=item.get("id") or "",
            )
        )
    elif item.get("type") == "message":
        status = item.get("status") or ("completed" if done else "in_progress")
        await model._emit(RealtimeModelItemUpdatedEvent(_message(item, None, status)))
