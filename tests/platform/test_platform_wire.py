"""What the platform reads and writes on the wire: a frame cut by the first read is
kept (issue 18), one frame per transport write (issue 11, "Conservative sending")."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import TerminalRegister, encode_body
from jt808.frame import Framer
from jt808.platform import Platform
from jt808.transport import open_listener

from platform_peers import RawPeer, frame, position_frame

pytestmark = pytest.mark.anyio

PHONE = "13800000001"
REGISTER = encode_body(TerminalRegister(31, 115, "70111", "MINI", "T1", 1, "A1"))


@pytest.mark.parametrize("cut", [1, 5, 10, -1])
async def test_frame_cut_by_the_end_of_the_first_read_is_kept(cut):
    """The first read holds a whole 0x0100 and the start of a heartbeat (0x0002): the
    version sniffer cut frames itself and never handed the rest to the session."""
    async with Platform() as platform:
        await platform.serve("tcp://127.0.0.1:0")
        peer = await RawPeer.tcp(platform.address())
        first, second = frame(0x0100, PHONE, 1, REGISTER), frame(0x0002, PHONE, 2)
        await peer.send(first + second[:cut])
        [(header, _)] = await peer.receive()
        assert header.msg_id == 0x8100
        await anyio.sleep(0.1)                         # the platform has read the cut
        await peer.send(second[cut:])
        [(header, reply)] = await peer.receive()
        assert (header.msg_id, reply.reply_id, reply.reply_serial) == (0x8001, 0x0002, 2)
        await peer.aclose()


class _RecordingListener:
    """A real TCP listener whose transports note every ``send`` call."""

    scheme = "tcp"

    def __init__(self, listener) -> None:
        self.listener = listener
        self.address = listener.address
        self.writes: list[bytes] = []

    async def accept(self):
        transport = await self.listener.accept()
        send = transport.send

        async def recording_send(data: bytes) -> None:
            self.writes.append(bytes(data))
            await send(data)
        transport.send = recording_send
        return transport

    async def aclose(self) -> None:
        await self.listener.aclose()


async def test_one_frame_per_transport_write():
    """Two reports in one read are answered by two 0x8001: two writes, not one
    (a naive peer reading one frame per recv loses the second)."""
    async with Platform() as platform:
        listener = _RecordingListener(await open_listener("tcp://127.0.0.1:0"))
        await platform.serve(listener)
        peer = await RawPeer.tcp(listener.address)
        await peer.send(frame(0x0100, PHONE, 1, REGISTER))
        [(_, answer)] = await peer.receive()
        await peer.send(frame(0x0102, PHONE, 2, answer.auth_code.encode()))
        await peer.receive()
        await peer.send(position_frame(PHONE, 3) + position_frame(PHONE, 4)
                        + frame(0x0002, PHONE, 5))
        replies = await peer.receive(3)
        assert [reply.reply_serial for _, reply in replies] == [3, 4, 5]
        assert len(listener.writes) == 5
        for write in listener.writes:
            assert len(Framer().feed(write)) == 1, write.hex()
        await peer.aclose()
