"""Audio backends. ``record`` returns a mono 16-bit PCM WAV file's bytes."""
from __future__ import annotations

import io
import math
import shutil
import struct
import wave
from typing import Protocol, runtime_checkable

import anyio

from hal.errors import HalError

__all__ = ["AudioRecorder", "GeneratedAudio", "FfmpegAudio", "AudioError", "SAMPLE_RATES",
           "MAX_SECONDS"]

#: JT/T 808 0x8804 sample rate codes -> Hz (0 8K, 1 11K, 2 23K, 3 32K)
SAMPLE_RATES = {0: 8000, 1: 11025, 2: 22050, 3: 32000}
MAX_SECONDS = 300


class AudioError(HalError):
    """The audio device or tool failed (or is missing)."""


@runtime_checkable
class AudioRecorder(Protocol):
    async def record(self, seconds: float, sample_rate: int = 8000) -> bytes: ...


def _wav(samples: bytes, sample_rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples)
    return out.getvalue()


class GeneratedAudio:
    """A 440 Hz tone of the asked length; ``realtime`` waits that long, as a microphone."""

    def __init__(self, *, realtime: bool = False, frequency: float = 440.0) -> None:
        self.realtime, self.frequency = realtime, frequency

    async def record(self, seconds: float, sample_rate: int = 8000) -> bytes:
        seconds = max(0.0, min(float(seconds), MAX_SECONDS))
        if self.realtime:
            await anyio.sleep(seconds)
        count = int(seconds * sample_rate)
        step = 2 * math.pi * self.frequency / sample_rate
        samples = struct.pack(f"<{count}h", *(int(8000 * math.sin(step * i))
                                              for i in range(count)))
        return _wav(samples, sample_rate)


class FfmpegAudio:
    """ALSA capture through ``ffmpeg -f alsa -i <device>`` (mono, 16-bit WAV)."""

    def __init__(self, device: str = "default", *, ffmpeg: str = "ffmpeg") -> None:
        self.device, self.ffmpeg = device, ffmpeg

    def command(self, seconds: float, sample_rate: int) -> list[str]:
        return [self.ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "alsa", "-i",
                self.device, "-t", f"{min(seconds, MAX_SECONDS):g}", "-ac", "1",
                "-ar", str(sample_rate), "-acodec", "pcm_s16le", "-f", "wav", "-"]

    async def record(self, seconds: float, sample_rate: int = 8000) -> bytes:
        if shutil.which(self.ffmpeg) is None:
            raise AudioError(f"{self.ffmpeg!r} is not installed")
        result = await anyio.run_process(self.command(seconds, sample_rate), check=False)
        if result.returncode != 0 or not result.stdout:
            raise AudioError(f"ffmpeg failed: {result.stderr.decode(errors='replace')[-200:]}")
        return result.stdout
