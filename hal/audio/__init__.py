"""Audio HAL (imports nothing from jt808).

- Streaming, for JT/T 1078: G.711A (payload type 6) frames from a generated tone
  (:class:`ToneSource`) or an ALSA device through ffmpeg (:class:`AlsaAudioSource`),
  and the A-law codec itself.
- Recording, for 0x8804: the ``AudioRecorder`` interface (``await record(seconds,
  sample_rate) -> WAV bytes``) with ``GeneratedAudio`` (a tone, needs nothing) and
  ``FfmpegAudio(device)`` (ALSA via the ``ffmpeg`` binary).
"""
from __future__ import annotations

from hal.audio._audio import AudioError, AudioRecorder, FfmpegAudio, GeneratedAudio, SAMPLE_RATES
from hal.audio._g711 import alaw_decode, alaw_encode, alaw_from_linear, linear_from_alaw
from hal.audio._sources import SAMPLE_RATE, AlsaAudioSource, ToneSource

__all__ = ["alaw_encode", "alaw_decode", "alaw_from_linear", "linear_from_alaw",
           "ToneSource", "AlsaAudioSource", "SAMPLE_RATE",
           "AudioRecorder", "GeneratedAudio", "FfmpegAudio", "AudioError", "SAMPLE_RATES"]
