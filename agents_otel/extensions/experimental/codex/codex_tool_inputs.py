"""What the model sends the Codex tool: the parameter models (the tool's JSON schema) and their reading.

The model's arguments are validated by pydantic; anything wrong (bad JSON, an empty text, a path on a text item) is
a ``ModelBehaviorError`` the tool's ``failure_error_function`` words for the model, so it can retry.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from typing_extensions import TypedDict

from ....exceptions import ModelBehaviorError, UserError
from .thread import Input, UserInput

_INPUTS_DESCRIPTION = "Structured inputs appended to the Codex task. Provide at least one input item."


class CodexToolInputItem(BaseModel):
    type: Literal["text", "local_image"]
    text: str | None = None
    path: str | None = None

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def validate_item(self) -> CodexToolInputItem:
        text, path = (self.text or "").strip(), (self.path or "").strip()
        wanted, other = ("text", "path") if self.type == "text" else ("path", "text")
        value, stray = (text, path) if self.type == "text" else (path, text)
        if not value:
            kind = "Text" if self.type == "text" else "Local image"
            raise ValueError(f'{kind} inputs must include a non-empty "{wanted}" field.')
        if stray:
            raise ValueError(f'"{other}" is not allowed when type is "{self.type}".')
        self.text, self.path = (text, None) if self.type == "text" else (None, path)
        return self


class CodexToolRunContextParameters(BaseModel):
    """The parameters when the thread id lives in the run context: the model never sees or picks one."""

    inputs: list[CodexToolInputItem] = Field(..., min_length=1, description=_INPUTS_DESCRIPTION)

    model_config = ConfigDict(extra="forbid")


class CodexToolParameters(CodexToolRunContextParameters):
    thread_id: str | None = Field(
        default=None,
        description="Optional Codex thread ID to resume. If omitted, a new thread is started unless configured "
        "elsewhere.",
    )

    @model_validator(mode="after")
    def validate_thread_id(self) -> CodexToolParameters:
        if self.thread_id is not None:
            self.thread_id = self.thread_id.strip()
            if not self.thread_id:
                raise ValueError('When provided, "thread_id" must be a non-empty string.')
        return self


class CodexToolCallArguments(TypedDict):
    inputs: list[UserInput] | None
    thread_id: str | None


def parse_tool_input(parameters_model: type[BaseModel], input_json: str) -> BaseModel:
    try:
        data = json.loads(input_json) if input_json else {}
    except json.JSONDecodeError as exc:
        raise ModelBehaviorError(f"Invalid JSON input for codex tool: {input_json}") from exc
    try:
        return parameters_model.model_validate(data)
    except ValidationError as exc:
        raise ModelBehaviorError(f"Invalid JSON input for codex tool: {exc}") from exc


def normalize_parameters(params: BaseModel) -> CodexToolCallArguments:
    """The validated parameters (the default models or a user's own ``parameters`` model) as the call's inputs."""
    items = getattr(params, "inputs", None)
    if items is None:
        raise UserError("Codex tool parameters must include an inputs field.")
    inputs: list[UserInput] = [
        {"type": "text", "text": item.text or ""} if item.type == "text"
        else {"type": "local_image", "path": item.path or ""}
        for item in items
    ]
    return {"inputs": inputs or None, "thread_id": normalize_thread_id(getattr(params, "thread_id", None))}


def normalize_thread_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise UserError(f"Codex thread_id must be a string when provided, got {type(value).__name__}")
    return value.strip() or None


def build_codex_input(args: CodexToolCallArguments) -> Input:
    return args["inputs"] or ""


def default_response(args: CodexToolCallArguments) -> str:
    """What the tool returns when Codex finished without an agent message."""
    return f"Codex task completed {'with inputs.' if args.get('inputs') else 'with no inputs.'}"
