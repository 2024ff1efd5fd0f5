"""A small JSON document kept next to the blind-area store (``<store>.<name>.json``):
written atomically on each change; a file that cannot be read is moved aside
(``.corrupt``, kept for recovery, logged) and an empty document begins; with no path
(or a disk that refuses the write) the document lives in memory, with a warning.

Issue 14: a write is a flash write (and an fsync) that must not stall the event loop.
``SnapshotWriter`` takes a snapshot (the text) where the change happened, on the loop,
and writes it in a worker thread: ``await flush_off_loop()`` (the caller waits for the
write) or ``flush_soon()`` (a short-lived writer thread, for synchronous code on the
loop). Snapshots carry a generation: a write never replaces a newer snapshot with an
older one, whatever order the threads run in, and a burst of changes costs one write of
the newest. Each write is atomic (``atomic_write``): a SIGKILL leaves the old file or
the new one, never a torn one.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable

import anyio

__all__ = ["SmallStore", "SnapshotWriter", "atomic_write", "path_next_to"]

log = logging.getLogger("jt808.terminal")


def path_next_to(store_path: str | os.PathLike[str] | None, name: str) -> Path | None:
    """``<store_path>.<name>.json`` (``None`` without a store path)."""
    if store_path is None:
        return None
    store = Path(store_path)
    return store.with_name(f"{store.name}.{name}.json")


def atomic_write(path: Path, text: str) -> None:
    """``text`` to ``path``: a temporary file, fsync, rename over ``path``, fsync of the
    directory (so that the rename itself survives a power cut)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(tmp, path)
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:                  # some systems cannot open a directory: rename done
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


class SnapshotWriter:
    """The newest snapshot of one file, written in order from any thread."""

    def __init__(self, path: Path, write: Callable[[str], None]) -> None:
        self.path = path
        self._write = write
        self._state = threading.Lock()       # guards the generations and the pending text
        self._writing = threading.Lock()     # one write of this file at a time
        self._offered = 0
        self._written = 0
        self._pending: str | None = None
        self._thread: threading.Thread | None = None
        self._limiter: anyio.CapacityLimiter | None = None

    def offer(self, text: str) -> None:
        """A new snapshot (call it where the data changed, so that it is consistent)."""
        with self._state:
            self._offered += 1
            self._pending = text

    def flush(self, on_error: Callable[[OSError], None] | None = None) -> None:
        """Write the newest snapshot unless it (or a newer one) is written already, in
        the calling thread; an ``OSError`` goes to ``on_error`` (raised without one)."""
        with self._writing:
            with self._state:
                generation, text = self._offered, self._pending
            if generation <= self._written or text is None:
                return
            try:
                self._write(text)
            except OSError as exc:
                if on_error is None:
                    raise
                on_error(exc)
                return
            with self._state:
                self._written = generation

    async def flush_off_loop(self, limiter: anyio.CapacityLimiter | None = None,
                             on_error: Callable[[OSError], None] | None = None) -> None:
        """``flush`` in a worker thread, through ``limiter`` (default: this file's own
        limiter of one)."""
        if limiter is None:
            if self._limiter is None:
                self._limiter = anyio.CapacityLimiter(1)
            limiter = self._limiter
        await anyio.to_thread.run_sync(self.flush, on_error, limiter=limiter)

    def flush_soon(self, on_error: Callable[[OSError], None]) -> None:
        """``flush`` in a writer thread the caller does not wait for (at most one per
        file; it ends when nothing newer is pending; not a daemon, so that a normal
        exit of the interpreter waits for the last write)."""
        with self._state:
            if self._thread is not None:
                return                                # that thread writes the newest
            self._thread = threading.Thread(target=self._flush_until_done, args=(on_error,),
                                            name=f"jt808 save {self.path.name}")
            self._thread.start()

    def _flush_until_done(self, on_error: Callable[[OSError], None]) -> None:
        while True:
            failed: list[OSError] = []
            self.flush(failed.append)
            for exc in failed:
                on_error(exc)
            with self._state:
                if failed or self._written >= self._offered:
                    self._thread = None
                    return

    @property
    def pending(self) -> bool:
        """Whether a snapshot is not written yet."""
        with self._state:
            return self._offered > self._written


class SmallStore:
    """``data`` (a JSON-able dict) loaded from ``path``; saved by ``await
    save_off_loop()`` on the event loop, ``save_soon()`` from synchronous code on the
    loop, ``save()`` outside it."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        self._writer = None if path is None else SnapshotWriter(
            path, lambda text: self._write(text))
        if path is not None and path.exists():
            try:
                loaded = json.loads(path.read_text("utf-8"))
                if not isinstance(loaded, dict):
                    raise ValueError("not a JSON object")
                self.data = loaded
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                log.error("%s is unreadable (%s): moved aside, starting empty", path, exc)
                try:
                    os.replace(path, path.with_name(path.name + ".corrupt"))
                except OSError:
                    pass

    def _snapshot(self) -> SnapshotWriter | None:
        """Offer ``data`` as it is now to the writer (``None``: nothing to write to)."""
        if self._writer is not None:
            self._writer.offer(json.dumps(self.data, ensure_ascii=False))
        return self._writer

    def _write(self, text: str) -> None:
        assert self.path is not None
        atomic_write(self.path, text)

    def _warn(self, exc: OSError) -> None:
        log.warning("cannot save %s (%s): kept in memory only", self.path, exc)

    def save(self) -> None:
        """Write ``data`` now, in this thread (not for the event loop)."""
        writer = self._snapshot()
        if writer is not None:
            writer.flush(self._warn)

    async def save_off_loop(self, limiter: anyio.CapacityLimiter | None = None) -> None:
        """Snapshot ``data`` now (on the loop) and write it in a worker thread; returns
        once it (or a newer snapshot) is on disk, or the disk refused it (a warning)."""
        writer = self._snapshot()
        if writer is not None:
            await writer.flush_off_loop(limiter, self._warn)

    async def flushed(self, limiter: anyio.CapacityLimiter | None = None) -> None:
        """Returns once every snapshot taken so far (``save_soon``) is on disk or was
        refused; the waiting is done in a worker thread."""
        if self._writer is not None and self._writer.pending:
            await self._writer.flush_off_loop(limiter, self._warn)

    def save_soon(self) -> None:
        """Snapshot ``data`` now and write it in a writer thread without waiting (for
        synchronous code running on the event loop)."""
        writer = self._snapshot()
        if writer is not None:
            writer.flush_soon(self._warn)
