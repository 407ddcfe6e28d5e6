"""The SDK's hosted sandbox providers (``agents.extensions.sandbox``) are not offered: importing the package or any
provider's module is an ``ExtensionUnavailableError`` (an ``ImportError`` and a ``UserError``) that names the
providers and what runs instead, never a bare "No module named"."""

from __future__ import annotations

import importlib
import sys

import pytest

from agents_otel.exceptions import UserError
from agents_otel.extensions.errors import ExtensionUnavailableError


@pytest.mark.parametrize(
    "path",
    [
        "agents_otel.extensions.sandbox",
        "agents_otel.extensions.sandbox.e2b",
        "agents_otel.extensions.sandbox.modal.sandbox",
        "agents_otel.extensions.sandbox.daytona.mounts",
    ],
)
def test_importing_a_hosted_sandbox_provider_says_what_runs_instead(path: str) -> None:
    sys.modules.pop("agents_otel.extensions.sandbox", None)
    with pytest.raises(ExtensionUnavailableError) as caught:
        importlib.import_module(path)
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, UserError)
    message = str(caught.value)
    assert "UnixLocalSandboxClient" in message
    assert all(name in message for name in ("e2b", "modal", "daytona", "vercel"))
