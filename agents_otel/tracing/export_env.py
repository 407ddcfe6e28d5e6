"""The environment variables that bound telemetry export, read in one place for traces and metrics alike.

Its own module so the trace setup and the metrics setup can share them without importing each other.
"""

from __future__ import annotations

import os
from typing import Literal

from ..exceptions import UserError

AUTO_CONFIGURE_ENV = "AGENTS_OTEL_AUTO_CONFIGURE"
EXIT_TIMEOUT_ENV = "AGENTS_OTEL_EXIT_TIMEOUT"
DEFAULT_EXIT_TIMEOUT = 2.0
"""Seconds interpreter exit may spend flushing spans: long enough for a reachable collector, short enough that
a dead one does not stall every ``python script.py``."""
DEFAULT_EXPORT_TIMEOUT = 5.0
"""Seconds per OTLP export (all retries included) unless ``OTEL_EXPORTER_OTLP[_TRACES]_TIMEOUT`` says otherwise.
Half the SDK's 10 s, so one stuck batch holds up the worker thread (and a ``force_flush``) for less."""


class TracingConfigurationError(UserError):
    """Tracing settings that cannot work (an unsupported protocol, a second global provider, a bad number)."""


def auto_configure_disabled() -> bool:
    """``AGENTS_OTEL_AUTO_CONFIGURE=false`` (or ``0``/``no``/``off``): neither traces nor metrics get the zero-config
    default, so both setups ask here."""
    return env(AUTO_CONFIGURE_ENV).lower() in ("false", "0", "no", "off")


def export_timeout_from_env(signal: Literal["TRACES", "METRICS"]) -> float | None:
    """Seconds per OTLP export of ``signal``: ``None`` when ``OTEL_EXPORTER_OTLP[_<signal>]_TIMEOUT`` is set (the
    exporter reads it itself), else :data:`DEFAULT_EXPORT_TIMEOUT`."""
    if env(f"OTEL_EXPORTER_OTLP_{signal}_TIMEOUT") or env("OTEL_EXPORTER_OTLP_TIMEOUT"):
        return None
    return DEFAULT_EXPORT_TIMEOUT


def exit_timeout_from_env() -> float:
    """Seconds interpreter exit may spend flushing telemetry (``AGENTS_OTEL_EXIT_TIMEOUT``)."""
    return float_env(EXIT_TIMEOUT_ENV, DEFAULT_EXIT_TIMEOUT)


def env(name: str) -> str:
    return os.environ.get(name, "").strip()


def float_env(name: str, default: float) -> float:
    raw = env(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise TracingConfigurationError(f"{name}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise TracingConfigurationError(f"{name}={raw!r} must not be negative")
    return value
