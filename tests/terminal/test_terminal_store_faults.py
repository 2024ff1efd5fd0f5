"""A broken blind-area store never stops live reporting (issue 18).

Real files on a real small tmpfs (mounted here when the tests run as root and ``mount``
works; otherwise the same faults are made with sqlite's ``max_page_count`` and a
read-only directory): a disk that fills up, a read-only filesystem, a garbage file, a
corrupt page. Live reports go on in every case; a corrupt store is moved aside (kept)
and a new one begun; a full or read-only disk degrades to memory with an ERROR log."""
from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import uuid
from pathlib import Path

import anyio
import pytest

from jt808.codec import TerminalRegister
from jt808.terminal import BlindAreaStore, MemoryBlindStore, Terminal

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url, report)

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")


class Disk:
    """A directory on a small tmpfs (``mounted``) or, failing that, on tmp_path."""

    def __init__(self, path: Path, mounted: bool) -> None:
        self.path = path
        self.mounted = mounted

    def read_only(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)
        else:
            self.path.chmod(0o555)
            for child in self.path.iterdir():
                child.chmod(0o444)


@pytest.fixture
def disk(tmp_path: Path):
    mount_point = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True).returncode == 0
    try:
        yield Disk(mount_point, mounted)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)
        else:
            mount_point.chmod(0o755)


@contextlib.asynccontextmanager
async def reporting(store_path: Path):
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        terminal = Terminal(url, phone="13800138000", register_info=REGISTER,
                            auth_code=AUTH_CODE, params=dict(FAST_PARAMS),
                            store_path=store_path)
        with anyio.fail_after(20):
            async with terminal:
                await terminal.connect()
                assert (await terminal.login()).result == 0
                yield platform, terminal
        await platform.aclose()
        tg.cancel_scope.cancel()


def loud(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_disk_full_degrades_to_memory_and_reports_go_on(disk, caplog):
    caplog.set_level(logging.ERROR, logger="jt808.terminal")
    store = disk.path / "blind.sqlite"
    async with reporting(store) as (platform, terminal):
        if not disk.mounted:                         # no tmpfs: cap the file instead
            pages = terminal.store._db.execute("PRAGMA page_count").fetchone()[0]
            terminal.store._db.execute(f"PRAGMA max_page_count = {pages + 2}")
        else:
            with contextlib.suppress(OSError):       # fill the tmpfs to the last byte
                with open(disk.path / "filler", "wb") as filler:
                    while True:
                        filler.write(b"\0" * 4096)
                        filler.flush()
        await terminal.disconnect()                  # coverage lost: the store holds them
        for n in range(40):
            assert await terminal.report_location(report(n)) is None
        assert isinstance(terminal.store, MemoryBlindStore)
        assert any("IN MEMORY" in m for m in loud(caplog))
        await terminal.connect()
        assert (await terminal.login()).result == 0  # the upload starts
        await platform.until(lambda: terminal.store.count("position") == 0)
        uploaded = [i for m in platform.of(0x0704) for i in m.items]
        assert {r.latitude for r in uploaded} >= {report(n).latitude for n in range(40)}


async def test_read_only_filesystem_at_start_degrades_to_memory(disk, caplog):
    caplog.set_level(logging.ERROR, logger="jt808.terminal")
    store = disk.path / "blind.sqlite"
    disk.read_only()
    async with reporting(store) as (platform, terminal):
        assert isinstance(terminal.store, MemoryBlindStore)
        assert any("IN MEMORY" in m for m in loud(caplog))
        assert (await terminal.report_location(report(1))).result == 0


async def test_garbage_file_is_moved_aside_and_a_new_store_begins(disk, caplog):
    caplog.set_level(logging.ERROR, logger="jt808.terminal")
    store = disk.path / "blind.sqlite"
    store.write_bytes(b"this is not an sqlite file at all " * 100)
    async with reporting(store) as (platform, terminal):
        assert isinstance(terminal.store, BlindAreaStore)
        assert (await terminal.report_location(report(1))).result == 0
    aside = disk.path / "blind.sqlite.corrupt-1"
    assert aside.read_bytes().startswith(b"this is not an sqlite file")
    assert any("moved aside" in m for m in loud(caplog))


async def test_a_corrupt_page_found_while_running_is_moved_aside(disk, caplog):
    caplog.set_level(logging.ERROR, logger="jt808.terminal")
    store = disk.path / "blind.sqlite"
    with BlindAreaStore(store) as filled:            # a store with a backlog on disk
        filled.append_many(("position", bytes(100), float(n)) for n in range(200))
    data = bytearray(store.read_bytes())
    data[4096 * 2:4096 * 3] = b"\xa5" * 4096         # page 3: an index/table page
    store.write_bytes(bytes(data))
    async with reporting(store) as (platform, terminal):
        assert (await terminal.report_location(report(1))).result == 0
        assert (await terminal.report_location(report(2))).result == 0
        assert terminal.store.count("position") == 0
    assert (disk.path / "blind.sqlite.corrupt-1").exists()
