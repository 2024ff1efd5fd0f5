"""The blind-area store: items kept while the link is down, sent once it is back.

A terminal that loses its link keeps its position reports and alarms, and uploads
them when the link returns (0x0704 type 1); an item is deleted only after the
platform acknowledges it. The store holds opaque bytes (an encoded 0x0200 body),
a kind (``"position"``, ``"alarm"``, ...) and a timestamp, in one sqlite3 file:
WAL journal, ``synchronous=FULL`` (an ``append`` that returned survives a process
kill or power loss), ids that only grow (``AUTOINCREMENT``: order is kept across
restarts), a row bound (oldest rows dropped and counted), one writer at a time
(an exclusive ``flock`` on ``<path>.lock``). Every sqlite/OS failure is raised as
``BlindStoreError``.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from jt808.errors import JT808Error

__all__ = ["BlindAreaStore", "BlindStoreError", "StoredItem"]

DEFAULT_MAX_ROWS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT    NOT NULL,
    ts   REAL    NOT NULL,
    body BLOB    NOT NULL
);
CREATE INDEX IF NOT EXISTS items_kind ON items (kind, id);
CREATE INDEX IF NOT EXISTS items_ts ON items (ts, id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters (name, value) VALUES ('dropped', 0);
"""


class BlindStoreError(JT808Error):
    """The blind-area store failed (disk full, corrupt file, locked, closed...).

    ``__cause__`` keeps the ``sqlite3`` or ``OSError`` exception.
    """


class StoredItem(NamedTuple):
    id: int
    kind: str
    body: bytes


class BlindAreaStore:
    """A bounded, crash-safe FIFO of opaque items in the sqlite file ``path``.

    ``max_rows``: beyond it the oldest rows are dropped and ``dropped`` grows.
    Opening a store that another ``BlindAreaStore`` (any process) holds open
    raises ``BlindStoreError``.
    """

    def __init__(self, path: str | os.PathLike[str], *, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        if max_rows < 1:
            raise ValueError("max_rows must be >= 1")
        self.path = Path(path)
        self.max_rows = max_rows
        self._mutex = threading.Lock()
        self._lock_fd = self._take_writer_lock()
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL").fetchone()
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self._release()
            raise BlindStoreError(f"cannot open blind-area store {str(self.path)!r}: {exc}") from exc

    def _take_writer_lock(self) -> int:
        lock_path = f"{self.path}.lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise BlindStoreError(f"cannot create lock file {lock_path!r}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise BlindStoreError(
                f"blind-area store {str(self.path)!r} is already open elsewhere") from exc
        return fd

    def _release(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)     # closing the descriptor drops the flock
            self._lock_fd = -1

    def _run(self, what: str, work):  # type: ignore[no-untyped-def]
        """Run ``work(db)`` in one transaction; sqlite errors become BlindStoreError."""
        with self._mutex:
            if self._lock_fd < 0:
                raise BlindStoreError(f"{what}: the blind-area store is closed")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    result = work(self._db)
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                raise BlindStoreError(f"{what} failed on {str(self.path)!r}: {exc}") from exc

    def append(self, kind: str, body: bytes, now: float) -> int:
        """Store one item (durable when this returns); return its id."""
        def work(db: sqlite3.Connection) -> int:
            new_id = db.execute("INSERT INTO items (kind, ts, body) VALUES (?, ?, ?)",
                                (kind, float(now), bytes(body))).lastrowid
            excess = db.execute("SELECT COUNT(*) FROM items").fetchone()[0] - self.max_rows
            if excess > 0:
                db.execute("DELETE FROM items WHERE id IN "
                           "(SELECT id FROM items ORDER BY ts, id LIMIT ?)", (excess,))
                db.execute("UPDATE counters SET value = value + ? WHERE name = 'dropped'",
                           (excess,))
            return int(new_id)
        return self._run("append", work)

    def oldest(self, n: int, kind: str | None = None) -> list[StoredItem]:
        """Up to ``n`` items, oldest first by their ``ts`` (then by id), optionally of one
        ``kind``."""
        if n < 0:
            raise ValueError("n must be >= 0")
        def work(db: sqlite3.Connection) -> list[StoredItem]:
            if kind is None:
                rows = db.execute("SELECT id, kind, body FROM items ORDER BY ts, id LIMIT ?",
                                  (n,))
            else:
                rows = db.execute("SELECT id, kind, body FROM items WHERE kind = ? "
                                  "ORDER BY ts, id LIMIT ?", (kind, n))
            return [StoredItem(i, k, bytes(b)) for i, k, b in rows]
        return self._run("oldest", work)

    def delete(self, ids: Iterable[int]) -> int:
        """Remove acknowledged items; unknown ids are ignored. Returns how many went."""
        id_list = [(int(i),) for i in ids]

        def work(db: sqlite3.Connection) -> int:
            before = db.total_changes
            db.executemany("DELETE FROM items WHERE id = ?", id_list)
            return db.total_changes - before
        return self._run("delete", work)

    def drop_older_than(self, cutoff: float) -> int:
        """Drop items whose timestamp is before ``cutoff`` (counted in ``dropped``)."""
        def work(db: sqlite3.Connection) -> int:
            gone = db.execute("DELETE FROM items WHERE ts < ?", (cutoff,)).rowcount
            db.execute("UPDATE counters SET value = value + ? WHERE name = 'dropped'", (gone,))
            return gone
        return self._run("drop_older_than", work)

    def count(self, kind: str | None = None) -> int:
        def work(db: sqlite3.Connection) -> int:
            if kind is None:
                return db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
            return db.execute("SELECT COUNT(*) FROM items WHERE kind = ?", (kind,)).fetchone()[0]
        return self._run("count", work)

    @property
    def dropped(self) -> int:
        """Items lost to the row bound or ``drop_older_than`` since the file was created."""
        return self._run("dropped", lambda db: db.execute(
            "SELECT value FROM counters WHERE name = 'dropped'").fetchone()[0])

    def close(self) -> None:
        with self._mutex:
            if self._lock_fd < 0:
                return
            try:
                self._db.close()
            finally:
                self._release()

    def __enter__(self) -> BlindAreaStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
