"""A photo over a lossy link to a platform of another dialect (issue 11).

Real loopback TCP: the jt808 ``Terminal`` -> a proxy that drops the frame of packet 3
of the photo once -> a third-party platform written here from the standard's text
(frames with ``jt808.frame``, bodies with ``jt808.codec``), which asks for the lost
packet with 0x8003 in one of the dialects seen in the field (issue 11):

- ``index``: the list names packet *indexes* (go-jt808);
- ``serial``: the list names the packets' *serials* (first serial + 2);
- ``byte2019``: a 2019 body with a BYTE count (``…0002 01 0003``), listing the index.

Each time the photo must arrive once (one complete message, no second copy from a
whole retransmission) and byte for byte.
"""
from __future__ import annotations

import datetime as dt
import os

import anyio
import pytest

from jt808.codec import (LocationBasic, MediaDataUpload, MediaUploadResponse,
                         PlatformGeneralResponse, TerminalRegister, TerminalRegisterResponse,
                         decode_body, encode_body)
from jt808.frame import Frame, Framer, Header, Version, pack
from jt808.terminal import Terminal

pytestmark = pytest.mark.anyio

PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(4000) + b"\xff\xd9"       # 5 packets of <= 1023
LOCATION = LocationBasic(0, 3, 31.824845, 117.24091, 120, 60.5, 90,
                         dt.datetime(2022, 6, 27, 10, 11, 30))
REGISTER = TerminalRegister(44, 100, "70111", "EC200U", "T0001", 1, "A12345")
LOST_INDEX = 3


class DialectPlatform:
    """A platform that acks login, collects 0x0801 packets by index, ignores duplicates
    (also of a message it completed), asks for the missing ones with 0x8003 in
    ``dialect``, and answers a complete upload with 0x8800."""

    def __init__(self, dialect: str, version: Version) -> None:
        self.dialect, self.version = dialect, version
        self.asked: list[bytes] = []          # 0x8003 bodies sent
        self.photos: list[bytes] = []         # media data of each completed upload
        self.serial = 0
        self.pieces: dict[int, bytes] = {}
        self.first_serial: int | None = None
        self.done: set[int] = set()           # first serials of completed messages

    async def serve(self, stream) -> None:
        framer = Framer(self.version)
        async with stream:
            try:
                async for chunk in stream:
                    for frame in framer.feed(chunk):
                        await self._on_frame(stream, frame)
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                pass

    async def _send(self, stream, message=None, *, msg_id=None, body=None) -> None:
        self.serial += 1
        if message is not None:
            msg_id, body = message.msg_id, encode_body(message, self.version)
        await stream.send(pack(Frame(Header(msg_id, self.phone, self.serial, self.version),
                                     body)))

    async def _on_frame(self, stream, frame: Frame) -> None:
        header = frame.header
        self.phone = header.phone
        if header.msg_id == 0x0100:
            await self._send(stream, TerminalRegisterResponse(header.serial, 0, "AUTH"))
        elif header.msg_id == 0x0801 and header.packet is not None:
            await self._on_packet(stream, header, frame.body)
        elif header.msg_id != 0x0001:
            await self._send(stream, PlatformGeneralResponse(header.serial, header.msg_id, 0))

    async def _on_packet(self, stream, header: Header, piece: bytes) -> None:
        total, index = header.packet
        first = (header.serial - index + 1) & 0xFFFF   # serials taken as consecutive
        if first in self.done or index in self.pieces:
            return                                   # a duplicate: ignored
        self.first_serial = first
        self.pieces[index] = piece
        if index == total and len(self.pieces) < total:
            await self._ask(stream, [i for i in range(1, total + 1) if i not in self.pieces])
        if len(self.pieces) == total:
            body = b"".join(self.pieces[i] for i in range(1, total + 1))
            self.pieces = {}
            self.done.add(first)
            upload = decode_body(0x0801, body, self.version)
            self.photos.append(upload.media_data)
            await self._send(stream, MediaUploadResponse(upload.media_id, ()))

    async def _ask(self, stream, missing: list[int]) -> None:
        first = self.first_serial
        if self.dialect == "serial":
            ids = [(first + i - 1) & 0xFFFF for i in missing]
        else:
            ids = missing
        body = first.to_bytes(2, "big") + bytes((len(ids),))      # BYTE count in every form
        body += b"".join(i.to_bytes(2, "big") for i in ids)
        self.asked.append(body)
        await self._send(stream, msg_id=0x8003, body=body)


class LossyProxy:
    """Forwards frames both ways; drops the uplink frame of photo packet 3 once."""

    def __init__(self, target_port: int, version: Version) -> None:
        self.target_port, self.version = target_port, version
        self.dropped = 0

    async def serve(self, client) -> None:
        upstream = await anyio.connect_tcp("127.0.0.1", self.target_port)
        async with client, upstream, anyio.create_task_group() as tg:
            tg.start_soon(self._pipe, upstream, client, False)
            await self._pipe(client, upstream, True)
            tg.cancel_scope.cancel()

    async def _pipe(self, src, dst, lossy: bool) -> None:
        framer = Framer(self.version)
        try:
            async for chunk in src:
                if not lossy:
                    await dst.send(chunk)
                    continue
                for frame in framer.feed(chunk):
                    if (frame.header.msg_id == 0x0801 and frame.header.packet is not None
                            and frame.header.packet[1] == LOST_INDEX and not self.dropped):
                        self.dropped += 1
                        continue
                    await dst.send(pack(frame))
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass


@pytest.mark.parametrize("dialect, version", [
    ("index", Version.V2013), ("serial", Version.V2013), ("byte2019", Version.V2019),
])
async def test_photo_arrives_once_and_exact(dialect, version):
    platform = DialectPlatform(dialect, version)
    async with await anyio.create_tcp_listener(local_host="127.0.0.1") as platform_listener, \
            await anyio.create_tcp_listener(local_host="127.0.0.1") as proxy_listener:
        proxy = LossyProxy(platform_listener.extra(anyio.abc.SocketAttribute.local_port),
                           version)
        proxy_port = proxy_listener.extra(anyio.abc.SocketAttribute.local_port)
        async with anyio.create_task_group() as tg:
            tg.start_soon(platform_listener.serve, platform.serve)
            tg.start_soon(proxy_listener.serve, proxy.serve)
            terminal = Terminal(f"tcp://127.0.0.1:{proxy_port}", phone="13800138000",
                                version=version, register_info=REGISTER,
                                params={0x0001: 0, 0x0002: 20, 0x0003: 1})
            with anyio.fail_after(15):
                async with terminal:
                    await terminal.connect()
                    assert (await terminal.login()).result == 0
                    reply = await terminal.request(
                        MediaDataUpload(7, 0, 0, 1, 1, LOCATION, PHOTO))
            tg.cancel_scope.cancel()
    assert reply == MediaUploadResponse(7, ())
    assert proxy.dropped == 1
    assert len(platform.asked) == 1
    if version is Version.V2019:
        assert len(platform.asked[0]) % 2 == 1          # a BYTE count in a 2019 body
    assert platform.photos == [PHOTO]                  # once, byte for byte
