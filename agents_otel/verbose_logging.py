"""``enable_verbose_stdout_logging()``: the OpenAI Agents SDK's one-line switch for seeing what the runtime does.

Why it exists: SDK examples call it first thing when something misbehaves, and a missing name would stop them at the
import. It shows this runtime's own loggers (``agents_otel`` and below: export failures, server events, hooks that
raised) on stdout at DEBUG; the spans themselves are seen in a trace backend or with ``agents-otel traces``.
"""

from __future__ import annotations

import logging
import sys


def enable_verbose_stdout_logging() -> None:
    """Log everything ``agents_otel`` logs, DEBUG and up, to stdout (once: calling it again adds no second handler)."""
    logger = logging.getLogger("agents_otel")
    logger.setLevel(logging.DEBUG)
    if not any(getattr(h, "_agents_otel_verbose", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler._agents_otel_verbose = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
