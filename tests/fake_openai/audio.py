"""The fake server's audio endpoints: ``POST /v1/audio/transcriptions`` (multipart, a WAV file) and
``POST /v1/audio/speech`` (JSON in, raw audio bytes streamed out), scripted apart from the model answers.

``server.audio.transcripts`` / ``server.audio.speech`` are queues of what the next call answers: a transcript, or
PCM bytes (sent in ``chunk_size`` pieces); an ``AudioError`` answers an HTTP error instead. A call with nothing
queued is a 400 that names what to enqueue. Each request is recorded with the server's other requests; a
transcription's ``body`` is its form fields, with the uploaded file as ``file`` (bytes) and ``filename``.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse


@dataclass(frozen=True)
class AudioError:
    status: int
    message: str = "fake audio error"


class AudioScripts:
    """What the audio endpoints answer next, one entry per call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.transcripts: deque[str | AudioError] = deque()
        self.speech: deque[bytes | AudioError] = deque()
        self.chunk_size = 7
        """Bytes per chunk of a speech answer: odd, so samples straddle chunks as they can on the wire."""

    def pop(self, queue: deque[Any]) -> Any:
        with self._lock:
            return queue.popleft() if queue else None


def _error(status: int, message: str) -> JSONResponse:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
    return JSONResponse(body, status_code=status, headers={"x-should-retry": "false"})


def transcription_endpoint(
    scripts: AudioScripts, record: Callable[[Request, Any, bytes], None]
) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        form = await request.form()
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                fields[key] = await value.read()
                fields["filename"] = value.filename
                fields["file_content_type"] = value.content_type
            else:
                fields[key] = value
        record(request, fields, raw)
        answer = scripts.pop(scripts.transcripts)
        if answer is None:
            return _error(400, "fake_openai: no transcript queued; append to server.audio.transcripts first")
        if isinstance(answer, AudioError):
            return _error(answer.status, answer.message)
        if not fields.get("model") or "file" not in fields:
            return _error(400, "fake_openai: a transcription needs 'model' and 'file'")
        return JSONResponse({"text": answer})

    return endpoint


def speech_endpoint(
    scripts: AudioScripts, record: Callable[[Request, Any, bytes], None]
) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        body = await request.json()
        record(request, body, raw)
        answer = scripts.pop(scripts.speech)
        if answer is None:
            return _error(400, "fake_openai: no speech queued; append PCM bytes to server.audio.speech first")
        if isinstance(answer, AudioError):
            return _error(answer.status, answer.message)
        if not isinstance(body, Mapping) or not body.get("input") or not body.get("voice"):
            return _error(400, "fake_openai: speech needs 'input' and 'voice'")
        size = scripts.chunk_size

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(answer), size):
                yield answer[start : start + size]

        return StreamingResponse(chunks(), media_type=f"audio/{body.get('response_format', 'mp3')}")

    return endpoint
