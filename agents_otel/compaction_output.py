"""What a ``responses.compact`` answer becomes: the items a compaction session stores, its usage, its span identity.

Apart from the session because this is the part that reads the openai package's objects (loaded on first use,
as the OpenAI models load it) and the part most likely to change with the API. The output is made safe to send
back as input, as the SDK makes it: an image or file part of a user message keeps only one valid source (a part
with none is an error, before anything is stored); assistant message ids are dropped when the output has no
reasoning item, because the API refuses an assistant message id whose reasoning item is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .compaction_item import compaction_input
from .exceptions import UserError
from .models.interface import Usage
from .tracing import attributes as A


class CompactionError(UserError, ValueError):
    """A compaction that cannot be made as asked (a model that is not OpenAI's, ``previous_response_id`` mode
    without a response id, compacted output that cannot be sent back). Also a ``ValueError``, which the SDK
    raises in these cases, so SDK code that catches that keeps working."""


def compacted_items(output: list[Any]) -> list[dict[str, Any]]:
    """``CompactedResponse.output`` as input items (dicts of the fields the API set)."""
    items = [_normalised(_as_dict(item)) for item in output]
    if any(item.get("type") == "reasoning" for item in items):
        return items
    return [
        {k: v for k, v in item.items() if k != "id"} if item.get("role") == "assistant" and "id" in item else item
        for item in items
    ]


def usage_of(compacted: Any) -> Usage:
    """The call's tokens as one request of a run's usage."""
    from .models._openai_usage import usage_from_openai

    usage = usage_from_openai(getattr(compacted, "usage", None))
    usage.requests = 1
    return usage


def span_identity(client: Any, model: str) -> dict[str, Any]:
    """Who was called, as a ``chat`` span says it: operation, provider (Azure clients: ``azure.ai.openai``),
    model, and the client's address."""
    import openai

    from .models._openai_client import PROVIDER_AZURE_OPENAI, PROVIDER_OPENAI, address_of

    azure = isinstance(client, openai.AsyncAzureOpenAI)
    attributes: dict[str, Any] = {
        A.GEN_AI_OPERATION_NAME: A.OP_COMPACT,
        A.GEN_AI_PROVIDER_NAME: PROVIDER_AZURE_OPENAI if azure else PROVIDER_OPENAI,
        A.GEN_AI_REQUEST_MODEL: model,
    }
    base_url = getattr(client, "base_url", None)
    host, port = address_of(str(base_url)) if base_url is not None else (None, None)
    if host:
        attributes[A.SERVER_ADDRESS] = host
        if port:
            attributes[A.SERVER_PORT] = port
    return attributes


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return dict(item)
    dump = getattr(item, "model_dump", None)
    if callable(dump):
        data = dump(exclude_unset=True, warnings=False)
        if isinstance(data, dict):
            return data
    raise CompactionError(f"responses.compact returned an output item of type {type(item).__name__}")


def _normalised(item: dict[str, Any]) -> dict[str, Any]:
    if item.get("type") == "compaction":
        return compaction_input(item)
    if item.get("type") != "message" or item.get("role") != "user" or not isinstance(item.get("content"), list):
        return item
    parts = [_part(part) if isinstance(part, dict) else part for part in item["content"]]
    return {**item, "content": parts}


_SOURCES = {"input_image": ("image_url", "file_id"), "input_file": ("file_data", "file_url", "file_id")}
_KEPT = {"input_image": ("detail",), "input_file": ("filename", "detail")}


def _part(part: dict[str, Any]) -> dict[str, Any]:
    """An image or file part with its first non-empty source and its own fields, and nothing the API refuses
    back as input; other parts as they are."""
    kind = part.get("type")
    if kind not in _SOURCES:
        return part
    clean: dict[str, Any] = {"type": kind}
    source = next((key for key in _SOURCES[kind] if isinstance(part.get(key), str) and part[key]), None)
    if source is None:
        raise CompactionError(f"Compacted {kind} part has none of {', '.join(_SOURCES[kind])}: it cannot be sent back")
    clean[source] = part[source]
    for key in _KEPT[kind]:
        if isinstance(part.get(key), str) and part[key]:
            clean[key] = part[key]
    return clean
