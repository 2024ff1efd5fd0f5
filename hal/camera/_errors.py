"""Camera errors, under the ``hal`` error tree."""
from __future__ import annotations

from hal.errors import HalError

__all__ = ["CameraError", "CameraUnavailableError"]


class CameraError(HalError):
    """A capture failed (bad image source, ffmpeg failure...)."""


class CameraUnavailableError(CameraError):
    """The camera cannot be used at all: no ffmpeg binary, no device, no images."""
