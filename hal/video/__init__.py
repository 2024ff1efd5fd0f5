"""Video for JT/T 1078 terminals: sources of H.264 access units with timestamps, and a
recording store.

Sources (each has ``async units()`` yielding :class:`AccessUnit`, plus ``fps`` and
``codec``): :class:`TestPatternSource` (a generated pattern encoded with PyAV's libx264;
the frame index is written into each picture, :func:`read_frame_index` reads it back),
:class:`H264FileSource` (an Annex B ``.h264`` file) and :class:`FfmpegV4l2Source` (a V4L2
camera through the ``ffmpeg`` binary). :class:`RecordingStore` keeps segments on disk,
indexed in sqlite by channel, time and alarm. ``hal.video`` imports nothing from jt808;
PyAV comes with the ``media`` extra.
"""
from __future__ import annotations

from hal.video._errors import VideoError, VideoUnavailableError
from hal.video._ffmpeg import FfmpegV4l2Source, ffmpeg_chunks
from hal.video._file import H264FileSource, read_h264_units
from hal.video._pattern import (BAND_ROWS, INDEX_BITS, TestPatternSource, h264_encoder_name,
                                pattern_luma, read_frame_index)
from hal.video._store import Recording, RecordingStore
from hal.video._units import AccessUnit, AnnexBSplitter, nal_types, split_access_units

__all__ = [
    "AccessUnit", "AnnexBSplitter", "split_access_units", "nal_types",
    "TestPatternSource", "pattern_luma", "read_frame_index", "h264_encoder_name",
    "INDEX_BITS", "BAND_ROWS", "H264FileSource", "read_h264_units", "FfmpegV4l2Source",
    "ffmpeg_chunks", "Recording", "RecordingStore", "VideoError", "VideoUnavailableError",
]
