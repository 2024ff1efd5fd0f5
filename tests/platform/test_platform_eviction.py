"""Issues 14/18: idle, never-authenticated and surplus UDP connections are closed.
Real Platform, real loopback sockets; every wait is bounded."""
from __future__ import annotations

import anyio
import pytest

from jt808.demo import MiniTerminal
from jt808.platform import Platform

from platform_peers import RawPeer, frame

pytestmark = pytest.mark.anyio

PHONE = "13800000001"


async def test_idle_authenticated_tcp_connection_is_closed_after_idle_timeout():
    async with Platform(idle_timeout=0.3, auth_timeout=None) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        async with await MiniTerminal.connect(platform.url(), PHONE) as terminal:
            await terminal.login()
            assert PHONE in platform.connections
            await platform.wait_for(lambda: PHONE not in platform.connections, timeout=5)
        assert platform.links.evicted["idle"] == 1
        assert len(platform.links) == 0


async def test_a_connection_that_keeps_talking_is_not_idle():
    async with Platform(idle_timeout=0.5, auth_timeout=None) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        async with await MiniTerminal.connect(platform.url(), PHONE) as terminal:
            await terminal.login()
            for _ in range(8):                      # 1.2 s in all, never 0.5 s quiet
                await anyio.sleep(0.15)
                assert (await terminal.report()).result == 0
            assert PHONE in platform.connections
        assert platform.links.evicted["idle"] == 0


@pytest.mark.parametrize("scheme", ["tcp", "udp"])
async def test_connection_that_never_authenticates_is_closed(scheme):
    """Heartbeats keep it active, but it never logs in: closed after auth_timeout."""
    async with Platform(auth_timeout=0.4) as platform:
        await platform.serve(f"{scheme}://127.0.0.1:0")
        peer = await getattr(RawPeer, scheme)(platform.address(scheme))
        for serial in range(20):
            await peer.send(frame(0x0002, PHONE, serial))
            await anyio.sleep(0.05)
            if platform.links.evicted["never authenticated"]:
                break
        if scheme == "tcp":
            assert await peer.closed_by_peer()
        await platform.wait_for(lambda: len(platform.links) == 0, timeout=5)
        assert platform.links.evicted["never authenticated"] == 1
        await peer.aclose()


async def test_udp_peers_are_bounded_least_recently_active_first():
    async with Platform(max_udp_peers=3, auth_timeout=None) as platform:
        await platform.serve("udp://127.0.0.1:0")
        peers = [await RawPeer.udp(platform.address("udp")) for _ in range(5)]
        for index, peer in enumerate(peers[:3]):
            await peer.send(frame(0x0002, f"1390000000{index}", 1))
            await peer.receive()
        await peers[0].send(frame(0x0002, "13900000000", 2))   # peer 0 active again
        await peers[0].receive()
        for index, peer in enumerate(peers[3:], 3):
            await peer.send(frame(0x0002, f"1390000000{index}", 1))
            await peer.receive()
        await platform.wait_for(lambda: len(platform.links) <= 3, timeout=5)
        assert platform.links.evicted["UDP peers over the bound"] == 2
        remote = {link.driver.transport.remote_address[1] for link in platform.links}
        local = [peer.stream._raw_socket.getsockname()[1] for peer in peers]
        assert remote == {local[0], local[3], local[4]}          # 1 and 2 were idlest
        for peer in peers:
            await peer.aclose()


async def test_one_shot_udp_sources_leave_no_sessions():
    """2,000 one-shot sources left 1,941 live sessions on main; here 200 sources and a
    short auth_timeout: none is left (bench_attack measures memory at 2,000)."""
    async with Platform(auth_timeout=0.3) as platform:
        await platform.serve("udp://127.0.0.1:0")
        for serial in range(200):
            peer = await RawPeer.udp(platform.address("udp"))
            await peer.send(frame(0x0200, f"139{serial:08d}", serial, b"\x00" * 28))
            await peer.aclose()
            if serial % 20 == 0:
                await anyio.sleep(0.01)
        await platform.wait_for(lambda: len(platform.links) == 0, timeout=10)
        assert not platform.terminals
