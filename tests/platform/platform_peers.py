"""A raw-socket peer for hostile-peer tests: frames built by hand, replies parsed."""
from __future__ import annotations

import anyio

from jt808.codec import decode_body, encode_body
from jt808.frame import Frame, Framer, Header, Version, pack
from jt808.demo import location

LOCATION_BODY = encode_body(location(), Version.V2013)


def frame(msg_id: int, phone: str, serial: int = 1, body: bytes = b"",
          version: Version = Version.V2013, encryption: int = 0) -> bytes:
    return pack(Frame(Header(msg_id, phone, serial, version, encryption), body))


def position_frame(phone: str, serial: int = 1) -> bytes:
    return frame(0x0200, phone, serial, LOCATION_BODY)


class RawPeer:
    """A TCP (or connected UDP) socket speaking frames; ``replies()`` decodes answers."""

    def __init__(self, stream, datagram: bool = False) -> None:
        self.stream = stream
        self.datagram = datagram
        self.framer = Framer()
        self.got: list[tuple[Header, object]] = []

    @classmethod
    async def tcp(cls, address) -> RawPeer:
        return cls(await anyio.connect_tcp(*address[:2]))

    @classmethod
    async def udp(cls, address) -> RawPeer:
        return cls(await anyio.create_connected_udp_socket(*address[:2]), datagram=True)

    async def send(self, data: bytes) -> None:
        await self.stream.send(data)

    async def receive(self, count: int = 1, timeout: float = 5.0) -> list[tuple[Header, object]]:
        """Wait for ``count`` more decoded frames (``TimeoutError`` otherwise)."""
        want = len(self.got) + count
        with anyio.fail_after(timeout):
            while len(self.got) < want:
                data = await self.stream.receive()
                if not data:
                    raise EOFError("peer closed")
                for item in self.framer.feed(data):
                    self.got.append((item.header, decode_body(item.header.msg_id, item.body,
                                                               item.header.version)))
        return self.got[want - count:want]

    async def closed_by_peer(self, timeout: float = 5.0) -> bool:
        """True once the platform closed the connection (EOF or reset)."""
        with anyio.fail_after(timeout):
            try:
                while await self.stream.receive():
                    pass
            except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionError):
                pass
        return True

    async def aclose(self) -> None:
        await self.stream.aclose()
