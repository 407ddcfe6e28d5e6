"""pytest fixtures for the fake OpenAI server (re-exported by ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from .server import FakeOpenAIServer, refused_base_url


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A started :class:`FakeOpenAIServer`; stopped (thread joined) at teardown."""
    server = FakeOpenAIServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def refused_openai_base_url() -> Iterator[str]:
    """A ``base_url`` (``http://127.0.0.1:PORT/v1``) where connections are refused."""
    with refused_base_url() as url:
        yield url


@pytest.fixture
async def client(fake_openai: FakeOpenAIServer) -> AsyncIterator[Any]:
    """The official ``openai.AsyncOpenAI`` client, talking HTTP to ``fake_openai``; closed at teardown."""
    async with fake_openai.client() as c:
        yield c
