"""What one turn of a Codex thread runs with: a structured-output schema, a cancel switch, an idle limit."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .payloads import coerce_options

AbortSignal = asyncio.Event


@dataclass(frozen=True)
class TurnOptions:
    output_schema: dict[str, Any] | None = None
    """A JSON object schema the final response must follow (written to a temporary file for ``--output-schema``)."""
    signal: AbortSignal | None = None
    """Setting this event terminates the CLI process (the turn then ends with the CLI's exit)."""
    idle_timeout_seconds: float | None = None
    """No event for this long: the CLI is terminated and the turn fails."""


def coerce_turn_options(options: TurnOptions | Mapping[str, Any] | None) -> TurnOptions | None:
    return coerce_options(TurnOptions, options, "TurnOptions")
