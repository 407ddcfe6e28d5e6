"""Compatibility: the SDK's ``task_span()`` / ``turn_span()`` and ``TaskSpanData`` / ``TurnSpanData``.

As the other span functions: each is an OpenTelemetry span, a child of the current span (here, inside a run's tool
call), named ``task {name}`` / ``turn {agent_name}`` with ``agents_otel.task.name`` / ``agents_otel.turn.number`` +
``gen_ai.agent.name``; usage set on ``span_data`` before ``finish`` becomes ``gen_ai.usage.*``; the SDK trace
processors receive ``TaskSpanData`` / ``TurnSpanData`` with the SDK's ``type`` and ``export()`` shape. Learnt from
the SDK's src/agents/tracing/create.py and span_data.py.
"""

from __future__ import annotations

import pytest
from opentelemetry.trace import SpanKind
from sdk_span_support import Recorder, attrs, in_a_tool, one, parent_of
from support import Tracing

from agents_otel import (
    TaskSpanData,
    TurnSpanData,
    UserError,
    set_trace_processors,
    task_span,
    turn_span,
)
from agents_otel import tracing as sdk_tracing


async def test_task_and_turn_spans_are_otel_spans_under_the_current_span(tracing: Tracing) -> None:
    def body() -> None:
        with task_span("triage-request") as task:
            with turn_span(1, "Triage"):
                pass
            turn = turn_span(2, "Billing")
            turn.start()
            turn.span_data.usage = {"input_tokens": 12, "output_tokens": 4}
            turn.finish()
            task.span_data.usage = {"input_tokens": 20, "output_tokens": 6}

    await in_a_tool(tracing, body)
    tool = one(tracing, "execute_tool work")
    task = one(tracing, "task triage-request")
    assert task.kind is SpanKind.INTERNAL and parent_of(task) == tool.context.span_id
    assert attrs(task) == {
        "agents_otel.task.name": "triage-request",
        "gen_ai.usage.input_tokens": 20,
        "gen_ai.usage.output_tokens": 6,
    }
    first = one(tracing, "turn Triage")
    assert attrs(first) == {"agents_otel.turn.number": 1, "gen_ai.agent.name": "Triage"}
    assert parent_of(first) == task.context.span_id
    second = one(tracing, "turn Billing")
    assert attrs(second) == {
        "agents_otel.turn.number": 2,
        "gen_ai.agent.name": "Billing",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 4,
    }
    assert parent_of(second) == task.context.span_id  # start() without mark_as_current: under the current span
    assert {s.context.trace_id for s in (task, first, second)} == {tool.context.trace_id}


async def test_trace_processors_receive_task_and_turn_span_data(tracing: Tracing) -> None:
    recorder = Recorder()
    set_trace_processors([recorder])
    try:

        def body() -> None:
            with task_span("nightly") as task, turn_span(3, "Worker"):
                task.span_data.usage = {"input_tokens": 5, "output_tokens": 1}

        await in_a_tool(tracing, body)
    finally:
        set_trace_processors([])
    (task,) = [s for s in recorder.ended if isinstance(s.span_data, TaskSpanData)]
    (turn,) = [s for s in recorder.ended if isinstance(s.span_data, TurnSpanData)]
    assert task.span_data.type == "task" and task.span_data.name == "nightly"
    assert task.span_data.usage is not None and task.span_data.usage["input_tokens"] == 5
    assert (turn.span_data.type, turn.span_data.turn, turn.span_data.agent_name) == ("turn", 3, "Worker")
    assert turn.parent_id == task.span_id
    assert turn.span_data.export() == {
        "type": "custom",
        "name": "turn",
        "data": {"sdk_span_type": "turn", "turn": 3, "agent_name": "Worker"},
    }


def test_span_data_as_in_the_sdk() -> None:
    data = TaskSpanData("run", usage={"input_tokens": 1}, metadata={"k": "v"})
    assert (data.type, data.name, data.metadata) == ("task", "run", {"k": "v"})
    assert data.export() == {
        "type": "custom",
        "name": "task",
        "data": {"sdk_span_type": "task", "name": "run", "usage": {"input_tokens": 1}},
    }
    assert sdk_tracing.TaskSpanData is TaskSpanData and sdk_tracing.TurnSpanData is TurnSpanData
    assert sdk_tracing.task_span is task_span and sdk_tracing.turn_span is turn_span


def test_span_id_is_refused_and_disabled_records_nothing(tracing: Tracing) -> None:
    with pytest.raises(UserError, match="span_id"):
        task_span("x", span_id="span_123")
    with pytest.raises(UserError, match="span_id"):
        turn_span(1, "A", span_id="span_123")
    with task_span("quiet", disabled=True) as span:
        assert span.span_id == ""
    assert not [s for s in tracing.spans() if s.name == "task quiet"]
