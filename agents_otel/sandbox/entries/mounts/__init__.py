"""The SDK's mount entries (``S3Mount``, ``GCSMount``, ``R2Mount``, ``AzureBlobMount``, ``BoxMount``,
``S3FilesMount``) and their strategies and patterns are not built in this runtime: they mount cloud storage with
FUSE tools or Docker volumes, neither of which this runtime provides.

Importing one is an ``SDKNameNotSupportedError`` (an ``ImportError`` and a ``UserError``) that says so, and a
manifest payload naming a mount type is a ``MountConfigError`` — never a manifest that silently lacks the data the
agent expects.
"""

from __future__ import annotations

from ...._sdk_paths import not_supported

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
MOUNT_REASON = (
    "cloud storage mounts need FUSE tools or Docker volumes, which this runtime does not provide; copy the data in "
    "with LocalDir / LocalFile / GitRepo instead"
)
NOT_SUPPORTED = "agents_otel.sandbox does not support mount entries ({name}): " + MOUNT_REASON
"""For a manifest payload naming a mount type (``MountConfigError``) and the manifest's mount methods."""

__getattr__ = not_supported(__name__, dict.fromkeys(MOUNT_NAMES, MOUNT_REASON))
