"""Compatibility: the SDK's ``Skills`` capability (``agents.sandbox.capabilities.skills``) on real sessions.

What the SDK does and this runtime must do too: inline ``Skill`` records and a ``from_`` directory are staged under
the skills root (``.agents``) by the manifest; a ``lazy_from`` source is only indexed, and the model stages one skill
with ``load_skill`` (``loaded`` / ``already_loaded``), with the source's permissions, as the agent's ``run_as`` user;
the prompt lists each skill (frontmatter name and description) with its path (absolute when the run has a ``cwd``);
bad configuration — no source or two, absolute or escaping paths, duplicate names, colliding manifest entries, a
source directory that is not granted — is a ``SkillsConfigError``.
"""

from __future__ import annotations

import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest

from agents_otel import RunConfig, Runner
from agents_otel.sandbox import Manifest, SandboxAgent, SandboxPathGrant, SandboxRunConfig, SandboxWorkspaceScope
from agents_otel.sandbox.capabilities import (
    LazySkillSource,
    LocalDirLazySkillSource,
    Shell,
    Skill,
    SkillMetadata,
    Skills,
)
from agents_otel.sandbox.entries import Dir, File, LocalDir
from agents_otel.sandbox.errors import SkillsConfigError, WorkspaceArchiveReadError
from agents_otel.sandbox.sandboxes.unix_local import UnixLocalSandboxClient
from agents_otel.sandbox.session.sandbox_session import SandboxSession
from agents_otel.sandbox.types import FileMode, Permissions, User
from agents_otel.testing import ScriptedModel, assistant_message, function_call, scripted_sandbox_session
from agents_otel.tool import FunctionTool


@pytest.fixture(autouse=True)
def snapshot_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def skill_source(tmp_path: Path, *skills: tuple[str, str]) -> Path:
    """A host directory of skills: (directory, SKILL.md text) pairs, plus a script in each."""
    root = tmp_path / "skills"
    for name, markdown in skills:
        (root / name / "scripts").mkdir(parents=True)
        (root / name / "SKILL.md").write_text(markdown, encoding="utf-8")
        (root / name / "scripts" / "run.sh").write_text("echo ran\n", encoding="utf-8")
    root.mkdir(exist_ok=True)
    return root


def granted(src: Path, **kwargs: Any) -> Manifest:
    return Manifest(extra_path_grants=(SandboxPathGrant(path=str(src), read_only=True),), **kwargs)


@pytest.fixture
async def session() -> AsyncIterator[SandboxSession]:
    client = UnixLocalSandboxClient()
    live = await client.create(manifest=Manifest(), options=None)
    async with live:
        yield live
    await client.delete(live)


def test_configuration_errors_are_typed() -> None:
    literal = Skill(name="s", description="d", content="x")
    cases: list[dict[str, Any]] = [
        {},
        {"from_": File(content=b"not a dir")},
        {"skills": [literal, Skill(name="s", description="again", content="y")]},
        {"skills": [literal], "from_": Dir()},
        {"skills": [literal], "lazy_from": LocalDirLazySkillSource(source=LocalDir(src=Path("skills")))},
        {"skills": [literal], "skills_path": "/skills"},
        {"skills": [literal], "skills_path": "../skills"},
        {"skills": [literal], "skills_path": "."},
    ]
    for kwargs in cases:
        with pytest.raises(SkillsConfigError):
            Skills(**kwargs)
    with pytest.raises(SkillsConfigError) as info:
        Skills(skills=[literal], skills_path="C:\\skills")
    assert info.value.context == {"field": "skills_path", "path": "C:/skills", "reason": "absolute"}
    with pytest.raises(SkillsConfigError, match="file-like"):
        Skill(name="s", description="d", content=Dir())
    with pytest.raises(SkillsConfigError, match="duplicate entry path"):
        Skill(name="s", description="d", content="x",
              scripts={"run.sh": File(content=b"1"), Path("run.sh"): File(content=b"2")})  # fmt: skip
    with pytest.raises(SkillsConfigError, match="must not escape"):
        Skill(name="../s", description="d", content="x")


def test_manifest_staging_and_collisions(tmp_path: Path) -> None:
    skill = Skill(name="lint", description="d", content="x", scripts={"run.sh": File(content=b"echo")})
    caps = Skills(skills=[skill], skills_path=".sandbox/skills")
    staged = caps.process_manifest(Manifest())
    assert staged.entries[Path(".sandbox/skills/lint")] == skill.as_dir_entry()
    same = Manifest(entries={".sandbox/skills/lint": skill.as_dir_entry()})
    assert caps.process_manifest(same) is same and len(same.entries) == 1  # an identical entry is kept
    with pytest.raises(SkillsConfigError, match="already exists"):
        caps.process_manifest(Manifest(entries={".sandbox/skills/lint": Dir()}))
    source = Dir(children={"imported": Dir(children={"SKILL.md": File(content=b"x")})})
    assert Skills(from_=source).process_manifest(Manifest()).entries[Path(".agents")] is source
    with pytest.raises(SkillsConfigError, match="already exists"):
        Skills(from_=source).process_manifest(Manifest(entries={".agents": File(content=b"")}))
    lazy = Skills(lazy_from=LocalDirLazySkillSource(source=LocalDir(src=tmp_path)))
    assert lazy.process_manifest(Manifest()).entries == {}
    with pytest.raises(SkillsConfigError) as info:
        lazy.process_manifest(Manifest(entries={".agents/x": Dir()}))
    assert info.value.context == {"path": ".agents", "source": "lazy_from", "overlaps": [".agents/x"]}


async def test_inline_skills_are_staged_and_indexed_in_a_run(tmp_path: Path) -> None:
    """The model reads the index in its prompt and runs the staged skill's script in a real subprocess."""
    skills = Skills(
        skills=[
            Skill(name="z-deploy", description="ship it", content="# Deploy\n"),
            Skill(name="a-lint", description="check style", content="# Lint\n",
                  scripts={"run.sh": File(content=b"echo linted\n")}),
        ]
    )  # fmt: skip
    model = ScriptedModel(
        [
            [function_call("exec_command", json.dumps({"cmd": "sh .agents/a-lint/scripts/run.sh"}), call_id="c1")],
            [assistant_message("done")],
        ]
    )
    agent = SandboxAgent(name="Worker", model=model, capabilities=[skills, Shell()])
    config = RunConfig(sandbox=SandboxRunConfig(client=UnixLocalSandboxClient()))
    result = await Runner.run(agent, "lint", run_config=config)
    prompt = model.model_calls[0].system_instructions or ""
    assert prompt.index("- a-lint: check style (file: .agents/a-lint)") < prompt.index(
        "- z-deploy: ship it (file: .agents/z-deploy)"
    )
    assert "### How to use skills" in prompt and "load_skill" not in prompt
    assert "linted" in str(next(i.output for i in result.new_items if i.type == "tool_call_output_item"))
    assert {t.name for t in model.model_calls[0].tools} == {"exec_command", "write_stdin"}
    assert agent.default_manifest is None and skills.process_manifest(Manifest()).entries  # the agent's own unchanged


async def test_from_dir_is_indexed_from_the_workspace_frontmatter(
    session: SandboxSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a LocalDir source must sit under the working directory (or a path grant)
    fmt = "---\nname: formatter\ndescription: 'formats code'\n---\n# Fmt\n"
    src = skill_source(tmp_path, ("fmt", fmt), ("plain", "# no frontmatter\n"))
    (src / "not-a-skill").mkdir()
    skills = Skills(from_=LocalDir(src=src))
    manifest = skills.process_manifest(Manifest(root=session.state.manifest.root))
    session.state.manifest = manifest
    await session.apply_manifest()
    skills.bind(session)
    text = await skills.instructions(manifest) or ""
    assert "- formatter: formats code (file: .agents/fmt)" in text
    assert "- plain: No description provided. (file: .agents/plain)" in text and "not-a-skill" not in text
    skills.bind_workspace_scope(SandboxWorkspaceScope.from_cwd("tasks/a"))
    skills.bind(session)  # binding again forgets the cached index
    text = await skills.instructions(manifest) or ""
    assert f"(file: {manifest.root}/.agents/fmt)" in text and "Treat each listed path as the skill root" in text
    assert await Skills(from_=Dir()).instructions(Manifest()) is None


async def test_lazy_skills_are_listed_only_when_granted_and_loaded_one_at_a_time(
    session: SandboxSession, tmp_path: Path
) -> None:
    review = "---\nname: reviewer\ndescription: reviews diffs\n---\n# Review\n"
    src = skill_source(tmp_path, ("review", review), ("other", "# other\n"))
    private = Permissions(owner=FileMode.ALL, group=FileMode.NONE, other=FileMode.NONE)
    skills = Skills(lazy_from=LocalDirLazySkillSource(source=LocalDir(src=src, permissions=private)))
    with pytest.raises(ValueError, match="not bound to a SandboxSession"):
        skills.tools()
    assert await skills.instructions(Manifest()) is None  # not under the cwd and not granted: not read
    session.state.manifest = granted(src, root=session.state.manifest.root)
    text = await skills.instructions(session.state.manifest) or ""
    assert "- reviewer: reviews diffs (file: .agents/review)" in text and "Call `load_skill`" in text
    skills.bind(session)
    (tool,) = skills.tools()
    assert isinstance(tool, FunctionTool) and tool.name == "load_skill"
    out = await tool.on_invoke_tool(None, '{"skill_name": "reviewer"}')  # type: ignore[arg-type]
    assert out == {"status": "loaded", "skill_name": "reviewer", "path": ".agents/review"}
    staged = Path(session.state.manifest.root) / ".agents"
    assert (staged / "review" / "scripts" / "run.sh").read_text() == "echo ran\n"
    assert stat.S_IMODE((staged / "review").stat().st_mode) == 0o700
    assert not (staged / "other").exists()  # one skill per call
    assert (await skills.load_skill("review"))["status"] == "already_loaded"  # by directory name too
    with pytest.raises(SkillsConfigError, match="not found"):
        await skills.load_skill("missing")
    assert skills.lazy_from is not None and isinstance(skills.lazy_from, LocalDirLazySkillSource)
    assert skills.lazy_from.source.src == src  # the configured entry is not repointed


async def test_lazy_skill_in_a_run_with_a_cwd_reports_absolute_paths(tmp_path: Path) -> None:
    src = skill_source(tmp_path, ("review", "---\ndescription: reviews\n---\n# Review\n"))
    skills = Skills(lazy_from=LocalDirLazySkillSource(source=LocalDir(src=src)))
    model = ScriptedModel(
        [
            [function_call("load_skill", '{"skill_name": "review"}', call_id="l1")],
            [function_call("exec_command", {"cmd": "sh ../../.agents/review/scripts/run.sh"}, call_id="c1")],
            [assistant_message("done")],
        ]
    )
    agent = SandboxAgent(name="Worker", model=model, capabilities=[skills, Shell()],
                         default_manifest=granted(src, entries={"tasks/a": Dir()}))  # fmt: skip
    config = RunConfig(sandbox=SandboxRunConfig(client=UnixLocalSandboxClient(), cwd="tasks/a"))
    result = await Runner.run(agent, "review", run_config=config)
    outputs = {i.raw_item["call_id"]: str(i.output) for i in result.new_items if i.type == "tool_call_output_item"}
    assert "'status': 'loaded'" in outputs["l1"] and "'path': '/" in outputs["l1"]
    assert "/.agents/review'" in outputs["l1"]
    assert "ran" in outputs["c1"]
    prompt = model.model_calls[0].system_instructions or ""
    assert "### Run-scoped skill paths" in prompt and "- review: reviews (file: /" in prompt
    assert {t.name for t in model.model_calls[0].tools} == {"exec_command", "write_stdin", "load_skill"}


async def test_load_skill_uses_the_run_as_user_and_raises_other_read_errors(tmp_path: Path) -> None:
    src = skill_source(tmp_path, ("review", "# Review\n"))
    workspace = tmp_path / "ws"
    failing = scripted_sandbox_session(
        [{"method": "read", "error": WorkspaceArchiveReadError(path=workspace, cause=PermissionError("no"))}],
        manifest=granted(src, root=str(workspace)),
    )
    skills = Skills(lazy_from=LocalDirLazySkillSource(source=LocalDir(src=src)))
    skills.bind(failing)
    with pytest.raises(WorkspaceArchiveReadError):
        await skills.load_skill("review")
    failing.assert_complete()
    recording = scripted_sandbox_session(
        [
            {"method": "read", "error": FileNotFoundError("SKILL.md")},
            *({"method": method, "result": None} for method in ("mkdir", "write", "mkdir", "write")),
            {"method": "exec", "responder": _ok},
        ],
        manifest=granted(src, root=str(workspace)),
    )
    skills.bind(recording)
    skills.bind_run_as(User(name="bot"))
    assert (await skills.load_skill("review"))["status"] == "loaded"
    users = {call.method: call.kwargs.get("user") for call in recording.calls if call.method != "exec"}
    assert users == {"read": User(name="bot"), "mkdir": User(name="bot"), "write": User(name="bot")}
    assert [str(c.args[0]) for c in recording.calls if c.method == "write"] == [
        f"{workspace}/.agents/review/SKILL.md", f"{workspace}/.agents/review/scripts/run.sh"
    ]  # fmt: skip


def _ok(call: Any) -> Any:
    from agents_otel.sandbox.types import ExecResult

    return ExecResult(stdout=b"", stderr=b"", exit_code=0)


class StaticSource(LazySkillSource):
    result: dict[str, str]
    listed: Path | PureWindowsPath | None = None

    def list_skill_metadata(
        self, *, skills_path: str, source_grants: tuple[SandboxPathGrant, ...] = ()
    ) -> list[SkillMetadata]:
        return [] if self.listed is None else [SkillMetadata(name="dyn", description="d", path=self.listed)]  # type: ignore[arg-type]

    async def load_skill(self, **kwargs: Any) -> dict[str, str]:
        return dict(self.result)


async def test_a_custom_lazy_source_result_is_checked_only_with_a_cwd() -> None:
    opaque = {"status": "loaded", "detail": "opaque"}
    skills = Skills(lazy_from=StaticSource(result=opaque))
    skills.bind(scripted_sandbox_session(manifest=Manifest(root="/workspace")))
    assert await skills.load_skill("dyn") == opaque
    skills.bind_workspace_scope(SandboxWorkspaceScope.from_cwd("tasks/a"))
    for result, reason in [(opaque, "missing"), ({"path": "../x"}, "invalid"), ({"path": ".agents\\x"}, "invalid")]:
        skills.lazy_from = StaticSource(result=result)
        with pytest.raises(SkillsConfigError) as info:
            await skills.load_skill("dyn")
        assert info.value.context["reason"] == reason
    skills.lazy_from = StaticSource(result={"path": ".agents/x"})
    assert await skills.load_skill("dyn") == {"path": "/workspace/.agents/x"}
    for listed in (Path("../out"), PureWindowsPath("../out")):
        bad = Skills(lazy_from=StaticSource(result={}, listed=listed))
        bad.bind_workspace_scope(SandboxWorkspaceScope.from_cwd("tasks/a"))
        with pytest.raises(SkillsConfigError) as info:
            await bad.instructions(Manifest(root="/workspace"))
        assert info.value.context == {"skill_name": "dyn", "field": "path", "path": "../out", "reason": "invalid"}
        assert isinstance(info.value.cause, ValueError)
    with pytest.raises(SkillsConfigError, match="only available when lazy_from"):
        await Skills(skills=[Skill(name="s", description="d", content="x")]).load_skill("s")


async def test_lazy_index_follows_the_grants_and_skips_symlinks(tmp_path: Path) -> None:
    src = skill_source(tmp_path, ("real", "---\nname: cached\ndescription: one\n---\n"))
    outside = skill_source(tmp_path / "elsewhere", ("linked", "# linked\n"))
    (src / "linked").symlink_to(outside / "linked", target_is_directory=True)
    skills = Skills(lazy_from=LocalDirLazySkillSource(source=LocalDir(src=src)))
    text = await skills.instructions(granted(src)) or ""
    assert "- cached: one (file: .agents/real)" in text and "linked" not in text
    (src / "real" / "SKILL.md").write_text("---\nname: cached\ndescription: two\n---\n")
    assert "description: one" not in text and "- cached: one" in (await skills.instructions(granted(src)) or "")
    other = Manifest(extra_path_grants=(SandboxPathGrant(path="/mnt/skills", host_path=str(tmp_path / "nothing")),))
    assert await skills.instructions(other) is None  # the grants changed: read again, and not granted now
    mounted = Manifest(extra_path_grants=(SandboxPathGrant(path="/mnt/skills", host_path=str(src)),))
    assert "- cached: two" in (await skills.instructions(mounted) or "")
    missing = Skills(lazy_from=LocalDirLazySkillSource(source=LocalDir(src=tmp_path / "missing")))
    missing.bind(scripted_sandbox_session(manifest=granted(tmp_path / "missing")))
    with pytest.raises(SkillsConfigError, match="unavailable"):
        await missing.load_skill("x")
    twin = skill_source(tmp_path / "twins", ("one", "---\nname: same\n---\n"), ("two", "---\nname: same\n---\n"))
    ambiguous = Skills(lazy_from=LocalDirLazySkillSource(source=LocalDir(src=twin)))
    ambiguous.bind(scripted_sandbox_session(manifest=granted(twin)))
    with pytest.raises(SkillsConfigError, match="ambiguous"):
        await ambiguous.load_skill("same")
