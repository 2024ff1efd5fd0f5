"""Recent positions, kept for the driving recorder's 0x08 / 0x09 records (GB/T 19056).

Every positioned report with a time (``status`` bit 1, GMT+8 ``time``) is written into
two tables of blocks, already in the records' wire layout:

- per minute (0x08): 60 x (speed BYTE km/h, status signal BYTE), the second of the
  report picks the slot; the status signal is 0 (the terminal has no recorder signal
  inputs: brake, turn lights...);
- per hour (0x09): 60 x (longitude, latitude, altitude, average speed), the first
  position of each minute and the average speed of that minute's recorded seconds.

Slots with no report stay ``FF`` (GB/T 19056: no record). Bounds: the newest 2880
minute blocks (48 h of driving) and 360 hour blocks (360 h), as GB/T 19056-2012 asks a
recorder to keep; an older block is dropped when a newer one begins. About 1.3 MB of
memory at most (``benchmarks/bench_recorder.py``).

The blocks live in memory, on the event loop; ``flush()`` writes the changed ones to
``<store>.history.sqlite`` in a worker thread (one write at a time), and the terminal
calls it when a minute ends, so a crash or a stop loses at most the current minute.
The file is read back (off the loop) before the first query or write and merged
slot by slot with what was recorded since the start. A file that cannot be read or
written is logged and the history goes on in memory only; it never stops reporting.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import os
import sqlite3
import struct
from pathlib import Path
from typing import Any

import anyio

from ..codec import PositionHour, SpeedMinute

__all__ = ["PositionHistory", "MINUTES_KEPT", "HOURS_KEPT"]

log = logging.getLogger("jt808.terminal")

MINUTES_KEPT = 48 * 60
HOURS_KEPT = 360
_POSITIONED = 1 << 1
_SPEED_SIZE, _POSITION_SIZE = 2, 11
_EPOCH = dt.datetime(2000, 1, 1)
# a minute of an hour block: longitude i32, latitude i32 (0.0001'), altitude i16 (m), speed
_MINUTE = struct.Struct(">iihB")
_TABLES = {"speed": _SPEED_SIZE, "position": _POSITION_SIZE}


def _key(when: dt.datetime) -> int:
    return int((when - _EPOCH).total_seconds())


def _bcd(when: dt.datetime) -> bytes:
    return bytes.fromhex(when.strftime("%y%m%d%H%M%S"))


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(math.floor(value + 0.5), high))          # half up


def _average_speed(block: bytearray) -> int:
    speeds = [block[i] for i in range(0, len(block), 2) if block[i:i + 2] != b"\xff\xff"]
    return (2 * sum(speeds) + len(speeds)) // (2 * len(speeds)) if speeds else 0  # half up


def _merge(mine: bytearray, saved: bytes, slot: int) -> None:
    """Fill the empty slots of ``mine`` from ``saved`` (the file's copy)."""
    empty = b"\xff" * slot
    for i in range(0, min(len(mine), len(saved)), slot):
        if mine[i:i + slot] == empty:
            mine[i:i + slot] = saved[i:i + slot]


class PositionHistory:
    """Per-minute speed and per-hour position blocks of the recent reports."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self.blocks: dict[str, dict[dt.datetime, bytearray]] = {"speed": {}, "position": {}}
        self._dirty: dict[str, set[dt.datetime]] = {"speed": set(), "position": set()}
        self._newest_minute: dt.datetime | None = None
        self._loaded = self.path is None
        self._limiter: anyio.CapacityLimiter | None = None

    # -- recording (on the loop) -----------------------------------------------------
    def add(self, report: Any) -> bool:
        """Record ``report`` (a ``LocationReport``); ``True`` when it begins a newer
        minute (time to ``flush()``). Unpositioned or timeless reports are ignored."""
        when = report.time
        if (not isinstance(when, dt.datetime) or not report.status & _POSITIONED
                or not 2000 <= when.year <= 2099):
            return False
        # the wall-clock fields, as the 0x0200 sends them (an aware time keeps its own)
        minute = when.replace(second=0, microsecond=0, tzinfo=None)
        seconds = self._block("speed", minute, MINUTES_KEPT, 60 * _SPEED_SIZE)
        seconds[2 * when.second:2 * when.second + 2] = bytes((_clamp(report.speed, 0, 255), 0))
        hour = self._block("position", minute.replace(minute=0), HOURS_KEPT,
                           60 * _POSITION_SIZE)
        at = minute.minute * _POSITION_SIZE
        if hour[at:at + _POSITION_SIZE] == b"\xff" * _POSITION_SIZE:
            hour[at:at + _POSITION_SIZE] = _MINUTE.pack(
                _clamp(report.longitude * 600_000, -2**31, 2**31 - 1),
                _clamp(report.latitude * 600_000, -2**31, 2**31 - 1),
                _clamp(report.altitude, -2**15, 2**15 - 1), 0)
        self._refresh_average(minute)
        newer = self._newest_minute is not None and minute > self._newest_minute
        if self._newest_minute is None or newer:
            self._newest_minute = minute
        return newer

    def _refresh_average(self, minute: dt.datetime) -> None:
        """The average speed of ``minute`` in its hour block (when both are kept and the
        minute has a position)."""
        seconds = self.blocks["speed"].get(minute)
        hour = self.blocks["position"].get(minute.replace(minute=0))
        at = minute.minute * _POSITION_SIZE
        empty = b"\xff" * _POSITION_SIZE
        if seconds is None or hour is None or hour[at:at + _POSITION_SIZE] == empty:
            return
        hour[at + _POSITION_SIZE - 1] = _average_speed(seconds)
        self._dirty["position"].add(minute.replace(minute=0))

    def _block(self, table: str, start: dt.datetime, kept: int, size: int) -> bytearray:
        blocks = self.blocks[table]
        block = blocks.get(start)
        if block is None:
            block = blocks[start] = bytearray(b"\xff" * size)
            while len(blocks) > kept:
                del blocks[min(blocks)]
        self._dirty[table].add(start)
        return block

    # -- answering ---------------------------------------------------------------------
    async def speed_minutes(self, start: dt.datetime | None, end: dt.datetime | None,
                            limit: int) -> list[SpeedMinute]:
        """The minute blocks overlapping ``start``..``end`` (``None``: open), newest
        first, at most ``limit``."""
        await self._ensure_loaded()
        return [SpeedMinute.decode(_bcd(key) + bytes(block)) for key, block
                in self._newest("speed", start, end, dt.timedelta(minutes=1), limit)]

    async def position_hours(self, start: dt.datetime | None, end: dt.datetime | None,
                             limit: int) -> list[PositionHour]:
        """The hour blocks overlapping ``start``..``end``, newest first, at most
        ``limit``."""
        await self._ensure_loaded()
        return [PositionHour.decode(_bcd(key) + bytes(block)) for key, block
                in self._newest("position", start, end, dt.timedelta(hours=1), limit)]

    async def record_data(self, word: int, start: dt.datetime | None,
                          end: dt.datetime | None, limit: int) -> bytes:
        """The 0x08 (``word`` 8) or 0x09 answer's data as sent: the blocks of
        ``speed_minutes`` / ``position_hours`` joined, without building them."""
        await self._ensure_loaded()
        table, span = (("speed", dt.timedelta(minutes=1)) if word == 0x08
                       else ("position", dt.timedelta(hours=1)))
        return b"".join(_bcd(key) + block
                        for key, block in self._newest(table, start, end, span, limit))

    def _newest(self, table: str, start: dt.datetime | None, end: dt.datetime | None,
                span: dt.timedelta, limit: int) -> list[tuple[dt.datetime, bytearray]]:
        blocks = self.blocks[table]
        keys = sorted((key for key in blocks
                       if (start is None or key + span > start) and (end is None or key <= end)),
                      reverse=True)
        return [(key, blocks[key]) for key in keys[:max(0, limit)]]

    # -- the file (worker thread) -----------------------------------------------------
    def _require_limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)
        return self._limiter

    async def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        saved = await anyio.to_thread.run_sync(self._read, limiter=self._require_limiter())
        if self._loaded:                       # another task merged it meanwhile
            return
        self._loaded = True
        for table, rows in saved.items():
            blocks, kept = self.blocks[table], MINUTES_KEPT if table == "speed" else HOURS_KEPT
            for key, data in rows:
                start = _EPOCH + dt.timedelta(seconds=key)
                mine = blocks.get(start)
                if mine is None:
                    blocks[start] = bytearray(data)
                else:
                    _merge(mine, data, _TABLES[table])
                    self._dirty[table].add(start)
            while len(blocks) > kept:
                del blocks[min(blocks)]
        for minute in list(self._dirty["speed"]):          # merged seconds: new averages
            self._refresh_average(minute)

    async def flush(self) -> None:
        """Write the blocks changed since the last flush (never raises)."""
        await self._ensure_loaded()
        if self.path is None:
            return
        rows = {table: [(_key(start), bytes(self.blocks[table][start]))
                        for start in dirty if start in self.blocks[table]]
                for table, dirty in self._dirty.items()}
        oldest = {table: _key(min(blocks)) if blocks else 0
                  for table, blocks in self.blocks.items()}
        for dirty in self._dirty.values():
            dirty.clear()
        await anyio.to_thread.run_sync(self._write, rows, oldest,
                                       limiter=self._require_limiter())

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        db.execute("PRAGMA synchronous=NORMAL")
        for table in _TABLES:
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} "
                       "(start INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        return db

    def _read(self) -> dict[str, list[tuple[int, bytes]]]:
        path = self.path
        if path is None or not path.exists():
            return {}
        try:
            db = self._connect(path)
            try:
                return {table: [(int(k), bytes(d)) for k, d in db.execute(
                    f"SELECT start, data FROM {table}") if len(d) == 60 * size]
                    for table, size in _TABLES.items()}
            finally:
                db.close()
        except sqlite3.Error as exc:
            self._give_up(f"is unreadable ({exc}): moved aside, starting empty", aside=True)
            return {}

    def _write(self, rows: dict[str, list[tuple[int, bytes]]], oldest: dict[str, int]) -> None:
        path = self.path
        if path is None:
            return
        try:
            db = self._connect(path)
            try:
                with db:
                    for table, items in rows.items():
                        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", items)
                        db.execute(f"DELETE FROM {table} WHERE start < ?", (oldest[table],))
            finally:
                db.close()
        except sqlite3.Error as exc:
            self._give_up(f"cannot be written ({exc}): the history is kept in memory only")

    def _give_up(self, why: str, *, aside: bool = False) -> None:
        path, self.path = self.path, None
        log.error("position history %s %s", path, why)
        if aside and path is not None:
            try:
                os.replace(path, path.with_name(path.name + ".corrupt"))
            except OSError:
                pass
