"""The OpenAI Agents SDK's span-data classes, as the objects a bridged ``TracingProcessor`` receives.

Why they exist here: integrations written for the SDK (Langfuse, Braintrust, AgentOps, exporters of their own) switch
on ``isinstance(span.span_data, AgentSpanData)`` or on ``span_data.type`` and read the same fields and the same
``export()`` dict. The runtime never records anything through them: :mod:`.sdk_trace_bridge` builds them from the
OpenTelemetry span, which stays the one record of a run. Constructors, field names, ``type`` values and ``export()``
shapes match the SDK so that code reading them, or building them in tests, runs unchanged.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any


class SpanData(abc.ABC):
    """What kind of operation a span is, and its details; ``type`` names the kind, ``export()`` is its JSON shape."""

    @abc.abstractmethod
    def export(self) -> dict[str, Any]:
        """The data as the SDK's JSON dict (what the SDK's own exporter uploads)."""

    @property
    @abc.abstractmethod
    def type(self) -> str:
        """The kind: ``agent``, ``function``, ``generation``, ``handoff``, ``guardrail``, ``custom``, ..."""


class AgentSpanData(SpanData):
    """An agent's run (our ``invoke_agent`` span)."""

    __slots__ = ("handoffs", "metadata", "name", "output_type", "tools")

    def __init__(
        self,
        name: str,
        handoffs: list[str] | None = None,
        tools: list[str] | None = None,
        output_type: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.handoffs = handoffs
        self.tools = tools
        self.output_type = output_type
        self.metadata = metadata

    @property
    def type(self) -> str:
        return "agent"

    def export(self) -> dict[str, Any]:
        return {
            "type": self.type, "name": self.name, "handoffs": self.handoffs, "tools": self.tools,
            "output_type": self.output_type,
        }


class FunctionSpanData(SpanData):
    """A function tool's call (our ``execute_tool`` span); ``input``/``output`` only under content capture."""

    __slots__ = ("input", "mcp_data", "name", "output")

    def __init__(
        self, name: str, input: str | None, output: Any | None, mcp_data: dict[str, Any] | None = None
    ) -> None:
        self.name = name
        self.input = input
        self.output = output
        self.mcp_data = mcp_data

    @property
    def type(self) -> str:
        return "function"

    def export(self) -> dict[str, Any]:
        output = None if self.output is None else str(self.output)
        return {"type": self.type, "name": self.name, "input": self.input, "output": output, "mcp_data": self.mcp_data}


class GenerationSpanData(SpanData):
    """A model call (our ``chat`` span): model, settings, usage; messages and the offered ``tools`` (the tool
    definitions as sent, handoffs among them; SDK 0.25) only under content capture."""

    __slots__ = ("input", "model", "model_config", "output", "tools", "usage")

    def __init__(
        self,
        input: Sequence[Mapping[str, Any]] | None = None,
        output: Sequence[Mapping[str, Any]] | None = None,
        model: str | None = None,
        model_config: Mapping[str, Any] | None = None,
        usage: dict[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        self.input = input
        self.output = output
        self.model = model
        self.model_config = model_config
        self.usage = usage
        self.tools = tools

    @property
    def type(self) -> str:
        return "generation"

    def export(self) -> dict[str, Any]:
        exported = {
            "type": self.type, "input": self.input, "output": self.output, "model": self.model,
            "model_config": self.model_config, "usage": self.usage,
        }
        if self.tools is not None:  # as the SDK: the key only when tools were offered
            exported["tools"] = self.tools
        return exported


class ResponseSpanData(SpanData):
    """The SDK's Responses-API model call; ``response_span()`` records it as a ``chat`` span. The bridge reports every
    model call as :class:`GenerationSpanData` (the span holds no ``Response`` object); the class is here for code
    that imports or builds it, and as ``response_span()``'s ``span_data``."""

    __slots__ = ("input", "response", "usage")

    def __init__(
        self, response: Any | None = None, input: Any | None = None, usage: dict[str, Any] | None = None
    ) -> None:
        self.response = response
        self.input = input
        self.usage = usage

    @property
    def type(self) -> str:
        return "response"

    def export(self) -> dict[str, Any]:
        response_id = getattr(self.response, "id", None) if self.response is not None else None
        return {"type": self.type, "response_id": response_id, "usage": self.usage}


class HandoffSpanData(SpanData):
    """A handoff between two agents (our ``handoff`` span)."""

    __slots__ = ("from_agent", "to_agent")

    def __init__(self, from_agent: str | None, to_agent: str | None) -> None:
        self.from_agent = from_agent
        self.to_agent = to_agent

    @property
    def type(self) -> str:
        return "handoff"

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "from_agent": self.from_agent, "to_agent": self.to_agent}


class GuardrailSpanData(SpanData):
    """An input or output guardrail (our ``guardrail`` span) and whether its tripwire fired."""

    __slots__ = ("name", "triggered")

    def __init__(self, name: str, triggered: bool = False) -> None:
        self.name = name
        self.triggered = triggered

    @property
    def type(self) -> str:
        return "guardrail"

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "triggered": self.triggered}


class CustomSpanData(SpanData):
    """Any other span: ``custom_span()``'s, or one another instrumentation started inside a run."""

    __slots__ = ("data", "name")

    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.name = name
        self.data = data

    @property
    def type(self) -> str:
        return "custom"

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "data": self.data}


class MCPListToolsSpanData(SpanData):
    """The SDK's MCP ``list_tools`` call: what a processor receives for an ``mcp_tools_span()`` (a ``tools/list``
    span; the runtime's own MCP servers record no span for listing)."""

    __slots__ = ("result", "server")

    def __init__(self, server: str | None = None, result: list[str] | None = None) -> None:
        self.server = server
        self.result = result

    @property
    def type(self) -> str:
        return "mcp_tools"

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "server": self.server, "result": self.result}


class TaskSpanData(SpanData):
    """One top-level piece of work an application marks with ``task_span()`` (the SDK's kind ``task``)."""

    __slots__ = ("metadata", "name", "usage")

    def __init__(
        self, name: str, usage: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None
    ) -> None:
        self.name = name
        self.usage = usage
        self.metadata = metadata

    @property
    def type(self) -> str:
        return "task"

    def export(self) -> dict[str, Any]:
        """As the SDK exports it: a ``custom`` span named ``task`` whose data says which kind it is."""
        data: dict[str, Any] = {"sdk_span_type": self.type, "name": self.name}
        if self.usage is not None:
            data["usage"] = self.usage
        return {"type": "custom", "name": self.type, "data": data}


class TurnSpanData(SpanData):
    """One turn of an agent loop, as an application marks it with ``turn_span()`` (the SDK's kind ``turn``)."""

    __slots__ = ("agent_name", "metadata", "turn", "usage")

    def __init__(
        self,
        turn: int,
        agent_name: str,
        usage: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.turn = turn
        self.agent_name = agent_name
        self.usage = usage
        self.metadata = metadata

    @property
    def type(self) -> str:
        return "turn"

    def export(self) -> dict[str, Any]:
        """As the SDK exports it: a ``custom`` span named ``turn`` whose data says which kind it is."""
        data: dict[str, Any] = {"sdk_span_type": self.type, "turn": self.turn, "agent_name": self.agent_name}
        if self.usage is not None:
            data["usage"] = self.usage
        return {"type": "custom", "name": self.type, "data": data}


class TranscriptionSpanData(SpanData):
    """A speech-to-text model call (``transcription_span()``): ``input`` is the audio as base64, ``output`` the
    text; a processor gets both only under content capture."""

    __slots__ = ("input", "input_format", "model", "model_config", "output")

    def __init__(
        self,
        input: str | None = None,
        input_format: str | None = "pcm",
        output: str | None = None,
        model: str | None = None,
        model_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.input = input
        self.input_format = input_format
        self.output = output
        self.model = model
        self.model_config = model_config

    @property
    def type(self) -> str:
        return "transcription"

    def export(self) -> dict[str, Any]:
        return {
            "type": self.type, "input": {"data": self.input or "", "format": self.input_format},
            "output": self.output, "model": self.model, "model_config": self.model_config,
        }


class SpeechSpanData(SpanData):
    """A text-to-speech model call (``speech_span()``): ``input`` is the text, ``output`` the audio as base64; a
    processor gets both only under content capture."""

    __slots__ = ("first_content_at", "input", "model", "model_config", "output", "output_format")

    def __init__(
        self,
        input: str | None = None,
        output: str | None = None,
        output_format: str | None = "pcm",
        model: str | None = None,
        model_config: Mapping[str, Any] | None = None,
        first_content_at: str | None = None,
    ) -> None:
        self.input = input
        self.output = output
        self.output_format = output_format
        self.model = model
        self.model_config = model_config
        self.first_content_at = first_content_at

    @property
    def type(self) -> str:
        return "speech"

    def export(self) -> dict[str, Any]:
        return {
            "type": self.type, "input": self.input, "output": {"data": self.output or "", "format": self.output_format},
            "model": self.model, "model_config": self.model_config, "first_content_at": self.first_content_at,
        }


class SpeechGroupSpanData(SpanData):
    """The speech spans made for one piece of text (``speech_group_span()``); the text under content capture."""

    __slots__ = ("input",)

    def __init__(self, input: str | None = None) -> None:
        self.input = input

    @property
    def type(self) -> str:
        return "speech_group"

    def export(self) -> dict[str, Any]:
        return {"type": self.type, "input": self.input}
