"""The package's shape, checked from its own source: one-way layers, no import cycles, small modules.

Why a test: every new capability copies the patterns the core shows, so the layering must fail loudly the moment a
change bends it, not drift until a maintainer notices. The import graph is built from the package's own ``ast``
(no import side effects), counting imports at module level *and* inside functions; imports under
``if TYPE_CHECKING:`` are type-only and do not count. See docs/architecture.md for the picture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "agents_otel"
MAX_MODULE_LINES = 400
ROOT_LINES_PER_NAME, ROOT_EXTRA_LINES = 2, 60
"""The package root only re-exports the SDK's public names (one import line and one ``__all__`` line each, as ruff
formats them); it grows with the SDK surface, not with logic, so its limit grows with ``__all__``: two lines per
public name and a little room for the docstring and the grouped imports, never room for code."""

RECORDS, CONVENTIONS, TELEMETRY, RUN_STATE, ENGINE, SURFACES = range(6)
LAYER_NAMES = ["records", "conventions", "telemetry", "run state", "engine", "surfaces"]

# Module (or package prefix, ending in ".") -> layer. A module must be placed here before it can land.
LAYERS: dict[str, int] = {
    "agents_otel.version": RECORDS,
    "agents_otel.exceptions": RECORDS,
    "agents_otel.responses_format": RECORDS,
    "agents_otel.tool_output_types": RECORDS,
    "agents_otel.conversation_items": RECORDS,
    "agents_otel.response_view": RECORDS,  # a model answer as the SDK shows it, converted when read
    "agents_otel.items": RECORDS,
    "agents_otel.tool_call_identity": RECORDS,
    "agents_otel.hosted_tools": RECORDS,
    "agents_otel.computer": RECORDS,
    "agents_otel.hosted_mcp": RECORDS,
    "agents_otel.local_tools": RECORDS,
    "agents_otel.shell_environments": RECORDS,
    "agents_otel.apply_diff": RECORDS,
    "agents_otel.stream_events": RECORDS,
    "agents_otel.models.interface": RECORDS,
    "agents_otel.models.settings": RECORDS,
    "agents_otel.models.gpt5_defaults": RECORDS,  # pure functions of a model name; the engine and providers use them
    "agents_otel.models.implied_settings": RECORDS,  # the settings a run's model calls use; the engine asks it
    "agents_otel.run_config": RECORDS,
    "agents_otel.run_config_sandbox": RECORDS,  # SandboxRunConfig: names the sandbox package's types for mypy only
    "agents_otel.run_config_tracing": RECORDS,  # RunConfig(tracing=...): the SDK's TracingConfig, checked
    "agents_otel.session_settings": RECORDS,
    "agents_otel.progress_sampling": RECORDS,
    "agents_otel.progress_payload": RECORDS,
    "agents_otel.redaction": RECORDS,
    "agents_otel.context_wrapper": RECORDS,
    "agents_otel.input_items": RECORDS,
    "agents_otel.item_helpers": RECORDS,
    "agents_otel.token_usage": RECORDS,
    "agents_otel.models._openai_strict_schema": RECORDS,  # a pure function; structured output and handoffs use it
    "agents_otel.safe_json": RECORDS,
    "agents_otel.validation_text": RECORDS,
    "agents_otel.tool_arguments": RECORDS,
    "agents_otel.approval_item": RECORDS,
    "agents_otel.tool_decisions": RECORDS,  # approval decisions: RunState and a run's contexts write them
    "agents_otel.retry": RECORDS,
    "agents_otel.admitted_input": RECORDS,
    "agents_otel.tool_origin": RECORDS,
    "agents_otel.compaction_item": RECORDS,
    "agents_otel.tool_features": RECORDS,
    "agents_otel.tool_output_schema": RECORDS,
    "agents_otel.tool_search": RECORDS,
    # the SDK's agents.sandbox: its records (sandbox types, errors, the manifest and its entries, path confinement,
    # snapshots) sit with the other records; its sessions and clients at the engine, which runs agents in them
    "agents_otel.sandbox.types": RECORDS,
    "agents_otel.sandbox.files": RECORDS,
    "agents_otel.sandbox.errors": RECORDS,
    "agents_otel.sandbox.errors_base": RECORDS,
    "agents_otel.sandbox.errors_more": RECORDS,
    "agents_otel.sandbox.workspace_paths": RECORDS,
    "agents_otel.sandbox.materialization": RECORDS,
    "agents_otel.sandbox.manifest": RECORDS,
    "agents_otel.sandbox.manifest_render": RECORDS,
    "agents_otel.sandbox.snapshot": RECORDS,
    "agents_otel.sandbox.type_tagged": RECORDS,
    "agents_otel.sandbox.config": RECORDS,
    "agents_otel.sandbox.entries": RECORDS,
    "agents_otel.sandbox.entries.": RECORDS,
    "agents_otel.tracing": CONVENTIONS,
    "agents_otel.tracing.attributes": CONVENTIONS,
    "agents_otel.tracing.ids": CONVENTIONS,
    "agents_otel.tracing.spans": CONVENTIONS,
    "agents_otel.tracing.content": CONVENTIONS,
    "agents_otel.tracing.messages": CONVENTIONS,
    "agents_otel.tracing.operation_attributes": CONVENTIONS,
    "agents_otel.tracing.sdk_span_data": CONVENTIONS,
    "agents_otel.tracing.sdk_tracing": CONVENTIONS,
    "agents_otel.tracing.": TELEMETRY,
    "agents_otel.metrics": TELEMETRY,
    "agents_otel.run_runtime": RUN_STATE,
    "agents_otel.event_stream": RUN_STATE,
    "agents_otel.tool_call": RUN_STATE,
    "agents_otel.tool_events": RUN_STATE,
    "agents_otel.tool_context": RUN_STATE,
    "agents_otel.current_tool": RUN_STATE,
    "agents_otel.stall": RUN_STATE,
    "agents_otel.function_schema": ENGINE,
    "agents_otel.tool": ENGINE,
    "agents_otel.tool_errors": ENGINE,
    "agents_otel.sync_loop": ENGINE,
    "agents_otel.tool_threads": RUN_STATE,
    "agents_otel.content_guard": RUN_STATE,
    "agents_otel.model_call": ENGINE,
    "agents_otel.model_retry": ENGINE,
    "agents_otel.agent_span": ENGINE,
    "agents_otel.tool_timeouts": ENGINE,
    "agents_otel.tool_execution": ENGINE,
    "agents_otel.local_tool_run": ENGINE,
    "agents_otel.run": ENGINE,
    "agents_otel.run_engine": ENGINE,
    "agents_otel.run_setup": ENGINE,
    "agents_otel.result": ENGINE,
    "agents_otel.result_views": ENGINE,  # to_input_list's modes, release_agents, what both result classes share
    "agents_otel.agent": ENGINE,
    "agents_otel.agent_tool": ENGINE,
    "agents_otel.agent_tool_input": ENGINE,
    "agents_otel.agent_loop": ENGINE,
    "agents_otel.failed_run": ENGINE,
    "agents_otel.sandbox_run": ENGINE,  # the engine's seam to a run's sandbox; the sandbox package sits above
    "agents_otel.output_schema": ENGINE,
    "agents_otel.run_error_handlers": ENGINE,
    "agents_otel.tool_use_behavior": ENGINE,
    "agents_otel.tool_approvals": ENGINE,
    "agents_otel.run_resume_state": ENGINE,
    "agents_otel.finished_state": ENGINE,  # a finished run's RunState, which calls the model again
    "agents_otel.pending_input": ENGINE,
    "agents_otel.run_state_json": ENGINE,
    "agents_otel.run_state_context": ENGINE,
    "agents_otel.run_state_agents": ENGINE,
    "agents_otel.tool_use_tracker": ENGINE,  # which agents used tools: a paused run's, for reset_tool_choice
    "agents_otel.run_state_codec": ENGINE,
    "agents_otel.run_state_items": ENGINE,
    "agents_otel.lifecycle": ENGINE,
    "agents_otel.guardrails": ENGINE,
    "agents_otel.guardrail_run": ENGINE,
    "agents_otel.blocked_output": ENGINE,  # a tool's final output an output guardrail rejected, withheld
    "agents_otel.tool_guardrails": ENGINE,
    "agents_otel.tool_guardrail_run": ENGINE,
    "agents_otel.hosted_calls": ENGINE,
    "agents_otel.computer_actions": ENGINE,
    "agents_otel.computer_run": ENGINE,
    "agents_otel.hosted_mcp_run": ENGINE,
    "agents_otel.handoffs": ENGINE,
    "agents_otel.handoffs.history": ENGINE,  # the SDK's path of handoff_history's functions
    "agents_otel.prompts": ENGINE,
    "agents_otel.model_input_filter": ENGINE,
    "agents_otel.handoff_run": ENGINE,
    "agents_otel.handoff_filters": ENGINE,
    "agents_otel.handoff_history": ENGINE,
    "agents_otel.conversation": ENGINE,
    "agents_otel.sessions": ENGINE,
    "agents_otel.session_orphans": ENGINE,
    "agents_otel.session_compaction": ENGINE,
    "agents_otel.session_mutation": ENGINE,
    "agents_otel.tool_sources": ENGINE,
    "agents_otel.openai_registration": ENGINE,
    "agents_otel.custom_tool": ENGINE,
    "agents_otel.stand_in_calls": ENGINE,
    "agents_otel.programmatic_calls": ENGINE,
    "agents_otel.model_answer": ENGINE,
    "agents_otel.tool_namespace": ENGINE,
    "agents_otel.models": ENGINE,
    "agents_otel.sandbox": ENGINE,  # the SDK's agents.sandbox names (SandboxAgent among them)
    "agents_otel.sandbox.session": ENGINE,
    "agents_otel.sandbox.session.": ENGINE,
    "agents_otel.sandbox.sandboxes": ENGINE,
    "agents_otel.sandbox.sandboxes.": ENGINE,
    # SandboxAgent and what a run does with it: the engine never imports these (it reaches them through sandbox_run)
    "agents_otel.sandbox.sandbox_agent": ENGINE,
    "agents_otel.sandbox.runtime": ENGINE,
    "agents_otel.sandbox.runtime_session_manager": ENGINE,
    "agents_otel.sandbox.runtime_agent_preparation": ENGINE,
    "agents_otel.sandbox.runtime_model_request": ENGINE,  # capabilities' changes to each model call (Compaction)
    "agents_otel.sandbox.sandbox_spans": ENGINE,
    "agents_otel.sandbox.capabilities": ENGINE,
    "agents_otel.sandbox.capabilities.": ENGINE,
    "agents_otel.sandbox.memory": ENGINE,  # memory generation: a run's rollouts, phase one and two (runs of their own)
    "agents_otel.sandbox.memory.": ENGINE,
    "agents_otel": SURFACES,
    "agents_otel.testing": SURFACES,
    "agents_otel.testing.": SURFACES,  # ScriptedModel, its step forms (ours and the SDK's) and item helpers
    "agents_otel.testing.step_events": SURFACES,  # a ModelStep's automatic stream: the SDK's Responses events
    "agents_otel.cli": SURFACES,
    "agents_otel.verbose_logging": SURFACES,
    "agents_otel.repl": SURFACES,
    "agents_otel.models.": SURFACES,
    "agents_otel.models.chat_stream_events": SURFACES,  # Chat Completions chunks as the SDK's Responses events
    "agents_otel.models._chat_reasoning": SURFACES,  # a Chat Completions answer's reasoning text as the SDK's item
    "agents_otel.models._chat_provider_data": SURFACES,  # Gemini's thought signatures on Chat Completions calls
    "agents_otel.models.reasoning_content_replay": SURFACES,  # the SDK's reasoning replay hook types and default
    "agents_otel.openai_conversations_session": SURFACES,  # talks to OpenAI, as the OpenAI models do
    "agents_otel.openai_responses_compaction_session": SURFACES,  # the same
    "agents_otel.compaction_output": SURFACES,  # reads the openai package's answer, as the OpenAI models do
    "agents_otel.responses_ws_session": SURFACES,  # runs on a MultiProvider of the OpenAI models
    "agents_otel.responses_websocket_session": SURFACES,  # the SDK's path of the two names above (see its docstring)
    "agents_otel.server.": SURFACES,
    "agents_otel.server": SURFACES,
    "agents_otel.commands.": SURFACES,
    "agents_otel.commands": SURFACES,
    "agents_otel.trace_view.": SURFACES,
    "agents_otel.trace_view": SURFACES,
    "agents_otel.mcp.": SURFACES,
    "agents_otel.mcp": SURFACES,
    "agents_otel.extensions.": SURFACES,  # the SDK's agents.extensions: helpers over the public API
    "agents_otel.extensions": SURFACES,
    # the SDK's agents.extensions.experimental.codex: the Codex CLI as an asyncio subprocess, and codex_tool (a
    # FunctionTool reporting Codex's items as the call's progress)
    "agents_otel.extensions.experimental.codex.": SURFACES,
    "agents_otel.extensions.experimental.codex": SURFACES,
    # the SDK's agents.extensions.experimental.hosted_multi_agent: the hosted multi-agent beta on the Responses
    # websocket model (items: what each beta item is to the run; usage: a continued response's two usages)
    "agents_otel.extensions.experimental.hosted_multi_agent.": SURFACES,
    "agents_otel.extensions.experimental.hosted_multi_agent": SURFACES,
    "agents_otel.voice.": SURFACES,  # the SDK's agents.voice: a pipeline over the public API and the OpenAI client
    "agents_otel.voice": SURFACES,
    # the SDK's agents.realtime: a live session over a RealtimeModel (OpenAI's over websockets), its tool calls on the
    # engine's tool path (tool_execution)
    "agents_otel.realtime.": SURFACES,
    "agents_otel.realtime": SURFACES,
    # the SDK's module paths kept as thin modules over the package's own objects (or saying why a name is missing)
    "agents_otel._sdk_paths": RECORDS,
    "agents_otel.agent_output": SURFACES,
    "agents_otel.agent_tool_state": SURFACES,
    "agents_otel.decorators": SURFACES,
    "agents_otel.editor": SURFACES,
    "agents_otel.guardrail": SURFACES,
    "agents_otel.logger": SURFACES,
    "agents_otel.memory": SURFACES,
    "agents_otel.memory.": SURFACES,
    "agents_otel.model_settings": SURFACES,
    "agents_otel.run_context": SURFACES,
    "agents_otel.run_state": SURFACES,
    "agents_otel.strict_schema": SURFACES,
    "agents_otel.usage": SURFACES,
    "agents_otel.util": SURFACES,
}

ALLOWED_UPWARD: dict[tuple[str, str], str] = {
    ("agents_otel.models", "agents_otel.models.openai_responses"): (
        "a model given by name (Agent(model='gpt-4.1')) resolves to the default provider's model at run time; "
        "imported inside resolve_model so runs on other models never import openai"
    ),
    ("agents_otel.models", "agents_otel.models.responses_websocket"): (
        "the same, after set_default_openai_responses_transport('websocket') made the websocket the default transport"
    ),
    ("agents_otel.models", "agents_otel.models.openai_chatcompletions"): (
        "the same, after set_default_openai_api('chat_completions') made Chat Completions the default API"
    ),
    ("agents_otel.models", "agents_otel.models.sdk_signature"): (
        "a Model subclass written to the SDK's signature is wrapped when resolved; imported inside resolve_model "
        "only for such a model"
    ),
    ("agents_otel.models", "agents_otel.extensions.models.litellm_provider"): (
        "a model named 'litellm/...' goes to the SDK's LiteLLM adapter, as the SDK's MultiProvider routes it; "
        "imported inside route_model_name so only such a name imports litellm"
    ),
    ("agents_otel.models", "agents_otel.extensions.models.any_llm_provider"): (
        "a model named 'any-llm/...' goes to the SDK's Any-LLM adapter, as the SDK's MultiProvider routes it; "
        "imported inside route_model_name so only such a name imports any_llm"
    ),
    ("agents_otel.tracing", "agents_otel.tracing.sdk_trace_bridge"): (
        "SDK code imports add_trace_processor / set_trace_processors from agents.tracing; loaded in the package's "
        "__getattr__ on first use, so importing the conventions never loads the telemetry layer"
    ),
    ("agents_otel.tracing", "agents_otel.tracing.provider"): "the same, for flush_traces and set_tracing_disabled",
    ("agents_otel.tracing", "agents_otel.tracing.workflow"): "the same, for trace",
    ("agents_otel.tracing", "agents_otel.tracing.sdk_provider"): (
        "the same, for gen_span_id, set_trace_provider and set_tracing_export_api_key"
    ),
    ("agents_otel.tracing", "agents_otel.tracing.sdk_spans"): (
        "the same, for the span functions (custom_span, agent_span, ...) and get_current_span / get_current_trace"
    ),
    ("agents_otel.tracing", "agents_otel.tracing.processors"): "the same, for default_exporter",
    ("agents_otel.tracing", "agents_otel.tracing.sdk_voice_spans"): (
        "the same, for the voice span functions (transcription_span, speech_span, speech_group_span)"
    ),
    ("agents_otel.run_config", "agents_otel.model_input_filter"): (
        "SDK code imports CallModelData / ModelInputData / CallModelInputFilter from agents.run_config; loaded in the "
        "module's __getattr__ on first use, so the record never loads the engine"
    ),
    ("agents_otel.run_config", "agents_otel.tool_errors"): "the same, for ToolErrorFormatter / ToolErrorFormatterArgs",
    ("agents_otel.run_config", "agents_otel.tracing.content"): (
        "the same, for _default_trace_include_sensitive_data (the content-capture default)"
    ),
}
"""Runtime imports that go up a layer on purpose, each with its reason."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    if module in LAYERS:
        return LAYERS[module]
    prefixes = [p for p in LAYERS if p.endswith(".") and module.startswith(p)]
    if not prefixes:
        raise AssertionError(f"{module} has no layer: place it in LAYERS in tests/test_architecture.py")
    return LAYERS[max(prefixes, key=len)]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(module: str) -> set[str]:
    """The package's own modules that ``module`` imports at run time (module level or in functions)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("agents_otel"))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base_parts = package.split(".")
                    base_parts = base_parts[: len(base_parts) - (child.level - 1)]
                    base = ".".join(base_parts + ([child.module] if child.module else []))
                else:
                    base = child.module or ""
                if not base.startswith("agents_otel"):
                    continue
                for alias in child.names:
                    candidate = f"{base}.{alias.name}"
                    found.add(candidate if candidate in MODULES else base)
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    found.discard(module)
    return {m for m in found if m in MODULES}


GRAPH = {m: runtime_imports(m) for m in MODULES}


def test_no_runtime_import_cycle() -> None:
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            strongconnect(v)
    assert cycles == []


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_layers_import_only_downward() -> None:
    upward = [
        f"{m} ({LAYER_NAMES[layer_of(m)]}) imports {i} ({LAYER_NAMES[layer_of(i)]})"
        for m, imported in GRAPH.items()
        for i in sorted(imported)
        if layer_of(i) > layer_of(m) and (m, i) not in ALLOWED_UPWARD
    ]
    assert upward == []


def test_the_graph_sees_function_level_imports() -> None:
    """Guard the checker itself: ``agent.as_tool`` imports ``agent_tool`` inside a function."""
    assert "agents_otel.agent_tool" in GRAPH["agents_otel.agent"]
    assert "agents_otel.models.openai_responses" in GRAPH["agents_otel.models"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_the_size_limit(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    limit = MAX_MODULE_LINES
    if module == "agents_otel":
        import agents_otel

        limit = ROOT_LINES_PER_NAME * len(agents_otel.__all__) + ROOT_EXTRA_LINES
    assert lines <= limit, f"{module} has {lines} lines: split it by concept"
