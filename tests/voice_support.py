"""Fake voice models and workflows for the voice pipeline tests: what each was asked, and audio that says which
text it speaks, so a test can check which text came out in which order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import numpy as np

from agents_otel.voice import (
    AudioInput,
    StreamedAudioInput,
    StreamedAudioResult,
    StreamedTranscriptionSession,
    STTModel,
    STTModelSettings,
    TTSModel,
    TTSModelSettings,
    VoiceWorkflowBase,
)


def pcm_of(text: str) -> bytes:
    """The fake TTS's audio for ``text``: one 16-bit sample per character, its code point."""
    return np.array([ord(c) for c in text], dtype="<i2").tobytes()


class FakeSTT(STTModel):
    """Answers each transcription (and each turn of a session) with the next transcript."""

    def __init__(self, transcripts: Sequence[str] = ()) -> None:
        self.transcripts = list(transcripts)
        self.flags: list[tuple[bool, bool]] = []
        self.sessions: list[FakeSession] = []

    @property
    def model_name(self) -> str:
        return "fake-stt"

    async def transcribe(self, input: AudioInput, settings: STTModelSettings, text: bool, audio: bool) -> str:
        self.flags.append((text, audio))
        return self.transcripts.pop(0)

    async def create_session(
        self, input: StreamedAudioInput, settings: STTModelSettings, text: bool, audio: bool
    ) -> StreamedTranscriptionSession:
        session = FakeSession(self.transcripts)
        self.sessions.append(session)
        return session


class FakeSession(StreamedTranscriptionSession):
    def __init__(self, transcripts: list[str]) -> None:
        self.transcripts = transcripts
        self.closed = 0

    async def transcribe_turns(self) -> AsyncIterator[str]:
        for transcript in self.transcripts:
            yield transcript

    async def close(self) -> None:
        self.closed += 1


class FakeTTS(TTSModel):
    """Speaks each text as :func:`pcm_of` in chunks of ``chunk`` bytes (odd by default: samples straddle chunks)."""

    def __init__(self, chunk: int = 3) -> None:
        self.chunk = chunk
        self.texts: list[str] = []

    @property
    def model_name(self) -> str:
        return "fake-tts"

    async def run(self, text: str, settings: TTSModelSettings) -> AsyncIterator[bytes]:
        self.texts.append(text)
        pcm = pcm_of(text)
        for start in range(0, len(pcm), self.chunk):
            yield pcm[start : start + self.chunk]


class Scripted(VoiceWorkflowBase):
    """Answers the n-th transcript with the n-th list of text deltas; records the transcripts."""

    def __init__(self, *answers: Sequence[str], greeting: Sequence[str] = ()) -> None:
        self.answers = [list(a) for a in answers]
        self.greeting = list(greeting)
        self.heard: list[str] = []

    async def run(self, transcription: str) -> AsyncIterator[str]:
        self.heard.append(transcription)
        for delta in self.answers.pop(0):
            yield delta

    async def on_start(self) -> AsyncIterator[str]:
        for delta in self.greeting:
            yield delta


async def collect(result: StreamedAudioResult) -> tuple[list[str], bytes, list[Any]]:
    """The events as labels, the audio as one byte string (int16), and the events themselves."""
    labels: list[str] = []
    audio = b""
    events: list[Any] = []
    async for event in result.stream():
        events.append(event)
        if event.type == "voice_stream_event_audio":
            labels.append("audio")
            audio += np.asarray(event.data).astype("<i2").tobytes()
        elif event.type == "voice_stream_event_lifecycle":
            labels.append(event.event)
        else:
            labels.append("error")
    return labels, audio, events


def split_each(text: str) -> tuple[str, str]:
    """A splitter that speaks every delta at once."""
    return text, ""


def never(text: str) -> tuple[str, str]:
    """A splitter that waits for the end of the turn."""
    return "", text


class Gate:
    """An event a fake waits on, and one it sets when it got there (no sleeps)."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = asyncio.Event()
