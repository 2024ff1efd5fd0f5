"""The blind-area store: items kept while the link is down, sent once it is back.

A terminal that loses its link keeps its position reports and alarms, and uploads
them when the link returns (0x0704 type 1); an item is deleted only after the
platform acknowledges it. The store holds opaque bytes (an encoded 0x0200 body),
a kind (``"position"``, ``"alarm"``, ...) and a timestamp, in one sqlite3 file:
WAL journal, ``synchronous=FULL`` (an ``append`` that returned survives a process
kill or power loss), ids that only grow (``AUTOINCREMENT``: order is kept across
restarts), a row bound, one writer at a time (an exclusive ``flock`` on
``<path>.lock``). Every sqlite/OS failure is raised as ``BlindStoreError``.

The row bound never evicts a critical alarm (kind ``"alarm"``) to make room: positions
are thinned instead (among the oldest ``2 * excess`` positions every second one goes,
so the track keeps its shape over the whole time rather than losing its oldest
hours), then other kinds oldest first; ``thinned`` and ``dropped`` count what went.
``append_many`` writes a burst in one transaction (one fsync).

``MemoryBlindStore`` has the same methods and keeps the items in memory: the terminal
falls back to it when the disk is full or read-only.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, cast

from jt808.errors import JT808Error

__all__ = ["BlindAreaStore", "BlindStoreError", "StoredItem", "MemoryBlindStore"]

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
INSERT OR IGNORE INTO counters (name, value) VALUES ('thinned', 0);
"""

PROTECTED_KIND = "alarm"      # never evicted by the row bound
THINNED_KIND = "position"     # thinned (every second of the oldest) when over the bound


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

    def _run(self, what: str, work):
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
        return self.append_many([(kind, body, now)])[0]

    def append_many(self, items: Iterable[tuple[str, bytes, float]]) -> list[int]:
        """Store ``(kind, body, time)`` items in one transaction (one fsync: a burst costs
        one disk flush); durable when this returns. Returns their ids, in order."""
        rows = [(str(kind), float(now), bytes(body)) for kind, body, now in items]

        def work(db: sqlite3.Connection) -> list[int]:
            insert = "INSERT INTO items (kind, ts, body) VALUES (?, ?, ?)"
            ids = [int(cast(int, db.execute(insert, row).lastrowid)) for row in rows]
            excess = db.execute("SELECT COUNT(*) FROM items").fetchone()[0] - self.max_rows
            if excess > 0:
                _evict(db, excess)
            return ids
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
        """Items lost to the row bound or ``drop_older_than`` since the file was created
        (thinned positions included)."""
        return self._counter("dropped")

    @property
    def thinned(self) -> int:
        """Positions removed by thinning (a part of ``dropped``)."""
        return self._counter("thinned")

    def _counter(self, name: str) -> int:
        return self._run(name, lambda db: db.execute(
            "SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0])

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


def _evict(db: sqlite3.Connection, excess: int) -> None:
    """Make room for ``excess`` rows: thin positions, then other unprotected kinds.
    Alarms are never evicted."""
    positions = db.execute("SELECT COUNT(*) FROM items WHERE kind = ?",
                           (THINNED_KIND,)).fetchone()[0]
    oldest = [row[0] for row in db.execute(
        "SELECT id FROM items WHERE kind = ? ORDER BY ts, id LIMIT ?",
        (THINNED_KIND, _thinning_span(excess, positions)))]
    thin = _thin(oldest, excess)
    db.executemany("DELETE FROM items WHERE id = ?", [(i,) for i in thin])
    left = excess - len(thin)
    if left > 0:
        left = db.execute("DELETE FROM items WHERE id IN (SELECT id FROM items WHERE kind "
                          "NOT IN (?, ?) ORDER BY ts, id LIMIT ?)",
                          (PROTECTED_KIND, THINNED_KIND, left)).rowcount
    db.execute("UPDATE counters SET value = value + ? WHERE name = 'thinned'", (len(thin),))
    db.execute("UPDATE counters SET value = value + ? WHERE name = 'dropped'",
               (len(thin) + max(left, 0),))


def _thinning_span(excess: int, positions: int) -> int:
    """How many of the oldest positions one thinning looks at: the older half (at least
    ``2 * excess``), so a full store frees a quarter of its positions at once and older
    stretches get sparser each time, never cut off."""
    return max(2 * excess, positions // 2)


def _thin(oldest: list[int], excess: int) -> list[int]:
    """The ids to remove: every second one of ``oldest`` (the first stays), or simply
    the oldest ``excess`` when too few positions are left to thin."""
    if len(oldest) >= 2 * excess:
        return oldest[1::2]
    return oldest[:excess]


class MemoryBlindStore:
    """``BlindAreaStore``'s methods over a dict: nothing survives the process. The
    fallback when the disk cannot hold the store (full, read-only)."""

    path = None

    def __init__(self, *, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._items: dict[int, tuple[str, float, bytes]] = {}
        self._next_id = 1
        self.dropped = 0
        self.thinned = 0

    def append(self, kind: str, body: bytes, now: float) -> int:
        return self.append_many([(kind, body, now)])[0]

    def append_many(self, items: Iterable[tuple[str, bytes, float]]) -> list[int]:
        ids = []
        for kind, body, now in items:
            self._items[self._next_id] = (str(kind), float(now), bytes(body))
            ids.append(self._next_id)
            self._next_id += 1
        excess = len(self._items) - self.max_rows
        if excess > 0:
            self._evict(excess)
        return ids

    def _sorted(self, kind: str | None) -> list[int]:
        ids = [i for i, (k, _, _) in self._items.items() if kind is None or k == kind]
        return sorted(ids, key=lambda i: (self._items[i][1], i))

    def _evict(self, excess: int) -> None:
        positions = self._sorted(THINNED_KIND)
        thin = _thin(positions[:_thinning_span(excess, len(positions))], excess)
        others = [i for i in self._sorted(None)
                  if self._items[i][0] not in (PROTECTED_KIND, THINNED_KIND)]
        gone = thin + others[:excess - len(thin)]
        for i in gone:
            del self._items[i]
        self.thinned += len(thin)
        self.dropped += len(gone)

    def oldest(self, n: int, kind: str | None = None) -> list[StoredItem]:
        if n < 0:
            raise ValueError("n must be >= 0")
        return [StoredItem(i, self._items[i][0], self._items[i][2])
                for i in self._sorted(kind)[:n]]

    def delete(self, ids: Iterable[int]) -> int:
        return sum(self._items.pop(int(i), None) is not None for i in ids)

    def drop_older_than(self, cutoff: float) -> int:
        gone = [i for i, (_, ts, _) in self._items.items() if ts < cutoff]
        for i in gone:
            del self._items[i]
        self.dropped += len(gone)
        return len(gone)

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            return len(self._items)
        return sum(1 for k, _, _ in self._items.values() if k == kind)

    def close(self) -> None:
        self._items.clear()
