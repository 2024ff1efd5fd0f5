"""The one sine tone generator: 16-bit PCM for 0x8804 WAV recordings and G.711A streams."""
from __future__ import annotations

import array
import math
import sys

__all__ = ["sine_pcm"]


def sine_pcm(frequency: float, sample_rate: int, first: int, count: int,
             amplitude: int = 8000) -> bytes:
    """``count`` samples of a sine of ``frequency`` Hz from sample ``first`` on, as
    little-endian signed 16-bit PCM (``first`` lets a stream continue in its phase)."""
    step = 2 * math.pi * frequency / sample_rate
    samples = array.array("h", (int(amplitude * math.sin(step * (first + i)))
                                for i in range(count)))
    if sys.byteorder == "big":   # pragma: no cover - PCM here is little-endian
        samples.byteswap()
    return samples.tobytes()
