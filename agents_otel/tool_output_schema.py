"""A function tool's declared output (``output_json_schema`` / ``output_type``), which code the model writes
(``ProgrammaticToolCallingTool``) reads the tool's results by, as in the OpenAI Agents SDK.

Why declared: the program the model writes calls the tool like a function and reads fields of what it returns, so
OpenAI wants the shape of the result (``output_schema`` on the tool's entry). The schema must be a strict object
schema (checked when the tool is built, where a mistake is made), a typed result is checked against its type after
each call (a wrong one is a ``UserError``, never a result the program misreads), and a result goes to the model as
a compact JSON object.
"""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from .conversation_items import ProgramCall
from .exceptions import UserError
from .models._openai_strict_schema import strict_json_schema

_UNTYPED = (inspect.Signature.empty, Any, None, type(None), str)
"""Return annotations that declare no output shape: such a programmatic tool's result goes out as it is."""


def checked_output_schema(schema: Any, tool_name: str) -> dict[str, Any] | None:
    """A strict copy of ``output_json_schema`` (``None`` stays ``None``); anything but a JSON object schema that can
    be made strict without changing it is a ``UserError``."""
    if schema is None:
        return None
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise UserError(f"Tool {tool_name!r}: output_json_schema must define a JSON object schema, got {schema!r}")
    strict = strict_json_schema(schema)
    if strict is None:
        raise UserError(
            f"Tool {tool_name!r}: output_json_schema must define a strict JSON object schema (closed objects whose "
            "properties are all required)"
        )
    return strict


def declared_output(
    func: Callable[..., Any],
    tool_name: str,
    allowed_callers: Sequence[str] | None,
    output_type: Any,
    output_json_schema: dict[str, Any] | None,
) -> tuple[dict[str, Any] | None, TypeAdapter[Any] | None]:
    """``(schema, adapter)`` for ``@function_tool``: from ``output_type``, from ``output_json_schema`` (no adapter:
    the result is not checked), or, for a tool programs may call, from the function's return annotation."""
    if output_type is not None and output_json_schema is not None:
        raise UserError(f"Tool {tool_name!r}: output_type and output_json_schema cannot both be given")
    if output_json_schema is not None:
        return checked_output_schema(output_json_schema, tool_name), None
    if output_type is None:
        if not allowed_callers or "programmatic" not in allowed_callers:
            return None, None
        output_type = _return_annotation(func)
        if any(output_type is untyped for untyped in _UNTYPED):
            return None, None
    try:
        adapter: TypeAdapter[Any] = TypeAdapter(output_type)
        schema = checked_output_schema(adapter.json_schema(mode="serialization"), tool_name)
    except (UserError, TypeError, ValueError, NameError) as exc:
        raise UserError(
            f"Tool {tool_name!r}: its output type ({output_type!r}) must define a strict JSON object schema: use a "
            "Pydantic model, TypedDict or dataclass, annotate the return as str or Any for an untyped result, or "
            "give output_type or output_json_schema"
        ) from exc
    return schema, adapter


def _return_annotation(func: Callable[..., Any]) -> Any:
    try:
        annotation = typing.get_type_hints(func, include_extras=True).get("return", inspect.Signature.empty)
    except Exception:  # an unresolvable forward reference: the signature's text, refused below
        annotation = inspect.signature(func).return_annotation
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def checking(
    invoke: Callable[[Any, str], Awaitable[Any]], adapter: TypeAdapter[Any], tool_name: str
) -> Callable[[Any, str], Awaitable[Any]]:
    """``invoke`` whose result is checked against the declared output type (and returned as validated)."""

    async def checked(ctx: Any, arguments: str) -> Any:
        value = await invoke(ctx, arguments)
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            raise UserError(
                f"Function tool {tool_name} returned an output that does not match its declared output type: "
                f"{exc.error_count()} error(s)"
            ) from None

    return checked


def program_output(text: Any, schema: dict[str, Any] | None, failed: bool, tool_name: str) -> Any:
    """What a program reads for a call's output: with a declared schema, a compact JSON object (an error the runtime
    wrote, ``{"error": text}``); without one, the output as it is."""
    if schema is None:
        return text
    if failed:
        return json.dumps({"error": text}, ensure_ascii=False, separators=(",", ":"))
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise UserError(f"Tool {tool_name!r} declares an output schema, so its output must be a JSON object")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def program_answer_dict(call: ProgramCall, output: Any) -> dict[str, Any]:
    """The ``function_call_output`` a program reads for ``call`` (``output`` as :func:`program_output` made it): the
    turn's answer to the model and the call's ``tool_output`` item give the same, ``caller`` included."""
    return {"type": "function_call_output", "call_id": call.call_id, "output": output, "caller": dict(call.caller)}


__all__ = ["checked_output_schema", "checking", "declared_output", "program_answer_dict", "program_output"]
