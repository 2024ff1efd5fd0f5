"""NMEA receivers: a live serial port (pyserial) and a replayed log file."""
from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import serial

from hal.gnss._errors import GnssPortError
from hal.gnss._fix import Fix
from hal.gnss._nmea import DEFAULT_MAX_LINE, NmeaParser

__all__ = ["NmeaSerialGnss", "NmeaFileGnss"]

_CHUNK = 4096


class NmeaSerialGnss:
    """``GnssSource`` over an NMEA serial port (e.g. Quectel's NMEA ``ttyUSB1``).

    ``port`` is a device path / pyserial URL, or an open pyserial-like object.
    ``read()`` drains what the port has buffered and returns the newest ``Fix``;
    when nothing is buffered it waits up to ``timeout`` seconds for one, then
    returns ``None``. ``parser`` exposes the skipped-line counters.
    """

    def __init__(self, port: str | Any, *, baudrate: int = 9600, timeout: float = 2.0,
                 max_line: int = DEFAULT_MAX_LINE) -> None:
        self.timeout = timeout
        self.parser = NmeaParser(max_line=max_line)
        self._lock = anyio.Lock()
        if isinstance(port, str):
            try:
                self._port = serial.serial_for_url(port, baudrate=baudrate,
                                                   timeout=min(0.2, timeout))
            except (serial.SerialException, OSError, ValueError) as exc:
                raise GnssPortError(f"cannot open NMEA port {port!r}: {exc}") from exc
        else:
            self._port = port

    async def read(self) -> Fix | None:
        async with self._lock:
            deadline = time.monotonic() + self.timeout
            newest = None
            while True:
                fix, more = await anyio.to_thread.run_sync(self._read_available)
                newest = fix or newest
                if more:
                    continue
                if newest is not None or time.monotonic() >= deadline:
                    return newest

    def _read_available(self) -> tuple[Fix | None, bool]:
        """Block for the first byte (up to the port timeout), then take what is buffered.

        Returns the newest fix in that data and whether more bytes are waiting.
        """
        try:
            data = self._port.read(1)
            if data:
                data += self._port.read(min(self._port.in_waiting, _CHUNK))
            more = bool(data) and self._port.in_waiting > 0
        except (serial.SerialException, OSError) as exc:
            raise GnssPortError(f"NMEA port read failed: {exc}") from exc
        fixes = self.parser.feed(data)
        return (fixes[-1] if fixes else None), more

    def close(self) -> None:
        self._port.close()

    async def __aenter__(self) -> NmeaSerialGnss:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class NmeaFileGnss:
    """``GnssSource`` replaying an NMEA log: each ``read()`` gives the next RMC fix.

    At the end of the file ``read()`` returns ``None``, or starts over with ``loop``.
    """

    def __init__(self, path: str | Path, *, loop: bool = False,
                 max_line: int = DEFAULT_MAX_LINE) -> None:
        self.path = Path(path)
        self.loop = loop
        self.parser = NmeaParser(max_line=max_line)
        self._pending: deque[Fix] = deque()
        try:
            self._file = self.path.open("rb")
        except OSError as exc:
            raise GnssPortError(f"cannot open NMEA log {str(self.path)!r}: {exc}") from exc
        self._seen_any = False

    async def read(self) -> Fix | None:
        rewound = False
        while not self._pending:
            chunk = self._file.read(_CHUNK)
            if chunk:
                self._pending.extend(self.parser.feed(chunk))
                continue
            self._pending.extend(self.parser.feed(b"\n"))  # a last line without newline
            if self._pending or not self.loop or rewound or not self._seen_any:
                break
            self._file.seek(0)
            rewound = True
        if not self._pending:
            return None
        self._seen_any = True
        return self._pending.popleft()

    def close(self) -> None:
        self._file.close()

    async def __aenter__(self) -> NmeaFileGnss:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
