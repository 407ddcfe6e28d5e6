"""What the trace view knows about a span: decoded once from OTLP JSON, independent of the SDK's classes.

The view reads files written by other processes (or by the Collector), so it works from the wire format, not
from ``ReadableSpan``; spans from memory are encoded to the same format first (see ``render_spans``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..tracing import attributes as A

STATUS_ERROR = 2
"""``Status.code`` of an error span in OTLP (``STATUS_CODE_ERROR``)."""


@dataclass(slots=True)
class EventRecord:
    name: str
    time: int
    attributes: dict[str, Any]

    @property
    def is_progress(self) -> bool:
        return self.name == A.PROGRESS_EVENT

    @property
    def sequence(self) -> int | None:
        value = self.attributes.get(A.PROGRESS_SEQUENCE)
        return value if isinstance(value, int) else None

    @property
    def data(self) -> Any:
        """The progress payload, decoded from its JSON attribute (the raw string if it is not JSON)."""
        raw = self.attributes.get(A.PROGRESS_DATA)
        if not isinstance(raw, str):
            return raw
        try:
            return json.loads(raw)
        except ValueError:
            return raw


@dataclass(slots=True)
class SpanRecord:
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    start: int
    end: int
    attributes: dict[str, Any]
    events: list[EventRecord]
    status_code: int
    status_message: str
    service_name: str
    children: list[SpanRecord] = field(default_factory=list)

    @property
    def duration(self) -> int:
        return max(0, self.end - self.start)

    @property
    def is_error(self) -> bool:
        return self.status_code == STATUS_ERROR

    @property
    def is_cancelled(self) -> bool:
        """Ended by cancellation (``error.type=cancelled``): nobody failed, so it is not counted as an error."""
        return self.is_error and self.attributes.get(A.ERROR_TYPE) == A.ERROR_CANCELLED

    @property
    def error_type(self) -> str | None:
        value = self.attributes.get(A.ERROR_TYPE)
        return str(value) if value is not None else None

    @property
    def tool_name(self) -> str | None:
        if self.attributes.get(A.GEN_AI_OPERATION_NAME) != A.OP_EXECUTE_TOOL:
            return None
        return str(self.attributes.get(A.GEN_AI_TOOL_NAME, self.name))

    @property
    def operation(self) -> str:
        return str(self.attributes.get(A.GEN_AI_OPERATION_NAME, ""))


@dataclass(slots=True)
class TraceRecord:
    """One trace (one run, with everything nested in it), its spans linked into a tree."""

    trace_id: str
    spans: list[SpanRecord]
    roots: list[SpanRecord]

    @property
    def start(self) -> int:
        return min(s.start for s in self.spans)

    @property
    def end(self) -> int:
        return max(s.end for s in self.spans)

    @property
    def duration(self) -> int:
        return max(0, self.end - self.start)

    @property
    def root(self) -> SpanRecord:
        return self.roots[0]

    @property
    def errors(self) -> int:
        """Spans that failed; cancelled spans are counted apart (:attr:`cancelled`)."""
        return sum(1 for s in self.spans if s.is_error and not s.is_cancelled)

    @property
    def cancelled(self) -> int:
        return sum(1 for s in self.spans if s.is_cancelled)
