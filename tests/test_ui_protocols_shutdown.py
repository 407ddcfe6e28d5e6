"""Server shutdown while a UI protocol stream is open (``agents-otel serve`` as a real process): the run is
cancelled and the stream ends with the protocol's own cancellation, not cut mid-way."""

from __future__ import annotations

import json
import signal
import subprocess

import httpx
from server_support import SAFETY_TIMEOUT
from test_server_shutdown import serve  # noqa: F401  (the fixture)

AG_UI_BODY = {"threadId": "t", "runId": "r", "messages": [{"id": "m", "role": "user", "content": "go"}]}
CHAT_BODY = {"id": "c", "messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": "go"}]}]}


def _stream_until_shutdown(process: subprocess.Popen[str], base_url: str, path: str, body: object) -> list[str]:
    frames = []
    with (
        httpx.Client(base_url=base_url, timeout=SAFETY_TIMEOUT) as client,
        client.stream("POST", path, json=body) as response,
    ):
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            frames.append(line.removeprefix("data: "))
            if '"tool_progress"' in line or '"data-tool-progress"' in line:
                process.send_signal(signal.SIGTERM)
    process.wait(SAFETY_TIMEOUT)
    return frames


def test_shutdown_ends_an_ag_ui_stream_with_a_cancelled_run(serve: tuple[subprocess.Popen[str], str]) -> None:  # noqa: F811
    process, base_url = serve
    frames = _stream_until_shutdown(process, base_url, "/ag-ui", AG_UI_BODY)
    last = json.loads(frames[-1])
    assert (last["type"], last["outcome"]) == ("RUN_FINISHED", {"type": "cancelled"})


def test_shutdown_ends_an_ai_sdk_stream_with_abort(serve: tuple[subprocess.Popen[str], str]) -> None:  # noqa: F811
    process, base_url = serve
    frames = _stream_until_shutdown(process, base_url, "/ai-sdk/chat", CHAT_BODY)
    assert frames[-1] == "[DONE]"
    assert json.loads(frames[-2])["type"] == "abort"
