"""The SDK's ``agents.realtime.audio_formats`` path, kept so an import of the module itself does not fail.

Its ``to_realtime_audio_format`` (a format name to the API's format object) is the SDK's realtime model's
internal; here the realtime model sends formats itself (``RealtimeAudioFormat`` is in ``agents_otel.realtime``).
"""

from __future__ import annotations

__all__: list[str] = []
