"""Recordings on disk: one ``.h264`` segment per file, indexed in sqlite by channel,
time and alarm flags, the way JT/T 1078 queries them (0x9205 → 0x1205, playback, FTP).

Query rules (JT/T 1078-2016 table 23): channel 0 means every channel; start and end
``None`` mean no time condition (a recording matches when it overlaps the range); alarm
mask 0 means no alarm condition (else any common bit matches); av type 0 audio+video,
1 audio, 2 video, 3 video or audio+video; stream type 0 any, 1 main, 2 sub; storage
type 0 any, 1 main, 2 disaster backup. The standard reads av type 0 as "audio and
video"; platforms send it to mean "all", so 0 matches every recording here.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator

from hal.video._errors import VideoError
from hal.video._file import read_h264_units
from hal.video._units import AccessUnit

__all__ = ["Recording", "RecordingStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS recordings (
    id INTEGER PRIMARY KEY, channel INTEGER NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL,
    alarm INTEGER NOT NULL, av_type INTEGER NOT NULL, stream_type INTEGER NOT NULL,
    storage_type INTEGER NOT NULL, fps INTEGER NOT NULL, path TEXT NOT NULL,
    size INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS recordings_channel_time ON recordings (channel, start);
"""
_COLUMNS = "id, channel, start, \"end\", alarm, av_type, stream_type, storage_type, fps, path, size"
_AV_TYPES = {0: (0, 1, 2), 1: (1,), 2: (2,), 3: (0, 2)}


@dataclass(frozen=True, slots=True)
class Recording:
    id: int
    channel: int
    start: datetime
    end: datetime
    alarm: int             # 64 bits: 808 alarm bits 0-31, video alarm bits 32-63
    av_type: int           # 0 audio+video, 1 audio, 2 video
    stream_type: int       # 1 main, 2 sub
    storage_type: int      # 1 main, 2 disaster backup
    fps: int
    path: Path
    size: int


class RecordingStore:
    """Segments under ``root`` and their index in ``root/recordings.sqlite3``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.root / "recordings.sqlite3",
                                       check_same_thread=False)
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise VideoError(f"recording index under {self.root}: {exc}") from exc

    def close(self) -> None:
        self._db.close()

    def record(self, channel: int, units: Iterable[AccessUnit], start: datetime, *,
               fps: int = 15, alarm: int = 0, av_type: int = 2, stream_type: int = 1,
               storage_type: int = 1) -> Recording:
        """Write ``units`` as one segment that begins at ``start``; index it."""
        path = self.root / f"ch{channel}" / f"{start:%Y%m%d-%H%M%S}-{os.urandom(3).hex()}.h264"
        path.parent.mkdir(parents=True, exist_ok=True)
        last = 0
        with open(path, "wb") as handle:
            for unit in units:
                handle.write(unit.data)
                last = unit.timestamp
        end = start + timedelta(milliseconds=last + 1000 // fps)
        return self._index(channel, start, end, alarm, av_type, stream_type, storage_type,
                           fps, path)

    def _index(self, channel, start, end, alarm, av_type, stream_type, storage_type, fps,
               path: Path) -> Recording:
        size = path.stat().st_size
        with self._db:
            cur = self._db.execute(
                f"INSERT INTO recordings ({_COLUMNS.split(', ', 1)[1]}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (channel, start.isoformat(), end.isoformat(), alarm, av_type, stream_type,
                 storage_type, fps, str(path), size))
        return Recording(cur.lastrowid or 0, channel, start, end, alarm, av_type, stream_type,
                         storage_type, fps, path, size)

    def query(self, channel: int = 0, start: datetime | None = None,
              end: datetime | None = None, *, alarm_mask: int = 0, av_type: int = 0,
              stream_type: int = 0, storage_type: int = 0) -> list[Recording]:
        types = _AV_TYPES.get(av_type, (av_type,))
        conditions = [("channel = ?", channel, channel),
                      ('"end" > ?', start is not None, start and start.isoformat()),
                      ("start < ?", end is not None, end and end.isoformat()),
                      ("stream_type = ?", stream_type, stream_type),
                      ("storage_type = ?", storage_type, storage_type)]
        where = [f"av_type IN ({', '.join('?' * len(types))})"]
        args: list = list(types)
        for sql, wanted, value in conditions:
            if wanted:
                where.append(sql)
                args.append(value)
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM recordings WHERE "
                                f"{' AND '.join(where)} ORDER BY start, id", args).fetchall()
        found = [_recording(row) for row in rows]
        return [r for r in found if not alarm_mask or r.alarm & alarm_mask]

    def units(self, recording: Recording) -> Iterator[AccessUnit]:
        """The recording's access units, stamped from its start."""
        return read_h264_units(recording.path, recording.fps)


def _recording(row) -> Recording:
    rid, channel, start, end, alarm, av_type, stream_type, storage_type, fps, path, size = row
    return Recording(rid, channel, datetime.fromisoformat(start), datetime.fromisoformat(end),
                     alarm, av_type, stream_type, storage_type, fps, Path(path), size)
