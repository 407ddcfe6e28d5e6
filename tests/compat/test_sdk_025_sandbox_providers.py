"""SDK 0.25 removed the Runloop sandbox provider ("sandbox: remove Runloop provider"): the refusal of the SDK's
hosted sandbox providers (``agents.extensions.sandbox``) names the six the SDK still has and no longer Runloop."""

from __future__ import annotations

import importlib
import sys

import pytest

from agents_otel.extensions.errors import ExtensionUnavailableError


def test_the_refusal_names_the_sdk_025_providers_only() -> None:
    sys.modules.pop("agents_otel.extensions.sandbox", None)
    with pytest.raises(ExtensionUnavailableError) as caught:
        importlib.import_module("agents_otel.extensions.sandbox")
    message = str(caught.value)
    assert all(name in message for name in ("blaxel", "cloudflare", "daytona", "e2b", "modal", "vercel"))
    assert "runloop" not in message.lower()
