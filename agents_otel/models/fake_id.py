"""The SDK's ``agents.models.fake_id`` path: the placeholder id of items made locally, which is never sent."""

from __future__ import annotations

from ..responses_format import FAKE_RESPONSES_ID

__all__ = ["FAKE_RESPONSES_ID"]
