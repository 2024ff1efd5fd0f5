"""A raw frame builder that, unlike ``jt808.frame.pack``, writes hostile headers too.

Layout (JT/T 808 §4.4.3): 2011/2013 ``msg_id WORD | props WORD | phone BCD[6] | serial WORD
| [total WORD | index WORD]``; 2019 adds ``protocol version BYTE`` and a BCD[10] phone.
props: bits 0-9 body length | 10-12 encryption | 13 subpackaged | 14 version flag.
"""
from __future__ import annotations

import struct

from hypothesis import strategies as st

from jt808.codec import MESSAGES
from jt808.frame import Version, escape, xor_check

PHONE_2013 = bytes.fromhex("013800138000")
PHONE_2019 = bytes.fromhex("00000000013800138000")
KNOWN_IDS = sorted({msg_id for _, msg_id in MESSAGES})


def raw_frame(msg_id: int, body: bytes, *, v2019: bool, serial: int = 0,
              encryption: int = 0, packet: tuple[int, int] | None = None,
              length: int | None = None) -> bytes:
    """``7e escaped(header | body | check) 7e``; ``length`` overrides the length bits."""
    props = ((len(body) if length is None else length) & 0x3FF) | (encryption & 7) << 10
    if packet is not None:
        props |= 1 << 13
    if v2019:
        head = struct.pack(">HHB10sH", msg_id, props | 1 << 14, 1, PHONE_2019, serial)
    else:
        head = struct.pack(">HH6sH", msg_id, props, PHONE_2013, serial)
    if packet is not None:
        head += struct.pack(">HH", *packet)
    content = head + body
    return b"\x7e" + escape(content + bytes([xor_check(content)])) + b"\x7e"


@st.composite
def hostile_frames(draw, v2019: bool, seeds: dict) -> bytes:
    """One frame: known or random id, random or seeded body, maybe split, maybe encrypted."""
    msg_id = draw(st.sampled_from(KNOWN_IDS) | st.integers(0, 0xFFFF))
    version = Version.V2019 if v2019 else Version.V2013
    seeded = seeds.get((version, msg_id), [])
    body = draw(st.sampled_from(seeded) if seeded and draw(st.booleans())
                else st.binary(max_size=120))
    packet = draw(st.none() | st.tuples(st.integers(0, 8), st.integers(0, 9))
                  | st.tuples(st.sampled_from([0xFFFF, 0x1000, 4097]), st.integers(0, 0xFFFF)))
    encryption = draw(st.sampled_from([0, 0, 0, 1, 2, 7]))
    serial = draw(st.integers(0, 0xFFFF))
    length = draw(st.none() | st.integers(0, 0x3FF))
    return raw_frame(msg_id, body, v2019=v2019, serial=serial, encryption=encryption,
                     packet=packet, length=length)
