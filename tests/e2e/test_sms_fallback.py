"""SMS as the fallback bearer (JT/T 808: "when the data link fails, the terminal may use
SMS as the bearer"): the real ``Terminal`` on a TCP address that refuses connections
falls back to SMS through the modem simulator (real pty, in-process SMS centre), its
reports reach the platform's ``SmsCentreListener`` by SMS, and once the platform listens
on the TCP address the terminal goes back to TCP (its blind-area backlog then follows
by 0x0704)."""
from __future__ import annotations

import socket

import anyio
import pytest

from jt808.frame import Version
from jt808.platform import Platform, SmsCentreListener
from jt808.terminal import Terminal

from faults_support import REGISTER, ScriptedGnss
from matrix_support import PLATFORM_NUMBER, shared_simulator, terminal_url, wait

pytestmark = pytest.mark.anyio

PHONE = "13800138077"
#: no heartbeat; reports every second; TCP reply 2 s once; SMS reply 8 s, no retry.
PARAMS = {0x0001: 0, 0x0002: 2, 0x0003: 0, 0x0006: 8, 0x0007: 0, 0x0029: 1}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def sim():
    with shared_simulator() as simulator:
        yield simulator


def refused_port() -> int:
    """A loopback port nobody listens on (yet): connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bearer_of(platform: Platform) -> str | None:
    driver = platform.connections.get(PHONE)
    return None if driver is None else driver.session.bearer


async def test_falls_back_to_sms_and_returns_to_tcp(sim, tmp_path) -> None:
    port = refused_port()
    with anyio.fail_after(20):
        async with Platform() as platform:
            await platform.serve(SmsCentreListener(sim.sms_centre, PLATFORM_NUMBER))
            async with terminal_url("sms", platform, sim) as sms_url:
                terminal = Terminal(f"tcp://127.0.0.1:{port}", phone=PHONE,
                                    version=Version.V2013, register_info=REGISTER,
                                    params=PARAMS, gnss=ScriptedGnss(),
                                    store_path=tmp_path / "blind.sqlite",
                                    sms_fallback=sms_url, sms_fallback_after=2,
                                    primary_retry_interval=0.5)
                terminal.min_backoff = 0.05
                async with terminal, anyio.create_task_group() as tg:
                    tg.start_soon(terminal.run)
                    await wait(lambda: terminal.on_sms_fallback, timeout=5)
                    # logged in and reporting by SMS
                    await wait(lambda: bearer_of(platform) == "sms"
                               and platform.terminals[PHONE].position_count >= 2, timeout=10)
                    assert terminal.session.bearer == "sms"
                    by_sms = [s for s in sim.sms_centre.submitted if s.dest == PLATFORM_NUMBER]
                    assert len(by_sms) >= 4                  # 0x0100, 0x0102, 2 x 0x0200
                    assert platform.terminals[PHONE].batches == []   # backlog kept
                    assert terminal.store.count() >= 1       # the report made while refused

                    await platform.serve(f"tcp://127.0.0.1:{port}")
                    await wait(lambda: not terminal.on_sms_fallback
                               and bearer_of(platform) == "tcp", timeout=5)
                    seen = platform.terminals[PHONE].position_count
                    await wait(lambda: platform.terminals[PHONE].position_count > seen,
                               timeout=5)
                    assert terminal.session.bearer == "tcp"
                    # the positions stored while TCP was refused come by 0x0704 over TCP
                    await wait(lambda: terminal.store.count() == terminal.reports_in_flight,
                               timeout=5)
                    assert platform.terminals[PHONE].batches
                    await terminal.close()
