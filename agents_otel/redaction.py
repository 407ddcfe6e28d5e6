"""The ``RunConfig.redact`` hook: last look at tool data before it enters a trace.

Traces leave the process (OTLP, a vendor, a shared Jaeger), streams do not: so redaction applies to the trace copy
only. The hook sees every progress payload that is recorded on a span (sampled-out payloads never reach the trace,
so it is not called for them), and, when content capture is on, every tool's arguments and result. It returns what
to record instead. A hook that raises must not cost the run anything, so its failure records a fixed marker and
logs the exception once per tool.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, Literal

import pydantic_core

logger = logging.getLogger(__name__)

RedactionKind = Literal["progress", "tool_arguments", "tool_result"]
Redactor = Callable[[RedactionKind, str, Any], Any]
"""``redact(kind, tool_name, value) -> value to record``. ``value`` is the progress object as sent, or the tool
arguments / result text (JSON for arguments). Return a JSON-encodable value; for arguments and results a string
is recorded as is. Called under the call's progress lock, from the thread that sent the progress: keep it fast
and never call ``send_progress`` from it."""

REDACTION_FAILED = "[redaction failed]"
REDACTED = "[REDACTED]"

_failed_tools: set[str] = set()


def apply(redact: Redactor, kind: RedactionKind, tool_name: str, value: Any) -> Any:
    try:
        return redact(kind, tool_name, value)
    except Exception:
        if tool_name not in _failed_tools:
            _failed_tools.add(tool_name)
            logger.exception("agents_otel: RunConfig.redact raised for tool %r; recorded a marker", tool_name)
        return REDACTION_FAILED


def redact_keys(keys: Iterable[str], replacement: str = REDACTED) -> Redactor:
    """A ready-made redactor: replaces the values of the named keys, at any depth, in dicts and JSON text.

    ``RunConfig(redact=redact_keys({"password", "api_key", "authorization"}))``. Key matching is
    case-insensitive. Objects (pydantic models, dataclasses) are first converted to JSON types, so their fields
    are scrubbed too. Text that is not JSON is returned unchanged.
    """
    names = frozenset(k.lower() for k in keys)

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: replacement if str(k).lower() in names else scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(v) for v in value]
        return value

    def redact(kind: RedactionKind, tool_name: str, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                return value
            return json.dumps(scrub(parsed))
        return scrub(pydantic_core.to_jsonable_python(value))

    return redact
