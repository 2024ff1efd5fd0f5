"""Video errors, under the ``hal`` error tree."""
from __future__ import annotations

from hal.errors import HalError

__all__ = ["VideoError", "VideoUnavailableError"]


class VideoError(HalError):
    """A video source or the recording store failed (bad file, encoder or ffmpeg error)."""


class VideoUnavailableError(VideoError):
    """A source cannot be used at all: PyAV, an encoder, the ffmpeg binary or a device is
    missing. The message names what to install."""
