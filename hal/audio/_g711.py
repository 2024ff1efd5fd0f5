"""G.711 A-law (ITU-T G.711 §A): 16-bit linear PCM <-> 8-bit A-law, by table."""
from __future__ import annotations

import array
import sys

__all__ = ["alaw_encode", "alaw_decode", "linear_from_alaw", "alaw_from_linear"]


def alaw_from_linear(sample: int) -> int:
    """One signed 16-bit sample to one A-law byte (even bits inverted, 0x55)."""
    sign = 0x80 if sample >= 0 else 0x00
    magnitude = min(sample if sample >= 0 else -sample - 1, 0x7FFF) >> 3   # 13-bit scale
    if magnitude < 32:
        code = magnitude >> 1
    else:
        exponent = magnitude.bit_length() - 5          # 1..7
        code = (exponent << 4) | ((magnitude >> exponent) & 0x0F)
    return (sign | code) ^ 0x55


def linear_from_alaw(byte: int) -> int:
    """One A-law byte to a signed 16-bit sample (the segment's mid value)."""
    value = byte ^ 0x55
    exponent, mantissa = (value >> 4) & 0x07, value & 0x0F
    magnitude = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return magnitude if value & 0x80 else -magnitude


_ENCODE = bytes(alaw_from_linear(s - 0x10000 if s >= 0x8000 else s) for s in range(0x10000))
_DECODE = array.array("h", (linear_from_alaw(b) for b in range(256)))


def alaw_encode(pcm: bytes) -> bytes:
    """Little-endian signed 16-bit PCM to A-law bytes."""
    samples = array.array("H", pcm)
    if sys.byteorder == "big":   # pragma: no cover - PCM here is little-endian
        samples.byteswap()
    return bytes(_ENCODE[s] for s in samples)


def alaw_decode(data: bytes) -> bytes:
    """A-law bytes to little-endian signed 16-bit PCM."""
    out = array.array("h", (_DECODE[b] for b in data))
    if sys.byteorder == "big":   # pragma: no cover
        out.byteswap()
    return out.tobytes()
