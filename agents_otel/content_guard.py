"""Every piece of content on its way into a span passes here: the ``redact`` hook, then a length limit.

Content capture (``gen_ai.input.messages``, ``gen_ai.output.messages``, instructions, tool definitions, tool
arguments and results) copies user data into attributes. Two things must hold for each value, wherever it is
set (chat span, agent span, tool span):

* **Redaction**: the run's ``redact`` hook sees it (``kind`` names which: see :mod:`agents_otel.redaction`), so
  ``redact_keys({"password"})`` scrubs the chat messages as well as the tool's own arguments.
* **A length limit**: a 50 MB tool result must not become two 50 MB attributes. The limit is the SDK's
  ``OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`` when set, else :data:`DEFAULT_CONTENT_LIMIT` characters. A longer value
  keeps its beginning and ends with ``…[truncated: N chars]`` (the whole value fits the limit, so the SDK does not
  cut the marker off), and the span gets ``agents_otel.content.truncated = true``: a cut value never passes for a
  whole one.

Exception messages go through the same hook (``kind="exception"``) via :func:`exception_scrub`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import redaction
from .tracing import attributes as A
from .tracing.spans import Scrub

if TYPE_CHECKING:
    from .redaction import RedactionKind
    from .run_runtime import RunRuntime

DEFAULT_CONTENT_LIMIT = 65_536
LIMIT_ENV = "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"
TRUNCATED = "agents_otel.content.truncated"

_KINDS: dict[str, RedactionKind | None] = {
    A.GEN_AI_INPUT_MESSAGES: "input_messages",
    A.GEN_AI_OUTPUT_MESSAGES: "output_messages",
    A.GEN_AI_TOOL_CALL_ARGUMENTS: "tool_arguments",
    A.GEN_AI_TOOL_CALL_RESULT: "tool_result",
    A.GEN_AI_SYSTEM_INSTRUCTIONS: None,
    A.GEN_AI_TOOL_DEFINITIONS: None,
}


def content_limit() -> int:
    raw = os.environ.get(LIMIT_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return DEFAULT_CONTENT_LIMIT


def limited(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    marker = f"…[truncated: {len(text)} chars]"
    return text[: max(limit - len(marker), 0)] + marker, True


def guard_attributes(run: RunRuntime, attributes: dict[str, Any], name: str) -> dict[str, Any]:
    """Redact and limit the content attributes in ``attributes`` (in place; returned for chaining). ``name``: the
    tool's name for tool content, the agent's for messages (what the hook receives as ``tool_name``)."""
    limit = 0
    for key, kind in _KINDS.items():
        value = attributes.get(key)
        if not isinstance(value, str):
            continue
        if kind is not None and run.redact is not None:
            value = redaction.redact_text(run.redact, name, value, kind)
        limit = limit or content_limit()
        value, cut = limited(value, limit)
        attributes[key] = value
        if cut:
            attributes[TRUNCATED] = True
    return attributes


def exception_scrub(run: RunRuntime, name: str) -> Scrub | None:
    """The run's hook applied to exception messages recorded on ``name``'s spans, or ``None`` without a hook."""
    redact = run.redact
    if redact is None:
        return None
    return lambda text: redaction.redact_text(redact, name, text)
