"""One running tool call: its identity, its span, and the progress it records.

A ``ToolCall`` is the source of truth that both views read. ``progress`` records the span event and hands the
same record to the stream processor, under one lock so the sequence order on the span and in the stream agree
even when several threads of one tool report at once. Ending the call (``finish``) takes the same lock, so a
late ``send_progress`` from a straggling worker thread is dropped and counted, never attributed to anything else.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import INVALID_SPAN, Span, SpanContext

from .progress_payload import encode_payload, scalar_fields
from .tracing.attributes import (
    GEN_AI_TOOL_CALL_ID,
    PROGRESS_DATA,
    PROGRESS_DATA_PREFIX,
    PROGRESS_EVENT,
    PROGRESS_SEQUENCE,
)
from .tracing.processor import STREAM_PROCESSOR

if TYPE_CHECKING:
    from .run_context import RunContext


class ToolCall:
    __slots__ = (
        "_lock",
        "agent_name",
        "arguments",
        "call_id",
        "end_reported",
        "ended",
        "error_type",
        "output",
        "run",
        "sequence",
        "span",
        "span_id",
        "tool_name",
        "trace_id",
    )

    def __init__(self, run: RunContext, tool_name: str, call_id: str, arguments: str, agent_name: str) -> None:
        self.run = run
        self.tool_name = tool_name
        self.call_id = call_id
        self.arguments = arguments
        self.agent_name = agent_name
        self.span: Span = INVALID_SPAN
        self.trace_id = ""
        self.span_id = ""
        self.sequence = 0
        self.ended = False
        self.end_reported = False
        self.output: Any = None
        self.error_type: str | None = None
        self._lock = threading.Lock()

    def bind_ids(self, span_context: SpanContext) -> None:
        self.trace_id = format(span_context.trace_id, "032x")
        self.span_id = format(span_context.span_id, "016x")

    def start(self, span: Span) -> None:
        """Attach the started span; report the start ourselves if no processor saw it (sampled out, no SDK)."""
        self.span = span
        if not self.trace_id:
            STREAM_PROCESSOR.tool_started(self, span.get_span_context())

    def progress(self, data: Any) -> bool:
        payload = encode_payload(data, self.tool_name)
        fields = scalar_fields(data)
        with self._lock:
            if self.ended:
                self.run.progress_dropped += 1
                return False
            self.sequence = sequence = self.sequence + 1
            timestamp = time.time_ns()
            attributes: dict[str, Any] = {
                GEN_AI_TOOL_CALL_ID: self.call_id,
                PROGRESS_SEQUENCE: sequence,
                PROGRESS_DATA: payload,
            }
            if fields:
                for key, value in fields.items():
                    attributes[PROGRESS_DATA_PREFIX + key] = value
            self.span.add_event(PROGRESS_EVENT, attributes, timestamp)
            STREAM_PROCESSOR.tool_progress(self, sequence, data, timestamp)
        return True

    def finish(self, output: Any, error_type: str | None) -> None:
        """Close the call to further progress, then end its span (which reports ``tool_output``)."""
        with self._lock:
            self.ended = True
            self.output = output
            self.error_type = error_type
        self.span.end()
        if not self.end_reported:
            STREAM_PROCESSOR.tool_ended(self)
