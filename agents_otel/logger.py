"""The SDK's ``agents.logger`` path: the package's logger, the parent of every ``agents_otel.*`` module's logger.

SDK code configures ``from agents.logger import logger``; here that is the ``agents_otel`` logger (the SDK's is
``openai.agents``), so its level and handlers apply to everything this package logs. The SDK module's
``log_model_action_*`` / ``log_tool_action_*`` helpers are its runner's internals and are not kept.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("agents_otel")

__all__ = ["logger"]
