"""What the session asks a ``RealtimeModel`` to send, as the SDK's ``agents.realtime.model_inputs``.

Why events and not methods: one ``send_event`` entry point is the whole contract a custom transport implements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypeAlias

from typing_extensions import TypedDict

from .config import RealtimeSessionModelSettings
from .model_events import RealtimeModelToolCallEvent


class RealtimeModelRawClientMessage(TypedDict):
    type: str
    other_data: NotRequired[dict[str, Any]]
    """Merged into the message body."""


class RealtimeModelInputTextContent(TypedDict):
    type: Literal["input_text"]
    text: str


class RealtimeModelInputImageContent(TypedDict, total=False):
    type: Literal["input_image"]
    image_url: str
    detail: NotRequired[str]


class RealtimeModelUserInputMessage(TypedDict):
    type: Literal["message"]
    role: Literal["user"]
    content: list[RealtimeModelInputTextContent | RealtimeModelInputImageContent]


RealtimeModelUserInput: TypeAlias = str | RealtimeModelUserInputMessage


@dataclass
class RealtimeModelSendRawMessage:
    message: RealtimeModelRawClientMessage


@dataclass
class RealtimeModelSendUserInput:
    user_input: RealtimeModelUserInput


@dataclass
class RealtimeModelSendAudio:
    audio: bytes
    commit: bool = False


@dataclass
class RealtimeModelSendToolOutput:
    tool_call: RealtimeModelToolCallEvent
    output: str
    start_response: bool


@dataclass
class RealtimeModelSendInterrupt:
    force_response_cancel: bool = False
    """Send ``response.cancel`` even when the server cancels on its own (``interrupt_response``)."""
    response_id: str | None = None
    """Only this response: its audio is cut (never another response's playback) and only it is cancelled."""
    cancel_response_only: bool = False
    """Cancel ``response_id`` (required) and leave playback alone: a response that has produced no audio."""
    playback_only: bool = False
    """Cut ``response_id``'s audio and cancel nothing: a response that has already ended while its audio still
    plays. Not with ``force_response_cancel`` / ``cancel_response_only`` (a ``UserError``)."""


@dataclass
class RealtimeModelSendSessionUpdate:
    session_settings: RealtimeSessionModelSettings


RealtimeModelSendEvent: TypeAlias = (
    RealtimeModelSendRawMessage
    | RealtimeModelSendUserInput
    | RealtimeModelSendAudio
    | RealtimeModelSendToolOutput
    | RealtimeModelSendInterrupt
    | RealtimeModelSendSessionUpdate
)
