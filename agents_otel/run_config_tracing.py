"""``RunConfig(tracing={...})``: the SDK's ``TracingConfig``, checked when the run config is made.

Why a records module of its own: ``RunConfig`` (a record) checks the dict when it is built, and the telemetry that
acts on it (``agents_otel.tracing.config``, the trace bridge) sits above it. What maps here:

* ``api_key``: the key ``BackendSpanExporter`` uploads this run's traces and spans with (the SDK's per-trace
  key), carried on the ``Trace`` / ``Span`` objects trace processors receive, never in a span attribute. It has an
  effect only where the application registered a ``BackendSpanExporter`` (nothing is uploaded by default).
* ``include_task_and_turn_spans``: ``False`` is what every run does here (a run makes no task / turn spans, see
  docs/trace-model.md); ``True`` asks for spans no run makes, so it is a ``UserError``, as is any other key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from .exceptions import UserError


class TracingConfig(TypedDict, total=False):
    """As the SDK's ``agents.tracing.config.TracingConfig``; see the module's docstring for what each key does here."""

    api_key: str
    include_task_and_turn_spans: bool


_KEYS = frozenset(TracingConfig.__annotations__)


def checked_tracing_config(value: object, owner: str = "RunConfig") -> TracingConfig | None:
    """``value`` as a ``TracingConfig``, or a ``UserError`` saying what cannot be honoured."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise UserError(f"{owner} tracing must be a TracingConfig dict, got {type(value).__name__}")
    unknown = sorted(str(key) for key in value if key not in _KEYS)
    if unknown:
        raise UserError(f"{owner} tracing: unknown key(s) {', '.join(unknown)}; a TracingConfig has {sorted(_KEYS)}")
    config = TracingConfig()
    api_key = value.get("api_key")
    if api_key is not None:
        if not isinstance(api_key, str) or not api_key:
            raise UserError(f"{owner} tracing api_key must be a non-empty str, got {type(api_key).__name__}")
        config["api_key"] = api_key
    spans = value.get("include_task_and_turn_spans")
    if spans is not None:
        if not isinstance(spans, bool):
            raise UserError(f"{owner} tracing include_task_and_turn_spans must be a bool, got {spans!r}")
        if spans:
            raise UserError(
                f"{owner} tracing include_task_and_turn_spans=True cannot be honoured: a run here makes no task / "
                "turn spans (its workflow or top invoke_agent span is the task, each chat span a turn); drop the "
                "key, or make them yourself with task_span() / turn_span()"
            )
        config["include_task_and_turn_spans"] = False
    return config


__all__ = ["TracingConfig", "checked_tracing_config"]
