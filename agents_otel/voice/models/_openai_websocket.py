"""Where and how a websocket to OpenAI connects, derived from an ``AsyncOpenAI`` client, as the SDK derives it.

Why from the client: a program that pointed its client somewhere else (a proxy, Azure, a local server: the
``base_url``, or the client's ``websocket_base_url``), added default headers or query parameters, or gave a key
that refreshes itself, expects its websocket to go there with the same credentials — not to api.openai.com.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import openai

from ...exceptions import UserError

_WS_SCHEMES = {"http": "ws", "https": "wss"}


class _QuietLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The websocket library logs each frame and handshake header at DEBUG: keys, audio, transcripts. Never."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and super().isEnabledFor(level)


WEBSOCKET_LOGGER = _QuietLogger(logging.getLogger("websockets.client"), {})


def _omitted(value: object) -> bool:
    return isinstance(value, openai.Omit)


def _not_given(value: object) -> bool:
    return isinstance(value, openai.NotGiven)


def websocket_url(client: openai.AsyncOpenAI, path: str, query: Mapping[str, str], what: str) -> str:
    """``client``'s websocket base (its ``websocket_base_url``, else its ``base_url`` as ``ws``/``wss``) with
    ``path`` appended, its default query merged (``omit`` removes a parameter), then ``query``."""
    base = getattr(client, "websocket_base_url", None)
    parts = urlsplit(str(base if base is not None else client.base_url))
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    default_query = getattr(client, "default_query", None)
    if default_query is not None and not _omitted(default_query) and not _not_given(default_query):
        if not isinstance(default_query, Mapping):
            raise UserError(f"{what}: the client's default_query must be a mapping, got {type(default_query).__name__}")
        for key, value in default_query.items():
            if _omitted(value):
                params.pop(str(key), None)
            elif not _not_given(value):
                params[str(key)] = str(value)
    params.update(query)
    scheme = _WS_SCHEMES.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + path, urlencode(params), ""))


def websocket_headers(client: openai.AsyncOpenAI, extra: Mapping[str, str]) -> dict[str, str]:
    """The handshake's headers: the client's auth and default headers (``omit`` removes one), then ``extra``;
    a later header replaces an earlier one whatever its case."""
    headers: dict[str, str] = {}

    def drop(key: str) -> None:
        for existing in [k for k in headers if k.lower() == key.lower()]:
            del headers[existing]

    sources: list[Mapping[str, Any]] = [getattr(client, "auth_headers", {}), getattr(client, "default_headers", {}),
                                        extra]
    for source in sources:
        for key, value in source.items():
            if _not_given(value):
                continue
            drop(str(key))
            if not _omitted(value):
                headers[str(key)] = str(value)
    return headers


async def refresh_api_key(client: openai.AsyncOpenAI) -> None:
    """A client built with a callable ``api_key`` refreshes it before each request; a handshake is one."""
    refresh = getattr(client, "_refresh_api_key", None)
    if callable(refresh):
        await refresh()


__all__ = ["WEBSOCKET_LOGGER", "refresh_api_key", "websocket_headers", "websocket_url"]
