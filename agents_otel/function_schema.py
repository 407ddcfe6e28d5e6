"""From a Python function to a tool schema and a validated call.

Pydantic builds the argument model from type hints (so validation and the JSON schema the model sees can never
disagree) and docstring-parser reads parameter descriptions from Google, NumPy or reST docstrings.

Parameters are read as the OpenAI Agents SDK reads them, so a tool written for it gets the same schema here:
``Field(...)`` defaults and ``Annotated[T, Field(...)]`` keep their constraints and descriptions,
``Annotated[T, "description"]`` describes the parameter (a docstring description wins), ``*args`` becomes a list
and ``**kwargs`` an object (each annotation is the type of each value, as PEP 484 says), and argument keys the
function does not take are ignored (except beside ``**kwargs``, where they are an error: the model meant them as
keyword arguments, and dropping them would run the call without them). A first parameter annotated
``ToolContext`` or ``RunContextWrapper`` receives the context; unlike the SDK, so does an *unannotated* first
parameter named ``ctx`` or ``context``, which would otherwise become an argument the model must invent.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import GenericAlias
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

import docstring_parser
from pydantic import BaseModel, ConfigDict, Field, PydanticSchemaGenerationError, PydanticUserError, create_model
from pydantic.fields import FieldInfo

from .exceptions import ToolArgumentsError, UserError

DocstringStyle = Literal["google", "numpy", "sphinx"]
"""The SDK's names for docstring styles; ``None`` detects the style."""
_STYLES = {
    "google": docstring_parser.DocstringStyle.GOOGLE,
    "numpy": docstring_parser.DocstringStyle.NUMPYDOC,
    "sphinx": docstring_parser.DocstringStyle.REST,
}

CONTEXT_PARAMETER_NAMES = frozenset({"ctx", "context"})
"""Unannotated first parameters with these names receive the tool's context."""


@dataclass(frozen=True, slots=True)
class FunctionSchema:
    name: str
    description: str
    params_json_schema: dict[str, Any]
    arguments_model: type[BaseModel]
    takes_context: bool
    positional: tuple[str, ...]
    """Names passed positionally (the parameters before ``*args``, and ``*args`` itself), in order."""
    var_positional: str | None = None
    """The ``*args`` parameter's name: its list is spread after ``positional``."""
    var_keyword: str | None = None
    """The ``**kwargs`` parameter's name: its object is spread into the keyword arguments."""
    keyword_names: frozenset[str] = frozenset()
    """With ``**kwargs``: the parameters a keyword binds (the context's too). A ``**kwargs`` key naming one would
    replace the validated value, or fail the call with "multiple values": the model's mistake, told to it."""

    def to_call_args(self, parsed: BaseModel | dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """The validated arguments (the model, or its fields) as ``(args, kwargs)`` for the function (without the
        context)."""
        kwargs = dict(parsed.__dict__ if isinstance(parsed, BaseModel) else parsed)
        args = [kwargs.pop(name) for name in self.positional]
        if self.var_positional is not None:
            args.extend(kwargs.pop(self.var_positional) or ())
        if self.var_keyword is not None:
            extra = kwargs.pop(self.var_keyword) or {}
            if not self.keyword_names.isdisjoint(extra):
                clash = ", ".join(repr(k) for k in sorted(self.keyword_names.intersection(extra)))
                raise ToolArgumentsError(
                    f"Invalid arguments for tool {self.name!r}: {clash} given both as a parameter and as a key of "
                    f"{self.var_keyword!r}; pass each argument once, as its parameter"
                )
            kwargs.update(extra)
        return args, kwargs


class _Arguments(BaseModel):
    # Extra keys are ignored, as the SDK does; strict schemas keep a model from sending them in the first place.
    model_config = ConfigDict(extra="ignore", protected_namespaces=(), arbitrary_types_allowed=False)


class _ArgumentsBesideKwargs(_Arguments):
    # A function with ``**kwargs`` (never strict): a flat key the model meant as a keyword argument is an error,
    # not dropped (SDK 0.23, "reject silently discarded kwargs tool arguments").
    model_config = ConfigDict(extra="forbid")


def function_schema(
    func: Callable[..., Any],
    *,
    name_override: str | None = None,
    description_override: str | None = None,
    use_docstring_info: bool = True,
    strict_json_schema: bool = True,
    docstring_style: DocstringStyle | None = None,
) -> FunctionSchema:
    """``strict_json_schema`` closes the schema (``additionalProperties: false``), as the SDK's strict mode does."""
    name = name_override or getattr(func, "__name__", None) or type(func).__name__
    style = _STYLES[docstring_style] if docstring_style is not None else docstring_parser.DocstringStyle.AUTO
    # The parsers read a docstring's first paragraph as its summary, so one that starts with its ``Args:`` section
    # (no summary) would lose its parameters' descriptions (or fail to parse); a leading blank line says "no
    # summary" and changes nothing for a docstring that has one.
    doc = docstring_parser.parse("\n" + _docstring(func), style) if use_docstring_info else None
    param_docs = {p.arg_name.lstrip("*"): p.description for p in doc.params if p.description} if doc else {}
    description = description_override
    if description is None:
        description = "\n\n".join(d for d in (doc.short_description, doc.long_description) if d) if doc else ""

    try:
        hinted = func if inspect.isroutine(func) or inspect.isclass(func) else type(func).__call__
        hints = get_type_hints(hinted, include_extras=True)
    except Exception as exc:  # an unresolved forward reference is a bug in the tool, say which
        raise UserError(f"Cannot resolve type hints of tool {name!r}: {exc}") from exc
    params = list(inspect.signature(func).parameters.values())

    takes_context = False
    if params and _is_context_parameter(params[0], hints):
        takes_context = True
        params = params[1:]

    fields: dict[str, Any] = {}
    positional: list[str] = []
    var_positional = var_keyword = None
    has_star_args = any(p.kind is p.VAR_POSITIONAL for p in params)
    for p in params:
        annotation, metadata = _strip_annotated(hints.get(p.name, Any))
        if _is_context_type(annotation):
            raise UserError(
                f"Tool {name!r}: parameter {p.name!r} is a {getattr(annotation, '__name__', annotation)}; "
                "the context must be the first parameter"
            )
        described = param_docs.get(p.name) or next((m for m in metadata if isinstance(m, str)), None)
        if p.kind is p.VAR_POSITIONAL:
            var_positional = p.name
            item = _each_value(_list_item(annotation, name, p.name), metadata)
            fields[p.name] = (GenericAlias(list, (item,)), Field(default_factory=list, description=described))
            continue
        if p.kind is p.VAR_KEYWORD:
            if strict_json_schema:
                raise UserError(
                    f"Tool {name!r}: **{p.name} cannot be in a strict schema (its keys are open); make the tool with "
                    f"strict_mode=False (function_schema(strict_json_schema=False)) to take keyword arguments in the "
                    f"{p.name!r} object, or give it named parameters"
                )
            var_keyword = p.name
            value = _each_value(annotation, metadata)
            fields[p.name] = (GenericAlias(dict, (str, value)), Field(default_factory=dict, description=described))
            continue
        fields[p.name] = (annotation, _field(p, metadata, described))
        before_star_args = var_positional is None and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        if before_star_args and (p.kind is p.POSITIONAL_ONLY or has_star_args):
            positional.append(p.name)

    try:
        base = _ArgumentsBesideKwargs if var_keyword is not None else _Arguments
        model = create_model(f"{name}_args", __base__=base, **fields)
        schema = model.model_json_schema()
    except (PydanticSchemaGenerationError, PydanticUserError, TypeError) as exc:
        raise UserError(f"Tool {name!r}: its parameters cannot be described as JSON: {exc}") from exc
    schema.pop("title", None)
    if strict_json_schema:
        schema["additionalProperties"] = False
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    keyword_names = frozenset(
        p.name
        for p in inspect.signature(func).parameters.values()
        if var_keyword is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )
    return FunctionSchema(
        name, description, schema, model, takes_context, tuple(positional), var_positional, var_keyword, keyword_names
    )


def _field(p: inspect.Parameter, metadata: tuple[Any, ...], described: str | None) -> FieldInfo:
    """The pydantic field for one ordinary parameter: its ``Field`` (from the default or ``Annotated``), its
    default, and the description (docstring first, then ``Annotated`` text, then the ``Field``'s own)."""
    infos = [m for m in metadata if isinstance(m, FieldInfo)]
    default = p.default
    if isinstance(default, FieldInfo):
        infos.append(default)
    elif default is not inspect.Parameter.empty:
        infos.append(Field(default=default))
    if not infos:
        return Field(..., description=described)  # type: ignore[no-any-return]
    merged = FieldInfo.merge_field_infos(*infos)
    if described is not None:
        merged = FieldInfo.merge_field_infos(merged, description=described)
    return merged


def _strip_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    metadata: tuple[Any, ...] = ()
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata = (*metadata, *extra)
    return annotation, metadata


def _list_item(annotation: Any, tool: str, parameter: str) -> Any:
    """The type of each of ``*args``' values: its annotation (PEP 484), so ``*args: tuple[int, ...]`` takes tuples
    of ints. A fixed-length tuple (``tuple[int, str]``, ``tuple[()]``) cannot describe every argument: a
    ``UserError``, as in the SDK since 0.23, rather than widening each argument to ``Any``."""
    if get_origin(annotation) is tuple or annotation == tuple[()]:
        items = get_args(annotation)
        if not (len(items) == 2 and items[1] is Ellipsis):
            raise UserError(
                f"Tool {tool!r}: *{parameter} is annotated with the fixed-length {annotation}, but the annotation "
                "of *args is the type of each argument: use tuple[T, ...] or list[T] instead"
            )
    return annotation


def _each_value(annotation: Any, metadata: tuple[Any, ...]) -> Any:
    """``*args`` / ``**kwargs``' value type with its ``Annotated`` constraints and validators (``Field(ge=0)``
    bounds each value, not the collection); a ``Field``'s default or alias there means nothing for a value."""
    if not any(not isinstance(m, str) for m in metadata):
        return annotation
    kept = FieldInfo.from_annotation(Annotated[(annotation, *metadata)]).metadata  # type: ignore[arg-type]
    kept = [m for m in kept if not isinstance(m, str)]
    return Annotated[(annotation, *kept)] if kept else annotation


def _is_context_parameter(p: inspect.Parameter, hints: dict[str, Any]) -> bool:
    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
        return False
    if p.name not in hints:
        return p.annotation is inspect.Parameter.empty and p.name in CONTEXT_PARAMETER_NAMES
    return _is_context_type(_strip_annotated(hints[p.name])[0])


def _is_context_type(annotation: Any) -> bool:
    from .context_wrapper import RunContextWrapper
    from .tool_context import ToolContext

    candidate = get_origin(annotation) or annotation
    return isinstance(candidate, type) and issubclass(candidate, (ToolContext, RunContextWrapper))


def _docstring(func: Callable[..., Any]) -> str:
    """The function's docstring; for a callable object, its ``__call__``'s (the method the model's call runs), else
    its class's."""
    if not (inspect.isroutine(func) or inspect.isclass(func)):
        call = inspect.getattr_static(type(func), "__call__", None)
        own = inspect.getdoc(call) if call is not None else None
        if own:
            return own
    return inspect.getdoc(func) or ""

