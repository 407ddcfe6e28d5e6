"""The SDK's ``agents.tracing.context`` path, kept so an import of the module itself does not fail.

Its names (``create_trace_for_run``, ``TraceCtxManager``) are how the SDK's runner opens a run's trace; here the
run's ``invoke_workflow`` / ``invoke_agent`` span is that, so the module has no names. Use ``trace()`` to group runs.
"""

from __future__ import annotations

__all__: list[str] = []
