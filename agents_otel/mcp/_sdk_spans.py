"""Folding the MCP SDK's own CLIENT span into ours, so a run's trace has one CLIENT span per request.

``mcp`` 2.x opens a CLIENT span (``MCP send tools/call x``) for every request it sends, on the *global*
provider, and injects the W3C context of that span into ``params._meta``. Left alone, that gives either a
duplicate CLIENT span (when the run's provider is the global one) or a server span whose parent the run's
provider never saw (when it is not). Neither is a coherent trace.

So, for requests sent by an ``agents_otel`` client only (a context variable marks them), the SDK's tracer hands
back a non-recording span carrying *our* span's context: nothing is recorded twice, and the SDK's own injection
writes our CLIENT span's ``traceparent``. The one thing the SDK knows and we do not, the JSON-RPC request id
(also the progress token), is copied onto our span. Every other use of the SDK in the process is untouched: the
wrapper delegates when the variable is unset. 1.x has no such span; nothing is installed there.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, Span, SpanKind, Tracer

logger = logging.getLogger("agents_otel")

JSONRPC_REQUEST_ID = "jsonrpc.request.id"


class OwnedRequest:
    """A request our client is sending: our CLIENT span (or ``None`` to just keep the SDK quiet)."""

    __slots__ = ("on_request_id", "request_id", "span")

    def __init__(self, span: Span | None, on_request_id: Callable[[str], None] | None = None) -> None:
        self.span = span
        self.request_id: str | None = None
        self.on_request_id = on_request_id

    def learn_request_id(self, request_id: str) -> None:
        self.request_id = request_id
        if self.span is not None:
            self.span.set_attribute(JSONRPC_REQUEST_ID, request_id)
        if self.on_request_id is not None:
            self.on_request_id(request_id)


OWNED: ContextVar[OwnedRequest | None] = ContextVar("agents_otel.mcp.owned_request", default=None)


class _AbsorbingTracer(Tracer):
    def __init__(self, inner: Tracer) -> None:
        self._inner = inner

    def start_span(self, *args: Any, **kwargs: Any) -> Span:
        return self._inner.start_span(*args, **kwargs)

    @contextlib.contextmanager
    def start_as_current_span(  # type: ignore[override]
        self,
        name: str,
        context: Any = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, Any] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Iterator[Span]:
        owned = OWNED.get()
        if owned is None or kind is not SpanKind.CLIENT:
            with self._inner.start_as_current_span(name, context, kind, attributes, *args, **kwargs) as span:
                yield span
            return
        request_id = (attributes or {}).get(JSONRPC_REQUEST_ID)
        if request_id is not None:
            owned.learn_request_id(str(request_id))
        parent = owned.span if owned.span is not None else trace.get_current_span()
        stand_in = NonRecordingSpan(parent.get_span_context())
        with trace.use_span(stand_in, end_on_exit=False, record_exception=False, set_status_on_exception=False):
            yield stand_in


def install() -> bool:
    """Wrap the SDK's module tracer once; ``False`` where there is none (1.x, or a reorganised SDK)."""
    try:
        from mcp.shared import _otel  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return False
    current = getattr(_otel, "_tracer", None)
    if current is None:
        logger.warning("agents_otel.mcp: this mcp release has no module tracer to fold in; its spans stay separate")
        return False
    if not isinstance(current, _AbsorbingTracer):
        _otel._tracer = _AbsorbingTracer(current)
    return True
