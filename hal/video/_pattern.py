"""A generated test pattern encoded to H.264 with PyAV (libx264, the wheel carries it).

Each picture: grey-level bars with a box that moves one step per frame, and the frame
index written into a band at the top as 16 black/white blocks (bit 15 first), so a
decoder at the far end can tell exactly which frames arrived (:func:`read_frame_index`).
"""
from __future__ import annotations

from fractions import Fraction
from typing import AsyncIterator, Iterator

import anyio

from hal.video._errors import VideoUnavailableError
from hal.video._units import AccessUnit

__all__ = ["TestPatternSource", "pattern_luma", "read_frame_index", "INDEX_BITS",
           "BAND_ROWS", "h264_encoder_name"]

INDEX_BITS = 16
BAND_ROWS = 32
_BLACK, _WHITE = 16, 235
_ENCODERS = ("libx264", "h264_v4l2m2m", "libopenh264")


def _av():
    try:
        import av
    except ImportError as exc:   # pragma: no cover - the media extra brings it
        raise VideoUnavailableError("PyAV is not installed: pip install 'jt808[media]'") from exc
    return av


def h264_encoder_name() -> str:
    """The first H.264 encoder this PyAV build has (libx264 in the PyPI wheels)."""
    av = _av()
    for name in _ENCODERS:
        try:
            av.codec.Codec(name, "w")
            return name
        except Exception:   # noqa: BLE001 - PyAV raises several types for "not built in"
            continue
    raise VideoUnavailableError(f"this PyAV build has no H.264 encoder (tried {_ENCODERS})")


def pattern_luma(index: int, width: int, height: int) -> bytes:
    """The Y plane (width x height bytes) of picture ``index``."""
    bars = bytearray()
    for x in range(width):
        bars.append(40 + (x * 8 // width) * 25)
    box = max(width // 8, 8)
    left = (index * 8) % max(width - box, 1)
    row_box = bytes(bars[:left]) + bytes((_WHITE,)) * box + bytes(bars[left + box:])
    block = width // INDEX_BITS
    band = bytearray()
    for bit in range(INDEX_BITS):
        on = (index >> (INDEX_BITS - 1 - bit)) & 1
        band += bytes((_WHITE if on else _BLACK,)) * block
    band += bytes((_BLACK,)) * (width - len(band))
    top = (height - box) // 2
    rows = [bytes(band)] * BAND_ROWS
    rows += [bytes(bars)] * (top - BAND_ROWS)
    rows += [row_box] * box
    rows += [bytes(bars)] * (height - len(rows))
    return b"".join(rows)


def read_frame_index(luma: bytes, width: int, line_size: int | None = None) -> int:
    """The frame index written in a decoded Y plane (``line_size`` bytes per row)."""
    stride = line_size or width
    row = (BAND_ROWS // 2) * stride
    block = width // INDEX_BITS
    value = 0
    for bit in range(INDEX_BITS):
        value = (value << 1) | (luma[row + bit * block + block // 2] > 128)
    return value


class TestPatternSource:
    """H.264 access units of the pattern at ``fps``; ``frames=None`` runs forever.

    The encoder is set for live use (ultrafast, zerolatency, no B-frames, an I-frame
    every ``gop`` pictures, SPS/PPS repeated in-band before each I-frame).
    """

    __test__ = False   # not a pytest class despite the name

    def __init__(self, width: int = 640, height: int = 480, fps: int = 15, *,
                 frames: int | None = None, gop: int | None = None, bitrate: int = 800_000,
                 encoder: str | None = None) -> None:
        if width % 16 or height % 16 or width < 64 or height < 64:
            raise ValueError(f"size {width}x{height}: width and height must be multiples "
                             "of 16, at least 64")
        self.width, self.height, self.fps = width, height, fps
        self.frames = frames
        self.gop = gop or fps
        self.bitrate = bitrate
        self.encoder = encoder or h264_encoder_name()
        self.codec = "h264"

    def _context(self):
        av = _av()
        ctx = av.CodecContext.create(self.encoder, "w")
        ctx.width, ctx.height, ctx.pix_fmt = self.width, self.height, "yuv420p"
        ctx.framerate = Fraction(self.fps)
        ctx.time_base = Fraction(1, self.fps)
        ctx.gop_size = self.gop
        ctx.bit_rate = self.bitrate
        ctx.options = {"preset": "ultrafast", "tune": "zerolatency", "bf": "0",
                       "repeat-headers": "1"} if self.encoder == "libx264" else {}
        return av, ctx

    def iter_units(self) -> Iterator[AccessUnit]:
        """Encode picture after picture (blocking; use :meth:`units` in a loop)."""
        av, ctx = self._context()
        chroma = bytes((128,)) * (self.width * self.height // 4)
        index = 0
        while self.frames is None or index < self.frames:
            picture = av.VideoFrame(self.width, self.height, "yuv420p")
            picture.planes[0].update(pattern_luma(index, self.width, self.height))
            picture.planes[1].update(chroma)
            picture.planes[2].update(chroma)
            picture.pts = index
            yield from self._packets(ctx.encode(picture))
            index += 1
        yield from self._packets(ctx.encode(None))

    def _packets(self, packets) -> Iterator[AccessUnit]:
        for packet in packets:
            yield AccessUnit(bytes(packet), int(packet.pts * 1000 // self.fps),
                             bool(packet.is_keyframe))

    async def units(self) -> AsyncIterator[AccessUnit]:
        """The same units, encoded in a worker thread so the event loop stays free."""
        it = self.iter_units()
        while True:
            unit = await anyio.to_thread.run_sync(next, it, None)
            if unit is None:
                return
            yield unit
