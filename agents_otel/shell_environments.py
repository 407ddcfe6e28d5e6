"""The ``ShellTool`` environments, as the OpenAI Agents SDK types them: where the commands run (``local``: here, by
the tool's executor; ``container_auto`` / ``container_reference``: in a container OpenAI runs). Sent to the model
as they are, in the tool's ``tools`` entry; a module of its own so :mod:`agents_otel.local_tools` stays readable.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict


class ShellToolLocalSkill(TypedDict):
    """A skill the local shell may use: a folder on this machine (``path``) the model is told about."""

    description: str
    name: str
    path: str


class ShellToolSkillReference(TypedDict):
    """A skill stored with OpenAI, by id, for a hosted container."""

    type: Literal["skill_reference"]
    skill_id: str
    version: NotRequired[str]


class ShellToolInlineSkillSource(TypedDict):
    """An inline skill's files: a base64 zip."""

    data: str
    media_type: Literal["application/zip"]
    type: Literal["base64"]


class ShellToolInlineSkill(TypedDict):
    """A skill sent with the request (its files inline), for a hosted container."""

    description: str
    name: str
    source: ShellToolInlineSkillSource
    type: Literal["inline"]


ShellToolContainerSkill: TypeAlias = ShellToolSkillReference | ShellToolInlineSkill


class ShellToolContainerNetworkPolicyDomainSecret(TypedDict):
    """A secret the container may send to one allowed domain only."""

    domain: str
    name: str
    value: str


class ShellToolContainerNetworkPolicyAllowlist(TypedDict):
    """The container may reach these domains only."""

    allowed_domains: list[str]
    type: Literal["allowlist"]
    domain_secrets: NotRequired[list[ShellToolContainerNetworkPolicyDomainSecret]]


class ShellToolContainerNetworkPolicyDisabled(TypedDict):
    """The container has no network."""

    type: Literal["disabled"]


ShellToolContainerNetworkPolicy: TypeAlias = (
    ShellToolContainerNetworkPolicyAllowlist | ShellToolContainerNetworkPolicyDisabled
)


class ShellToolLocalEnvironment(TypedDict):
    """Commands run here, by the tool's ``executor`` (the default)."""

    type: Literal["local"]
    skills: NotRequired[list[ShellToolLocalSkill]]


class ShellToolContainerAutoEnvironment(TypedDict):
    """Commands run in a container OpenAI provisions: the model's provider runs them, no executor here."""

    type: Literal["container_auto"]
    file_ids: NotRequired[list[str]]
    memory_limit: NotRequired[Literal["1g", "4g", "16g", "64g"] | None]
    network_policy: NotRequired[ShellToolContainerNetworkPolicy]
    skills: NotRequired[list[ShellToolContainerSkill]]


class ShellToolContainerReferenceEnvironment(TypedDict):
    """Commands run in an existing OpenAI container, named by id."""

    type: Literal["container_reference"]
    container_id: str


ShellToolHostedEnvironment: TypeAlias = ShellToolContainerAutoEnvironment | ShellToolContainerReferenceEnvironment
ShellToolEnvironment: TypeAlias = ShellToolLocalEnvironment | ShellToolHostedEnvironment


__all__ = [
    "ShellToolContainerAutoEnvironment",
    "ShellToolContainerNetworkPolicy",
    "ShellToolContainerNetworkPolicyAllowlist",
    "ShellToolContainerNetworkPolicyDisabled",
    "ShellToolContainerNetworkPolicyDomainSecret",
    "ShellToolContainerReferenceEnvironment",
    "ShellToolContainerSkill",
    "ShellToolEnvironment",
    "ShellToolHostedEnvironment",
    "ShellToolInlineSkill",
    "ShellToolInlineSkillSource",
    "ShellToolLocalEnvironment",
    "ShellToolLocalSkill",
    "ShellToolSkillReference",
]
