"""One pseudo-terminal pair per exposed modem port.

The simulator keeps the master side (non-blocking) and also holds the slave
open, so a client closing and reopening the device never makes the master
read EIO. Output that the client has not read yet is queued here, bounded.
"""
from __future__ import annotations

import errno
import os
import pty
import tty

__all__ = ["PtyPort"]


class PtyPort:
    """A pty whose slave path is the device the client opens."""

    def __init__(self, *, max_pending: int = 1 << 20, drop_oldest: bool = False) -> None:
        self.master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self._slave)
        self._pending = bytearray()
        self._max_pending = max_pending
        self._drop_oldest = drop_oldest
        self.closed = False

    def fileno(self) -> int:
        return self.master

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def write(self, data: bytes) -> None:
        """Queue ``data`` and push as much as the pty takes now."""
        if self.closed:
            return
        self._pending += data
        overflow = len(self._pending) - self._max_pending
        if overflow > 0:
            if self._drop_oldest:
                del self._pending[:overflow]
            else:
                del self._pending[self._max_pending:]
        self.flush()

    def flush(self) -> None:
        while self._pending and not self.closed:
            try:
                n = os.write(self.master, self._pending)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EAGAIN):
                    return
                raise
            del self._pending[:n]

    def read(self) -> bytes:
        """Bytes the client wrote; b"" when nothing is there."""
        try:
            return os.read(self.master, 65536)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError as exc:
            if exc.errno == errno.EIO:
                return b""
            raise

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
