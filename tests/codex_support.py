"""The real Codex CLI (tests/codex, installed by ``make codex-cli``) pointed at the fake OpenAI server.

``CODEX_HOME`` is a fresh directory per test whose ``config.toml`` makes the fake server the model provider (a
``model_providers`` entry, ``wire_api = "responses"``: plain HTTP with SSE, which the fake server speaks), so the CLI
runs fully offline. Each CLI gets a marker in its environment, so a test can find its processes in ``/proc``.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from support import missing

from agents_otel.extensions.experimental.codex import Codex

CODEX_DIR = Path(__file__).resolve().parent / "codex"
CODEX_BIN = CODEX_DIR / "node_modules" / ".bin" / "codex"
MARKER = "AGENTS_OTEL_CODEX_TEST"


def require_codex_cli() -> str:
    if shutil.which("node") and CODEX_BIN.exists() and (CODEX_DIR / "node_modules" / ".installed-stamp").exists():
        return str(CODEX_BIN)
    missing("the Codex CLI is not installed: run `make codex-cli` (npm ci in tests/codex; needs Node 20+)")


@dataclass
class CodexSetup:
    cli: str
    home: Path
    workdir: Path
    env: dict[str, str]
    marker: str

    def codex(self) -> Codex:
        return Codex(codex_path_override=self.cli, env=self.env)

    def thread_options(self) -> dict[str, object]:
        # The commands the fake model asks for are the test's own; no sandbox, so none is needed from the host.
        return {"working_directory": str(self.workdir), "skip_git_repo_check": True,
                "sandbox_mode": "danger-full-access", "approval_policy": "never"}

    def processes(self) -> list[int]:
        """Live processes (not zombies) whose environment carries this setup's marker."""
        found = []
        needle = f"{MARKER}={self.marker}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    def output_schema_file(self) -> tuple[Path, object]:
        """The ``--output-schema`` file the running CLI was given, and what it holds."""
        (path,) = {
            Path(arg)
            for pid in self.processes()
            for flag, arg in itertools.pairwise(Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0"))
            if flag == "--output-schema"
        }
        return path, json.loads(path.read_text())


def removed(path: Path) -> bool:
    """Neither the file nor its private directory is left."""
    return not path.exists() and not path.parent.exists()


def codex_setup(tmp_path: Path, base_url: str) -> CodexSetup:
    cli = require_codex_cli()
    home = tmp_path / "codex-home"
    workdir = tmp_path / "work"
    home.mkdir()
    workdir.mkdir()
    (home / "config.toml").write_text(
        'model_provider = "fake"\nmodel = "gpt-test"\n\n[model_providers.fake]\nname = "fake"\n'
        f'base_url = "{base_url}"\nwire_api = "responses"\nenv_key = "CODEX_API_KEY"\n'
    )
    marker = uuid.uuid4().hex
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "CODEX_HOME": str(home),
           "CODEX_API_KEY": "sk-codex-test", MARKER: marker}
    return CodexSetup(cli, home, workdir, env, marker)
