"""Delivery of location reports (issues 14, 18, 13): at least once, never lost to a
refusal, an ignored batch or a timeout, and the first position goes out live.

Each test runs the real ``Terminal`` against ``TestPlatform`` over ``memory://``."""
from __future__ import annotations

import contextlib
import datetime as dt

import anyio
import pytest

from hal.gnss import Fix
from jt808.codec import TerminalRegister
from jt808.terminal import Terminal

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url, report)

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
PHONE = "13800138000"


@contextlib.asynccontextmanager
async def logged_in(tmp_path, **options):
    """A TestPlatform on memory:// and a Terminal logged in to it."""
    options.setdefault("params", dict(FAST_PARAMS))
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        terminal = Terminal(url, phone=PHONE, register_info=REGISTER, auth_code=AUTH_CODE,
                            store_path=tmp_path / "blind.sqlite", **options)
        with anyio.fail_after(20):
            async with terminal:
                await terminal.connect()
                assert (await terminal.login()).result == 0
                yield platform, terminal
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_a_report_is_in_the_store_while_it_awaits_its_ack(tmp_path):
    """At least once: the 0x0200 is durable before it is sent (a SIGKILL or a half-open
    link meanwhile loses nothing) and deleted on the 0x8001."""
    async with logged_in(tmp_path) as (platform, terminal):
        platform.drop_reports = True                  # no 0x8001 for now
        async with anyio.create_task_group() as tg:
            tg.start_soon(terminal.report_location, report(1))
            await platform.until(lambda: platform.of(0x0200))
            assert terminal.store.count("position") == 1       # stored, in flight
            tg.cancel_scope.cancel()
        platform.drop_reports = False
        ack = await terminal.report_location(report(2))
        assert ack.result == 0
        # the acked one is gone; the unanswered one stays for the blind-area upload
        await platform.until(lambda: terminal.store.count("position") <= 1)
        items = terminal.store.oldest(5, "position")
        assert len(items) == 1


@pytest.mark.parametrize("result", [1, 2])
async def test_a_refused_report_is_kept_and_sent_again_later(tmp_path, result):
    """Issue 18: a 0x0200 answered 0x8001 result 1 (failure) or 2 (message error) is
    kept and sent again (in the next blind-area upload), not dropped."""
    async with logged_in(tmp_path) as (platform, terminal):
        platform.report_result = result
        refused = await terminal.report_location(report(1))
        assert refused.result == result
        assert terminal.store.count("position") == 1
        platform.report_result = 0
        assert (await terminal.report_location(report(2))).result == 0
        await platform.until(lambda: platform.of(0x0704))
        await platform.until(lambda: terminal.store.count("position") == 0)
        assert [list(m.items) for m in platform.of(0x0704)] == [[report(1)]]


async def test_a_report_refused_every_time_is_dropped_after_the_bound(tmp_path):
    """The retries of a refused report are bounded (MAX_REFUSALS): a platform that
    refuses it for ever does not keep it (and its uploads) alive for ever."""
    from jt808.terminal._blind import MAX_REFUSALS
    async with logged_in(tmp_path) as (platform, terminal):
        platform.report_result = 1
        await terminal.report_location(report(1))
        for n in range(2, MAX_REFUSALS + 3):
            await terminal.report_location(report(n))
            terminal.start_blind_upload()
            await platform.until(lambda: not terminal._uploading)
        await platform.until(lambda: terminal.refused_dropped >= 1)
        assert terminal.store.count("position") < MAX_REFUSALS + 2


async def test_an_ignored_batch_goes_back_to_the_store_and_live_reports_go_on(tmp_path):
    """Issue 14: a platform that ignores 0x0704 (no answer after the retransmissions)
    neither strands the positions nor loses the link while it answers 0x0200."""
    async with logged_in(tmp_path, params={**FAST_PARAMS, 0x0002: 2}) as (platform,
                                                                          terminal):
        platform.drop_reports = True
        assert await terminal.report_location(report(1)) is None    # timed out: stored
        platform.drop_reports = False
        platform.ignore_ids = {0x0704}
        terminal._running = True                   # as under run(): it may drop a link
        assert (await terminal.report_location(report(2))).result == 0   # starts upload
        await platform.until(lambda: platform.of(0x0704))
        assert (await terminal.report_location(report(3))).result == 0   # live goes on
        await platform.until(lambda: not terminal._uploading)   # the 0x0704 timed out
        assert terminal.connected                                # the link is kept
        assert terminal.store.count("position") == 1              # back in the store
        platform.ignore_ids = set()
        assert (await terminal.report_location(report(4))).result == 0
        await platform.until(lambda: terminal.store.count("position") == 0)
        assert platform.of(0x0704)[-1].items == (report(1),)


async def test_a_link_where_nothing_is_heard_is_dropped(tmp_path):
    """2013 §5.3: a request unanswered on a link from which nothing came for the whole
    retransmission window is a dead (half-open) link: run() drops it."""
    async with logged_in(tmp_path) as (platform, terminal):
        terminal._running = True
        platform.ignore_ids = {0x0200}
        assert await terminal.report_location(report(1)) is None
        await platform.until(lambda: not terminal.connected)


class OneFix:
    async def read(self) -> Fix:
        return Fix(31.0, 121.0, 10.0, 36.0, 90.0,
                   dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), 8, True)


async def test_the_first_position_after_start_goes_out_live(tmp_path):
    """Issue 13: run() reports the first position as a live 0x0200 once logged in, not
    stored before the link is up and uploaded as a 0x0704 batch."""
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        terminal = Terminal(url, phone=PHONE, register_info=REGISTER, gnss=OneFix(),
                            store_path=tmp_path / "blind.sqlite",
                            params={**FAST_PARAMS, 0x0029: 30})
        with anyio.fail_after(10):
            async with terminal:
                tg.start_soon(terminal.run)
                await platform.until(lambda: platform.of(0x0200) or platform.of(0x0704))
                assert platform.of(0x0200) and not platform.of(0x0704)
                await terminal.close()
        await platform.aclose()
        tg.cancel_scope.cancel()
