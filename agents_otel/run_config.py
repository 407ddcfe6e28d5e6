"""Run-wide settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opentelemetry.trace import TracerProvider

from .event_stream import DEFAULT_MAX_BUFFERED
from .models.interface import ModelSettings

if TYPE_CHECKING:
    from .models.interface import Model


@dataclass
class RunConfig:
    model: str | Model | None = None
    """Used for agents that set no model of their own."""
    model_settings: ModelSettings | None = None
    """Run-wide defaults; an agent's own settings win field by field."""
    tracer_provider: TracerProvider | None = None
    """Where spans go. ``None``: the global provider. The runtime only adds its stream processor to it."""
    capture_content: bool | None = None
    """Record messages, tool arguments and results in spans. ``None``: from
    ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` (off by default, as the conventions ask)."""
    max_buffered_events: int = DEFAULT_MAX_BUFFERED
    """Undelivered stream events before progress of a call starts being coalesced (latest value wins)."""
