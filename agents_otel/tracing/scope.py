"""The SDK's ``agents.tracing.scope`` path, kept so an import of the module itself does not fail.

Its ``Scope`` holds the SDK's current trace and span in context variables; here OpenTelemetry's context does that
(``get_current_trace()`` / ``get_current_span()`` read it), so the module has no names.
"""

from __future__ import annotations

__all__: list[str] = []
