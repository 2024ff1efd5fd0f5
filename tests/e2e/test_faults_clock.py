"""Clock jumps: the Terminal's ``clock`` (what its session timers read) jumps forward
by hours, then backwards by hours, while it reports. It keeps reporting and every
position reaches the platform exactly once."""
from __future__ import annotations

import time

import anyio
import pytest

from faults_support import running, save_result
from test_faults_tcp import assert_exactly_once

pytestmark = pytest.mark.anyio

HOURS = 3600.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class JumpingClock:
    """``time.monotonic()`` plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


async def test_clock_jumps_forward_then_backward() -> None:
    clock = JumpingClock()
    jumps = 0
    with anyio.fail_after(30):
        async with running(clock=clock) as rig:
            await rig.wait_authenticated()
            await rig.wait_positions(1)
            for shift in (+5 * HOURS, -10 * HOURS, +2 * HOURS):
                await rig.wait_quiet()
                clock.offset += shift
                jumps += 1
                before = rig.positions()
                await rig.wait_positions(before + 2)      # reports keep being acknowledged
                assert rig.terminal.authenticated
            result = await rig.finish()
    save_result("clock jumps +5 h, -10 h, +2 h (between requests)", result, faults=jumps)
    assert_exactly_once(result)
    assert result.connections == 1
