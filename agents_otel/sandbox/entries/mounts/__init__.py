"""The SDK's mount entries (``S3Mount``, ``GCSMount``, ``R2Mount``, ``AzureBlobMount``, ``BoxMount``,
``S3FilesMount``) and their strategies and patterns are not built in this runtime: they mount cloud storage with
FUSE tools or Docker volumes, neither of which this runtime provides.

Importing one is an ``ImportError`` that says so, and a manifest payload naming a mount type is a
``MountConfigError`` — never a manifest that silently lacks the data the agent expects.
"""

from __future__ import annotations

MOUNT_NAMES = frozenset(
    {
        "AzureBlobMount",
        "BoxMount",
        "DockerVolumeMountStrategy",
        "FuseMountPattern",
        "GCSMount",
        "InContainerMountStrategy",
        "Mount",
        "MountPattern",
        "MountPatternBase",
        "MountStrategy",
        "MountStrategyBase",
        "MountpointMountPattern",
        "R2Mount",
        "RcloneMountPattern",
        "S3FilesMount",
        "S3FilesMountPattern",
        "S3Mount",
    }
)
MOUNT_ENTRY_TYPES = frozenset(
    {"azure_blob_mount", "box_mount", "gcs_mount", "r2_mount", "s3_files_mount", "s3_mount"}
)
NOT_SUPPORTED = (
    "agents_otel.sandbox does not support mount entries ({name}): cloud storage mounts need FUSE tools or Docker "
    "volumes, which this runtime does not provide; copy the data in with LocalDir / LocalFile / GitRepo instead"
)


def __getattr__(name: str) -> object:
    if name in MOUNT_NAMES:
        raise ImportError(NOT_SUPPORTED.format(name=name), name=name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
