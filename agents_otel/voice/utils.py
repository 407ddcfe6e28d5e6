"""When buffered text is ready to be spoken.

Why: the workflow streams text in small deltas, but text-to-speech sounds natural only on whole sentences, and
waiting for the whole answer delays the first audio. The splitter releases the complete sentences buffered so far
once they are long enough, and holds back the sentence still being written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def get_sentence_based_splitter(min_sentence_length: int = 20) -> Callable[[str], tuple[str, str]]:
    """As in the SDK: a text splitter for ``TTSModelSettings.text_splitter`` that returns ``(text to speak now,
    text to keep buffering)``; it speaks the complete sentences once together they are at least
    ``min_sentence_length`` characters long."""

    def split(text_buffer: str) -> tuple[str, str]:
        sentences = _SENTENCE_END.split(text_buffer.strip())
        ready = " ".join(sentences[:-1])
        if not ready or len(ready) < min_sentence_length:
            return "", text_buffer
        # The whitespace after the held-back text separates it from the next delta: keep it, or "He " + "arrived"
        # would be spoken "Hearrived".
        trailing = text_buffer[len(text_buffer.rstrip()) :]
        return ready, sentences[-1] + trailing

    return split


__all__ = ["get_sentence_based_splitter"]
