"""Hand-made frame vectors, each built by hand from a clause of JT/T 808.

Clauses (numbering of JT/T 808-2011/2013; the 2019 text keeps the same layout):
§4.4.2 flag and escaping (0x7e -> 7d 02, 0x7d -> 7d 01, escape after the check code),
§4.4.3 message header (table 2: msg_id WORD, props WORD, phone BCD[6], serial WORD,
[total WORD, index WORD]; 2019 table 2 adds protocol version BYTE and phone BCD[10]),
§4.4.3.1 body properties (bits 0-9 length, 10-12 encryption, 13 subpackaged,
14 version flag (2019), 15 reserved), §4.4.4 check code (XOR of header and body).
"""
from __future__ import annotations

from typing import NamedTuple

from jt808.frame import Header, Version


class Vector(NamedTuple):
    name: str
    source: str
    hex: str
    header: Header
    body: bytes

    @property
    def data(self) -> bytes:
        return bytes.fromhex(self.hex)


PHONE_12 = "013800138000"
PHONE_20 = "00000000013800138000"

VECTORS = [
    Vector("heartbeat-2013", "§4.4.3 table 2 (2013 header), §4.4.4 check 02^01^38^13^80^01=a9",
           "7e 0002 0000 013800138000 0001 a9 7e",
           Header(0x0002, PHONE_12, serial=1), b""),
    Vector("heartbeat-2019", "2019 §4.4.3 table 2: props bit 14 set, protocol version 1, BCD[10]",
           "7e 0002 4000 01 00000000013800138000 0001 e8 7e",
           Header(0x0002, PHONE_20, serial=1, version=Version.V2019), b""),
    Vector("subpacket-2013", "§4.4.3 table 2 packet item (total 2, index 1), §4.4.3.1 bit 13",
           "7e 0801 2003 013800138000 0002 0002 0001 010203 81 7e",
           Header(0x0801, PHONE_12, serial=2, packet=(2, 1)), b"\x01\x02\x03"),
    Vector("subpacket-2019", "2019 §4.4.3 table 2 packet item after the serial, bits 13+14",
           "7e 0801 6003 01 00000000013800138000 0002 0002 0002 010203 c3 7e",
           Header(0x0801, PHONE_12, serial=2, packet=(2, 2), version=Version.V2019),
           b"\x01\x02\x03"),
    Vector("escape-example", "§4.4.2 example body 30 7e 08 7d 55 -> 30 7d 02 08 7d 01 55; "
           "serial 0x7e7d escaped in the header too",
           "7e 0900 0005 013800138000 7d02 7d01 30 7d02 08 7d01 55 cb 7e",
           Header(0x0900, PHONE_12, serial=0x7E7D), bytes.fromhex("307e087d55")),
    Vector("check-code-7e", "§4.4.2: the check code is escaped too (check 0x7e -> 7d 02)",
           "7e 0900 0002 013800138000 0003 00dc 7d02 7e",
           Header(0x0900, PHONE_12, serial=3), b"\x00\xdc"),
    Vector("check-code-7d", "§4.4.2: the check code is escaped too (check 0x7d -> 7d 01)",
           "7e 0900 0002 013800138000 0003 00df 7d01 7e",
           Header(0x0900, PHONE_12, serial=3), b"\x00\xdf"),
    Vector("rsa-flag", "§4.4.3.1 bits 10-12 = 001: RSA-encrypted body (carried as is)",
           "7e 0900 0401 013800138000 0004 aa 08 7e",
           Header(0x0900, PHONE_12, serial=4, encryption=1), b"\xaa"),
]
