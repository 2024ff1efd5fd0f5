"""Audio recording: the ``AudioRecorder`` interface (``await record(seconds,
sample_rate) -> WAV bytes``) and backends ``GeneratedAudio`` (a tone, needs nothing)
and ``FfmpegAudio(device)`` (ALSA via the ``ffmpeg`` binary)."""
from __future__ import annotations

from hal.audio._audio import AudioError, AudioRecorder, FfmpegAudio, GeneratedAudio, SAMPLE_RATES

__all__ = ["AudioRecorder", "GeneratedAudio", "FfmpegAudio", "AudioError", "SAMPLE_RATES"]
