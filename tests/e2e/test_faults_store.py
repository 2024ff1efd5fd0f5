"""Faults in the terminal's own storage: the process killed (SIGKILL) while it writes
the blind-area store, then restarted with the same file; the disk full while storing."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import pytest

from jt808.errors import JT808Error

from faults_support import FaultProxy, ScriptedGnss, running, save_result

pytestmark = pytest.mark.anyio

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

#: the terminal process: not connected, so every position goes to the blind-area store;
#: prints each position number once ``report_location`` returned (the append committed)
TERMINAL_SCRIPT = textwrap.dedent("""
    import sys
    import anyio
    sys.path.insert(0, sys.argv[2])
    from faults_support import ScriptedGnss, make_terminal
    from jt808.terminal._reporting import fix_to_report

    async def main():
        gnss = ScriptedGnss()
        terminal = make_terminal("tcp://127.0.0.1:9", gnss=gnss, store_path=sys.argv[1])
        async with terminal:
            while True:
                fix = await gnss.read()
                assert await terminal.report_location(fix_to_report(fix)) is None
                print(gnss.produced - 1, flush=True)

    anyio.run(main)
""")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def kill_terminal_after(store: Path, lines: int) -> list[int]:
    """Run the terminal process, SIGKILL it after ``lines`` stored positions; return them."""
    proc = subprocess.Popen([sys.executable, "-c", TERMINAL_SCRIPT, str(store), str(HERE)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    stored = []
    try:
        for _ in range(lines):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            stored.append(int(line))
    finally:
        os.kill(proc.pid, signal.SIGKILL)               # mid-append, most likely
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return stored


async def test_killed_while_storing_then_restarted_with_the_same_store(tmp_path: Path) -> None:
    store = tmp_path / "blind.sqlite"
    stored = await anyio.to_thread.run_sync(kill_terminal_after, store, 60)
    assert stored == list(range(60))
    # restarted: the new process's positions are numbered from 1000 on
    with anyio.fail_after(25):
        async with running(store_path=store, gnss=ScriptedGnss(first=1000)) as rig:
            await rig.wait_authenticated()
            await rig.platform.wait_for(lambda: rig.store_count() == 0, timeout=10)
            result = await rig.finish(also=set(stored))
    extra = result.received - result.sent      # a 61st append may have committed unprinted
    save_result("terminal SIGKILLed while storing, restarted on the same file", result,
                faults=1, written_before_kill=len(stored) + extra)
    assert extra in (0, 1)
    assert result.lost == () and result.duplicates == 0 and result.blind_in_order
    assert result.blind_items >= 60


async def test_disk_full_falls_back_to_memory_and_loses_nothing(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 18: a full disk never stops live reporting; the store degrades to memory
    with a loud error, and positions stored there while the link is down still arrive,
    once each and in order."""
    caplog.set_level(logging.ERROR, logger="jt808.terminal")
    proxy = FaultProxy()
    with anyio.fail_after(30):
        async with running(proxy.link, store_path=tmp_path / "blind.sqlite") as rig:
            await rig.wait_authenticated()
            await rig.wait_positions(1)
            await rig.wait_quiet()
            fill_the_disk(rig.terminal.store)               # the file can grow no more
            await rig.wait_positions(rig.positions() + 2)   # live reports go on
            assert rig.terminal.keeper.degraded
            assert any("IN MEMORY" in r.getMessage() for r in caplog.records)
            await rig.wait_quiet()
            proxy.refuse = True                              # coverage lost ...
            proxy.drop()
            await rig.platform.wait_for(lambda: not rig.record().authenticated, timeout=5)
            with anyio.fail_after(10):                       # ... positions kept in memory
                while rig.store_count() < 3:
                    await anyio.sleep(0.05)
            proxy.refuse = False                             # coverage is back
            await rig.wait_authenticated()
            result = await rig.finish()
    save_result("disk full while storing (sqlite max_page_count): memory fallback", result,
                faults=1)
    assert result.lost == () and result.duplicates == 0
    assert result.blind_in_order and result.blind_items >= 3


def fill_the_disk(store) -> list[int]:
    """A tiny "disk": cap the sqlite file a few pages above its size and fill it up."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages + 4}")
    ids = []
    for size in (1500, 200, 20, 1):                 # until not even one byte more fits
        with pytest.raises(JT808Error, match="full"):
            for i in range(10_000):
                ids.append(store.append("filler", os.urandom(size), now=float(i)))
    return ids


#: the terminal process for the half-open test: ``run()`` through the proxy at argv[3];
#: prints each position number once it is durable in the store (before it is sent)
RUNNING_TERMINAL_SCRIPT = textwrap.dedent("""
    import sys
    import anyio
    sys.path.insert(0, sys.argv[2])
    from faults_support import ScriptedGnss, make_terminal, position_number

    async def main():
        terminal = make_terminal(sys.argv[3], gnss=ScriptedGnss(), store_path=sys.argv[1])
        keep = terminal._keep

        async def keep_and_tell(kind, report):
            row = await keep(kind, report)
            print(position_number(report), flush=True)
            return row
        terminal._keep = keep_and_tell
        await terminal.run()

    anyio.run(main)
""")


async def test_killed_during_a_half_open_link_loses_nothing(tmp_path: Path) -> None:
    """Issue 18: reports awaiting their 0x8001 are in the store, not only in memory: a
    SIGKILL while the link is half-open (reports sent into the void) loses none."""
    from jt808.platform import Platform
    from faults_support import received_numbers, running
    store = tmp_path / "blind.sqlite"
    proxy = FaultProxy()
    first = Platform()
    with anyio.fail_after(40):
        async with first:
            await first.serve("tcp://127.0.0.1:0")
            async with anyio.create_task_group() as tg:
                proxy.upstream = first.address("tcp")
                url = await proxy.start(tg)
                printed = await _kill_when_half_open(store, url, first, proxy)
                tg.cancel_scope.cancel()
            heard_first = received_numbers(first)
        unsent = set(printed) - heard_first
        assert unsent                                  # some went into the half-open link
        async with running(store_path=store, gnss=ScriptedGnss(first=1000)) as rig:
            await rig.wait_authenticated()
            result = await rig.finish(also=unsent)
    save_result("terminal SIGKILLed during a half-open link, restarted", result, faults=1,
                sent_into_the_void=len(unsent))
    assert result.lost == () and result.blind_in_order


async def _kill_when_half_open(store: Path, url: str, platform, proxy: FaultProxy
                               ) -> list[int]:
    from faults_support import received_numbers
    proc = subprocess.Popen([sys.executable, "-c", RUNNING_TERMINAL_SCRIPT, str(store),
                             str(HERE), url], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    printed: list[int] = []

    async def next_line() -> None:
        line = await anyio.to_thread.run_sync(proc.stdout.readline)
        assert line, proc.stderr.read()
        printed.append(int(line))
    try:
        while len(received_numbers(platform)) < 3:     # reporting live
            await next_line()
        proxy.refuse = True                            # no new link gets through ...
        proxy.freeze()                                 # ... and the open one is half-open
        frozen_at = len(printed)
        while len(printed) < frozen_at + 2:            # two more stored and sent
            await next_line()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        await anyio.to_thread.run_sync(proc.wait, 30)
        proc.stdout.close()
        proc.stderr.close()
    return printed
