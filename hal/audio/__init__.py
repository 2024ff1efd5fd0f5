"""Audio for JT/T 1078 terminals: G.711A (payload type 6) frames from a generated tone
(:class:`ToneSource`) or an ALSA device through ffmpeg (:class:`AlsaAudioSource`), and
the A-law codec itself. Imports nothing from jt808."""
from __future__ import annotations

from hal.audio._g711 import alaw_decode, alaw_encode, alaw_from_linear, linear_from_alaw
from hal.audio._sources import SAMPLE_RATE, AlsaAudioSource, ToneSource

__all__ = ["alaw_encode", "alaw_decode", "alaw_from_linear", "linear_from_alaw",
           "ToneSource", "AlsaAudioSource", "SAMPLE_RATE"]
