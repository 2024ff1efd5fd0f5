"""An index of the media a terminal made (photos, audio, video) in one sqlite file:
id, type (0 image, 1 audio, 2 video), format (0 JPEG, 1 TIF, 2 MP3, 3 WAV, 4 WMV),
channel, event code, time (seconds since the epoch), an opaque location (the caller's
JSON) and the data itself. Bounded: past ``max_items`` or ``max_bytes`` the oldest
items go. Used by the terminal for 0x8802 search, 0x8803 and 0x8805 upload.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import attrs

__all__ = ["MediaIndex", "MediaItem"]

_SCHEMA = """CREATE TABLE IF NOT EXISTS media (
    id INTEGER PRIMARY KEY, media_type INTEGER, media_format INTEGER, channel INTEGER,
    event INTEGER, time REAL, location TEXT, data BLOB)"""


@attrs.frozen
class MediaItem:
    media_id: int
    media_type: int
    media_format: int
    channel: int
    event: int
    time: float
    location: str
    data: bytes = attrs.field(repr=False, default=b"")


class MediaIndex:
    """``add``, ``search``, ``get``, ``delete``; ``path`` None keeps it in memory."""

    def __init__(self, path: str | os.PathLike[str] | None, *, max_items: int = 1000,
                 max_bytes: int = 256 * 1024 * 1024) -> None:
        self.path = Path(path) if path is not None else None
        self.max_items, self.max_bytes = max_items, max_bytes
        self._db = sqlite3.connect(":memory:" if path is None else str(path),
                                   check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute(_SCHEMA)

    def add(self, item: MediaItem) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO media VALUES (?,?,?,?,?,?,?,?)",
                             attrs.astuple(item))
            self._evict()

    def _evict(self) -> None:
        count, size = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM media").fetchone()
        while count > self.max_items or (size > self.max_bytes and count > 1):
            row = self._db.execute(
                "SELECT id, LENGTH(data) FROM media ORDER BY time, id LIMIT 1").fetchone()
            self._db.execute("DELETE FROM media WHERE id = ?", (row[0],))
            count, size = count - 1, size - (row[1] or 0)

    def search(self, media_type: int | None = None, channel: int = 0, event: int | None = None,
               start: float | None = None, end: float | None = None, *,
               with_data: bool = False) -> list[MediaItem]:
        """Items that match (``channel`` 0: every channel; ``None``: no filter), oldest first."""
        clauses: list[str] = []
        args: list[float] = []        # ints and times (seconds)
        for column, value in (("media_type", media_type), ("event", event)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if channel:
            clauses.append("channel = ?")
            args.append(channel)
        if start is not None:
            clauses.append("time >= ?")
            args.append(start)
        if end is not None:
            clauses.append("time <= ?")
            args.append(end)
        where = " AND ".join(clauses) or "1"
        data = "data" if with_data else "X''"
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, media_type, media_format, channel, event, time, location, {data}"
                f" FROM media WHERE {where} ORDER BY time, id", args).fetchall()
        return [MediaItem(*row) for row in rows]

    def get(self, media_id: int) -> MediaItem | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM media WHERE id = ?", (media_id,)).fetchone()
        return None if row is None else MediaItem(*row)

    def delete(self, media_ids) -> None:
        with self._lock, self._db:
            self._db.executemany("DELETE FROM media WHERE id = ?", [(i,) for i in media_ids])

    def close(self) -> None:
        self._db.close()
