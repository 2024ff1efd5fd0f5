"""``StoreKeeper``: the terminal's blind-area store, off the event loop and never fatal.

Every store call runs in a worker thread (one at a time, in order), so an fsync on slow
flash never stalls the event loop. Appends made while a write is in progress are
written together in one transaction (group commit: one fsync per burst); each
``append`` still returns only once its item is durable (the no-loss guarantee).

A broken store never stops live reporting:

- a corrupt file (garbage, a bad page) is closed, moved aside to
  ``<path>.corrupt-<n>`` (kept for recovery, logged) and a new store begins at ``path``;
- a full or read-only disk (or any other failure to open or write) degrades to a
  ``MemoryBlindStore`` with a loud ``ERROR`` log: positions are kept while the process
  lives; the file (and what it holds) is left as it is for the next start.

The failed call is then retried on the new store. ``store`` is the store in use (tests
and status read it); ``degraded`` says whether it is the memory fallback.
"""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import anyio

from ._blind_store import BlindAreaStore, BlindStoreError, MemoryBlindStore, StoredItem

__all__ = ["StoreKeeper", "open_blind_store"]

log = logging.getLogger("jt808.terminal")
T = TypeVar("T")

_CORRUPT_WORDS = ("malformed", "not a database", "corrupt", "disk image")


def is_corrupt(error: BaseException) -> bool:
    """Whether a store error means the file itself is damaged (vs. disk full/read-only)."""
    cause = error.__cause__ or error
    if isinstance(cause, sqlite3.DatabaseError) and not isinstance(
            cause, sqlite3.OperationalError):
        return True
    text = str(error).lower()
    return any(word in text for word in _CORRUPT_WORDS)


def _move_aside(path: Path) -> Path:
    for n in range(1, 1000):
        target = path.with_name(f"{path.name}.corrupt-{n}")
        if not target.exists():
            break
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    return target


def open_blind_store(path: Path) -> BlindAreaStore | MemoryBlindStore:
    """The store at ``path``; a corrupt file is moved aside and a new one begun; a disk
    that cannot hold it gives a ``MemoryBlindStore`` (both logged)."""
    try:
        return _probe(BlindAreaStore(path))
    except BlindStoreError as exc:
        if is_corrupt(exc) and path.exists():
            return _begin_again(path, str(exc))
        return _in_memory(exc)


def _begin_again(path: Path, why: str) -> BlindAreaStore | MemoryBlindStore:
    """Move the corrupt file at ``path`` aside (kept for recovery) and start anew."""
    try:
        aside = _move_aside(path)
    except OSError as exc:
        return _in_memory(exc)
    log.error("blind-area store %s is corrupt (%s): moved aside to %s, starting a new one",
              path, why, aside)
    try:
        return _probe(BlindAreaStore(path))
    except BlindStoreError as exc:
        return _in_memory(exc)


def _in_memory(exc: BaseException) -> MemoryBlindStore:
    log.error("BLIND-AREA STORE UNUSABLE (%s): positions are kept IN MEMORY ONLY until "
              "restart", exc)
    return MemoryBlindStore()


def _probe(store: BlindAreaStore) -> BlindAreaStore:
    """Read the store once, so a damaged file shows at open, not mid-upload."""
    try:
        store.count()
        store.oldest(1)
    except BlindStoreError:
        store.close()
        raise
    return store


class StoreKeeper:
    """Async, fault-tolerant access to the blind-area store (see the module docstring)."""

    def __init__(self, store: BlindAreaStore | MemoryBlindStore) -> None:
        self.store = store
        self._queue: list[list[Any]] = []        # [kind, body, ts, id-or-None] per append
        # made on first use, in the event loop (the keeper may be built in a thread)
        self._limiter_: anyio.CapacityLimiter | None = None
        self._writing_: anyio.Lock | None = None

    @property
    def _limiter(self) -> anyio.CapacityLimiter:
        if self._limiter_ is None:
            self._limiter_ = anyio.CapacityLimiter(1)
        return self._limiter_

    @property
    def _writing(self) -> anyio.Lock:
        if self._writing_ is None:
            self._writing_ = anyio.Lock()
        return self._writing_

    @property
    def degraded(self) -> bool:
        return isinstance(self.store, MemoryBlindStore)

    async def _call(self, what: str, work: Callable[[Any], T]) -> T:
        """``work(store)`` in the worker thread. A store failure replaces the store (see
        the module docstring) and ``work`` runs again on the new one; a second failure
        gives the memory fallback, which cannot fail this way."""
        for attempt in range(2):
            store = self.store
            try:
                return await anyio.to_thread.run_sync(work, store, limiter=self._limiter)
            except BlindStoreError as exc:
                await anyio.to_thread.run_sync(self._replace, store, what, exc, attempt > 0,
                                               limiter=self._limiter)
        return await anyio.to_thread.run_sync(work, self.store, limiter=self._limiter)

    def _replace(self, broken: Any, what: str, exc: BlindStoreError,
                 to_memory: bool = False) -> None:
        if self.store is not broken:           # another call replaced it already
            return
        path = getattr(broken, "path", None)
        try:
            broken.close()
        except Exception:                      # noqa: BLE001 - it is broken already
            pass
        if path is not None and is_corrupt(exc) and not to_memory:
            self.store = _begin_again(path, f"{what}: {exc}")
        else:
            log.error("BLIND-AREA STORE FAILED (%s: %s): positions are kept IN MEMORY "
                      "ONLY until restart", what, exc)
            self.store = MemoryBlindStore()

    async def append(self, kind: str, body: bytes, ts: float) -> int:
        """Store one item; returns once it is durable (written with any others queued
        meanwhile, in one transaction)."""
        entry: list[Any] = [kind, body, ts, None]
        self._queue.append(entry)
        async with self._writing:
            if entry[3] is None:
                if not any(item is entry for item in self._queue):
                    raise BlindStoreError("append failed: its batch could not be written")
                batch, self._queue = self._queue, []
                ids = await self._call("append", lambda s: s.append_many(
                    [(k, b, t) for k, b, t, _ in batch]))
                for item, new_id in zip(batch, ids):
                    item[3] = new_id
        return entry[3]

    async def oldest(self, n: int, kind: str | None = None) -> list[StoredItem]:
        return await self._call("oldest", lambda s: s.oldest(n, kind))

    async def delete(self, ids: Iterable[int]) -> int:
        id_list = list(ids)
        if not id_list:
            return 0
        return await self._call("delete", lambda s: s.delete(id_list))

    async def count(self, kind: str | None = None) -> int:
        return await self._call("count", lambda s: s.count(kind))

    def close(self) -> None:
        self.store.close()
