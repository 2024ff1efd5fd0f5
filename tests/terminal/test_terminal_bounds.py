"""What a platform cannot decide for the terminal (issues 14, 18): how many commands it
answers at once (each 0x8801 holds its picture), and blocking work on the event loop
(the blind-area store, the auth file, RSA key generation run in worker threads)."""
from __future__ import annotations

import contextlib
import datetime as dt
import threading

import anyio
import pytest

from hal.gnss import Fix
from jt808.codec import CameraShootCommand, TerminalRegister
from jt808.terminal import Terminal
from jt808.terminal import _blind_store, _encryption
from jt808.terminal._dispatch import MAX_ANSWERS_PER_ID

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url, report)

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")


class OneFix:
    async def read(self) -> Fix:
        return Fix(31.0, 121.0, 10.0, 36.0, 90.0,
                   dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), 8, True)


class SlowCamera:
    """Each capture holds a 'picture' until ``release`` is set."""

    def __init__(self) -> None:
        self.capturing = 0
        self.most = 0
        self.release = anyio.Event()

    async def capture(self, channel, resolution=None) -> bytes:
        self.capturing += 1
        self.most = max(self.most, self.capturing)
        try:
            await self.release.wait()
            return b"\xff\xd8" + bytes(100) + b"\xff\xd9"
        finally:
            self.capturing -= 1


@contextlib.asynccontextmanager
async def logged_in(tmp_path, **options):
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        terminal = Terminal(url, phone="13800138000", register_info=REGISTER,
                            store_path=tmp_path / "blind.sqlite",
                            params=dict(FAST_PARAMS), **options)
        with anyio.fail_after(20):
            async with terminal:
                await terminal.connect()
                assert (await terminal.login()).result == 0
                yield platform, terminal
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_a_flood_of_photo_commands_is_bounded(tmp_path):
    """Issue 18: 40 0x8801 at once: at most MAX_ANSWERS_PER_ID pictures are taken at a
    time; every other command is answered 0x0001 result 1 at once (not queued)."""
    camera = SlowCamera()
    async with logged_in(tmp_path, camera=camera, gnss=OneFix()) as (platform, terminal):
        link = await platform.wait_link()
        for _ in range(40):
            link.driver.send(CameraShootCommand(1, 1), expect_reply=False)
        refused = lambda: [m for m in platform.of(0x0001)  # noqa: E731
                           if m.reply_id == 0x8801 and m.result == 1]
        await platform.until(lambda: len(refused()) == 40 - MAX_ANSWERS_PER_ID)
        assert camera.capturing == camera.most == MAX_ANSWERS_PER_ID
        assert terminal.commands_refused == 40 - MAX_ANSWERS_PER_ID
        camera.release.set()
        await platform.until(lambda: len(platform.of(0x0801)) == MAX_ANSWERS_PER_ID)


async def test_store_writes_and_auth_file_run_off_the_event_loop(tmp_path, monkeypatch):
    loop_thread = threading.get_ident()
    threads: dict[str, set[int]] = {"append": set(), "delete": set(), "auth": set()}
    real_append, real_delete = (_blind_store.BlindAreaStore.append_many,
                                _blind_store.BlindAreaStore.delete)

    def append_many(self, items):
        threads["append"].add(threading.get_ident())
        return real_append(self, items)

    def delete(self, ids):
        threads["delete"].add(threading.get_ident())
        return real_delete(self, ids)
    monkeypatch.setattr(_blind_store.BlindAreaStore, "append_many", append_many)
    monkeypatch.setattr(_blind_store.BlindAreaStore, "delete", delete)
    async with logged_in(tmp_path) as (platform, terminal):
        real_save = terminal.auth_file.save

        def save(code):
            threads["auth"].add(threading.get_ident())
            real_save(code)
        terminal.auth_file.save = save
        await terminal.register()                    # a new code: saved
        await terminal.authenticate()
        assert (await terminal.report_location(report(1))).result == 0
        await platform.until(lambda: threads["auth"])
    assert (tmp_path / "blind.sqlite.auth.json").read_text().count(AUTH_CODE) == 1
    for name, seen in threads.items():
        assert seen and loop_thread not in seen, name


async def test_rsa_key_generation_runs_off_the_event_loop(tmp_path, monkeypatch):
    loop_thread = threading.get_ident()
    seen = []
    real = _encryption.load_key_pair

    def load_key_pair(path):
        seen.append(threading.get_ident())
        return real(path)
    monkeypatch.setattr(_encryption, "load_key_pair", load_key_pair)
    async with logged_in(tmp_path) as (platform, terminal):
        reply = await terminal.enable_encryption()
        assert reply.result == 0
    assert seen and loop_thread not in seen
