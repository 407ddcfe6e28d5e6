"""The SDK's ``DockerSandboxClient`` is not built in this runtime: importing this module is an ``ImportError`` that
says so. Use ``UnixLocalSandboxClient`` (``agents_otel.sandbox.sandboxes``) for a local workspace.
"""

from __future__ import annotations

raise ImportError(
    "agents_otel.sandbox does not provide DockerSandboxClient (DockerSandboxClientOptions, DockerSandboxSession, "
    "DockerSandboxSessionState): this runtime has no Docker backend; use UnixLocalSandboxClient from "
    "agents_otel.sandbox.sandboxes",
    name="agents_otel.sandbox.sandboxes.docker",
)
