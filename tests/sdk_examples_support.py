"""Running the OpenAI Agents SDK's own example programs, unchanged, on agents_otel (tests/compat/test_sdk_examples.py).

The examples come from the SDK's source distribution on PyPI, unpacked by ``make sdk-examples`` (a prerequisite of
``make test``) into ``.sdk-examples/examples``: the SDK's code is never copied into this repository. Each example's
source runs as written, as ``python -m examples.<area>.<name>`` would run it, with two things arranged around it:

- ``agents`` and every ``agents.<sub>`` import resolve to ``agents_otel`` and the module at the same path there, by
  a ``sys.meta_path`` finder installed only while an example runs, in the test process;
- the model is the official ``openai`` client, which the runtime builds from ``OPENAI_BASE_URL`` /
  ``OPENAI_API_KEY`` as for any user, talking HTTP to the local fake OpenAI server (``fake_openai``).

In-process rather than one interpreter per example: an interpreter start costs about two seconds here, the whole
module must stay fast, and everything an example touches that outlives it (the aliased modules, ``examples.*``,
``sys.path``, environment variables, stdin) is put back when it ends.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import os
import runpy
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDK_VERSION = "0.25.0"
EXAMPLES_HOME = ROOT / ".sdk-examples"
EXAMPLES_DIR = EXAMPLES_HOME / "examples"
STAMP = EXAMPLES_HOME / f".unpacked-{SDK_VERSION}"


def require_examples() -> Path:
    """The unpacked examples' parent directory; a failure (not a skip) naming the command that fetches them."""
    if not STAMP.exists() or not (EXAMPLES_DIR / "auto_mode.py").exists():
        pytest.fail(
            f"the OpenAI Agents SDK {SDK_VERSION} examples are not in {EXAMPLES_DIR}: run `make test` "
            "(or `make sdk-examples`) to download and unpack them",
            pytrace=False,
        )
    return EXAMPLES_HOME


class SDKImportAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``agents`` -> ``agents_otel``, ``agents.x.y`` -> ``agents_otel.x.y``: the module object itself, so an example
    and the runtime share every class (``isinstance`` holds across the two names)."""

    SDK = "agents"
    OURS = "agents_otel"

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.SDK and not fullname.startswith(self.SDK + "."):
            return None
        target_name = self.OURS + fullname[len(self.SDK) :]
        if importlib.util.find_spec(target_name) is None:
            return None  # a plain ModuleNotFoundError for the SDK's name, as for any missing module
        module = importlib.import_module(target_name)
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=getattr(module, "__file__", None))
        spec.submodule_search_locations = getattr(module, "__path__", None)
        spec.loader_state = module.__spec__  # put back by exec_module (the import system overwrites it)
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return sys.modules[self.OURS + spec.name[len(self.SDK) :]]

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run (the agents_otel module ran when it was imported); only its own ``__spec__`` goes back,
        which the import system replaced with the alias's, so its relative imports stay its own."""
        alias = module.__spec__
        if alias is not None and alias.loader_state is not None:
            module.__spec__ = alias.loader_state


def _owned(name: str) -> bool:
    return name in ("agents", "examples") or name.startswith(("agents.", "examples."))


@contextlib.contextmanager
def sdk_example_imports(home: Path) -> Iterator[None]:
    """The import side of running an example: the alias finder and ``home`` (holding ``examples/``) first on the
    path, both removed afterwards with every ``agents.*`` / ``examples.*`` module imported meanwhile."""
    finder = SDKImportAlias()
    sys.meta_path.insert(0, finder)
    sys.path.insert(0, str(home))
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        sys.path.remove(str(home))
        for name in [name for name in sys.modules if _owned(name)]:
            del sys.modules[name]


def run_example(
    module: str,
    monkeypatch: pytest.MonkeyPatch,
    base_url: str,
    cwd: Path,
    *,
    stdin: str = "",
    argv: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> None:
    """Run ``examples.<module>`` as ``python -m`` would (``__name__ == "__main__"``), its model the fake server at
    ``base_url`` through the environment, in the working directory ``cwd`` (what an example writes lands there),
    ``stdin`` what ``input()`` reads, ``argv`` its command line. Output goes where the test captures."""
    home = require_examples()
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-examples")
    for key in ("OPENAI_DEFAULT_MODEL", "EXAMPLES_INTERACTIVE_MODE", "OPENAI_AGENTS_DISABLE_TRACING"):
        monkeypatch.delenv(key, raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setattr(sys, "argv", [str(home / "examples" / (module.replace(".", "/") + ".py")), *argv])
    with sdk_example_imports(home):
        runpy.run_module(f"examples.{module}", run_name="__main__", alter_sys=True)


def instructions_start(prefix: str) -> Callable[[dict[str, Any]], bool]:
    """A ``fake_openai.enqueue(when=...)`` predicate: the request of the agent whose instructions start so (an
    example's concurrent model calls, such as an agent and its guardrail's agent, arrive in no fixed order)."""

    def matches(body: dict[str, Any]) -> bool:
        return str(body.get("instructions") or "").startswith(prefix)

    return matches


def tool_outputs(body: Mapping[str, Any]) -> dict[str, Any]:
    """The ``function_call_output`` items a Responses request sends back, by call id."""
    return {
        item["call_id"]: item["output"]
        for item in body.get("input") or []
        if isinstance(item, dict) and item.get("type") == "function_call_output"
    }


def tool_names(body: Mapping[str, Any]) -> list[str]:
    """The names of the function tools a Responses request offers."""
    return [tool["name"] for tool in body.get("tools") or [] if tool.get("type") == "function"]


def run_example_in_process_of_its_own(
    module: str, base_url: str, cwd: Path, *, env: Mapping[str, str] | None = None, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """Run ``examples.<module>`` in a fresh interpreter, as ``python -m`` would, for an example that depends on the
    process-wide defaults a test process must not set (the zero-config OpenTelemetry provider, which
    tests/conftest.py turns off here): the same alias finder, installed by the child before the example runs.
    Costs an interpreter start, so only for such examples; returns the finished process (``stdout``, ``stderr``)."""
    home = require_examples()
    tests = Path(__file__).resolve().parent
    child_env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "EXAMPLES_"))}
    child_env.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="sk-test-examples", **(env or {}))
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tests), str(ROOT), os.environ.get("PYTHONPATH")]))
    program = (
        "import runpy, sys\n"
        "from sdk_examples_support import SDKImportAlias\n"
        "sys.meta_path.insert(0, SDKImportAlias())\n"
        f"sys.path.insert(0, {str(home)!r})\n"
        f"runpy.run_module({'examples.' + module!r}, run_name='__main__', alter_sys=True)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program], cwd=cwd, env=child_env, capture_output=True, text=True, timeout=timeout
    )


AUTO = {"EXAMPLES_INTERACTIVE_MODE": "auto"}
"""The SDK's own switch for unattended runs of its interactive examples."""


class Run(Protocol):
    def __call__(
        self, module: str, *, stdin: str = "", argv: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> str: ...


def example_runner(fake_openai: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any) -> Run:
    """The example modules' ``run`` fixture (each module makes it its own: ``pytest.fixture(example_runner,
    name="run")``): run ``examples.<module>`` against ``fake_openai`` (in ``tmp_path``), return what it printed."""

    def go(module: str, *, stdin: str = "", argv: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:
        capsys.readouterr()
        run_example(module, monkeypatch, fake_openai.base_url, tmp_path, stdin=stdin, argv=argv, env=env)
        out: str = capsys.readouterr().out
        return out

    return go


def bodies(server: Any) -> list[dict[str, Any]]:
    """The Responses API request bodies the fake server received, in order."""
    return [request.body for request in server.requests_to("/responses")]


MESSAGE_FILTER_ANSWERS: tuple[dict[str, Any], ...] = (
    {"text": "Hi Sora."},
    {"tool_calls": [("random_number_tool", {"max": 0}, "r")]},
    {"text": "Your number is 0."},
    {"text": "About 8.3 million."},
    {"tool_calls": [("transfer_to_spanish_assistant", {}, "h")]},
    {"text": "Te llamas Sora y vives en Nueva York."},
)
"""What the model answers in ``handoffs/message_filter`` and its streaming twin, which hold the same conversation
(``fake_openai.enqueue(**answer)`` each, in order)."""

MESSAGE_FILTER_SPANISH_INPUT = [
    "Can you generate a random number between 0 and 100?",
    "Your number is 0.",
    "I live in New York City. What's the population of the city?",
    "About 8.3 million.",
    "Por favor habla en español. ¿Cuál es mi nombre y dónde vivo?",
]
"""The contents of what the Spanish agent is sent in both: tools removed, the first two history items dropped, as the
examples' filter says."""
