"""The terminal's small files (events/menu/info 0x8301-0x8304, phone book 0x8401,
recorder 0x8701, the parameter file of a 0x8105 factory reset) are written off the
event loop (issue 14), atomically (a SIGKILL mid-save leaves the old or the new file),
newest snapshot last; a read-only disk costs a warning, never the link or ``run()``."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import anyio
import pytest

from jt808.codec import (Contact, EventItem, EventSetting, InfoItem, InfoMenuSetting,
                         InfoService, PhoneBookSetting, PulseCoefficient,
                         RecorderFrame, RecorderParamsDownload, SetTerminalParams,
                         TerminalControl, TerminalParam)
from jt808.frame import Version
from jt808.terminal import Terminal
from jt808.terminal import _param_store, _small_store
from jt808.terminal._small_store import SmallStore

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url)
from test_commands_params import PHONE, REGISTER, linked
from test_terminal_store_faults import disk  # noqa: F401  (a small tmpfs, made read-only)

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]
T = dt.datetime(2024, 3, 23, 10, 10, 10)


@pytest.fixture
def writers(monkeypatch):
    """file name -> the threads that wrote it (every small-file write goes through
    ``atomic_write``)."""
    seen: dict[str, set[int]] = {}
    real = _small_store.atomic_write

    def recording(path: Path, text: str) -> None:
        seen.setdefault(path.name, set()).add(threading.get_ident())
        real(path, text)
    monkeypatch.setattr(_small_store, "atomic_write", recording)
    monkeypatch.setattr(_param_store, "atomic_write", recording)
    return seen


def on_disk(tmp_path: Path, name: str) -> dict:
    return json.loads((tmp_path / f"blind.sqlite.{name}.json").read_text("utf-8"))


async def test_text_store_writes_run_off_the_event_loop(tmp_path, writers):
    loop = threading.get_ident()
    async with linked(tmp_path) as (terminal, link, _):
        assert (await link.request(EventSetting(1, (EventItem(1, "jam"),)))).result == 0
        assert on_disk(tmp_path, "text")["events"] == {"1": "jam"}      # before the answer
        menu = InfoMenuSetting(1, (InfoItem(1, "news"), InfoItem(2, "weather")))
        assert (await link.request(menu)).result == 0
        assert on_disk(tmp_path, "text")["menu"] == {"1": "news", "2": "weather"}
        assert (await link.request(InfoService(2, "rain"))).result == 0
        assert on_disk(tmp_path, "text")["info"] == {"2": "rain"}
        assert (await terminal.subscribe_info(2)).result == 0         # the app, on the loop
        await terminal.text_store._file.flushed()
        assert on_disk(tmp_path, "text")["subscribed"] == [2]
    assert writers["blind.sqlite.text.json"] and loop not in writers["blind.sqlite.text.json"]


async def test_phone_book_writes_run_off_the_event_loop(tmp_path, writers):
    loop = threading.get_ident()
    async with linked(tmp_path) as (_, link, _platform):
        book = PhoneBookSetting(1, (Contact(3, "10086", "ops"),))
        assert (await link.request(book)).result == 0
        assert on_disk(tmp_path, "phonebook")["contacts"][0]["phone"] == "10086"
    seen = writers["blind.sqlite.phonebook.json"]
    assert seen and loop not in seen


async def test_recorder_writes_run_off_the_event_loop(tmp_path, writers):
    loop = threading.get_ident()
    async with linked(tmp_path) as (_, link, _platform):
        pulse = RecorderFrame(0xC3, PulseCoefficient(T, 3600))
        assert (await link.request(RecorderParamsDownload(0xC3, pulse.encode()))).result == 0
        assert on_disk(tmp_path, "recorder")["pulse"] == 3600           # before the answer
    seen = writers["blind.sqlite.recorder.json"]
    assert seen and loop not in seen


async def test_factory_reset_writes_the_parameter_file_off_the_event_loop(tmp_path, writers):
    loop = threading.get_ident()
    path = tmp_path / "params.json"
    async with linked(tmp_path, params_path=path) as (terminal, link, _):
        terminal.factory_params = {0x0001: 0, 0x0002: 4, 0x0003: 0}
        assert (await link.request(TerminalControl(5))).result == 0
        assert json.loads(path.read_text()) == {"00000001": "00000000", "00000002": "00000004",
                                                "00000003": "00000000"}
    assert writers["params.json"] and loop not in writers["params.json"]


async def test_saves_in_a_burst_end_with_the_newest_snapshot(tmp_path, writers):
    store = SmallStore(tmp_path / "s.json")
    async with anyio.create_task_group() as tg:
        for n in range(50):
            store.data = {"n": n}
            tg.start_soon(store.save_off_loop)
            await anyio.sleep(0)                # that task took its snapshot
    assert json.loads((tmp_path / "s.json").read_text()) == {"n": 49}
    assert threading.get_ident() not in writers["s.json"]


def test_an_older_snapshot_never_replaces_a_newer_one(tmp_path):
    store = SmallStore(tmp_path / "s.json")
    store.data = {"n": 1}
    store._snapshot()
    writer = store._writer
    assert writer is not None
    store.data = {"n": 2}
    store.save()                                # writes 2
    writer.flush()                              # a late worker: nothing older goes down
    assert json.loads((tmp_path / "s.json").read_text()) == {"n": 2}
    assert not writer.pending


_SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from jt808.terminal._small_store import SmallStore
    store = SmallStore(Path(sys.argv[1]))
    n = 0
    while True:
        store.data = {"n": n, "pad": str(n % 10) * 2_000_000}   # ~2 MB: a long write
        store.save()
        if n == 0:
            print("saved", flush=True)
        n += 1
""")


@pytest.mark.parametrize("delay", [0.0, 0.013, 0.031, 0.057, 0.089])
def test_sigkill_during_saves_leaves_a_whole_file(tmp_path, delay):
    """A process killed at a random point of its saves leaves the old or the new
    document, never a torn one (a plain ``open(path, "w")`` leaves a torn file here)."""
    path = tmp_path / "store.json"
    child = subprocess.Popen([sys.executable, "-c", _SAVER, str(path), str(REPO)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "saved\n"
        threading.Event().wait(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    doc = json.loads(path.read_text("utf-8"))
    assert doc["pad"] == str(doc["n"] % 10) * 2_000_000
    assert SmallStore(path).data == doc        # and the terminal reads it back as it is


async def test_read_only_disk_warns_and_the_terminal_runs_on(disk, caplog):  # noqa: F811
    """The store directory is read-only (a tmpfs remounted so): each small-file write is
    a WARNING, the change is kept in memory and answered, ``run()`` goes on."""
    if not disk.mounted and os.geteuid() == 0:
        pytest.skip("running as root without mount(8): a directory cannot be made read-only")
    caplog.set_level(logging.WARNING, logger="jt808.terminal")
    disk.read_only()                  # the blind store goes to memory (its own test)
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg, Version.V2013)          # 0x8301 is not in 2019
        url = await platform.start(memory_url())
        terminal = Terminal(url, phone=PHONE, version=Version.V2013, register_info=REGISTER,
                            auth_code=AUTH_CODE,
                            params=dict(FAST_PARAMS), store_path=disk.path / "blind.sqlite",
                            params_path=disk.path / "params.json")
        with anyio.fail_after(20):
            async with terminal:
                tg.start_soon(terminal.run)
                link = await platform.wait_link()
                await platform.until(lambda: terminal.authenticated)
                assert (await link.request(EventSetting(1, (EventItem(1, "jam"),)))).result == 0
                book = PhoneBookSetting(1, (Contact(3, "10086", "ops"),))
                assert (await link.request(book)).result == 0
                pulse = RecorderFrame(0xC3, PulseCoefficient(T, 3600))
                assert (await link.request(RecorderParamsDownload(0xC3, pulse.encode()))
                        ).result == 0
                assert (await link.request(TerminalControl(5))).result == 0
                assert (await link.request(SetTerminalParams((TerminalParam(0x0029, 7),)))
                        ).result == 0
                assert terminal.params.get(0x0029) == 7
                assert terminal.events == {1: "jam"}
                assert terminal.phone_book.contacts["ops"].phone == "10086"
                assert terminal.recorder.collect(0x04).coefficient == 3600
                assert (await link.request(EventSetting(2, (EventItem(2, "fire"),)))
                        ).result == 0                           # still served
                assert terminal.connected and terminal.events == {1: "jam", 2: "fire"}
                await terminal.close()
        await platform.aclose()
        tg.cancel_scope.cancel()
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for name in ("text.json", "phonebook.json", "recorder.json"):
        assert any("cannot save" in m for m in warned if name in m), name
    assert sum("cannot save the parameters" in m for m in warned) == 2   # 0x8105, 0x8103
    assert not [m for m in (r.getMessage() for r in caplog.records) if "failed" in m]
