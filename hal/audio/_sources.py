"""Audio sources giving G.711A frames: a generated tone, or ALSA through ffmpeg."""
from __future__ import annotations

from typing import AsyncIterator, Iterator

from hal.audio._alsa import alsa_command
from hal.audio._g711 import alaw_encode
from hal.audio._tone import sine_pcm
from hal.video import AccessUnit, ffmpeg_chunks

__all__ = ["ToneSource", "AlsaAudioSource", "SAMPLE_RATE"]

SAMPLE_RATE = 8000


class ToneSource:
    """A sine tone as G.711A frames of ``frame_ms`` (320 bytes per 40 ms at 8 kHz)."""

    def __init__(self, frequency: float = 440.0, *, frame_ms: int = 40,
                 amplitude: int = 8000, frames: int | None = None) -> None:
        self.frequency, self.frame_ms, self.amplitude = frequency, frame_ms, amplitude
        self.frames = frames
        self.codec = "g711a"

    def iter_units(self) -> Iterator[AccessUnit]:
        per_frame = SAMPLE_RATE * self.frame_ms // 1000
        index = 0
        while self.frames is None or index < self.frames:
            pcm = sine_pcm(self.frequency, SAMPLE_RATE, index * per_frame, per_frame,
                           self.amplitude)
            yield AccessUnit(alaw_encode(pcm), index * self.frame_ms, False)
            index += 1

    async def units(self) -> AsyncIterator[AccessUnit]:
        for unit in self.iter_units():
            yield unit


class AlsaAudioSource:
    """An ALSA capture device through ``ffmpeg -f alsa``, as 8 kHz mono G.711A."""

    def __init__(self, device: str = "default", *, frame_ms: int = 40,
                 ffmpeg: str = "ffmpeg") -> None:
        self.device, self.frame_ms, self.ffmpeg = device, frame_ms, ffmpeg
        self.codec = "g711a"

    def command(self) -> list[str]:
        return alsa_command(self.ffmpeg, self.device, SAMPLE_RATE, ["-f", "alaw", "-"])

    async def units(self) -> AsyncIterator[AccessUnit]:
        size = SAMPLE_RATE * self.frame_ms // 1000
        pending = bytearray()
        index = 0
        async for chunk in ffmpeg_chunks(self.command()):
            pending += chunk
            while len(pending) >= size:
                yield AccessUnit(bytes(pending[:size]), index * self.frame_ms, False)
                del pending[:size]
                index += 1
