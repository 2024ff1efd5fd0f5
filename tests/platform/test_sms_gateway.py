"""``SmsCentreListener``: the platform's SMS end on the modem simulator's in-process SMS
centre (``hal.modem_sim.InProcessSmsCentre``). Modems are stand-ins attached to the
centre (the real modem over a pty is exercised by tests/e2e: the matrix sms cells and
test_sms_fallback)."""
from __future__ import annotations

import queue
from typing import Any

import anyio
import pytest

from jt808.demo import MiniTerminal, location
from jt808.errors import TransportError
from jt808.platform import Platform, SmsCentreListener

pytestmark = pytest.mark.anyio
from hal import modem_sim as sim  # noqa: E402

PLATFORM = "+8610648990001"


class FakeModem:
    """A terminal's modem as the centre sees it: ``send`` submits to the platform number
    (from a worker thread, as the simulator's thread does); what the centre delivers is
    queued for ``receive``."""

    kind = "datagram"
    bearer = "sms"
    max_datagram = 255 * 134

    def __init__(self, centre: Any, number: str) -> None:
        self.centre, self.number = centre, number
        self.inbox: queue.SimpleQueue[tuple[str, bytes]] = queue.SimpleQueue()
        centre.attach(number, lambda sender, data: self.inbox.put((sender, data)))

    async def send(self, datagram: bytes) -> None:
        await anyio.to_thread.run_sync(self.centre.submit, self.number, PLATFORM, datagram)

    async def receive(self) -> bytes:
        while True:
            try:
                return self.inbox.get_nowait()[1]
            except queue.Empty:
                await anyio.sleep(0.005)

    async def aclose(self) -> None:
        self.centre.detach(self.number)


async def submit(centre: Any, sender: str, dest: str, data: bytes) -> None:
    await anyio.to_thread.run_sync(centre.submit, sender, dest, data)


async def test_platform_serves_two_terminals_by_sms() -> None:
    centre = sim.InProcessSmsCentre()
    with anyio.fail_after(15):
        async with Platform() as platform:
            await platform.serve(SmsCentreListener(centre, PLATFORM))
            assert platform.url("sms") == f"sms://{PLATFORM}"
            phones = {"+8613800000001": "13800000001", "+8613800000002": "13800000002"}
            for number, phone in phones.items():
                async with MiniTerminal(FakeModem(centre, number), phone) as terminal:
                    await terminal.login()
                    reply = await terminal.report(location())
                    assert reply.result == 0
            for phone in phones.values():
                assert platform.terminals[phone].position_count == 1
            # every answer went back by SMS from the platform number to the sender
            assert {s.dest for s in centre.submitted} == {PLATFORM}


async def test_one_transport_per_sender_and_frames_in_order() -> None:
    centre = sim.InProcessSmsCentre()
    listener = SmsCentreListener(centre, PLATFORM)
    accepted: list[Any] = []

    async def serve() -> None:             # accepting is what moves messages on
        async for transport in listener:
            accepted.append(transport)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(serve)
            await submit(centre, "+861", PLATFORM, b"a1")
            await submit(centre, "+862", PLATFORM, b"b1")
            await submit(centre, "+861", PLATFORM, b"a2")
            while len(accepted) < 2:
                await anyio.sleep(0.01)
            first, second = accepted
            assert (first.remote_address, second.remote_address) == ("+861", "+862")
            assert first.bearer == "sms" and first.kind == "datagram"
            assert [await first.receive(), await first.receive()] == [b"a1", b"a2"]
            assert await second.receive() == b"b1"
            await listener.aclose()
        assert len(accepted) == 2


async def test_other_destinations_are_not_the_platforms() -> None:
    centre = sim.InProcessSmsCentre()
    seen: list[tuple[str, str, bytes]] = []
    centre.on_submit = lambda *sms: seen.append(sms)
    listener = SmsCentreListener(centre, "10648990001")
    with anyio.fail_after(5):
        await submit(centre, "+861", "+8613999999999", b"not for us")
        await submit(centre, "+861", "+8610648990001", b"ours")   # country code differs
        transport = await listener.accept()
        assert await transport.receive() == b"ours"
        assert len(seen) == 2                   # the previous on_submit still sees all
        await listener.aclose()
        assert centre.on_submit is not None and centre.on_submit.__name__ == "<lambda>"


async def test_send_injects_into_the_senders_modem() -> None:
    centre = sim.InProcessSmsCentre()
    modem = FakeModem(centre, "+8613800000009")
    listener = SmsCentreListener(centre, PLATFORM)
    with anyio.fail_after(5):
        await modem.send(b"\x7ehello\x7e")
        transport = await listener.accept()
        await transport.send(b"x" * 300)       # over 140: the simulator splits it
        assert modem.inbox.get_nowait() == (PLATFORM, b"x" * 300)
        assert transport.datagrams_sent == 1
        with pytest.raises(ValueError):
            await transport.send(b"")
        with pytest.raises(ValueError):
            await transport.send(b"x" * (255 * 134 + 1))
        await modem.aclose()
        with pytest.raises(TransportError, match="no modem attached"):
            await transport.send(b"gone")
        await transport.aclose()
        assert await transport.receive() == b""
        with pytest.raises(TransportError):
            await transport.send(b"closed")
        assert listener.peers == {}
        await listener.aclose()


async def test_a_closed_transport_is_replaced_by_a_new_one() -> None:
    centre = sim.InProcessSmsCentre()
    listener = SmsCentreListener(centre, PLATFORM)
    with anyio.fail_after(5):
        await submit(centre, "+861", PLATFORM, b"one")
        first = await listener.accept()
        await first.aclose()
        await submit(centre, "+861", PLATFORM, b"two")
        second = await listener.accept()
        assert second is not first and await second.receive() == b"two"
        await listener.aclose()


async def test_bounded_peers_and_queues() -> None:
    centre = sim.InProcessSmsCentre()
    listener = SmsCentreListener(centre, PLATFORM, max_peers=1, max_queued=2)
    with anyio.fail_after(5):
        for data in (b"1", b"2", b"3"):
            await submit(centre, "+861", PLATFORM, data)
        await submit(centre, "+862", PLATFORM, b"refused peer")
        await submit(centre, "+861", PLATFORM, b"4")       # read by accept after +862
        transport = await listener.accept()
        with anyio.move_on_after(0.5):
            await listener.accept()                        # drains the rest, no new peer
        assert [await transport.receive(), await transport.receive()] == [b"1", b"2"]
        assert transport.dropped == 2 and listener.dropped == 1
        await listener.aclose()


async def test_closing_ends_iteration() -> None:
    centre = sim.InProcessSmsCentre()
    listener = SmsCentreListener(centre, PLATFORM)
    accepted: list[Any] = []

    async def serve() -> None:
        async for transport in listener:
            accepted.append(transport)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(serve)
            await anyio.sleep(0.05)
            await listener.aclose()
    assert accepted == [] and centre.on_submit is None


async def test_sms_links_are_not_evicted_for_idleness() -> None:
    """An SMS exchange takes minutes and a terminal on SMS sends no heartbeat: the idle
    and authentication timeouts (here 0.2 s) leave SMS links alone, and they do not
    count as UDP peers (``max_udp_peers`` 1)."""
    centre = sim.InProcessSmsCentre()
    with anyio.fail_after(15):
        async with Platform(idle_timeout=0.2, auth_timeout=0.2, max_udp_peers=1) as platform:
            await platform.serve(SmsCentreListener(centre, PLATFORM))
            async with MiniTerminal(FakeModem(centre, "+8613800000001"), "13800000001") as one, \
                    MiniTerminal(FakeModem(centre, "+8613800000002"), "13800000002") as two:
                await one.register()
                await two.login()
                await anyio.sleep(0.6)                 # three reaper rounds
                assert (await one.authenticate()).result == 0
                assert (await one.report()).result == 0 and (await two.report()).result == 0
            assert not platform.links.evicted
