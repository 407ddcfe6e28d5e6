"""Compatibility: ``error.message`` on the runtime's exceptions, as on the OpenAI Agents SDK's.

SDK code reads it (``except MaxTurnsExceeded as e: print(e.message)``); the SDK's ``MaxTurnsExceeded``,
``ModelBehaviorError`` and ``UserError`` carry it, and so does every error of ours (``AgentsOtelError`` and its
subclasses, whatever their constructors take): the message the error was made with, ``str(e)`` for a one-argument
error. As on the SDK's plain attribute, ``e.message = ...`` works. An error that is also an ``openai`` exception
keeps the ``message`` openai gave it. Pickling and copying keep every error's class, message and attributes,
including those whose constructors take other arguments than the message (``MaxTurnsExceeded(max_turns)``, the
guardrail tripwires), which used to be rebuilt from the message.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import httpx
import openai
import pytest

import agents_otel
import agents_otel.commands.mcp
import agents_otel.commands.serve
import agents_otel.compaction_output
import agents_otel.mcp.errors
import agents_otel.server.errors as server_errors
import agents_otel.session_settings
import agents_otel.testing
import agents_otel.tool_sources
import agents_otel.tracing.export_env
import agents_otel.tracing.metrics_export
from agents_otel import (
    Agent,
    AgentsException,
    AgentsOtelError,
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailResult,
    MaxTurnsExceeded,
    ModelBehaviorError,
    OutputGuardrail,
    OutputGuardrailResult,
    RunConfig,
    Runner,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrail,
    ToolOutputGuardrail,
    UserError,
)
from agents_otel import exceptions as errors
from agents_otel._sdk_paths import SDKNameNotSupportedError
from agents_otel.extensions.errors import ExtensionUnavailableError
from agents_otel.extensions.memory.errors import (
    SessionBranchError,
    SessionClosedError,
    SessionSchemaError,
    SessionStoreUnavailableError,
)
from agents_otel.items import UserMessage
from agents_otel.mcp.errors import MCPRequestError
from agents_otel.models._openai_errors import model_error_from
from agents_otel.models.interface import ModelRequest
from agents_otel.models.responses_websocket import ResponsesWebSocketError
from agents_otel.realtime import RealtimeConnectionClosedError, RealtimeNotSupportedError
from agents_otel.sandbox.memory.interface import MemoryGenerationError
from agents_otel.testing import ScriptedModel, function_call
from agents_otel.testing.steps import model_call
from agents_otel.voice import StreamedTranscriptionNotSupportedError, STTWebsocketConnectionError

TRIPPED = GuardrailFunctionOutput(output_info={"why": "test"}, tripwire_triggered=True)
TOOL_TRIPPED = ToolGuardrailFunctionOutput.raise_exception(output_info="no")

# One example of each error class (by family), with the message it must report.
EXAMPLES: dict[type[BaseException], tuple[AgentsOtelError, str]] = {
    # plain message errors
    **{
        cls: (cls("what went wrong"), "what went wrong")
        for cls in (
            AgentsOtelError, UserError, errors.RunSyncInLoopError, errors.NestedApprovalError, ModelBehaviorError,
            errors.ToolError,
            errors.ToolNotFoundError, errors.ToolArgumentsError, errors.ToolCancelledError, errors.ToolOutputError,
            errors.MCPToolCancellationError,
            agents_otel.tracing.sdk_provider.TraceProviderNotSupportedError,
            errors.ProgressPayloadError, agents_otel.tool_sources.ToolNameCollisionError,
            agents_otel.tracing.export_env.TracingConfigurationError,
            agents_otel.tracing.metrics_export.MetricsConfigurationError, agents_otel.testing.ScriptExhaustedError,
            agents_otel.testing.ScriptCallError, agents_otel.commands.mcp.MCPTargetError,
            agents_otel.commands.serve.ServeTargetError, agents_otel.mcp.errors.MCPToolError,
            agents_otel.mcp.errors.MCPConnectionError, agents_otel.mcp.errors.MCPServerError,
            agents_otel.mcp.errors.MCPServerStartError, agents_otel.compaction_output.CompactionError,
            ExtensionUnavailableError, SessionStoreUnavailableError, SessionClosedError, SessionBranchError,
            agents_otel.session_settings.SessionSettingsTypeError,
            SessionSchemaError, StreamedTranscriptionNotSupportedError, STTWebsocketConnectionError,
            RealtimeNotSupportedError, RealtimeConnectionClosedError, SDKNameNotSupportedError,
        )
    },
    # constructors that take something else and build the message
    MaxTurnsExceeded: (MaxTurnsExceeded(3), "Max turns (3) exceeded"),
    errors.ModelRefusalError: (errors.ModelRefusalError("I can't."), "Model refused to produce output: I can't."),
    errors.InputGuardrailTripwireTriggered: (
        errors.InputGuardrailTripwireTriggered(InputGuardrailResult(InputGuardrail(len), TRIPPED)),
        "Input guardrail 'len' triggered its tripwire",
    ),
    errors.OutputGuardrailTripwireTriggered: (
        errors.OutputGuardrailTripwireTriggered(
            OutputGuardrailResult(OutputGuardrail(len), "answer", Agent(name="A"), TRIPPED)
        ),
        "Output guardrail 'len' triggered its tripwire",
    ),
    errors.ToolInputGuardrailTripwireTriggered: (
        errors.ToolInputGuardrailTripwireTriggered(ToolInputGuardrail(len), TOOL_TRIPPED),
        "ToolInputGuardrail 'len' triggered its tripwire",
    ),
    errors.ToolOutputGuardrailTripwireTriggered: (
        errors.ToolOutputGuardrailTripwireTriggered(ToolOutputGuardrail(len), TOOL_TRIPPED),
        "ToolOutputGuardrail 'len' triggered its tripwire",
    ),
    # a message plus keyword attributes
    errors.ToolTimeoutError: (
        errors.ToolTimeoutError(tool_name="slow", timeout_seconds=2.5), "Tool 'slow' timed out after 2.5 seconds"
    ),
    MCPRequestError: (MCPRequestError("unknown tool", -32601), "unknown tool"),
    ResponsesWebSocketError: (
        ResponsesWebSocketError({"type": "error", "status": 429, "error": {"code": "rate_limit_exceeded"}}),
        'Responses websocket error: {"type": "error", "status": 429, "error": {"code": "rate_limit_exceeded"}}',
    ),
    agents_otel.testing.ModelScriptError: (agents_otel.testing.ModelScriptError("bad script"), "bad script"),
    MemoryGenerationError: (MemoryGenerationError("phase_two", "phase two failed", "r1"), "phase two failed"),
    agents_otel.testing.InvalidModelStep: (
        agents_otel.testing.InvalidModelStep("bad step", reason="invalid_input", input_index=1), "bad step"
    ),
    agents_otel.testing.UnexpectedModelCall: (
        agents_otel.testing.UnexpectedModelCall(
            "one too many", call=model_call(ModelRequest(None, [UserMessage("hi")], []), False), call_index=2
        ),
        "one too many",
    ),
    agents_otel.testing.UnconsumedModelSteps: (
        agents_otel.testing.UnconsumedModelSteps("left over", remaining_steps=2), "left over"
    ),
    **{
        cls: (cls("HTTP 500", error_type="500", status_code=500), "HTTP 500")
        for cls in (
            errors.ModelError, errors.ModelHTTPError, errors.ModelRateLimitError, errors.ModelTimeoutError,
            errors.ModelConnectionError,
        )
    },
}
SERVER_ERRORS = [
    cls for cls in vars(server_errors).values() if isinstance(cls, type) and issubclass(cls, server_errors.ServerError)
]
for _cls in SERVER_ERRORS:
    EXAMPLES[_cls] = (_cls("no such run", run_id="r1"), "no such run")


def all_error_classes() -> set[type[BaseException]]:
    """Every importable subclass of our base (classes made at run time, e.g. openai combinations, left out)."""
    found: set[type[BaseException]] = set()
    pending: list[type[BaseException]] = [AgentsOtelError]
    while pending:
        cls = pending.pop()
        module = __import__(cls.__module__, fromlist=["_"])
        if getattr(module, cls.__qualname__, None) is cls:
            found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_class_of_ours_is_covered() -> None:
    assert all_error_classes() - set(EXAMPLES) == set()


@pytest.mark.parametrize("cls", sorted(EXAMPLES, key=lambda c: c.__qualname__), ids=lambda c: c.__qualname__)
def test_message_is_the_message_and_survives_pickling_and_copying(cls: type[AgentsOtelError]) -> None:
    error, message = EXAMPLES[cls]
    assert type(error) is cls and error.message == message == str(error)
    attributes = {k: v for k, v in vars(error).items() if k != "guardrail_result"}
    for clone in (copy.copy(error), copy.deepcopy(error), pickle.loads(pickle.dumps(error))):
        assert type(clone) is cls
        assert clone.message == message == str(clone) and clone.args == error.args
        assert attributes.keys() <= vars(clone).keys()
        for name, value in attributes.items():
            if name not in ("guardrail", "output"):  # objects holding functions: equal, not identical, after a copy
                assert getattr(clone, name) == value, name


def test_typed_attributes_come_back_as_they_were() -> None:
    """The case that used to break: Exception's own reduce called ``MaxTurnsExceeded(message)``."""
    clone = pickle.loads(pickle.dumps(MaxTurnsExceeded(7)))
    assert clone.max_turns == 7 and str(clone) == "Max turns (7) exceeded"
    tripwire = EXAMPLES[errors.InputGuardrailTripwireTriggered][0]
    copied = copy.copy(tripwire)
    assert copied.guardrail_result is tripwire.guardrail_result  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(tripwire)).guardrail_result.output == TRIPPED  # type: ignore[attr-defined]
    timeout = pickle.loads(pickle.dumps(errors.ToolTimeoutError(tool_name="slow", timeout_seconds=2.5, idle=True)))
    assert (timeout.tool_name, timeout.timeout_seconds, timeout.idle) == ("slow", 2.5, True)


def test_message_can_be_set_as_on_the_sdks_attribute() -> None:
    error = UserError("original")
    error.message = "replaced"
    assert error.message == "replaced" and str(error) == "original"
    assert pickle.loads(pickle.dumps(error)).message == "replaced"
    assert AgentsOtelError().message == ""  # no arguments: an empty message, not an AttributeError


def test_an_openai_error_keeps_openais_message() -> None:
    request = httpx.Request("POST", "https://api.openai.com/v1/responses")
    raw = openai.RateLimitError("Error code: 429 - slow down", response=httpx.Response(429, request=request), body=None)
    error = model_error_from(raw)
    assert isinstance(error, openai.RateLimitError) and isinstance(error, errors.ModelRateLimitError)
    assert error.message == "Error code: 429 - slow down"  # what code catching openai.RateLimitError reads
    assert str(error).startswith("HTTP 429 from the model server")
    assert copy.copy(error).message == error.message


async def test_the_sdks_pattern_on_a_real_run() -> None:
    model = ScriptedModel([[function_call("loop", {})]] * 3, check_calls=False)
    agent = Agent(name="A", model=model)
    with pytest.raises(AgentsException) as caught:
        await Runner.run(
            agent, "go", max_turns=2, run_config=RunConfig(tool_not_found_behavior="return_error_to_model")
        )
    error: Any = caught.value
    assert isinstance(error, MaxTurnsExceeded) and error.message == "Max turns (2) exceeded"
