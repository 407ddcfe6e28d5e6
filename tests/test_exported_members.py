"""The public surface is ``agents_otel.__all__``: exactly what the package root offers, sorted, each importable.

In the style of httpx's test of the same name: a name added to the package root without being exported (or
exported without existing) fails here, so the documented surface and the real one cannot drift apart.
"""

from __future__ import annotations

import types

import agents_otel


def test_all_is_sorted_and_unique() -> None:
    assert agents_otel.__all__ == sorted(set(agents_otel.__all__))


def test_every_public_member_of_the_root_is_exported() -> None:
    public = {
        name
        for name, value in vars(agents_otel).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name not in ("annotations",)
    }
    assert public - set(agents_otel.__all__) == set()


def test_every_exported_name_resolves() -> None:
    for name in agents_otel.__all__:
        assert getattr(agents_otel, name) is not None, name
    assert set(agents_otel.__all__) <= set(dir(agents_otel))


def test_exported_classes_and_functions_say_what_they_are_for() -> None:
    undocumented = [
        name
        for name in agents_otel.__all__
        if isinstance(getattr(agents_otel, name), (type, types.FunctionType))
        and not _own_docstring(getattr(agents_otel, name))
    ]
    assert undocumented == []


def _own_docstring(obj: object) -> bool:
    """A docstring someone wrote: not the signature a dataclass generates for itself."""
    doc = getattr(obj, "__doc__", None) or ""
    return bool(doc) and not doc.startswith(f"{getattr(obj, '__name__', '')}(")


def test_the_names_the_sdk_added_in_0_24_are_exported() -> None:
    """SDK v0.24's root names (``RunConfig.output_guardrail_blocked_message``'s types, the web search image
    settings and the image generation config) are exported, each the object of its home module."""
    from agents_otel import hosted_tools, run_config

    expected = {
        "OutputGuardrailBlockedMessageArgs": run_config,
        "OutputGuardrailBlockedMessageFormatter": run_config,
        "WebSearchToolImageSettings": hosted_tools,
        "ImageGenerationToolConfig": hosted_tools,
    }
    for name, home in expected.items():
        assert name in agents_otel.__all__
        assert getattr(agents_otel, name) is getattr(home, name)
