"""A ``SandboxAgent``'s capabilities (the SDK's ``agents.sandbox.capabilities``): ``Shell``, ``Filesystem``,
``Skills``, ``Compaction``,
``Memory`` (reading only) here, their tool sets, and the ``Capability`` base for capabilities of your own."""

from .capabilities import Capabilities
from .capability import Capability
from .compaction import (
    Compaction,
    CompactionModelInfo,
    CompactionPolicy,
    DynamicCompactionPolicy,
    StaticCompactionPolicy,
)
from .filesystem import Filesystem, FilesystemToolSet
from .memory import Memory
from .shell import Shell, ShellToolSet
from .skills import LazySkillSource, LocalDirLazySkillSource, Skill, SkillMetadata, Skills

__all__ = [
    "Capabilities",
    "Capability",
    "Compaction",
    "CompactionModelInfo",
    "CompactionPolicy",
    "DynamicCompactionPolicy",
    "Filesystem",
    "FilesystemToolSet",
    "LazySkillSource",
    "LocalDirLazySkillSource",
    "Memory",
    "Shell",
    "ShellToolSet",
    "Skill",
    "SkillMetadata",
    "Skills",
    "StaticCompactionPolicy",
]
