"""The SDK's released API, checked name by name: code written for the OpenAI Agents SDK must find every public name,
parameter, field, method and property it uses here, or be refused with a typed error, or meet a difference this
file names with its reason.

Why a contract file and not only the module-path tables of ``test_sdk_module_paths.py``: the SDK publishes what it
promises to keep (its released-API contract, one JSON fixture per release). ``data/sdk_released_api.json`` holds
the names from that contract for the release we follow (names only, in a shape of our own); each entry here is
one thing SDK code can write. Every entry is either

* **present** (a module imports, a name resolves to the same object as its canonical path, a callable takes the
  keyword, a class has the field, member or property);
* **refused** with a typed error (``SDKNameNotSupportedError`` / ``ExtensionUnavailableError``, both ``UserError``s
  that say what to use instead), never a bare ``ImportError`` or ``AttributeError``; or
* listed in ``DIFFERENCES`` below, grouped under the reason (each reason is a row of docs/migrating.md).

Both directions are asserted: a new SDK name we neither have nor list fails the test, and so does a listed
difference that is no longer one (the list only shrinks as parity grows, and never hides a name we now have).
"""

from __future__ import annotations

import dataclasses
import enum
import fnmatch
import importlib
import inspect
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from agents_otel.exceptions import UserError

CONTRACT = json.loads((Path(__file__).parent / "data" / "sdk_released_api.json").read_text())
SKIPPED_PARAMETERS = {"self", "cls", "args", "kwargs"}


class Refused(Exception):
    """A lookup answered with one of our typed refusals (a ``UserError``), which is what the contract allows."""


def _our_module(sdk_module: str) -> ModuleType:
    try:
        return importlib.import_module("agents_otel" + sdk_module[len("agents") :])
    except UserError as exc:
        raise Refused(str(exc)) from exc


def _resolve(dotted: str) -> Any:
    """``agents.x.Name`` (or a bare root name, or ``Class.member``) as the object SDK code would get here."""
    if not dotted.startswith("agents."):
        dotted = "agents." + dotted
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = _our_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            try:
                obj = getattr(obj, name)
            except UserError as exc:
                raise Refused(str(exc)) from exc
        return obj
    raise ModuleNotFoundError(dotted)


def _signature_names(obj: Any) -> tuple[set[str], bool] | None:
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return None
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return set(parameters), takes_any


def _has_attribute(cls: Any, name: str) -> bool:
    if dataclasses.is_dataclass(cls) and name in {f.name for f in dataclasses.fields(cls)}:
        return True
    if name in (getattr(cls, "model_fields", None) or {}):
        return True
    if inspect.getattr_static(cls, name, None) is not None:
        return True
    signature = _signature_names(cls) if inspect.isclass(cls) else None
    if signature is not None and name in signature[0]:
        return True
    return inspect.isclass(cls) and any(_assigns_in_init(klass, name) for klass in cls.__mro__)


def _assigns_in_init(cls: type, name: str) -> bool:
    """An instance attribute set in ``__init__`` (``self.name = ...``), which no class lookup can see."""
    init = cls.__dict__.get("__init__")
    try:
        source = inspect.getsource(init) if init is not None else ""
    except (OSError, TypeError):
        return False
    return re.search(rf"\bself\.{re.escape(name)}\s*(:[^=]+)?=(?!=)", source) is not None


def _missing_parameters(obj: Any, wanted: list[str]) -> list[str]:
    signature = _signature_names(obj)
    if signature is None:
        return []
    names, takes_any = signature
    if takes_any:
        return []
    return [name for name in wanted if name not in SKIPPED_PARAMETERS and name not in names]


def _callable_findings(key: str, spec: dict[str, Any], obj: Any) -> Iterator[str]:
    # An enum is called with its value (``ModelTracing(0)``) whatever inspect says of its signature, which differs
    # between Python versions; its members are checked below.
    parameters = [] if inspect.isclass(obj) and issubclass(obj, enum.Enum) else spec.get("parameters", [])
    for name in _missing_parameters(obj, parameters):
        yield f"param:{key}:{name}"
    for name in spec.get("fields", []):
        if not _has_attribute(obj, name):
            yield f"field:{key}:{name}"
    for name in spec.get("enum_members", []):
        if not hasattr(obj, name):
            yield f"enum:{key}:{name}"
    for member, wanted in spec.get("members", {}).items():
        if inspect.getattr_static(obj, member, None) is None and not hasattr(obj, member):
            yield f"member:{key}.{member}"
            continue
        for name in _missing_parameters(getattr(obj, member), wanted):
            yield f"param:{key}.{member}:{name}"


def _check(finding: str, lookup: Callable[[], Iterator[str]]) -> Iterator[str]:
    """Run one lookup; a typed refusal is an allowed answer, a bare ImportError/AttributeError is a finding."""
    try:
        yield from lookup()
    except Refused:
        return
    except (ImportError, AttributeError) as exc:
        yield f"{finding} ({type(exc).__name__})"


def _findings() -> list[str]:
    found: list[str] = []

    def module(name: str) -> Iterator[str]:
        _our_module(name)
        return iter(())

    def export(module_name: str, name: str) -> Iterator[str]:
        getattr_checked(_our_module(module_name), name)
        return iter(())

    def callable_(key: str, spec: dict[str, Any]) -> Iterator[str]:
        return _callable_findings(key, spec, _resolve(key))

    def canonical(path: str, canonical_path: str) -> Iterator[str]:
        if _resolve(path) is not _resolve(canonical_path):
            yield f"canonical:{path}"

    def properties(key: str, names: list[str]) -> Iterator[str]:
        cls = _resolve(key)
        return (f"property:{key}.{n}" for n in names if not _has_attribute(cls, n))

    def typed_dict(key: str, names: list[str]) -> Iterator[str]:
        annotations = getattr(_resolve(key), "__annotations__", {})
        return (f"typeddict:{key}.{n}" for n in names if n not in annotations)

    def abstract(key: str, names: list[str]) -> Iterator[str]:
        ours = set(getattr(_resolve(key), "__abstractmethods__", ()))
        if ours != set(names):
            yield f"abstract:{key}"

    for name in CONTRACT["modules"]:
        found += _check(f"module:{name}", lambda name=name: module(name))
    for name in CONTRACT["top_level"]:
        found += _check(f"export:agents.{name}", lambda name=name: export("agents", name))
    for module_name, names in CONTRACT["submodule_exports"].items():
        for name in names:
            found += _check(f"export:{module_name}.{name}", lambda m=module_name, n=name: export(m, n))
    for key, spec in CONTRACT["callables"].items():
        found += _check(f"missing:{key}", lambda key=key, spec=spec: callable_(key, spec))
    for path, canonical_path in CONTRACT["canonical_imports"]:
        found += _check(f"canonical:{path}", lambda p=path, c=canonical_path: canonical(p, c))
    for key, names in CONTRACT["properties"].items():
        found += _check(f"missing:{key}", lambda key=key, names=names: properties(key, names))
    for key, names in CONTRACT["typed_dicts"].items():
        found += _check(f"missing:{key}", lambda key=key, names=names: typed_dict(key, names))
    for key, names in CONTRACT["abstract_members"].items():
        found += _check(f"missing:{key}", lambda key=key, names=names: abstract(key, names))
    return sorted(set(found))


def getattr_checked(module: ModuleType, name: str) -> Any:
    try:
        return getattr(module, name)
    except UserError as exc:
        raise Refused(str(exc)) from exc


# Reason (a row of docs/migrating.md) -> the findings it explains; fnmatch patterns keep families to one line.
DIFFERENCES: dict[str, list[str]] = {
    # docs/migrating.md, "a model takes a ModelRequest": every model here implements one interface,
    # get_response(request) / stream_response(request); the SDK's positional signature is a TypeError.
    "models take a ModelRequest, not the SDK's positional arguments": [
        "param:*Model.get_response:*",
        "param:*Model.stream_response:*",
        "param:OpenAIResponsesWSModel.*:*",
        "param:agents.testing*ScriptedModel.*:*",
    ],
    # docs/migrating.md, the ScriptedModel.calls row: its ModelCall's tools are ToolSpecs, handoffs among them.
    "a ModelCall holds what a ModelRequest holds (no separate handoffs, no tracing flag)": [
        "param:agents.testing*.ModelCall:handoffs",
        "param:agents.testing*.ModelCall:tracing",
    ],
    # docs/migrating.md, "Run items": the runtime builds items, events, results and run states from its records
    # (a ToolCallItem holds the call's identity and arguments); their fields read as in the SDK, but SDK code that
    # constructs one with the SDK's keywords gets a TypeError naming the keyword.
    "run items, stream events, streamed results and run states are built by the runtime": [
        "param:*Item:agent",
        "param:*Item:raw_item",
        "param:*Item:type",
        "param:*Item:tool_origin",
        "param:ToolApprovalItem:tool_namespace",
        "param:ToolApprovalItem:tool_lookup_key",
        "param:ToolCallItem:description",
        "param:ToolCallItem:title",
        "param:*StreamEvent:type",
        "param:RunResultStreaming:*",
        "param:RunState:*",
    ],
    # docs/migrating.md, the standing-decision row: tool names are unique per agent here, so an approval item
    # needs no namespace or lookup key, and a tool call item carries no description or title of its tool.
    "approval items are keyed by tool name; tool call items carry no tool description": [
        "field:ToolApprovalItem:tool_lookup_key",
        "field:ToolApprovalItem:tool_namespace",
        "field:ToolCallItem:description",
        "field:ToolCallItem:title",
    ],
    # docs/migrating.md, the FunctionTool(timeout_seconds=) row: the field is timeout=, tool.timeout_seconds reads it.
    "FunctionTool's timeout field is timeout=": ["param:FunctionTool:timeout_seconds"],
    # A marker base for isinstance checks: RunResult and RunResultStreaming each define these members.
    "RunResultBase is the shared base for isinstance, not the holder of the members": [
        "property:agents.result.RunResultBase.*",
    ],
    # docs/migrating.md, "Streamed results": no turn counter or trace object on the streamed result; its trace is
    # OpenTelemetry's (result.trace_id).
    "a streamed result reports its trace as trace_id and counts no turns": [
        "field:RunResultStreaming:current_turn",
        "field:RunResultStreaming:trace",
    ],
    # docs/migrating.md, realtime: the SIP model sends its events through the session's one send path.
    "the realtime SIP model has no conditional send": [
        "member:agents.realtime.openai_realtime.OpenAIRealtimeSIPModel.send_event_if",
    ],
}


def _explained(finding: str) -> bool:
    return any(fnmatch.fnmatchcase(finding, p) for patterns in DIFFERENCES.values() for p in patterns)


FINDINGS = _findings()


def test_contract_names_the_release_we_follow() -> None:
    assert CONTRACT["sdk_version"] == "0.25.0"
    assert len(CONTRACT["callables"]) > 300 and len(CONTRACT["top_level"]) > 200


def test_every_sdk_name_is_present_refused_or_a_listed_difference() -> None:
    unexplained = [f for f in FINDINGS if not _explained(f)]
    assert not unexplained, "SDK API missing here without a typed refusal or a listed reason:\n" + "\n".join(
        unexplained
    )


@pytest.mark.parametrize("pattern", [p for patterns in DIFFERENCES.values() for p in patterns])
def test_every_listed_difference_is_still_one(pattern: str) -> None:
    assert any(fnmatch.fnmatchcase(f, pattern) for f in FINDINGS), f"{pattern} is supported now: remove it"

