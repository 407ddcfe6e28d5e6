"""The session's local copy of the conversation: how each model event changes it.

Why merging and not replacing: the Realtime API sends one item several times (created empty, then its transcript,
then retrieved without the transcript it had); the history must keep what it learned — a transcript arrived by
deltas, an image the server does not echo — or a UI showing it would flicker and lose text.
"""

from __future__ import annotations

from typing import Any

from .items import (
    AssistantAudio,
    AssistantText,
    InputAudio,
    InputImage,
    InputText,
    RealtimeItem,
    UserMessageItem,
)


def with_transcript(history: list[RealtimeItem], item_id: str, transcript: str) -> tuple[list[RealtimeItem], bool]:
    """The user's audio item given its transcript; a new user item if the history has none of that id (then
    ``True``: an item was added)."""
    out: list[RealtimeItem] = []
    found = False
    for item in history:
        if item.item_id == item_id and item.type == "message" and item.role == "user":
            content = [
                part.model_copy(update={"transcript": transcript}) if part.type == "input_audio" else part
                for part in item.content
            ]
            out.append(item.model_copy(update={"content": content, "status": "completed"}))
            found = True
        else:
            out.append(item)
    if not found:
        out.append(UserMessageItem(item_id=item_id, content=[InputText(text=transcript)]))
    return out, not found


def _keep(old: Any, new: Any) -> Any:
    """``new`` unless it lost text or a transcript ``old`` had."""
    if type(old) is not type(new):
        return new
    if isinstance(new, AssistantAudio | InputAudio) and not new.transcript and old.transcript:
        return new.model_copy(update={"transcript": old.transcript})
    if isinstance(new, AssistantText | InputText) and not new.text and old.text:
        return new.model_copy(update={"text": old.text})
    return new


def merged(history: list[RealtimeItem], incoming: RealtimeItem, transcripts: dict[str, str]) -> list[RealtimeItem]:
    """``history`` with ``incoming`` in it: replacing (merged) the item of its id, else after its previous item,
    else at the end. ``transcripts``: the assistant transcripts gathered from deltas, by item id."""
    index = next((i for i, item in enumerate(history) if item.item_id == incoming.item_id), None)
    if index is None:
        if incoming.previous_item_id:
            before = next((i for i, it in enumerate(history) if it.item_id == incoming.previous_item_id), None)
            if before is not None:
                return [*history[: before + 1], incoming, *history[before + 1 :]]
        return [*history, incoming]
    existing = history[index]
    item = incoming
    if existing.type == "message" and incoming.type == "message" and existing.role == incoming.role:
        old_parts: list[Any] = list(existing.content)
        parts: list[Any] = [
            _keep(old_parts[i], part) if i < len(old_parts) else part for i, part in enumerate(incoming.content)
        ]
        if incoming.role == "user":  # images the server does not echo back stay
            urls = {p.image_url for p in parts if isinstance(p, InputImage)}
            parts = [p for p in old_parts if isinstance(p, InputImage) and p.image_url not in urls] + parts
        if incoming.role == "assistant" and incoming.item_id in transcripts:
            parts = [
                p.model_copy(update={"transcript": transcripts[incoming.item_id]})
                if isinstance(p, AssistantAudio) and not p.transcript
                else p
                for p in parts
            ]
        if not parts:
            parts = old_parts
        item = incoming.model_copy(update={"content": parts})
    out = list(history)
    out[index] = item
    return out


__all__ = ["merged", "with_transcript"]
