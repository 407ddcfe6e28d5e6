"""The conversation as the session keeps it (``RealtimeItem``), as the SDK's ``agents.realtime.items`` shapes it.

Why pydantic models that allow extra fields: the items mirror what the Realtime API sends, which grows; the
session merges updates of one item (a transcript arriving after its audio) and must keep what it does not know.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class InputText(_Open):
    type: Literal["input_text"] = "input_text"
    text: str | None = None


class InputAudio(_Open):
    type: Literal["input_audio"] = "input_audio"
    audio: str | None = None
    """Base64 audio, when the API sends it back."""
    transcript: str | None = None


class InputImage(_Open):
    type: Literal["input_image"] = "input_image"
    image_url: str | None = None
    detail: str | None = None


class AssistantText(_Open):
    type: Literal["text"] = "text"
    text: str | None = None


class AssistantAudio(_Open):
    type: Literal["audio"] = "audio"
    audio: str | None = None
    transcript: str | None = None


class SystemMessageItem(_Open):
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["system"] = "system"
    content: list[InputText]


class UserMessageItem(_Open):
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["user"] = "user"
    content: list[Annotated[InputText | InputAudio | InputImage, Field(discriminator="type")]]


class AssistantMessageItem(_Open):
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    status: Literal["in_progress", "completed", "incomplete"] | None = None
    content: list[Annotated[AssistantText | AssistantAudio, Field(discriminator="type")]]


RealtimeMessageItem = Annotated[
    SystemMessageItem | UserMessageItem | AssistantMessageItem, Field(discriminator="role")
]


class RealtimeToolCallItem(_Open):
    """A function call and, once the session has answered it, its output (one item for both, as in the SDK)."""

    item_id: str
    previous_item_id: str | None = None
    call_id: str | None
    type: Literal["function_call"] = "function_call"
    status: Literal["in_progress", "completed"]
    arguments: str
    name: str
    output: str | None = None


RealtimeItem = RealtimeMessageItem | RealtimeToolCallItem


class RealtimeResponse(BaseModel):
    id: str
    output: list[RealtimeMessageItem]


__all__ = [
    "AssistantAudio",
    "AssistantMessageItem",
    "AssistantText",
    "InputAudio",
    "InputImage",
    "InputText",
    "RealtimeItem",
    "RealtimeMessageItem",
    "RealtimeResponse",
    "RealtimeToolCallItem",
    "SystemMessageItem",
    "UserMessageItem",
]
