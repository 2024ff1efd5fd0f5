"""Two simulators on one SMS centre, and a full SIM store (quectel-at.md §6).

Before the fix, a delivery waited for the target simulator's loop thread: two
simulators submitting at the same time each waited for the other -> deadlock.
"""
from __future__ import annotations

import anyio
import pytest

from hal.modem_sim import InProcessSmsCentre, ModemSimulator
from hal.quectel import QuectelModem, open_channel

pytestmark = pytest.mark.anyio
A, B = "+8613800000001", "+8613800000002"


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def _sms_modem(ch) -> QuectelModem:
    modem = QuectelModem(ch)
    await modem.init()
    await modem.sms_init()
    return modem


def _frame(sender: int, i: int) -> bytes:
    """Binary payload with the bytes that matter to AT and JT808 framing (0x7E, CR, ^Z)."""
    return bytes([0x7E, sender, i, 0x0D, 0x0A, 0x1A, 0x1B, 0x00, 0xFF]) * (1 + i % 20) + b"\x7e"


async def test_two_simulators_exchange_binary_sms_both_ways_concurrently():
    centre, count = InProcessSmsCentre(), 6
    with ModemSimulator(sms_centre=centre, number=A, nmea_interval=5) as sim_a, \
            ModemSimulator(sms_centre=centre, number=B, nmea_interval=5) as sim_b:
        async with open_channel(sim_a.at_port) as ch_a, open_channel(sim_b.at_port) as ch_b:
            modem_a, modem_b = await _sms_modem(ch_a), await _sms_modem(ch_b)
            got: dict[str, list[bytes]] = {A: [], B: []}

            async def talk(modem: QuectelModem, me: str, peer: str, tag: int) -> None:
                for i in range(count):
                    await modem.send_sms(peer, _frame(tag, i))

            async def listen(modem: QuectelModem, me: str) -> None:
                while len(got[me]) < count:
                    got[me].append((await modem.receive_sms()).data)

            with anyio.fail_after(30):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(talk, modem_a, A, B, 0xA)
                    tg.start_soon(talk, modem_b, B, A, 0xB)
                    tg.start_soon(listen, modem_a, A)
                    tg.start_soon(listen, modem_b, B)
    assert got[B] == [_frame(0xA, i) for i in range(count)]
    assert got[A] == [_frame(0xB, i) for i in range(count)]


async def test_full_store_holds_messages_undelivered_until_space_frees(at_client):
    centre = InProcessSmsCentre()
    with ModemSimulator(sms_centre=centre, echo=False, nmea_interval=5) as sim:
        sim.call(lambda: setattr(sim.sms.store, "capacity", 3))
        at = at_client(sim.at_port)
        assert at.cmd(b"AT+CNMI=2,1,0,0,0") == b"\r\nOK\r\n"
        for i in range(5):
            centre.inject(None, "+8610086", bytes([i]) * 10)
        for i in range(3):
            at.expect(b'\r\n+CMTI: "SM",%d\r\n' % i)
        assert at.quiet(0.3) == b""                              # no +CMTI for the other two
        assert sim.call(lambda: (sim.sms.deferred, sim.sms.lost, len(sim.sms.waiting))) == (2, 0, 2)
        assert at.cmd(b"AT+CPMS?").startswith(b'\r\n+CPMS: "SM",3,3')
        assert at.cmd(b"AT+CMGD=1") == b"\r\nOK\r\n"
        at.expect(b'\r\n+CMTI: "SM",1\r\n')                       # the oldest waiting one
        assert at.quiet(0.3) == b""
        assert b"030303" in at.cmd(b"AT+CMGR=1")                  # message 3, not 4
        assert at.cmd(b"AT+CMGD=0,4") == b"\r\nOK\r\n"
        at.expect(b'\r\n+CMTI: "SM",0\r\n')
        assert b"040404" in at.cmd(b"AT+CMGR=0")
        assert sim.call(lambda: len(sim.sms.waiting)) == 0


async def test_steady_stream_through_a_small_store_loses_nothing():
    """The driver reads and deletes each message at once: 3 slots carry 20 messages."""
    centre = InProcessSmsCentre()
    with ModemSimulator(sms_centre=centre, nmea_interval=5) as sim:
        sim.call(lambda: setattr(sim.sms.store, "capacity", 3))
        async with open_channel(sim.at_port) as ch:
            modem = await _sms_modem(ch)
            sent = [_frame(1, i) for i in range(20)]
            for data in sent:
                centre.inject(None, "+8610086", data)
            with anyio.fail_after(30):
                got = [(await modem.receive_sms()).data for _ in sent]
    assert got == sent and sim.sms.lost == 0
