"""The ``RunConfig.redact`` hook: last look at data before it leaves the process.

Traces leave the process (OTLP, a vendor, a shared Jaeger, the trace file), and so does the run's stream once a
server sends it to a browser (SSE, AG-UI, AI SDK). The hook sees everything of a run that goes there:

* ``"progress"``: every progress payload recorded on a span, and every progress event on the stream;
* ``"tool_arguments"`` / ``"tool_result"``: each tool's arguments (JSON text) and result, on the span when content
  capture is on, and in the stream's ``tool_called`` / ``tool_output`` events;
* ``"input_messages"`` / ``"output_messages"``: a chat span's ``gen_ai.input.messages`` / ``gen_ai.output.messages``
  (JSON text, content capture only; ``tool_name`` is the agent's name);
* ``"exception"``: the message of every exception recorded on a span (status description,
  ``exception.message``, and where it appears in ``exception.stacktrace``), content capture or not.

Streams are redacted by default; ``RunConfig(redact_stream=False)`` keeps raw values in the stream for an
application that needs them in process (the trace stays redacted). ``RunResult.new_items`` and the conversation
the model sees are never redacted. The hook returns what to record instead. A hook that raises must not cost the
run anything, so its failure records a fixed marker and logs the exception once per tool.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

import pydantic_core

logger = logging.getLogger(__name__)

RedactionKind = Literal[
    "progress", "tool_arguments", "tool_result", "input_messages", "output_messages", "exception"
]
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


def redact_text(redact: Redactor, name: str, text: str, kind: RedactionKind = "exception") -> str:
    """Text through the hook (an exception message unless ``kind`` says otherwise); always a string, because
    where text was recorded text must be recorded (a hook may hand back a parsed and scrubbed JSON value)."""
    value = apply(redact, kind, name, text)
    return value if isinstance(value, str) else json.dumps(value, default=str)


def redact_keys(keys: Iterable[str], replacement: str = REDACTED) -> Redactor:
    """A ready-made redactor: replaces the values of the named keys, at any depth, in dicts, JSON text and free text.

    ``RunConfig(redact=redact_keys({"password", "api_key", "authorization"}))``. Key matching is
    case-insensitive. Objects (pydantic models, dataclasses) are first converted to JSON types, so their fields
    are scrubbed too. Strings that hold JSON (tool arguments inside chat messages) are scrubbed as JSON; other
    text has ``key=value``, ``key: value`` and ``'key': 'value'`` forms scrubbed (as in exception messages and
    reprs).
    """
    names = frozenset(k.lower() for k in keys)
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    value = r"""( "(?:[^"\\]|\\.)*" | '(?:[^'\\]|\\.)*' | [^\s,;&)}\]]+ )"""
    pattern = re.compile(r"""(?ix) (["']?) \b(""" + alternatives + r""")\b \1 (\s*[:=]\s*) """ + value)

    def quoted(match: re.Match[str]) -> str:
        value = match.group(4)
        inner = f"{value[0]}{replacement}{value[0]}" if value[:1] in ("'", '"') else replacement
        return f"{match.group(1)}{match.group(2)}{match.group(1)}{match.group(3)}{inner}"

    def scrub_text(text: str) -> str:
        stripped = text.lstrip()
        if stripped[:1] in ("{", "["):
            try:
                return json.dumps(scrub(json.loads(text)))
            except ValueError:
                pass
        return pattern.sub(quoted, text) if names else text

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: replacement if str(k).lower() in names else scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(v) for v in value]
        if isinstance(value, str):
            return scrub_text(value)
        return value

    def redact(kind: RedactionKind, tool_name: str, value: Any) -> Any:
        if isinstance(value, str):
            return scrub_text(value)
        return scrub(pydantic_core.to_jsonable_python(value, fallback=str))

    return redact
