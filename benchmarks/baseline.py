"""Plain-struct baseline: the simplest correct 0x0200 and frame encoder/decoder.

No classes, no validation beyond what correctness needs, no error types: the yardstick
the library's figures are divided by in ``python -m benchmarks``. JT/T 808-2013 §4
(frame: 0x7e flags, 0x7d escaping, XOR check, 12-byte header) and table 23/24 (0x0200
basic part + extras as id/length/value items).

``python -m benchmarks.baseline serve PORT`` runs a baseline platform (asyncio, this
decoder, 0x8001 for every 0x0200, reports stored in a list) for the end-to-end bench.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import struct
import sys

__all__ = ["pack_frame", "unpack_frame", "encode_location", "decode_location",
           "general_reply", "xor"]

# msg id WORD | properties WORD | phone BCD[6] | serial WORD
HEADER = struct.Struct(">HH6sH")
# alarm DWORD | status DWORD | lat DWORD | lng DWORD | alt WORD | speed WORD | dir WORD | time BCD[6]
BASIC = struct.Struct(">IIIIHHH6s")
# reply serial WORD | reply id WORD | result BYTE
REPLY = struct.Struct(">HHB")


def xor(data: bytes) -> int:
    check = 0
    for byte in data:
        check ^= byte
    return check


def pack_frame(msg_id: int, phone: str, serial: int, body: bytes) -> bytes:
    content = HEADER.pack(msg_id, len(body), bytes.fromhex(phone.rjust(12, "0")), serial) + body
    content += bytes((xor(content),))
    return b"\x7e" + content.replace(b"\x7d", b"\x7d\x01").replace(b"\x7e", b"\x7d\x02") + b"\x7e"


def unpack_frame(wire: bytes) -> tuple[int, str, int, bytes]:
    """``(msg_id, phone, serial, body)`` of one whole frame; ValueError when bad."""
    content = wire[1:-1].replace(b"\x7d\x02", b"\x7e").replace(b"\x7d\x01", b"\x7d")
    if len(content) < 13 or xor(content[:-1]) != content[-1]:
        raise ValueError("bad frame")
    msg_id, props, phone, serial = HEADER.unpack_from(content)
    body = content[12:-1]
    if len(body) != props & 0x3FF:
        raise ValueError("bad body length")
    return msg_id, phone.hex(), serial, body


def _bcd_time(when: dt.datetime) -> bytes:
    return bytes.fromhex(when.strftime("%y%m%d%H%M%S"))


def encode_location(alarm: int, status: int, latitude: float, longitude: float,
                    altitude: int, speed: float, direction: int, when: dt.datetime,
                    extras: dict[int, bytes]) -> bytes:
    body = BASIC.pack(alarm, status, round(latitude * 1e6), round(longitude * 1e6), altitude,
                      round(speed * 10), direction, _bcd_time(when))
    return body + b"".join(bytes((key, len(value))) + value for key, value in extras.items())


def decode_location(body: bytes) -> tuple:
    """``(alarm, status, lat, lng, alt, speed, direction, datetime, {extra id: bytes})``."""
    alarm, status, lat, lng, alt, speed, direction, when = BASIC.unpack_from(body)
    extras, pos = {}, BASIC.size
    while pos + 2 <= len(body):
        key, size = body[pos], body[pos + 1]
        extras[key] = body[pos + 2:pos + 2 + size]
        pos += 2 + size
    t = when.hex()
    time = dt.datetime(2000 + int(t[0:2]), int(t[2:4]), int(t[4:6]), int(t[6:8]),
                       int(t[8:10]), int(t[10:12]))
    return alarm, status, lat / 1e6, lng / 1e6, alt, speed / 10, direction, time, extras


def general_reply(phone: str, serial: int, reply_serial: int, reply_id: int) -> bytes:
    return pack_frame(0x8001, phone, serial, REPLY.pack(reply_serial, reply_id, 0))


# -- baseline platform: the same work as the reference platform's 0x0200 path ---------
class _Connection(asyncio.Protocol):
    def __init__(self, store: list) -> None:
        self.store = store
        self.buf = b""
        self.serial = 0

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        frames = (self.buf + data).split(b"\x7e")
        self.buf = b"\x7e" + frames.pop() if frames[-1] else b""
        out = []
        for content in frames:
            if not content:
                continue
            try:
                msg_id, phone, serial, body = unpack_frame(b"\x7e" + content + b"\x7e")
            except ValueError:
                continue
            if msg_id == 0x0200:
                self.store.append(decode_location(body))
            if msg_id == 0x0100:
                reply = struct.pack(">HB", serial, 0) + b"CODE"
                out.append(pack_frame(0x8100, phone, self.serial, reply))
            else:
                out.append(general_reply(phone, self.serial, serial, msg_id))
            self.serial = (self.serial + 1) & 0xFFFF
        if out:
            self.transport.write(b"".join(out))


async def serve(port: int) -> None:
    store: list = []
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(store), "127.0.0.1", port)
    print(f"listening on tcp://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        asyncio.run(serve(int(sys.argv[2])))
    else:
        print("usage: python -m benchmarks.baseline serve PORT", file=sys.stderr)
        sys.exit(2)
