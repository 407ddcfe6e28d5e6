"""docs/ui-protocols.md: its Python block runs offline, and its React snippets are valid JSX (checked by the
example's esbuild, from examples/web-ag-ui's package-lock.json) that import only the packages they name."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from server_support import SAFETY_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "ui-protocols.md").read_text()
ESBUILD = ROOT / "examples" / "web-ag-ui" / "node_modules" / ".bin" / "esbuild"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def test_the_python_block_runs_offline(tmp_path: Path) -> None:
    (block,) = _blocks("python")
    done = subprocess.run(
        [sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=SAFETY_TIMEOUT, check=False
    )
    assert done.returncode == 0, done.stderr
    types, sequences = done.stdout.splitlines()
    assert "'CUSTOM'" in types and sequences == "[1, 2, 3]"


@pytest.mark.parametrize("index", [0, 1])
def test_the_react_snippets_are_valid_jsx(index: int) -> None:
    if not ESBUILD.exists():
        pytest.skip("run `make web-ag-ui` (it installs esbuild)")
    block = _blocks("jsx")[index]
    done = subprocess.run(
        [str(ESBUILD), "--loader=jsx", "--log-level=error"],
        input=block,
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imports = set(re.findall(r'from "([^"]+)"', block))
    assert imports <= {"react", "@ag-ui/client", "ai", "@ai-sdk/react"}
