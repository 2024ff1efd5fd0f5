"""Faults on the TCP path (Terminal over tcp://127.0.0.1, through ``FaultProxy`` where
the fault is in the network): the terminal recovers by itself and every position
reaches the platform exactly once, the blind-area ones in order in 0x0704 type 1."""
from __future__ import annotations

import anyio
import pytest

from jt808.platform import Platform

from faults_support import FaultProxy, Tally, running, save_result

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def assert_exactly_once(result: Tally) -> None:
    assert result.sent > 0
    assert result.lost == ()
    assert result.duplicates == 0
    assert result.received == result.sent
    assert result.blind_in_order


async def test_no_fault_baseline() -> None:
    with anyio.fail_after(20):
        async with running() as rig:
            await rig.wait_authenticated()
            await rig.wait_positions(2)
            result = await rig.finish()
    save_result("none (baseline)", result)
    assert_exactly_once(result)
    assert result.connections == 1
    assert result.blind_items <= 1            # a position read before the login is kept


async def test_connection_reset_mid_frame() -> None:
    proxy = FaultProxy()
    with anyio.fail_after(25):
        async with running(proxy.link) as rig:
            await rig.wait_authenticated()
            await rig.wait_positions(1)
            proxy.cut_mid_frame(0x0200)           # half of the next 0x0200, then both closed
            await rig.platform.wait_for(lambda: proxy.cuts == 1, timeout=5)
            await rig.platform.wait_for(lambda: rig.record().connections >= 2, timeout=10)
            await rig.wait_authenticated()
            await rig.platform.wait_for(lambda: rig.record().batches, timeout=10)
            result = await rig.finish()
    save_result("connection reset mid-frame (proxy)", result, faults=proxy.cuts)
    assert_exactly_once(result)
    assert result.blind_items >= 1                # the cut report came back in a 0x0704


async def test_platform_silent_then_answers_again() -> None:
    silent = [False]
    platform = Platform(drop_frame=lambda header: silent[0])   # hears nothing, says nothing
    with anyio.fail_after(25):
        async with running(platform=platform) as rig:
            await rig.wait_authenticated()
            await rig.wait_positions(1)
            stored = rig.store_count                 # not those still awaiting a reply
            silent[0] = True
            # reply timeout 1 s + 1 retransmission (2 s): reports go to the blind area
            with anyio.fail_after(10):
                while stored() < 2:
                    await anyio.sleep(0.05)
            silent[0] = False
            await rig.platform.wait_for(
                lambda: any(b.location_type == 1 for b in rig.record().batches), timeout=10)
            result = await rig.finish()
    save_result("platform silent ~3-5 s", result, faults=1)
    assert_exactly_once(result)
    assert result.blind_items >= 2


async def test_half_open_link_detected_and_reconnected() -> None:
    proxy = FaultProxy()
    with anyio.fail_after(30):
        async with running(proxy.link) as rig:
            await rig.wait_authenticated()
            await rig.wait_positions(1)
            await rig.wait_quiet()
            proxy.freeze()                        # nothing passes, nothing is closed
            # no reply after the retransmissions: the terminal drops the link (2013 §5.3)
            await rig.platform.wait_for(lambda: rig.record().connections >= 2, timeout=12)
            await rig.wait_authenticated()
            await rig.platform.wait_for(
                lambda: any(b.location_type == 1 for b in rig.record().batches), timeout=10)
            result = await rig.finish()
    save_result("half-open TCP (proxy swallows, keeps open)", result, faults=1)
    assert_exactly_once(result)
    assert result.blind_items >= 1
