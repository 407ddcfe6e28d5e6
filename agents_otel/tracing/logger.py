"""The SDK's ``agents.tracing.logger`` path: the logger above every ``agents_otel.tracing.*`` module's logger."""

from __future__ import annotations

import logging

logger = logging.getLogger("agents_otel.tracing")

__all__ = ["logger"]
