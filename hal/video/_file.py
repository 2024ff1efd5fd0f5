"""A ``.h264`` file (Annex B elementary stream) as a video source."""
from __future__ import annotations

import os
from pathlib import Path
from typing import AsyncIterator, Iterator

from hal.video._errors import VideoError
from hal.video._units import AccessUnit, AnnexBSplitter, nal_types

__all__ = ["H264FileSource", "read_h264_units"]

_CHUNK = 65536


def read_h264_units(path: str | os.PathLike[str], fps: int = 15) -> Iterator[AccessUnit]:
    """Access units of an Annex B file, stamped ``index * 1000 // fps`` ms."""
    splitter = AnnexBSplitter()
    index = 0
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise VideoError(f"cannot open {path}: {exc}") from exc
    with handle:
        while chunk := handle.read(_CHUNK):
            for data in splitter.feed(chunk):
                yield AccessUnit(data, index * 1000 // fps, 5 in nal_types(data))
                index += 1
    for data in splitter.flush():
        yield AccessUnit(data, index * 1000 // fps, 5 in nal_types(data))
        index += 1


class H264FileSource:
    """Plays a ``.h264`` file at ``fps`` (timestamps only; pacing is the caller's)."""

    def __init__(self, path: str | os.PathLike[str], fps: int = 15) -> None:
        self.path = Path(path)
        self.fps = fps
        self.codec = "h264"

    def iter_units(self) -> Iterator[AccessUnit]:
        return read_h264_units(self.path, self.fps)

    async def units(self) -> AsyncIterator[AccessUnit]:
        for unit in self.iter_units():
            yield unit
