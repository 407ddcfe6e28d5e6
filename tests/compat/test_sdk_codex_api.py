"""``agents.extensions.experimental.codex`` without a CLI run: parsing the CLI's events and items, the command line a
turn becomes, option checking, and ``codex_tool``'s construction-time errors (the SDK's cases)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from agents_otel.exceptions import ModelBehaviorError, UserError
from agents_otel.extensions.errors import ExtensionUnavailableError
from agents_otel.extensions.experimental.codex import (
    Codex,
    CodexToolOptions,
    CodexToolResult,
    CommandExecutionItem,
    FileChangeItem,
    ItemCompletedEvent,
    McpToolCallItem,
    ThreadOptions,
    TodoListItem,
    TurnCompletedEvent,
    TurnFailedEvent,
    Usage,
    WebSearchItem,
    codex_tool,
)
from agents_otel.extensions.experimental.codex.codex_tool import _thread_options
from agents_otel.extensions.experimental.codex.codex_tool_schema import resolve_output_schema
from agents_otel.extensions.experimental.codex.events import _UnknownThreadEvent, coerce_thread_event
from agents_otel.extensions.experimental.codex.exec import CodexExec, CodexExecArgs, command_args
from agents_otel.extensions.experimental.codex.items import _UnknownThreadItem
from agents_otel.extensions.experimental.codex.output_schema_file import create_output_schema_file
from agents_otel.tool_context import ToolContext


def test_every_item_type_the_cli_writes_is_typed() -> None:
    items = [
        {"id": "1", "type": "file_change", "changes": [{"path": "a.py", "kind": "update"}], "status": "completed"},
        {"id": "2", "type": "mcp_tool_call", "server": "s", "tool": "t", "arguments": {"x": 1}, "status": "failed",
         "error": {"message": "boom"}},
        {"id": "3", "type": "todo_list", "items": [{"text": "a", "completed": True}, {"text": "b"}]},
        {"id": "4", "type": "web_search", "query": "otel"},
        {"id": "5", "type": "command_execution", "command": "ls", "status": "failed", "exit_code": 2},
    ]
    parsed = [coerce_thread_event({"type": "item.completed", "item": raw}) for raw in items]
    assert all(isinstance(event, ItemCompletedEvent) for event in parsed)
    change, mcp, todo, search, command = (event.item for event in parsed)  # type: ignore[union-attr]
    assert isinstance(change, FileChangeItem) and change.changes[0].path == "a.py"
    assert isinstance(mcp, McpToolCallItem) and mcp.error is not None and mcp.error.message == "boom"
    assert isinstance(todo, TodoListItem) and [t.completed for t in todo.items] == [True, False]
    assert isinstance(search, WebSearchItem) and search["query"] == "otel"
    assert isinstance(command, CommandExecutionItem) and command.aggregated_output == "" and command.exit_code == 2


def test_unknown_events_and_items_are_kept_whole() -> None:
    event = coerce_thread_event({"type": "thread.archived", "why": "old"})
    assert isinstance(event, _UnknownThreadEvent) and event.payload == {"type": "thread.archived", "why": "old"}
    item_event = coerce_thread_event({"type": "item.started", "item": {"type": "hologram", "id": "h1", "z": 3}})
    item = item_event.item  # type: ignore[union-attr]
    assert isinstance(item, _UnknownThreadItem) and item.id == "h1" and item.payload["z"] == 3


def test_turn_events_and_malformed_payloads() -> None:
    done = coerce_thread_event({"type": "turn.completed", "usage": {"input_tokens": 3, "cached_input_tokens": 1,
                                                                   "output_tokens": 2, "reasoning_output_tokens": 0}})
    assert isinstance(done, TurnCompletedEvent) and done.usage == Usage(3, 1, 2)
    failed = coerce_thread_event({"type": "turn.failed", "error": {"message": "no"}})
    assert isinstance(failed, TurnFailedEvent) and failed.error.message == "no" and failed["type"] == "turn.failed"
    with pytest.raises(TypeError):
        coerce_thread_event(["not", "a", "mapping"])  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        coerce_thread_event({"type": "item.completed", "item": {"type": "agent_message"}})  # no id


def test_a_turn_becomes_the_sdks_command_line() -> None:
    args = CodexExecArgs(
        input="x", thread_id="t-1", images=["a.png"], model="m", sandbox_mode="workspace-write",
        working_directory="/w", additional_directories=["/x"], skip_git_repo_check=True, output_schema_file="/s.json",
        model_reasoning_effort="high", network_access_enabled=False, web_search_enabled=True,
        approval_policy="never", base_url="http://h/v1",
    )
    assert command_args(args) == [
        "exec", "--experimental-json", "--model", "m", "--sandbox", "workspace-write", "--cd", "/w",
        "--add-dir", "/x", "--skip-git-repo-check", "--output-schema", "/s.json",
        "--config", 'openai_base_url="http://h/v1"', "--config", 'model_reasoning_effort="high"',
        "--config", "sandbox_workspace_write.network_access=false", "--config", 'web_search="live"',
        "--config", 'approval_policy="never"', "resume", "--image", "a.png", "--", "t-1", "-",
    ]
    exec_ = CodexExec(executable_path="/bin/codex", env={"ONLY": "this"})
    env = exec_.build_env(CodexExecArgs(input="", base_url="http://h/v1", api_key="k"))
    assert env == {"ONLY": "this", "CODEX_INTERNAL_ORIGINATOR_OVERRIDE": "codex_sdk_ts",
                   "OPENAI_BASE_URL": "http://h/v1", "CODEX_API_KEY": "k"}


async def test_a_missing_cli_is_a_user_error(tmp_path: Path) -> None:
    thread = Codex(codex_path_override=str(tmp_path / "no-codex"), env={}).start_thread()
    with pytest.raises(UserError, match="does not exist"):
        await thread.run("hi")


def test_options_are_checked() -> None:
    with pytest.raises(UserError, match="not both"):
        Codex({"api_key": "k"}, base_url="http://x")
    with pytest.raises(UserError, match=r"Unknown CodexOptions field\(s\): \['bogus'\]"):
        Codex({"bogus": 1})
    with pytest.raises(UserError, match="between 65536 and 67108864"):
        Codex(codex_path_override="/bin/codex", codex_subprocess_stream_limit_bytes=10)
    with pytest.raises(UserError, match="Unknown ThreadOptions"):
        Codex(codex_path_override="/bin/codex").start_thread({"sandbox": "read-only"})
    with pytest.raises(UserError, match="Unknown Codex tool option"):
        codex_tool({"nam": "codex"})
    with pytest.raises(UserError, match='must be "codex" or start with "codex_"'):
        codex_tool(name="helper")
    with pytest.raises(UserError, match=r"must match \[A-Za-z0-9_\]\+"):
        codex_tool(name="codex_my-tool", use_run_context_thread_id=True)
    with pytest.raises(UserError, match="non-empty"):
        codex_tool(run_context_thread_id_key=" ")


def test_output_schema_descriptor_and_validation() -> None:
    schema = resolve_output_schema({
        "title": "Report",
        "properties": [{"name": "tags", "description": "Tags",
                        "schema": {"type": "array", "items": {"type": "string"}}},
                       {"name": "summary", "schema": {"type": "string", "enum": ["a", "b"]}}],
        "required": ["tags"],
    })
    assert schema == {"type": "object", "additionalProperties": False, "title": "Report", "required": ["tags"],
                      "properties": {"tags": {"type": "array", "items": {"type": "string"}, "description": "Tags"},
                                     "summary": {"type": "string", "enum": ["a", "b"]}}}
    nested = {"type": "object", "properties": {"y": {"type": "string"}}}
    strict = resolve_output_schema({"type": "object", "properties": {"inner": nested}})
    assert strict is not None and strict["required"] == ["inner"] and strict["properties"]["inner"]["required"] == ["y"]
    assert nested == {"type": "object", "properties": {"y": {"type": "string"}}}  # the caller's schema untouched
    for bad, message in [({"properties": []}, "must include properties"), ({"type": "string"}, 'type "object"'),
                         ({"properties": [{"name": "x", "schema": {"type": "bogus"}}]}, "Invalid schema"),
                         ({"properties": [{"name": "x", "schema": {"type": "string"}}], "required": ["y"]},
                          "Required property")]:
        with pytest.raises(UserError, match=message):
            resolve_output_schema(bad)
    with pytest.raises(UserError, match="Invalid schema"):
        codex_tool(output_schema={"properties": [{"name": "x", "schema": {"type": "object"}}]})


def test_the_schema_file_holds_the_schema_until_cleanup() -> None:
    made = create_output_schema_file({"type": "object"})
    assert made.schema_path is not None and json.loads(Path(made.schema_path).read_text()) == {"type": "object"}
    made.cleanup()
    assert not Path(made.schema_path).parent.exists()
    with pytest.raises(UserError, match="plain JSON object"):
        create_output_schema_file(["not", "a", "dict"])  # type: ignore[arg-type]


async def test_bad_arguments_are_worded_for_the_model_or_raised() -> None:
    tool = codex_tool(codex=Codex(codex_path_override="/bin/false"))
    assert tool.name == "codex" and tool.strict_json_schema
    assert set(tool.params_json_schema["required"]) == {"inputs", "thread_id"}
    ctx: ToolContext[Any] = ToolContext(None, tool_name="codex", tool_call_id="c")
    told = await tool.on_invoke_tool(ctx, '{"inputs": [{"type": "text", "text": "  "}]}')
    assert told == "An error occurred while running the tool."  # the fixed sentence (SDK 0.23)
    strict = codex_tool(CodexToolOptions(failure_error_function=None), codex=Codex(codex_path_override="/bin/false"))
    with pytest.raises(ModelBehaviorError, match="Invalid JSON input for codex tool"):
        await strict.on_invoke_tool(ctx, "{not json")


def test_codex_tool_result_is_the_sdks_json() -> None:
    result = CodexToolResult(thread_id="t", response="r", usage=Usage(1, 0, 2))
    assert json.loads(str(result)) == {"thread_id": "t", "response": "r",
                                       "usage": {"input_tokens": 1, "cached_input_tokens": 0, "output_tokens": 2}}


def test_run_context_mode_hides_the_thread_id_and_keywords_override_thread_defaults() -> None:
    tool = codex_tool(name="codex_docs", use_run_context_thread_id=True)
    assert tool.name == "codex_docs" and "thread_id" not in tool.params_json_schema["properties"]
    merged = _thread_options(CodexToolOptions(default_thread_options=ThreadOptions(model="m", sandbox_mode="read-only"),
                                              sandbox_mode="workspace-write", skip_git_repo_check=False))
    assert merged == ThreadOptions(model="m", sandbox_mode="workspace-write", skip_git_repo_check=False)
    assert _thread_options(CodexToolOptions()) is None


def test_hosted_multi_agent_is_offered_alongside_codex() -> None:
    module = importlib.import_module("agents_otel.extensions.experimental.hosted_multi_agent")
    assert module.OpenAIHostedMultiAgentModel.__name__ == "OpenAIHostedMultiAgentModel"
    assert issubclass(ExtensionUnavailableError, ImportError)
