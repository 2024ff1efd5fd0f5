"""Cameras: the ``Camera`` interface (``await capture(channel, resolution) -> JPEG``)
and backends ``StaticCamera`` (generated JPEG), ``DirectoryCamera(path)`` (cycles
through files) and ``FfmpegCamera(device)`` (V4L2 via the ``ffmpeg`` binary); and
``MediaIndex`` (sqlite) of the media shot, for search and later upload."""
from __future__ import annotations

from hal.camera._camera import (
    RESOLUTIONS, Camera, DirectoryCamera, FfmpegCamera, Resolution, StaticCamera,
    resolve_resolution,
)
from hal.camera._errors import CameraError, CameraUnavailableError
from hal.camera._jpeg import flat_jpeg
from hal.camera._media_index import MediaIndex, MediaItem

__all__ = ["Camera", "StaticCamera", "DirectoryCamera", "FfmpegCamera", "RESOLUTIONS",
           "Resolution", "resolve_resolution", "flat_jpeg", "CameraError",
           "CameraUnavailableError", "MediaIndex", "MediaItem"]
