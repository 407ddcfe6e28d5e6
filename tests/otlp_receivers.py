"""Real OTLP trace receivers on 127.0.0.1 for export tests: OTLP/HTTP (protobuf or JSON) and OTLP/gRPC.

The HTTP receiver takes both encodings the OTLP/HTTP specification defines, by ``Content-Type``: protobuf
(``application/x-protobuf``) and JSON (``application/json``, decoded strictly by the OTLP/JSON rules: hex ids,
unknown fields rejected with HTTP 400). All decode what they receive with opentelemetry-proto into
``ExportTraceServiceRequest`` messages, record the
request headers/metadata, and let a test wait (on a condition variable, not a sleep) until spans arrive.
Fixtures: ``otlp_http_receiver``, ``otlp_grpc_receiver``, and ``refused_port`` (a port where nothing listens).
"""

from __future__ import annotations

import base64
import gzip
import json
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
import pytest
from google.protobuf.json_format import ParseDict, ParseError
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1.trace_pb2 import Span

WAIT_SECONDS = 30.0
"""Upper bound for waiting on spans; generous because it only matters when a test is about to fail."""


@dataclass
class ReceivedSpan:
    span: Span
    resource: dict[str, Any]
    scope_name: str

    @property
    def name(self) -> str:
        return self.span.name

    @property
    def trace_id(self) -> str:
        return self.span.trace_id.hex()

    @property
    def span_id(self) -> str:
        return self.span.span_id.hex()

    @property
    def parent_span_id(self) -> str:
        return self.span.parent_span_id.hex()

    @property
    def attributes(self) -> dict[str, Any]:
        return {kv.key: any_value(kv.value) for kv in self.span.attributes}


def any_value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind) if kind else None


@dataclass
class Receiver:
    """What one receiver got, shared between its server threads and the test."""

    requests: list[trace_service_pb2.ExportTraceServiceRequest] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    metrics: list[metrics_service_pb2.ExportMetricsServiceRequest] = field(default_factory=list)
    endpoint: str = ""
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def record(self, request: trace_service_pb2.ExportTraceServiceRequest, headers: dict[str, str]) -> None:
        with self._cond:
            self.requests.append(request)
            self.headers.append(headers)
            self._cond.notify_all()

    def record_metrics(self, request: metrics_service_pb2.ExportMetricsServiceRequest) -> None:
        with self._cond:
            self.metrics.append(request)
            self._cond.notify_all()

    def metric_points(self, name: str) -> list[Any]:
        """Every data point received for the metric ``name`` (histogram, sum or gauge points)."""
        points: list[Any] = []
        with self._cond:
            for request in self.metrics:
                for rm in request.resource_metrics:
                    for sm in rm.scope_metrics:
                        for metric in sm.metrics:
                            if metric.name == name:
                                kind = metric.WhichOneof("data")
                                points.extend(getattr(metric, kind).data_points)
        return points

    def spans(self) -> list[ReceivedSpan]:
        with self._cond:
            return self._spans_locked()

    def wait_for(self, predicate: Callable[[list[ReceivedSpan]], bool], timeout: float = WAIT_SECONDS) -> None:
        """Block until ``predicate(spans)`` holds; fail the test if it does not within ``timeout``."""
        with self._cond:
            ok = self._cond.wait_for(lambda: predicate(self._spans_locked()), timeout)
        assert ok, f"receiver at {self.endpoint} did not get the expected spans; got {len(self.spans())}"

    def _spans_locked(self) -> list[ReceivedSpan]:
        out: list[ReceivedSpan] = []
        for request in self.requests:
            for rs in request.resource_spans:
                resource = {kv.key: any_value(kv.value) for kv in rs.resource.attributes}
                for ss in rs.scope_spans:
                    out.extend(ReceivedSpan(span, resource, ss.scope.name) for span in ss.spans)
        return out

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        return [s for s in self.spans() if s.trace_id == trace_id]


def _http_handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            if self.path == "/v1/metrics":
                metrics_request = metrics_service_pb2.ExportMetricsServiceRequest()
                metrics_request.ParseFromString(body)
                receiver.record_metrics(metrics_request)
                self._reply(metrics_service_pb2.ExportMetricsServiceResponse().SerializeToString())
                return
            if self.path != "/v1/traces":
                self.send_response(404)
                self.end_headers()
                return
            request = trace_service_pb2.ExportTraceServiceRequest()
            is_json = self.headers.get("Content-Type", "").split(";")[0].strip() == "application/json"
            if is_json:
                try:
                    ParseDict(_ids_to_base64(json.loads(body)), request)
                except (ParseError, ValueError) as exc:
                    self.send_response(400)
                    self.end_headers()
                    self.wfile.write(str(exc).encode())
                    return
            else:
                request.ParseFromString(body)
            receiver.record(request, {k.lower(): v for k, v in self.headers.items()})
            if is_json:
                self._reply(b"{}", "application/json")
            else:
                self._reply(trace_service_pb2.ExportTraceServiceResponse().SerializeToString())

        def _reply(self, reply: bytes, content_type: str = "application/x-protobuf") -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _ids_to_base64(message: Any) -> Any:
    """OTLP/JSON carries trace and span ids as hex; protobuf's JSON parser expects base64."""
    for resource_spans in message.get("resourceSpans", ()):
        for scope_spans in resource_spans.get("scopeSpans", ()):
            for span in scope_spans.get("spans", ()):
                for obj in (span, *span.get("links", ())):
                    for key in ("traceId", "spanId", "parentSpanId"):
                        if obj.get(key):
                            obj[key] = base64.b64encode(bytes.fromhex(obj[key])).decode()
    return message


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver

    def Export(self, request: Any, context: Any) -> trace_service_pb2.ExportTraceServiceResponse:
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        self.receiver.record(request, metadata)
        return trace_service_pb2.ExportTraceServiceResponse()


@pytest.fixture
def otlp_http_receiver() -> Iterator[Receiver]:
    """OTLP/HTTP receiver; ``endpoint`` is the base URL (``/v1/traces`` is the path it serves)."""
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _http_handler(receiver))
    receiver.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def otlp_grpc_receiver() -> Iterator[Receiver]:
    """OTLP/gRPC receiver; ``endpoint`` is ``http://127.0.0.1:PORT`` (plaintext)."""
    receiver = Receiver()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_TraceService(receiver), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    receiver.endpoint = f"http://127.0.0.1:{port}"
    yield receiver
    server.stop(grace=None).wait()


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port bound (so nobody else takes it) but not listening: every connection attempt is refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()
