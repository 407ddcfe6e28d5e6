"""The SDK's Responses API websocket transport: its names, each a ``UserError`` when used.

This runtime talks to the Responses API over HTTP only (streamed or not). The SDK's websocket names are importable
so an SDK program fails where it asks for the transport, with an error naming it, instead of at its import line
(an ``ImportError`` says nothing about what to change) or, worse, by silently running over HTTP. What can be honoured
is: ``set_default_openai_responses_transport("http")``, the transport every run uses anyway.
"""

from __future__ import annotations

from typing import Any, Literal, NoReturn, NotRequired, TypedDict

from ..exceptions import UserError

_TRANSPORTS = ("http", "websocket")


class WebSocketTransportNotSupportedError(UserError):
    """The Responses API websocket transport was asked for: not supported (HTTP is the only transport)."""


def _refuse(feature: str) -> NoReturn:
    raise WebSocketTransportNotSupportedError(
        f"{feature}: the OpenAI Responses websocket transport is not supported by agents_otel; the Responses API "
        "is used over HTTP (OpenAIResponsesModel, streamed with Runner.run_streamed)"
    )


class OpenAIResponsesWebSocketOptions(TypedDict):
    """The SDK's websocket connection options (a plain dict); only the websocket names take it, and they refuse."""

    ping_interval: NotRequired[float | None]
    ping_timeout: NotRequired[float | None]
    max_size: NotRequired[int | None]


class OpenAIResponsesWSModel:
    """The SDK's Responses model over a websocket: making one is a ``WebSocketTransportNotSupportedError``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("OpenAIResponsesWSModel")


class ResponsesWebSocketSession:
    """The SDK's shared websocket session of ``responses_websocket_session()``: refused when made."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("ResponsesWebSocketSession")


def responses_websocket_session(**kwargs: Any) -> NoReturn:
    """The SDK's ``async with responses_websocket_session(...)``: refused when called."""
    _refuse("responses_websocket_session()")


def set_default_openai_responses_transport(transport: Literal["http", "websocket"]) -> None:
    """As in the SDK: ``"http"`` is accepted (the transport runs use); ``"websocket"`` is refused; anything else is
    the SDK's ``ValueError``."""
    if transport not in _TRANSPORTS:
        raise ValueError("Invalid OpenAI Responses transport. Expected one of: 'http', 'websocket'.")
    if transport == "websocket":
        _refuse('set_default_openai_responses_transport("websocket")')
