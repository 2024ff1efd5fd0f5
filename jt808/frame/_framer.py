"""Streaming framer: bytes in any chunking in, whole frames out, in order.

Junk outside frames is skipped and counted. A bad frame (check code, escape, length,
header) costs only itself: it is reported and the frames after it still come out.
Memory is bounded: a frame longer than the largest legal frame is dropped as it
arrives, never buffered whole.
"""
from __future__ import annotations

import collections

from ..errors import FrameError, FrameTooLongError
from ._frame import MAX_ESCAPED_FRAME, Frame, _unpack_raw
from ._header import Version

__all__ = ["Framer"]

_FLAG = b"\x7e"


class Framer:
    """Feed chunks with :meth:`feed` (frames only) or :meth:`feed_events` (frames and errors).

    Counters: ``frames``, ``bad_frames``, ``junk_bytes``. The last ``error_history``
    errors are kept in ``errors`` for inspection. ``strict`` refuses a phone with
    non-decimal BCD nibbles. ``lenient_check=True`` (for reading captures) dissects a
    frame whose check code is wrong: :meth:`feed_events` gives its ``ChecksumError``
    and then the frame.
    """

    def __init__(self, version: Version | None = None, *,
                 max_frame: int = MAX_ESCAPED_FRAME, error_history: int = 32,
                 strict: bool = False, lenient_check: bool = False) -> None:
        self.version = version
        self.strict = strict
        self.lenient_check = lenient_check
        self.max_frame = max_frame
        self.frames = 0
        self.bad_frames = 0
        self.junk_bytes = 0
        self.errors: collections.deque[FrameError] = collections.deque(maxlen=error_history)
        self._buf = bytearray()
        self._in_frame = False      # _buf starts with the opening 0x7e
        self._discarding = False    # inside an over-long frame: drop up to the next 0x7e

    @property
    def buffered(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        """Whole frames completed by ``data``; errors are counted and kept in ``errors``."""
        return [item for item in self.feed_events(data) if isinstance(item, Frame)]

    def feed_events(self, data: bytes) -> list[Frame | FrameError]:
        """Frames and ``FrameError`` instances, in stream order."""
        out: list[Frame | FrameError] = []
        buf = self._buf
        buf += data
        while buf:
            if self._discarding and not self._skip_long(buf):
                break
            if not self._in_frame and not self._find_start(buf):
                break
            end = buf.find(_FLAG, 1)
            if end == -1:
                if len(buf) > self.max_frame:
                    error = self._too_long(len(buf))
                    self._record(error)
                    out.append(error)
                    buf.clear()
                    self._in_frame = False
                    self._discarding = True
                break
            if end == 1:            # 7e 7e: the second flag opens the next frame
                del buf[:1]
                continue
            out.extend(self._take(buf, end))
        return out

    def _find_start(self, buf: bytearray) -> bool:
        start = buf.find(_FLAG)
        if start == -1:
            self.junk_bytes += len(buf)
            buf.clear()
            return False
        self.junk_bytes += start
        del buf[:start]
        self._in_frame = True
        return True

    def _skip_long(self, buf: bytearray) -> bool:
        end = buf.find(_FLAG)
        if end == -1:
            buf.clear()
            return False
        del buf[:end]               # the flag may open the next frame
        self._discarding = False
        self._in_frame = True
        return True

    def _take(self, buf: bytearray, end: int) -> list[Frame | FrameError]:
        if end + 1 > self.max_frame:
            error: FrameError = self._too_long(end + 1)
        else:
            try:
                frame, bad_check = _unpack_raw(bytes(buf[1:end]), self.version, self.strict,
                                               self.lenient_check)
            except FrameError as exc:
                error = exc
            else:
                del buf[:end + 1]
                self._in_frame = False
                self.frames += 1
                if bad_check is None:
                    return [frame]
                self._record(bad_check)
                return [bad_check, frame]
        # Resynchronise on the closing flag: it may open the next good frame.
        del buf[:end]
        self._record(error)
        return [error]

    def _too_long(self, size: int) -> FrameTooLongError:
        return FrameTooLongError(f"frame of at least {size} bytes exceeds the largest legal "
                                 f"frame ({self.max_frame} bytes escaped)")

    def _record(self, error: FrameError) -> None:
        self.bad_frames += 1
        self.errors.append(error)
