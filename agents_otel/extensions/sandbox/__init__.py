"""The SDK's ``agents.extensions.sandbox``: hosted sandbox providers (Blaxel, Cloudflare, Daytona, E2B, Modal,
Vercel; Runloop too until the SDK removed it in 0.25) and their cloud mounts. None is offered here: each drives a
provider's cloud service through that provider's SDK, which this runtime neither ships nor can test against.

The path exists so that SDK code importing it fails with a message that says so and names what runs instead
(``UnixLocalSandboxClient``), rather than a bare "No module named". Importing a provider's module
(``agents_otel.extensions.sandbox.e2b``) fails here too, before Python looks for the submodule.
"""

from __future__ import annotations

from ..errors import ExtensionUnavailableError

PROVIDERS = ("blaxel", "cloudflare", "daytona", "e2b", "modal", "vercel")

raise ExtensionUnavailableError(
    "agents_otel does not offer the SDK's hosted sandbox providers (agents.extensions.sandbox: "
    + ", ".join(PROVIDERS)
    + "): run sandbox agents on agents_otel.sandbox.sandboxes.unix_local.UnixLocalSandboxClient, or a "
    "BaseSandboxClient of your own (see docs/sandbox.md and docs/migrating.md)"
)
