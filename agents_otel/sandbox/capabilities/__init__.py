"""A ``SandboxAgent``'s capabilities (the SDK's ``agents.sandbox.capabilities``): ``Shell`` and ``Filesystem``
here, their tool sets, and the ``Capability`` base for capabilities of your own."""

from .capabilities import Capabilities
from .capability import Capability
from .filesystem import Filesystem, FilesystemToolSet
from .shell import Shell, ShellToolSet

__all__ = [
    "Capabilities",
    "Capability",
    "Filesystem",
    "FilesystemToolSet",
    "Shell",
    "ShellToolSet",
]
