"""Audio backends. ``record`` returns a mono 16-bit PCM WAV file's bytes."""
from __future__ import annotations

import io
import shutil
import wave
from typing import Protocol, runtime_checkable

import anyio

from hal.audio._alsa import alsa_command
from hal.audio._tone import sine_pcm
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
        samples = sine_pcm(self.frequency, sample_rate, 0, int(seconds * sample_rate))
        return _wav(samples, sample_rate)


class FfmpegAudio:
    """ALSA capture through ``ffmpeg -f alsa -i <device>`` (mono, 16-bit WAV)."""

    def __init__(self, device: str = "default", *, ffmpeg: str = "ffmpeg") -> None:
        self.device, self.ffmpeg = device, ffmpeg

    def command(self, seconds: float, sample_rate: int) -> list[str]:
        return alsa_command(self.ffmpeg, self.device, sample_rate,
                            ["-acodec", "pcm_s16le", "-f", "wav", "-"],
                            seconds=min(seconds, MAX_SECONDS))

    async def record(self, seconds: float, sample_rate: int = 8000) -> bytes:
        if shutil.which(self.ffmpeg) is None:
            raise AudioError(f"{self.ffmpeg!r} is not installed")
        result = await anyio.run_process(self.command(seconds, sample_rate), check=False)
        if result.returncode != 0 or not result.stdout:
            raise AudioError(f"ffmpeg failed: {result.stderr.decode(errors='replace')[-200:]}")
        return result.stdout
