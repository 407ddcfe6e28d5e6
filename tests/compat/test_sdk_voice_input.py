"""Compatibility: the SDK's voice input and text splitting (``AudioInput``, ``StreamedAudioInput``,
``get_sentence_based_splitter``), and the voice package's import rule.

As in the SDK: ``AudioInput`` becomes a WAV file at its sample rate, width and channel count (float samples
clipped to [-1, 1]), bad parameters are a ``UserError``, ``to_base64`` is 16-bit PCM and leaves the caller's array
alone; the splitter speaks complete sentences once long enough and never loses or glues words however the deltas
break. ``import agents_otel`` does not load numpy; ``agents_otel.voice`` does. Learnt from the SDK's
tests/voice/test_input.py and test_utils.py.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import wave

import numpy as np
import pytest

from agents_otel import UserError
from agents_otel.voice import AudioInput, StreamedAudioInput, get_sentence_based_splitter


def frames(audio: AudioInput) -> tuple[tuple[int, int, int], bytes]:
    _, file, content_type = audio.to_audio_file()
    assert content_type == "audio/wav"
    with wave.open(file) as wav:
        return (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()), wav.readframes(wav.getnframes())


def test_int16_and_float32_become_wav_at_the_given_format() -> None:
    params, data = frames(AudioInput(buffer=np.array([1, -2, 300], dtype=np.int16), frame_rate=8000))
    assert params == (8000, 2, 1) and np.frombuffer(data, "<i2").tolist() == [1, -2, 300]
    params, data = frames(AudioInput(buffer=np.array([0.5, -2.0, 1.0], dtype=np.float32)))
    assert params == (24000, 2, 1) and np.frombuffer(data, "<i2").tolist() == [16383, -32767, 32767]


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_sample_widths_keep_the_amplitude(width: int) -> None:
    params, data = frames(AudioInput(buffer=np.array([16384, -16384], dtype=np.int16), sample_width=width))
    assert params[1] == width and len(data) == 2 * width
    if width == 1:
        assert list(data) == [192, 64]  # unsigned 8-bit
    else:
        top = int.from_bytes(data[width - 2 : width], "little", signed=True)
        assert top == 16384


def test_stereo_frames_and_bad_parameters() -> None:
    params, _ = frames(AudioInput(buffer=np.zeros(4, dtype=np.int16), channels=2))
    assert params[2] == 2
    for audio, message in [
        (AudioInput(buffer=np.zeros(3, dtype=np.int16), channels=2), "complete channel frames"),
        (AudioInput(buffer=np.zeros(2, dtype=np.int16), channels=0), "Channels"),
        (AudioInput(buffer=np.zeros(2, dtype=np.int16), frame_rate=0), "Frame rate"),
        (AudioInput(buffer=np.zeros(2, dtype=np.int16), sample_width=5), "Sample width"),
        (AudioInput(buffer=np.zeros(2, dtype=np.int32)), "int16 or float32"),  # type: ignore[arg-type]
    ]:
        with pytest.raises(UserError, match=message):
            audio.to_audio_file()


def test_to_base64_is_int16_pcm_and_leaves_the_buffer_alone() -> None:
    buffer = np.array([0.5, -1.5], dtype=np.float32)
    encoded = AudioInput(buffer=buffer).to_base64()
    assert np.frombuffer(base64.b64decode(encoded), "<i2").tolist() == [16383, -32767]
    assert buffer.tolist() == [0.5, -1.5]


async def test_streamed_input_queues_audio_and_the_end() -> None:
    streamed = StreamedAudioInput()
    await streamed.add_audio(np.zeros(2, dtype=np.int16))
    await streamed.add_audio(None)
    assert streamed.queue.get_nowait() is not None and streamed.queue.get_nowait() is None
    with pytest.raises(UserError, match="int16 or float32"):
        await streamed.add_audio([1, 2])  # type: ignore[arg-type]


def spoken(text: str, step: int) -> list[str]:
    split = get_sentence_based_splitter(20)
    buffer, out = "", []
    for start in range(0, len(text), step):
        buffer += text[start : start + step]
        ready, buffer = split(buffer)
        if ready:
            out.append(ready)
    return [*out, buffer.strip()] if buffer.strip() else out


@pytest.mark.parametrize("step", [1, 2, 3, 4, 7, 13])
@pytest.mark.parametrize("text", [
    "Mr. Lee came home. He arrived at 6 p.m. today.",
    "Is it late? Yes it is! Go to bed now. Good night everyone.",
    "A. B. C. D. E. F. G. H. I. J. K.",
])
def test_the_splitter_loses_and_glues_no_word(text: str, step: int) -> None:
    assert " ".join(spoken(text, step)).split() == text.split()


def test_the_splitter_waits_for_enough_text_and_keeps_the_trailing_space() -> None:
    split = get_sentence_based_splitter(20)
    assert split("Short one. ") == ("", "Short one. ")
    assert split("") == ("", "")
    assert split("This first sentence is long. Then ") == ("This first sentence is long.", "Then ")
    assert get_sentence_based_splitter(5)("Hi. Hello. Wor") == ("Hi. Hello.", "Wor")


def test_importing_agents_otel_does_not_load_numpy() -> None:
    code = (
        "import sys, agents_otel; print('numpy' in sys.modules); "
        "import agents_otel.voice; print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_a_missing_numpy_is_an_import_error_naming_the_extra() -> None:
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "try:\n    import agents_otel.voice\nexcept ImportError as e:\n    print(type(e).__name__, e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "agents_otel[voice]" in out and "ExtensionUnavailableError" in out
