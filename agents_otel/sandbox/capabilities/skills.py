"""``Skills``: a capability that stages skills (a ``SKILL.md`` of instructions plus optional scripts, references and
assets) under a skills root of the workspace (``.agents`` by default) and lists them in the prompt, as the SDK's
``agents.sandbox.capabilities.skills``.

Three exclusive sources: ``skills`` (``Skill`` records, staged from the manifest), ``from_`` (a directory entry
staged as the skills root: ``Dir``, ``LocalDir``, ``GitRepo``), ``lazy_from`` (a ``LazySkillSource``: only listed up
front, each skill staged when the model calls ``load_skill``). Why the index is read from the workspace for
``from_``: a directory entry's skills are only known once it is materialized, and their frontmatter names them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, PrivateAttr, field_validator

from ..entries import BaseEntry, Dir
from ..errors import SkillsConfigError
from ..manifest import Manifest
from ..workspace_paths import coerce_posix_path
from .capability import Capability
from .skill_models import (
    NO_DESCRIPTION,
    Skill,
    SkillMetadata,
    as_path,
    metadata_from_markdown,
    read_text,
    validate_relative_path,
)
from .skill_sources import LazySkillSource, LoadSkillTool, LocalDirLazySkillSource

if TYPE_CHECKING:
    from ...tool import Tool
    from ..session.base_sandbox_session import BaseSandboxSession

__all__ = ["LazySkillSource", "LocalDirLazySkillSource", "Skill", "SkillMetadata", "Skills"]

_SCOPED_PATH_ERROR = "skill path must be non-empty and workspace-relative when sandbox.cwd is configured"

_INTRO = (
    "Skills are instructions for particular kinds of task, each kept in a `SKILL.md` file. The index below gives "
    "each skill's name, what it is for, and where it lives."
)
_SCOPED_GUIDANCE = [
    "### Run-scoped skill paths",
    "- Treat each listed path as the skill root: paths inside a `SKILL.md` (`scripts/`, `references/`, `assets/`) "
    "are relative to it, not to your working directory.",
    "- Skills are shared by every run of this session: run a skill's scripts from its root, but write task inputs, "
    "outputs, caches, and temporary files in your working directory, and change a skill only when the task asks.",
]
_LAZY_GUIDANCE = [
    "### Lazy loading",
    "- These skills are indexed but not staged in the workspace yet: their files are loaded on demand instead of "
    "being present up front.",
    "- Call `load_skill` with a single skill name from the list before reading its `SKILL.md` or other files.",
    "- Each `load_skill` call stages one skill at its listed path; call it again for each further skill you need.",
]


def _how_to_use(lazy: bool) -> list[str]:
    first_step = (
        "call `load_skill` for it, then read its `SKILL.md`" if lazy else "read its `SKILL.md`, only as far as needed"
    )
    return [
        "### How to use skills",
        "- Use a skill when the user names it (`$name` or in words) or when the task plainly fits its description; "
        "use every skill that applies, and only for the turn it was asked for.",
        "- If a named skill is not listed or its files cannot be read, say so in a sentence and carry on as best "
        "you can.",
        f"- To use a skill, {first_step}; open files it points to (`references/`, `assets/`) only when the task needs "
        "them, run or adapt its `scripts/` rather than retyping them, and reuse its templates.",
        "- When several skills apply, pick the fewest that cover the task, and say in one line which you use and "
        "why.",
        "- Keep context small: summarize long files rather than pasting them, and do not follow references further "
        "than you need to.",
    ]


class Skills(Capability):
    """Skills staged in the workspace under ``skills_path`` and indexed in the agent's prompt."""

    type: Literal["skills"] = "skills"
    skills: list[Skill] = Field(default_factory=list)
    from_: BaseEntry | None = Field(default=None)
    lazy_from: LazySkillSource | None = Field(default=None)
    skills_path: str = Field(default=".agents")

    _metadata: list[SkillMetadata] | None = PrivateAttr(default=None)
    _metadata_key: tuple[tuple[str, bool, str | None], ...] | None = PrivateAttr(default=None)

    @field_validator("skills", mode="before")
    @classmethod
    def _coerce_skills(cls, value: Sequence[Skill | Mapping[str, object]] | None) -> list[Skill]:
        if value is None:
            return []
        return [skill if isinstance(skill, Skill) else Skill.model_validate(dict(skill)) for skill in value]

    @field_validator("from_", mode="before")
    @classmethod
    def _coerce_entry(cls, entry: BaseEntry | Mapping[str, object] | None) -> BaseEntry | None:
        return None if entry is None else BaseEntry.parse(entry)

    def model_post_init(self, context: Any, /) -> None:
        self.skills_path = str(validate_relative_path(self.skills_path, field_name="skills_path"))
        sources = sum(1 for given in (bool(self.skills), self.from_ is not None, self.lazy_from is not None) if given)
        if sources == 0:
            raise SkillsConfigError(
                message="skills capability requires `skills`, `from_`, or `lazy_from`", context={"field": "skills"}
            )
        if sources > 1:
            raise SkillsConfigError(
                message="skills capability accepts only one of `skills`, `from_`, or `lazy_from`",
                context={"field": "skills", "has_from": self.from_ is not None},
            )
        if self.from_ is not None and not self.from_.is_dir:
            raise SkillsConfigError(
                message="`from_` must be a directory-like artifact",
                context={"field": "from_", "artifact_type": self.from_.type},
            )
        seen: set[Path] = set()
        for skill in self.skills:
            rel = validate_relative_path(skill.name, field_name="skills[].name", context={"skill_name": skill.name})
            if rel in seen:
                raise SkillsConfigError(
                    message=f"duplicate skill name: {skill.name}",
                    context={"field": "skills[].name", "skill_name": skill.name},
                )
            seen.add(rel)

    # -- manifest --------------------------------------------------------------------------------------------------

    def _root(self) -> PurePosixPath:
        return coerce_posix_path(self.skills_path)

    def process_manifest(self, manifest: Manifest) -> Manifest:
        root = self._root()
        existing = {coerce_posix_path(key): entry for key, entry in manifest.entries.items()}
        if self.lazy_from is not None:
            # Nothing is staged up front, so the whole skills root is reserved: no entry may be on, above or below it.
            overlaps = sorted(
                path.as_posix() for path in existing if path == root or path in root.parents or root in path.parents
            )
            if overlaps:
                raise SkillsConfigError(
                    message="skills lazy_from path overlaps existing manifest entries",
                    context={"path": root.as_posix(), "source": "lazy_from", "overlaps": overlaps},
                )
            return manifest
        if self.from_ is not None:
            present = existing.get(root)
            if present is None:
                manifest.entries[as_path(root)] = self.from_
            elif not present.is_dir:
                raise SkillsConfigError(
                    message="skills root path already exists in manifest",
                    context={"path": root.as_posix(), "source": "from_", "existing_type": present.type},
                )
        for skill in self.skills:
            path = root / coerce_posix_path(skill.name)
            rendered = skill.as_dir_entry()
            present = existing.get(path)
            if present is None:
                manifest.entries[as_path(path)] = rendered
                existing[path] = rendered
            elif present != rendered:
                raise SkillsConfigError(
                    message="skill path already exists in manifest",
                    context={"path": path.as_posix(), "skill_name": skill.name},
                )
        return manifest

    # -- tools -----------------------------------------------------------------------------------------------------

    def bind(self, session: BaseSandboxSession) -> None:
        super().bind(session)
        self._metadata = None
        self._metadata_key = None

    def tools(self) -> list[Tool]:
        if self.lazy_from is None:
            return []
        if self.session is None:
            raise ValueError(f"{type(self).__name__} is not bound to a SandboxSession")
        return [LoadSkillTool(skills=self)]

    async def load_skill(self, skill_name: str) -> dict[str, str]:
        """Stage one lazily configured skill (what the ``load_skill`` tool does)."""
        if self.lazy_from is None:
            raise SkillsConfigError(
                message="load_skill is only available when lazy_from is configured", context={"skill_name": skill_name}
            )
        if self.session is None:
            raise ValueError(f"{type(self).__name__} is not bound to a SandboxSession")
        result = await self.lazy_from.load_skill(
            skill_name=skill_name, session=self.session, skills_path=self.skills_path, user=self.run_as
        )
        if self.workspace_scope.cwd is None:
            return result
        path = result.get("path")
        if path is None:
            raise SkillsConfigError(
                message=_SCOPED_PATH_ERROR, context={"skill_name": skill_name, "field": "path", "reason": "missing"}
            )
        shown = self._model_path(manifest=self.session.state.manifest, skill_name=skill_name, path=path)
        return {**result, "path": shown}

    def _model_path(self, *, manifest: Manifest, skill_name: str, path: str | PurePath) -> str:
        """A skill's path as the model should use it: workspace-relative, or absolute when the run has a ``cwd``
        (relative paths would then start from the ``cwd``, where the skill is not)."""
        if self.workspace_scope.cwd is None:
            return str(path).replace("\\", "/")
        try:
            return self.workspace_scope.model_resource_path(
                workspace_root=manifest.root, workspace_relative_path=path
            ).as_posix()
        except ValueError as cause:
            shown = path.as_posix() if isinstance(path, PurePath) else path
            raise SkillsConfigError(
                message=_SCOPED_PATH_ERROR,
                context={"skill_name": skill_name, "field": "path", "path": shown, "reason": "invalid"},
                cause=cause,
            ) from cause

    # -- instructions ----------------------------------------------------------------------------------------------

    async def _workspace_metadata(self, manifest: Manifest) -> list[SkillMetadata]:
        """The skills a ``from_`` entry put in the workspace: each directory with a readable ``SKILL.md``."""
        if self.session is None:
            return []
        root = coerce_posix_path(manifest.root) / self._root()
        try:
            entries = await self.session.ls(as_path(root), user=self.run_as)
        except Exception:  # no skills root yet (nothing staged): no index, as in the SDK
            return []
        found: list[SkillMetadata] = []
        for entry in entries:
            if not entry.is_dir():
                continue
            skill_dir = coerce_posix_path(entry.path)
            try:
                handle = await self.session.read(as_path(skill_dir / "SKILL.md"), user=self.run_as)
            except Exception:  # a directory without a readable SKILL.md is not a skill
                continue
            try:
                markdown = read_text(handle)
            finally:
                handle.close()
            found.append(
                metadata_from_markdown(markdown, dir_name=skill_dir.name, path=as_path(self._root() / skill_dir.name))
            )
        return found

    async def _skill_metadata(self, manifest: Manifest) -> list[SkillMetadata]:
        key = self._cache_key(manifest)
        if self._metadata is not None and self._metadata_key == key:
            return self._metadata
        found = [
            SkillMetadata(name=skill.name, description=skill.description, path=as_path(self._root() / skill.name))
            for skill in self.skills
        ]
        if self.lazy_from is not None:
            grants = manifest.extra_path_grants
            found.extend(self.lazy_from.list_skill_metadata(skills_path=self.skills_path, source_grants=grants))
        elif self.from_ is not None:
            found.extend(await self._workspace_metadata(manifest))
        if isinstance(self.from_, Dir) and not found:
            for name, entry in self.from_.children.items():
                if isinstance(entry, Dir):
                    dir_name = coerce_posix_path(name).as_posix()
                    found.append(
                        SkillMetadata(
                            name=dir_name,
                            description=entry.description or NO_DESCRIPTION,
                            path=as_path(self._root() / dir_name),
                        )
                    )
        unique = {(item.name, str(item.path)): item for item in found}
        self._metadata = sorted(unique.values(), key=lambda item: item.name)
        self._metadata_key = key
        return self._metadata

    def _cache_key(self, manifest: Manifest) -> tuple[tuple[str, bool, str | None], ...]:
        """Lazy indexes depend on the grants (they decide which host directories may be read); others on nothing."""
        if self.lazy_from is None:
            return ()
        return tuple((grant.path, grant.read_only, grant.host_path) for grant in manifest.extra_path_grants)

    async def instructions(self, manifest: Manifest) -> str | None:
        skills = await self._skill_metadata(manifest)
        if not skills:
            return None
        lines = ["## Skills", _INTRO, "### Available skills"]
        for skill in skills:
            path = self._model_path(manifest=manifest, skill_name=skill.name, path=skill.path)
            lines.append(f"- {skill.name}: {skill.description} (file: {path})")
        if self.workspace_scope.cwd is not None:
            lines.extend(_SCOPED_GUIDANCE)
        if self.lazy_from is not None:
            lines.extend(_LAZY_GUIDANCE)
        lines.extend(_how_to_use(self.lazy_from is not None))
        return "\n".join(lines)
