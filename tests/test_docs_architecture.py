"""docs/architecture.md's layer table names every module where ``tests/test_architecture.py`` places it.

Why a test: the table is the map a newcomer reads, and it drifted once already (six modules landed in LAYERS
without a row naming them). Each module placed by name in LAYERS must be named, as ``path/of/module`` in
backticks, in the row of its own layer and in no other row.
"""

from __future__ import annotations

import re
from pathlib import Path

from test_architecture import LAYER_NAMES, LAYERS

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def table_rows() -> dict[int, set[str]]:
    rows: dict[int, set[str]] = {}
    for line in DOC.read_text().splitlines():
        match = re.match(r"\| (\d)\. ([a-z ]+) \|", line)
        if match:
            layer = int(match.group(1)) - 1
            assert LAYER_NAMES[layer] == match.group(2), line
            rows[layer] = set(re.findall(r"`([^`]+)`", line.split("|")[3]))
    return rows


def doc_name(module: str) -> str:
    return module.removeprefix("agents_otel.").replace(".", "/")


def test_every_named_module_is_in_its_layers_row() -> None:
    rows = table_rows()
    assert sorted(rows) == list(range(len(LAYER_NAMES)))
    wrong = []
    for module, layer in LAYERS.items():
        if module == "agents_otel" or module.endswith("."):
            continue  # the package itself and prefixes (server/, mcp/...) are named as folders
        # A package in the same layer as its modules is named as its folder (`server/`); one whose __init__ sits
        # elsewhere (`models`: resolving a model by name, engine) by its own name.
        name = doc_name(module) + ("/" if LAYERS.get(module + ".") == layer else "")
        found = [LAYER_NAMES[i] for i, names in rows.items() if name in names]
        if found != [LAYER_NAMES[layer]]:
            wrong.append(f"{name}: LAYERS says {LAYER_NAMES[layer]}, the table has it in {found or 'no row'}")
    assert not wrong, "docs/architecture.md's layer table:\n" + "\n".join(wrong)
