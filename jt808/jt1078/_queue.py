"""A bounded send queue for a media link (sans-IO): a slow link loses P-frames first.

``put`` a frame as it is produced; the link's writer ``pop``s. When the queued bytes
would pass ``max_bytes``, an arriving P/B-frame or audio frame is dropped, and the
P-frames after a dropped one are dropped too until the next I-frame (they could not be
decoded without it). An arriving I-frame first evicts queued P/B-frames and audio, then,
if that is not enough, everything older: it is always kept, so memory stays under
``max_bytes`` plus one frame, and the picture recovers at every I-frame.
"""
from __future__ import annotations

from collections import deque

import attrs

from ._packet import DataType

__all__ = ["FrameQueue", "QueuedFrame", "QueueStats"]


@attrs.frozen(slots=True)
class QueuedFrame:
    channel: int
    data_type: DataType
    payload: bytes
    timestamp: int


@attrs.define
class QueueStats:
    queued_frames: int = 0
    dropped_frames: int = 0
    dropped_i_frames: int = 0
    dropped_bytes: int = 0


class FrameQueue:
    def __init__(self, max_bytes: int = 2 << 20) -> None:
        self.max_bytes = max_bytes
        self.stats = QueueStats()
        self._frames: deque[QueuedFrame] = deque()
        self._bytes = 0
        self._skip_p = False   # a P-frame was lost: drop P-frames until the next I-frame

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def queued_bytes(self) -> int:
        return self._bytes

    def put(self, frame: QueuedFrame) -> bool:
        """Queue ``frame``; ``False`` if it was dropped instead."""
        size = len(frame.payload)
        if frame.data_type == DataType.I_FRAME:
            if self._bytes + size > self.max_bytes:
                self._evict(lambda f: f.data_type != DataType.I_FRAME)
            if self._bytes + size > self.max_bytes:
                self._evict(lambda f: True)
            self._skip_p = False
        elif (frame.data_type.is_video and self._skip_p) or \
                self._bytes + size > self.max_bytes:
            self._skip_p = self._skip_p or frame.data_type.is_video
            self._count_drop(frame)
            return False
        self._frames.append(frame)
        self._bytes += size
        self.stats.queued_frames += 1
        return True

    def pop(self) -> QueuedFrame | None:
        if not self._frames:
            return None
        frame = self._frames.popleft()
        self._bytes -= len(frame.payload)
        return frame

    def clear(self) -> None:
        self._evict(lambda f: True)

    def _evict(self, which) -> None:
        kept: deque[QueuedFrame] = deque()
        for frame in self._frames:
            if which(frame):
                self._bytes -= len(frame.payload)
                self._count_drop(frame)
            else:
                kept.append(frame)
        self._frames = kept

    def _count_drop(self, frame: QueuedFrame) -> None:
        self.stats.dropped_frames += 1
        self.stats.dropped_bytes += len(frame.payload)
        if frame.data_type == DataType.I_FRAME:
            self.stats.dropped_i_frames += 1
