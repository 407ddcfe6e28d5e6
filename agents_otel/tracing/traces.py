"""The SDK's ``agents.tracing.traces`` path: the ``Trace`` a trace processor receives.

That is ``agents_otel.tracing.Trace`` (derived from the OpenTelemetry spans), not the package root's ``Trace``
(``trace()``'s handle). The SDK's implementations and reattachment (``TraceImpl``, ``NoOpTrace``, ``TraceState``,
``reattach_trace``) are not offered: traces here are OpenTelemetry's; importing one says so.
"""

from __future__ import annotations

from .._sdk_paths import not_supported
from .sdk_tracing import Trace

__all__ = ["Trace"]

_IMPL = (
    "traces are OpenTelemetry's here: processors receive agents_otel.tracing.Trace, trace() makes a trace, and a "
    "disabled trace is RunConfig(tracing_disabled=True)"
)
_REATTACH = "a trace is continued by OpenTelemetry context propagation, not by reattaching a serialized trace"

__getattr__ = not_supported(
    __name__,
    {
        "NO_OP_TRACE": _IMPL,
        "NoOpTrace": _IMPL,
        "TraceImpl": _IMPL,
        "ReattachedTrace": _REATTACH,
        "TraceState": _REATTACH,
        "reattach_trace": _REATTACH,
    },
)
