"""Whether message and tool content may enter spans.

The GenAI conventions say content SHOULD NOT be captured by default. The switch is the variable that
opentelemetry-python-contrib's util-genai defines, ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``:
``NO_CONTENT`` (default), ``SPAN_ONLY``, ``EVENT_ONLY``, ``SPAN_AND_EVENT``; the older ``true``/``false`` are
accepted too. This runtime writes content only as span attributes, so ``SPAN_ONLY``, ``SPAN_AND_EVENT`` and
``true`` turn it on.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..run_config import RunConfig

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_ON = frozenset({"SPAN_ONLY", "SPAN_AND_EVENT", "TRUE", "1", "YES"})


def capture_content_from_env() -> bool:
    return os.environ.get(CAPTURE_CONTENT_ENV, "").strip().upper() in _ON


def capture_content_for(config: RunConfig) -> bool:
    """``RunConfig.capture_content``, else the SDK's ``trace_include_sensitive_data``, else the variable."""
    if config.capture_content is not None:
        return config.capture_content
    if config.trace_include_sensitive_data is not None:
        return config.trace_include_sensitive_data
    return capture_content_from_env()
