"""Faults in the modem: the Terminal reaches the platform through the Quectel modem
simulator (``quectel+tcp://<pty>?host=127.0.0.1&port=…``, one shared driver) and the
simulator breaks the socket, the PDP context, the sends or the serial bytes. The
terminal recovers by itself; every position reaches the platform exactly once."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import LocationQuery

from faults_support import PHONE, Modem, open_sockets, running, save_result
from test_faults_tcp import assert_exactly_once

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def reconnected(rig, connections: int) -> None:
    await rig.platform.wait_for(lambda: rig.record().connections > connections, timeout=15)
    await rig.wait_authenticated(timeout=15)


async def test_socket_closed_by_the_modem() -> None:
    modem = Modem()
    with anyio.fail_after(30):
        async with running(modem.link) as rig:
            await rig.wait_authenticated(timeout=15)
            await rig.wait_positions(1)
            await rig.wait_quiet()
            sockets = open_sockets(modem.sim)
            assert sockets, "the terminal's socket is open in the modem"
            assert modem.sim.close_socket(sockets[0])       # +QIURC: "closed",<id>
            await reconnected(rig, 1)
            result = await rig.finish()
    save_result("socket closed by the modem (+QIURC closed)", result, faults=1)
    assert_exactly_once(result)


async def test_pdp_context_lost_then_one_failed_open() -> None:
    modem = Modem()
    with anyio.fail_after(30):
        async with running(modem.link) as rig:
            await rig.wait_authenticated(timeout=15)
            await rig.wait_positions(1)
            await rig.wait_quiet()
            modem.sim.fail_next_open(566, 1)                  # coverage is back one try later
            modem.sim.drop_pdp(1)                             # +QIURC: "pdpdeact",1
            await reconnected(rig, 1)
            result = await rig.finish()
    save_result("PDP context lost (+QIURC pdpdeact) + 1 failed QIOPEN", result, faults=2)
    assert_exactly_once(result)


async def test_send_fail_burst_absorbed_by_driver_retries() -> None:
    modem = Modem()
    with anyio.fail_after(30):
        async with running(modem.link) as rig:
            await rig.wait_authenticated(timeout=15)
            await rig.wait_positions(1)
            await rig.wait_quiet()
            modem.sim.fail_sends(3)       # SEND FAIL x3: the driver retries (3x, 0.5 s apart)
            before = rig.positions()
            await rig.wait_positions(before + 3)
            result = await rig.finish()
    save_result("SEND FAIL burst of 3 (driver retries)", result, faults=3)
    assert_exactly_once(result)
    assert result.connections == 1


async def test_send_fail_burst_longer_than_retries_drops_the_link() -> None:
    modem = Modem()
    with anyio.fail_after(30):
        async with running(modem.link) as rig:
            await rig.wait_authenticated(timeout=15)
            await rig.wait_positions(1)
            await rig.wait_quiet()
            modem.sim.fail_sends(6)                           # 4 fail: the send raises
            await reconnected(rig, 1)
            before = rig.positions()
            await rig.wait_positions(before + 2)
            result = await rig.finish()
    save_result("SEND FAIL burst of 6 (link dropped, reconnect)", result, faults=6)
    assert_exactly_once(result)


async def test_garbled_recv_urc_on_the_serial_link() -> None:
    """A flipped bit turns ``+QIURC: "recv",0`` into ``*QIURC…``: the driver never
    reads that socket again (the modem reports "recv" only when its buffer was empty),
    so the platform's 0x8001s go unread; the reports time out and the terminal drops
    the dead link (2013 §5.3) and reconnects."""
    modem = Modem()
    with anyio.fail_after(40):
        async with running(modem.link) as rig:
            await rig.wait_authenticated(timeout=15)
            await rig.wait_positions(1)
            for round_ in range(2):
                await rig.wait_positions(rig.positions() + 1)   # a report was just sent:
                await rig.wait_quiet()                          # ~1 s before the next QISEND
                connections = rig.record().connections
                modem.sim.garble_next_output()              # the next output: the URC
                await rig.platform.send(PHONE, LocationQuery())
                await reconnected(rig, connections)
            result = await rig.finish()
    save_result("garbled +QIURC recv on the AT port (x2)", result, faults=2)
    # the reports sent while the acks went unread reached the platform: at least once
    assert result.lost == () and result.blind_in_order
    assert result.connections == 3
