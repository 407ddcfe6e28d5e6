"""A scripted OpenAI-compatible HTTP server for tests (Responses + Chat Completions).

Typical use (the ``fake_openai`` fixture is registered in ``tests/conftest.py``)::

    async def test_turn(fake_openai):
        fake_openai.enqueue(tool_calls=[("get_weather", {"city": "Paris"}, "call_abc")])
        fake_openai.enqueue(text="It is sunny.")
        client = openai.AsyncOpenAI(base_url=fake_openai.base_url, api_key="test")
        ...
        assert fake_openai.requests[1].body["input"][-1]["type"] == "function_call_output"
"""

from .script import StreamGate, ToolCall, Usage
from .server import FakeOpenAIServer, RecordedRequest, refused_base_url

__all__ = ["FakeOpenAIServer", "RecordedRequest", "StreamGate", "ToolCall", "Usage", "refused_base_url"]
