"""Decode H.264 with PyAV in tests: frame indexes read from the pictures themselves."""
from __future__ import annotations

import av

from hal.video import read_frame_index


def decode_indexes(data: bytes) -> list[int]:
    """Frame indexes of every picture PyAV decodes from an Annex B stream."""
    ctx = av.CodecContext.create("h264", "r")
    indexes = []
    for packet in [*ctx.parse(data), *ctx.parse(b"")]:
        indexes += [_index(f) for f in ctx.decode(packet)]
    indexes += [_index(f) for f in ctx.decode(None)]
    return indexes


def _index(frame) -> int:
    plane = frame.planes[0]
    return read_frame_index(bytes(plane), frame.width, plane.line_size)


def first_luma(data: bytes) -> tuple[bytes, int, int, int]:
    """The first decoded picture's Y plane, width, height and line size."""
    ctx = av.CodecContext.create("h264", "r")
    for packet in [*ctx.parse(data), *ctx.parse(b"")]:
        for frame in ctx.decode(packet):
            return bytes(frame.planes[0]), frame.width, frame.height, frame.planes[0].line_size
    raise AssertionError("no picture decoded")
