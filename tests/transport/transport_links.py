"""Links for the transport suite: each one yields ``(near, far)``, two connected
transports of one kind, built from real parts (loopback sockets, ptys, the modem
simulator) where the transport has them."""
from __future__ import annotations

import contextlib
import itertools
import queue
from collections.abc import AsyncIterator, Callable
from typing import Any, NamedTuple

import anyio

from hal.modem_sim import InProcessSmsCentre, ModemSimulator
from jt808.transport import memory_pair, open_listener, open_transport

_names = itertools.count()


@contextlib.asynccontextmanager
async def memory_link() -> AsyncIterator[tuple[Any, Any]]:
    """The URL rendezvous: the first opener and the second opener are joined."""
    name = f"suite-{next(_names)}"
    near = await open_transport(f"memory://{name}")
    far = await open_transport(f"memory://{name}")
    async with near, far:
        yield near, far


@contextlib.asynccontextmanager
async def memory_datagram_link() -> AsyncIterator[tuple[Any, Any]]:
    near, far = memory_pair(f"suite-{next(_names)}", kind="datagram")
    async with near, far:
        yield near, far


@contextlib.asynccontextmanager
async def tcp_link() -> AsyncIterator[tuple[Any, Any]]:
    async with await open_listener("tcp://127.0.0.1:0") as listener:
        host, port = listener.address
        near = await open_transport(f"tcp://{host}:{port}")
        far = await listener.accept()
        async with near, far:
            yield near, far


async def udp_accept(listener: Any, near: Any) -> Any:
    """A UDP listener learns of a peer from its first datagram: send one and eat it."""
    await near.send(b"hello")
    far = await listener.accept()
    assert await far.receive() == b"hello"
    return far


@contextlib.asynccontextmanager
async def udp_link() -> AsyncIterator[tuple[Any, Any]]:
    async with await open_listener("udp://127.0.0.1:0") as listener:
        host, port = listener.address
        near = await open_transport(f"udp://{host}:{port}")
        far = await udp_accept(listener, near)
        async with near, far:
            yield near, far


@contextlib.asynccontextmanager
async def simulated_modem(**sim_options: Any) -> AsyncIterator[Any]:
    """A started simulator on a real pty; stopped at exit."""
    sim = ModemSimulator(**sim_options).start()
    try:
        yield sim
    finally:
        sim.stop()


def quectel_url(sim: Any, kind: str, host: str, port: int) -> str:
    return f"quectel+{kind}://{sim.at_port}?host={host}&port={port}&apn=cmnet&baudrate=115200"


@contextlib.asynccontextmanager
async def quectel_tcp_link() -> AsyncIterator[tuple[Any, Any]]:
    """The terminal's end through the AT bridge, the platform's a real TCP socket."""
    async with simulated_modem() as sim, await open_listener("tcp://127.0.0.1:0") as listener:
        near = await open_transport(quectel_url(sim, "tcp", *listener.address))
        far = await listener.accept()
        async with near, far:
            yield near, far


@contextlib.asynccontextmanager
async def quectel_udp_link() -> AsyncIterator[tuple[Any, Any]]:
    async with simulated_modem() as sim, await open_listener("udp://127.0.0.1:0") as listener:
        near = await open_transport(quectel_url(sim, "udp", *listener.address))
        far = await udp_accept(listener, near)
        async with near, far:
            yield near, far


TERMINAL_NUMBER = "+8613800138000"
PLATFORM_NUMBER = "+8610648990001"


class SmsGateway:
    """The platform's side of SMS: an SMS gateway on the simulator's SMS centre.

    (Two simulators on one centre can deadlock when both submit at once, so the
    platform is this in-process gateway rather than a second simulated modem.)
    """

    kind = "datagram"
    max_datagram = 255 * 134

    def __init__(self, centre: Any) -> None:
        self._centre = centre
        self._inbox: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        centre.on_submit = self._on_submit

    def _on_submit(self, sender: str, dest: str, data: bytes) -> None:
        if dest == PLATFORM_NUMBER:
            self._inbox.put(data)

    async def send(self, datagram: bytes, sender: str = PLATFORM_NUMBER) -> None:
        await anyio.to_thread.run_sync(self._centre.inject, TERMINAL_NUMBER, sender, datagram)

    async def receive(self) -> bytes:
        while True:
            try:
                return self._inbox.get_nowait()
            except queue.Empty:
                await anyio.sleep(0.002)

    async def __aenter__(self) -> SmsGateway:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._centre.on_submit = None


TERMINAL_NUMBER = "+8613800138000"
PLATFORM_NUMBER = "+8610648990001"


@contextlib.asynccontextmanager
async def sms_link() -> AsyncIterator[tuple[Any, Any]]:
    """The terminal's ``sms://`` transport through a simulated modem; the platform
    is an SMS gateway on the simulator's in-process SMS centre."""
    centre = InProcessSmsCentre()
    async with simulated_modem(sms_centre=centre, number=TERMINAL_NUMBER) as sim:
        near = await open_transport(f"sms://{sim.at_port}?number={PLATFORM_NUMBER}")
        async with near, SmsGateway(centre) as far:
            yield near, far


class Link(NamedTuple):
    """How to build a link and how hard the shared suite drives it."""

    factory: Callable[[], Any]
    kind: str            # "stream" or "datagram"
    frames: int          # frames moved each way
    largest: int         # largest frame, bytes
    window: int = 16     # datagrams in flight per direction (so no buffer overflows)
    sees_close: bool = True  # False where a peer's close sends nothing (UDP, SMS)


LINKS: dict[str, Link] = {
    "memory": Link(memory_link, "stream", 2000, 1000),
    "memory-datagram": Link(memory_datagram_link, "datagram", 1000, 1000),
    "tcp": Link(tcp_link, "stream", 2000, 1000),
    "udp": Link(udp_link, "datagram", 1000, 1000, sees_close=False),
    "quectel+tcp": Link(quectel_tcp_link, "stream", 2000, 1000),
    "quectel+udp": Link(quectel_udp_link, "datagram", 1000, 1000, sees_close=False),
    # a 1000-byte frame is 8 SMS; the simulated SIM stores 50 (more are lost, as on a
    # real SIM), so only a few frames may be in flight.
    "sms": Link(sms_link, "datagram", 200, 1000, window=3, sees_close=False),
}
