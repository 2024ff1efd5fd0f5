"""Issue 18: state belongs to the connection that authenticated. Every attacker is
unauthenticated; real Platform, real loopback sockets."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import TerminalRegister, encode_body
from jt808.errors import TransportError
from jt808.frame import Version
from jt808.demo import MiniTerminal, location
from jt808.platform import Platform

from platform_peers import RawPeer, frame, position_frame

pytestmark = pytest.mark.anyio

VICTIM, OTHER = "13800000001", "13800000002"
#: 0x0100 with a 2011-length body (model 8 bytes): shorter than 2013's 37-byte fixed part
REGISTER_2011 = encode_body(TerminalRegister(31, 115, "70111", "M2011", "T1", 1, "A1"),
                            Version.V2011)


async def _platform(**options) -> Platform:
    platform = Platform(**options)
    await platform.__aenter__()
    await platform.serve(["tcp://127.0.0.1:0", "udp://127.0.0.1:0"])
    return platform


@pytest.mark.parametrize("scheme", ["tcp", "udp"])
async def test_data_before_authentication_is_refused_and_not_stored(scheme):
    async with Platform() as platform:
        await platform.serve(f"{scheme}://127.0.0.1:0")
        peer = await getattr(RawPeer, scheme)(platform.address(scheme))
        await peer.send(position_frame(OTHER, 7))
        [(header, reply)] = await peer.receive()
        assert (header.msg_id, reply.reply_serial, reply.reply_id, reply.result) == \
            (0x8001, 7, 0x0200, 1)
        assert OTHER not in platform.terminals and platform.refused == 1
        await peer.aclose()


async def test_a_new_phone_per_frame_keeps_nothing():
    """Was: ~1 KB kept per phone forever, every position acknowledged result 0."""
    async with Platform() as platform:
        await platform.serve("tcp://127.0.0.1:0")
        peer = await RawPeer.tcp(platform.address())
        await peer.send(b"".join(position_frame(f"139{n:08d}", n) for n in range(300)))
        replies = await peer.receive(300)
        assert {reply.result for _, reply in replies} == {1}
        assert not platform.terminals and not platform.connections
        assert platform.refused == 300
        await peer.aclose()


async def test_refused_authentication_gets_no_service():
    async with Platform() as platform:
        await platform.serve("tcp://127.0.0.1:0")
        async with await MiniTerminal.connect(platform.url(), VICTIM) as terminal:
            await terminal.register()
            assert (await terminal.authenticate("wrong")).result == 1
            terminal.session.state = "authenticated"      # it sends data anyway
            assert (await terminal.report()).result == 1
        record = platform.terminals[VICTIM]
        assert record.position_count == 0 and not record.positions
        assert [h.msg_id for h, _ in record.received] == [0x0100]


async def test_registered_phones_that_never_authenticate_are_bounded():
    async with Platform(max_unauthenticated=5) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        peer = await RawPeer.tcp(platform.address())
        register = encode_body(TerminalRegister(31, 115, "70111", "MINI", "T1", 1, "A1"))
        await peer.send(b"".join(frame(0x0100, f"139{n:08d}", n, register) for n in range(20)))
        await peer.receive(20)
        assert sorted(platform.terminals) == [f"139{n:08d}" for n in range(15, 20)]
        await peer.aclose()


async def test_hijack_frame_leaves_the_victim_alone():
    """Was: one unauthenticated frame with the victim's phone made its position the
    victim's last position and pointed connections[victim] at the attacker."""
    platform = await _platform()
    try:
        async with await MiniTerminal.connect(platform.url(), VICTIM) as victim:
            await victim.login()
            await victim.report(location(30.0, 120.0))
            owner = platform.connections[VICTIM]
            for scheme in ("tcp", "udp"):
                peer = await getattr(RawPeer, scheme)(platform.address(scheme))
                await peer.send(frame(0x0200, VICTIM, 9, encode_body(location(10.0, 10.0))))
                [(_, reply)] = await peer.receive()
                assert reply.result == 1
                await peer.aclose()
            record = platform.terminals[VICTIM]
            assert platform.connections[VICTIM] is owner
            assert record.last_position.latitude == 30.0 and record.position_count == 1
            assert record.authenticated
            assert (await victim.report()).result == 0           # still served
    finally:
        await platform.__aexit__(None, None, None)


async def test_short_registration_does_not_make_the_victim_2011():
    """Was: a short 0x0100 carrying the victim's phone marked it 2011 for good."""
    platform = await _platform()
    try:
        async with await MiniTerminal.connect(platform.url(), VICTIM) as victim:
            await victim.login()
            peer = await RawPeer.tcp(platform.address())
            await peer.send(frame(0x0100, VICTIM, 1, REGISTER_2011))
            [(header, reply)] = await peer.receive()
            assert header.msg_id == 0x8100 and reply.result == 3 and not reply.auth_code
            await peer.aclose()
        await platform.wait_for(lambda: VICTIM not in platform.connections)
        # while it is away, a short registration on another link gets a code, but the
        # phone's version changes only when that link authenticates
        peer = await RawPeer.tcp(platform.address())
        await peer.send(frame(0x0100, VICTIM, 1, REGISTER_2011))
        await peer.receive()
        await peer.aclose()
        assert platform.terminals[VICTIM].version is Version.V2013
        async with await MiniTerminal.connect(platform.url(), VICTIM) as victim:
            await victim.login()
            assert (await victim.report()).result == 0
        assert platform.terminals[VICTIM].version is Version.V2013
    finally:
        await platform.__aexit__(None, None, None)


async def test_second_connection_takes_the_phone_only_by_authenticating():
    platform = await _platform()
    try:
        async with await MiniTerminal.connect(platform.url(), VICTIM) as first:
            code = await first.login()
            owner = platform.connections[VICTIM]
            async with await MiniTerminal.connect(platform.url(), VICTIM) as second:
                assert (await second.authenticate("guess")).result == 1
                assert platform.connections[VICTIM] is owner
                assert (await second.authenticate(code)).result == 0
                assert platform.connections[VICTIM] is not owner
                with pytest.raises(TransportError):             # the old link was closed
                    with anyio.fail_after(5):
                        while True:
                            await first.report(timeout=1)
                assert (await second.report()).result == 0
                assert platform.terminals[VICTIM].authenticated
            await platform.wait_for(lambda: VICTIM not in platform.connections)
            assert not platform.terminals[VICTIM].authenticated
    finally:
        await platform.__aexit__(None, None, None)
